"""A synthetic clinical survey whose questions' wording is evidence."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

TARGET_DESCRIPTION = "Does the patient still have pain three months after surgery?"

# Questions close in meaning to the target that drive it, with their weight
# in the outcome's linear predictor.
_CLOSE_INFORMATIVE = {
    "How intense was your pain in the week before surgery?": 1.2,
    "How often do you worry that your pain will get worse?": 0.8,
    "How many days per week do you take pain medication?": 0.6,
}

# A rewording of the first question with nearly the same answers: close in
# meaning and informative, but redundant once the first is selected.
_REDUNDANT = "On a scale of 0 to 10, how strong was your pain before the operation?"

# Questions close in meaning to the target that do not drive it: where the
# wording misleads.
_CLOSE_UNINFORMATIVE = (
    "How much pain did you feel at your last dental visit?",
    "How painful was your most recent vaccination?",
    "Does anyone in your household live with chronic pain?",
    "How sore were your muscles after your last workout?",
)

# Questions far in meaning from the target that drive it: where the wording
# hides a signal only the data shows.
_FAR_INFORMATIVE = {
    "How many hours do you sleep on a typical night?": -0.7,
    "How many cigarettes do you smoke per day?": 0.6,
}

_FILLER = (
    "How many siblings do you have?",
    "How many books did you read last year?",
    "How often do you cook dinner at home?",
    "How many pets live in your home?",
    "How far is your commute to work in kilometres?",
    "How many hours a week do you watch television?",
    "What is your shoe size?",
    "How many languages do you speak?",
    "How often do you travel abroad?",
    "How many cups of coffee do you drink per day?",
    "How often do you visit a museum?",
    "How many plants do you keep indoors?",
    "How often do you play a musical instrument?",
    "How many times did you move house in the last ten years?",
    "How often do you eat breakfast?",
    "How many friends did you meet last week?",
    "How often do you use public transport?",
    "How many hours a day do you spend on your phone?",
    "How often do you go to the cinema?",
    "How many newspapers do you read per week?",
    "How often do you garden?",
    "How many rooms does your home have?",
    "How often do you bake bread?",
    "How many emails do you write per day?",
    "How often do you go hiking?",
    "How many board games do you own?",
    "How often do you call your parents?",
    "How many concerts did you attend last year?",
    "How often do you ride a bicycle?",
    "How many hours do you work per week?",
)


def make_survey(
    n_samples=150,
    *,
    n_filler=20,
    task="classification",
    noise=1.0,
    random_state=None,
):
    """Generate a survey whose column names are questions.

    Answers are integers on a 1-5 scale (0-10 for one question), from
    standard normal latent variables. The outcome depends on three questions
    close in meaning to the target description and two far from it; four
    other questions close in meaning carry no signal, one question rewords an
    informative one (redundant), and ``n_filler`` unrelated questions are
    noise. Semantic similarity helps with the first group, misleads with the
    decoys and misses the second group; redundancy penalties matter for the
    rewording. The columns come in random order.

    Parameters
    ----------
    n_samples : int, default=150
        Number of respondents.

    n_filler : int, default=20
        Number of unrelated noise questions, at most 30.

    task : {"classification", "regression"}, default="classification"
        Whether ``y`` is a yes/no outcome (1 = persistent pain) or a pain
        score.

    noise : float, default=1.0
        Standard deviation of the noise added to the outcome's linear
        predictor, whose signal part has a standard deviation near 2.

    random_state : int, RandomState instance or None, default=None
        Seed of the answers and of the column order.

    Returns
    -------
    X : DataFrame of shape (n_samples, 10 + n_filler)
        The answers, one column per question. ``X.attrs`` holds the ground
        truth: lists of column names under ``"informative"`` (drive the
        outcome), ``"redundant"`` (rewording of an informative question),
        ``"decoys"`` (close in meaning, no signal) and ``"filler"``.

    y : Series of shape (n_samples,)
        The outcome.

    target_description : str
        The outcome as a question, for ``STSmRMRSelector``.

    Examples
    --------
    >>> from featsel.datasets import make_survey
    >>> X, y, target = make_survey(n_samples=100, n_filler=5, random_state=0)
    >>> X.shape
    (100, 15)
    >>> target
    'Does the patient still have pain three months after surgery?'
    >>> X.attrs["informative"][0]
    'How intense was your pain in the week before surgery?'
    """
    if task not in ("classification", "regression"):
        raise ValueError(
            f"task must be 'classification' or 'regression', got {task!r}."
        )
    if not 0 <= n_filler <= len(_FILLER):
        raise ValueError(f"n_filler must lie in [0, {len(_FILLER)}], got {n_filler}.")
    rng = check_random_state(random_state)
    weights = {**_CLOSE_INFORMATIVE, **_FAR_INFORMATIVE}
    latent = {question: rng.standard_normal(n_samples) for question in weights}
    first = next(iter(_CLOSE_INFORMATIVE))
    latent[_REDUNDANT] = latent[first] + 0.3 * rng.standard_normal(n_samples)
    filler = list(rng.choice(_FILLER, n_filler, replace=False))
    for question in (*_CLOSE_UNINFORMATIVE, *filler):
        latent[question] = rng.standard_normal(n_samples)

    answers = {
        question: _likert(values, 11 if question == _REDUNDANT else 5)
        for question, values in latent.items()
    }
    order = rng.permutation(len(answers))
    questions = list(answers)
    X = pd.DataFrame({questions[j]: answers[questions[j]] for j in order})
    X.attrs = {
        "informative": list(weights),
        "redundant": [_REDUNDANT],
        "decoys": list(_CLOSE_UNINFORMATIVE),
        "filler": filler,
    }

    signal = sum(weight * latent[question] for question, weight in weights.items())
    predictor = signal + noise * rng.standard_normal(n_samples)
    if task == "classification":
        y = pd.Series((predictor > 0.5).astype(int), name="persistent_pain")
    else:
        y = pd.Series(np.clip(4.0 + predictor, 0.0, 10.0), name="pain_score")
    return X, y, TARGET_DESCRIPTION


def _likert(values, n_levels):
    """Answers 1..n_levels (0..10 for 11 levels) from standard normal values."""
    # Cut points at equal steps of the normal range, as people spread their
    # answers over a scale, with few at either end.
    cuts = np.linspace(-2.0, 2.0, n_levels + 1)[1:-1]
    start = 0 if n_levels == 11 else 1
    return np.digitize(values, cuts) + start
