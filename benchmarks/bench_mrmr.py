"""Classical and semantic mRMR: STSmRMRSelector (issue 5).

Two parts, each writing markdown tables:

- ``speed``: classical mRMR (``alpha_sts=0``, ``relevance="f"``,
  ``scheme="quotient"``) against ``mrmr_classif`` / ``mrmr_regression`` of
  the mrmr-selection package, called as its documentation shows (default
  ``n_jobs=-1``), on n=10,000 rows, d=500 features, k=50. Features are noisy
  copies of 60 latent factors, so redundancy matters; the target depends on
  8 factors. Reported: whether both pick the same features in the same
  order, and the fit times (median over repeats).
- ``survey``: the synthetic survey of ``featsel.datasets.make_survey``
  (question names, a target question, informative questions close to and
  far from the target in meaning, decoys close in meaning without signal).
  For several sample sizes and weights of the STS terms, over 10 seeds: how
  many of the 5 informative questions are among the 5 selected, how many
  decoys are, and the held-out accuracy of a logistic regression on the
  selected questions (2,000 test respondents).

Usage::

    python benchmarks/bench_mrmr.py [--parts speed,survey] [--repeats 3] \
        [--n-samples 10000] [--n-features 500] [--k 50] \
        [--output benchmarks/results/mrmr.md]
"""

import argparse
import statistics
from functools import partial

import numpy as np
import pandas as pd
from _provenance import header, timed
from mrmr import mrmr_classif, mrmr_regression
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from featsel import STSmRMRSelector
from featsel.benchmark import to_markdown
from featsel.datasets import make_survey

N_FACTORS = 60
SURVEY_SIZES = (30, 60, 120, 500)
SURVEY_WEIGHTS = (0.0, 0.1, 0.25, 0.5, 1.0)
SURVEY_SEEDS = range(10)
SURVEY_K = 5
SURVEY_TEST_SIZE = 2000


def factor_data(n_samples, n_features, task, seed):
    """Noisy copies of latent factors; the target depends on 8 of them."""
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(n_samples, N_FACTORS))
    loading = rng.uniform(0.3, 1.0, n_features)
    X = factors[:, np.arange(n_features) % N_FACTORS] * loading
    X += rng.normal(size=(n_samples, n_features))
    signal = factors[:, :8] @ np.linspace(1.0, 0.3, 8)
    noise = rng.normal(size=n_samples)
    y = (signal + noise > 0).astype(int) if task == "classification" else signal + noise
    columns = [f"f{j:03d}" for j in range(n_features)]
    return pd.DataFrame(X, columns=columns), pd.Series(y, name="target")


def speed(args):
    rows = []
    for task in ("classification", "regression"):
        X, y = factor_data(args.n_samples, args.n_features, task, seed=0)
        reference = mrmr_classif if task == "classification" else mrmr_regression
        # The median of the repeats: the machine is shared.
        times, theirs = timed(
            partial(reference, X, y, K=args.k, show_progress=False), args.repeats
        )
        theirs_time = statistics.median(times)
        selector = STSmRMRSelector(args.k, alpha_sts=0, scheme="quotient")
        times, fitted = timed(partial(selector.fit, X, y), args.repeats)
        ours_time = statistics.median(times)
        ours = list(X.columns[fitted.selection_order_])
        difference = STSmRMRSelector(args.k, alpha_sts=0)
        times, _ = timed(partial(difference.fit, X, y), args.repeats)
        difference_time = statistics.median(times)
        rows.append(
            {
                "task": task,
                "same features": set(ours) == set(theirs),
                "same order": ours == theirs,
                "mrmr-selection (s)": theirs_time,
                "STSmRMRSelector quotient (s)": ours_time,
                "speed-up": theirs_time / ours_time,
                "STSmRMRSelector difference (s)": difference_time,
            }
        )
    return pd.DataFrame(rows)


def survey(args):
    rows = []
    for n_samples in SURVEY_SIZES:
        for weight in SURVEY_WEIGHTS:
            recalls, decoys, accuracies = [], [], []
            for seed in SURVEY_SEEDS:
                X, y, target = make_survey(
                    n_samples + SURVEY_TEST_SIZE,
                    n_filler=30,
                    noise=2.0,
                    random_state=seed,
                )
                X_train, y_train = X.iloc[:n_samples], y.iloc[:n_samples]
                X_test, y_test = X.iloc[n_samples:], y.iloc[n_samples:]
                selector = STSmRMRSelector(
                    SURVEY_K,
                    target_description=target,
                    alpha_sts=weight,
                    alpha_data=1.0 - weight,
                ).fit(X_train, y_train)
                chosen = set(selector.get_feature_names_out())
                recalls.append(len(chosen & set(X.attrs["informative"])))
                decoys.append(len(chosen & set(X.attrs["decoys"])))
                model = make_pipeline(StandardScaler(), LogisticRegression())
                model.fit(selector.transform(X_train), y_train)
                accuracies.append(model.score(selector.transform(X_test), y_test))
            rows.append(
                {
                    "n_samples": n_samples,
                    "alpha_sts": weight,
                    "alpha_data": 1.0 - weight,
                    "informative chosen (of 5)": np.mean(recalls),
                    "decoys chosen": np.mean(decoys),
                    "test accuracy": np.mean(accuracies),
                }
            )
    return pd.DataFrame(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="speed,survey")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-samples", type=int, default=10_000)
    parser.add_argument("--n-features", type=int, default=500)
    parser.add_argument("--k", type=int, default=50)
    parser.add_argument("--output", default="benchmarks/results/mrmr.md")
    args = parser.parse_args(argv)
    parts = args.parts.split(",")
    sections = ["\n".join(header("STS-mRMR benchmark (issue 5)"))]
    if "speed" in parts:
        table = speed(args)
        sections += [
            "## Classical mRMR against mrmr-selection",
            "",
            f"n={args.n_samples}, d={args.n_features}, k={args.k}, median of "
            f"{args.repeats} fits each.",
            "",
            to_markdown(table),
            "",
        ]
        print(sections[-2], flush=True)
    if "survey" in parts:
        table = survey(args)
        sections += [
            "## When the wording helps and when it misleads (synthetic survey)",
            "",
            f"make_survey(n_filler=30, noise=2.0): 40 questions, k={SURVEY_K}, "
            f"mean over {len(SURVEY_SEEDS)} seeds; scheme='difference', "
            "relevance='f', encoder all-MiniLM-L6-v2.",
            "",
            to_markdown(table),
            "",
        ]
        print(sections[-2], flush=True)
    with open(args.output, "w") as file:
        file.write("\n".join(sections))


if __name__ == "__main__":
    main()
