"""Selectors when other work shares the cores (issue 26).

Each torch selector (KAN-L2, Sequential Attention, Feature Gradients,
OptFS) and SHAP forward is fitted at its defaults with
``n_features_to_select=10`` on a 2000 x 200 classification (10 informative
columns), with ``n_jobs=1`` (the default) and ``n_jobs=2``. For a torch
selector ``n_jobs`` is its number of torch threads (2 is what every fit ran
on before the default changed: torch's default, one thread per core); for
SHAP forward it is the number of cross-validation folds fitted in parallel,
each on one thread:

- ``quiet``: nothing else runs;
- ``one core busy``: a second process spins on one core during the fits;
- ``grid search``: the selector inside ``GridSearchCV(Pipeline(selector,
  LogisticRegression), 2 values of C, cv=2, n_jobs=2)``, whose two workers
  share the cores; its mean fit time is compared with the same search run
  with ``n_jobs=1`` (one fit at a time, quiet).

The ratio is a fit's time over its quiet ``n_jobs=1`` time: the target is
at most 1.5. Times are the median and range of ``--repeats`` fits.

Usage::

    python benchmarks/bench_threads.py [--repeats 3] \
        [--output benchmarks/results/threads.md]
"""

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _provenance import BusyCore, header, spread, timed
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from featsel import (
    FeatureGradientsSelector,
    KANSelector,
    OptFSSelector,
    SequentialAttentionSelector,
    SHAPForwardSelector,
)
from featsel.benchmark import to_markdown

SELECTORS = {
    "KAN-L2": lambda n_jobs: KANSelector(method="l2", n_jobs=n_jobs),
    "Sequential Attention": lambda n_jobs: SequentialAttentionSelector(n_jobs=n_jobs),
    "Feature Gradients": lambda n_jobs: FeatureGradientsSelector(n_jobs=n_jobs),
    "OptFS": lambda n_jobs: OptFSSelector(n_jobs=n_jobs),
    "SHAP forward": lambda n_jobs: SHAPForwardSelector(n_jobs=n_jobs),
}

#: The most a fit may slow down on shared cores, against its quiet
#: ``n_jobs=1`` time.
TARGET_RATIO = 1.5


def data():
    return make_classification(
        n_samples=2000,
        n_features=200,
        n_informative=10,
        n_redundant=0,
        shuffle=True,
        random_state=0,
    )


def make_selector(name, n_jobs):
    return SELECTORS[name](n_jobs).set_params(n_features_to_select=10, random_state=0)


def fit_times(name, n_jobs, X, y, repeats):
    times, _ = timed(lambda: make_selector(name, n_jobs).fit(X, y), repeats)
    return times


def grid_fit_time(name, selector_jobs, search_jobs, X, y):
    """Mean fit time of one pipeline fit inside a grid search."""
    search = GridSearchCV(
        Pipeline(
            [
                ("select", make_selector(name, selector_jobs)),
                ("model", LogisticRegression(max_iter=1000)),
            ]
        ),
        {"model__C": [0.1, 1.0]},
        cv=2,
        n_jobs=search_jobs,
    )
    search.fit(X, y)
    return float(np.mean(search.cv_results_["mean_fit_time"]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", default="benchmarks/results/threads.md")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = data()
    lines = header("Selectors on shared cores", argv=[sys.argv[0], *sys.argv[1:]])
    rows, grid_rows = [], []
    for name in SELECTORS:
        quiet = {jobs: fit_times(name, jobs, X, y, args.repeats) for jobs in (1, 2)}
        with BusyCore():
            busy = {jobs: fit_times(name, jobs, X, y, args.repeats) for jobs in (1, 2)}
        reference = np.median(quiet[1])
        rows.append(
            {
                "selector": name,
                "quiet, n_jobs=1 (s)": spread(quiet[1]),
                "quiet, n_jobs=2 (s)": spread(quiet[2]),
                "one core busy, n_jobs=1 (s)": spread(busy[1]),
                "one core busy, n_jobs=2 (s)": spread(busy[2]),
                "ratio, n_jobs=1": np.median(busy[1]) / reference,
                "ratio, n_jobs=2": np.median(busy[2]) / reference,
            }
        )
        alone = grid_fit_time(name, 1, 1, X, y)
        grid_rows.append(
            {
                "selector": name,
                "search 1, selector 1 (s)": alone,
                "search 2, selector 1 (s)": grid_fit_time(name, 1, 2, X, y),
                "search 2, selector 2 (s)": grid_fit_time(name, 2, 2, X, y),
            }
        )
        grid_rows[-1]["ratio, n_jobs=1"] = (
            grid_rows[-1]["search 2, selector 1 (s)"] / alone
        )
        grid_rows[-1]["ratio, n_jobs=2"] = (
            grid_rows[-1]["search 2, selector 2 (s)"] / alone
        )
        print(rows[-1], grid_rows[-1], flush=True)
    lines += [
        "## One core busy",
        "",
        f"Fit time, median [min, max] of {args.repeats} fits, 2000 x 200; "
        "`ratio`: the median over the quiet `n_jobs=1` median (target "
        f"<= {TARGET_RATIO}).",
        "",
        to_markdown(pd.DataFrame(rows)),
        "## Inside GridSearchCV(n_jobs=2)",
        "",
        "Mean fit time of one pipeline fit (selector + LogisticRegression) on "
        "half the rows (cv=2), 4 fits, with the search's and the selector's "
        "`n_jobs` in the column names; `ratio`: over the same search with "
        "`n_jobs=1` and the selector's `n_jobs=1`.",
        "",
        to_markdown(pd.DataFrame(grid_rows)),
    ]
    Path(args.output).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
