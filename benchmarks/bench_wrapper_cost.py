"""What the two count wrappers cost, in fits and seconds (issue 21).

For five selectors at their defaults on a 500 x 30 classification with 5
informative columns (LASSO, mutual information, KAN-L2 and SHAP forward,
whose one fit ranks every feature, and Sequential Attention, whose
selection depends on the count):

- ``SelectorCV(selector, LogisticRegression(), cv=5)``: the selector fits
  and the downstream fits it makes, counted, against the bound of the
  issue, (inner folds + 1) selector fits for a nested ranking (Sequential
  Attention on a grid of 3 counts, fitted once per count and fold); and
  its wall time with ``n_jobs=1`` and ``n_jobs=2``;
- ``StabilitySelector(selector, n_pairs=10)``: its fits, against the bound
  of 2 x ``n_pairs``, and its wall time with ``n_jobs=1`` and ``n_jobs=2``.

Fits are counted in the process (``n_jobs=1``); times are the median and
range of ``--repeats`` runs, and the cost is also given in units of one
plain fit of the selector.

Usage::

    python benchmarks/bench_wrapper_cost.py [--repeats 3] \
        [--selectors lasso,mi,kan-l2,shap-forward,seqattn] \
        [--output benchmarks/results/wrapper_cost.md]
"""

import argparse
import contextlib
import statistics
import sys
import time
import warnings
from functools import partial
from pathlib import Path

import pandas as pd
from _provenance import footer, header, spread, timed
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from featsel import (
    KANSelector,
    LassoSelector,
    MutualInfoSelector,
    SelectorCV,
    SequentialAttentionSelector,
    SHAPForwardSelector,
    StabilitySelector,
)
from featsel._meta import selects_per_k
from featsel.benchmark import to_markdown

INNER_FOLDS = 5
N_PAIRS = 10

#: The count of the plain fit the wrappers' cost is measured in: the
#: wrapped fits are fits with a count too (the largest of the grid, or the
#: count each half-sample keeps).
COUNT = 5

SELECTORS = {
    "lasso": LassoSelector(random_state=0),
    "mi": MutualInfoSelector(random_state=0),
    "kan-l2": KANSelector(method="l2", random_state=0),
    "shap-forward": SHAPForwardSelector(random_state=0),
    "seqattn": SequentialAttentionSelector(random_state=0),
}

#: The counts SelectorCV tries for a selector whose selection depends on
#: the count (its default grid, every count from 1 to 30, would fit it 150
#: times).
PER_COUNT_GRID = (5, 10, 20)


def data():
    return make_classification(
        500, 30, n_informative=5, n_redundant=0, shuffle=False, random_state=0
    )


@contextlib.contextmanager
def counted_fits(*classes):
    """Count the calls of each class's ``fit`` in this process."""
    counts = dict.fromkeys(classes, 0)
    originals = {cls: cls.fit for cls in classes}

    def counting(cls):
        def fit(self, *args, **kwargs):
            counts[cls] += 1
            return originals[cls](self, *args, **kwargs)

        return fit

    inherited = [cls for cls in classes if "fit" not in vars(cls)]
    for cls in classes:
        cls.fit = counting(cls)
    try:
        yield counts
    finally:
        for cls, original in originals.items():
            if cls in inherited:
                del cls.fit
            else:
                cls.fit = original


def selector_fit_bound(selector, wrapper):
    """The most fits of ``selector`` that ``wrapper`` should make."""
    if wrapper == "StabilitySelector":
        return 2 * N_PAIRS
    if selects_per_k(selector):
        return INNER_FOLDS * len(PER_COUNT_GRID) + 1
    return INNER_FOLDS + 1


class DownstreamModel(LogisticRegression):
    """The downstream model, a class of its own so that its fits are counted
    apart from those a selector makes of ``LogisticRegression`` itself."""


def make_wrapper(wrapper, selector, n_jobs):
    """``wrapper`` ("SelectorCV" or "StabilitySelector") around ``selector``."""
    if wrapper == "SelectorCV":
        return SelectorCV(
            clone(selector),
            DownstreamModel(max_iter=1000),
            n_features_grid=PER_COUNT_GRID if selects_per_k(selector) else None,
            cv=INNER_FOLDS,
            n_jobs=n_jobs,
        )
    return StabilitySelector(
        clone(selector), n_pairs=N_PAIRS, n_jobs=n_jobs, random_state=0
    )


def fit_wrapper(selector, wrapper, X, y, n_jobs):
    return make_wrapper(wrapper, selector, n_jobs).fit(X, y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--selectors", default=",".join(SELECTORS))
    parser.add_argument("--output", default="benchmarks/results/wrapper_cost.md")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = data()
    lines = header(
        "Cost of the count wrappers: fits and seconds",
        argv=[sys.argv[0], *sys.argv[1:]],
    )
    start = time.perf_counter()
    rows = []
    for name in args.selectors.split(","):
        selector = SELECTORS[name]
        with_count = clone(selector).set_params(n_features_to_select=COUNT)
        plain, _ = timed(partial(with_count.fit, X, y), args.repeats)
        one_fit = statistics.median(plain)
        for wrapper in ("SelectorCV", "StabilitySelector"):
            fit = partial(fit_wrapper, selector, wrapper, X, y)
            with counted_fits(type(selector), DownstreamModel) as counts:
                serial, fitted = timed(partial(fit, n_jobs=1))
            if args.repeats > 1:
                serial += timed(partial(fit, n_jobs=1), args.repeats - 1)[0]
            parallel = timed(partial(fit, n_jobs=2), args.repeats)[0]
            rows.append(
                {
                    "selector": name,
                    "wrapper": wrapper,
                    "selector fits": counts[type(selector)],
                    "bound": selector_fit_bound(selector, wrapper),
                    "downstream fits": counts[DownstreamModel]
                    if wrapper == "SelectorCV"
                    else 0,
                    "kept": int(fitted.support_.sum()),
                    "one plain fit (s)": spread(plain),
                    "n_jobs=1 (s)": spread(serial),
                    "n_jobs=2 (s)": spread(parallel),
                    "plain fits' worth, n_jobs=1": statistics.median(serial) / one_fit,
                    "speed-up of n_jobs=2": statistics.median(serial)
                    / statistics.median(parallel),
                }
            )
    table = pd.DataFrame(rows)
    lines += [
        f"`make_classification(500, 30, n_informative=5, n_redundant=0)`; "
        f"`SelectorCV(selector, LogisticRegression(), cv={INNER_FOLDS})` and "
        f"`StabilitySelector(selector, n_pairs={N_PAIRS})`, every selector at "
        "its defaults. `selector fits`: calls of the selector's `fit` (the "
        "final refit included), counted with `n_jobs=1`; `bound`: "
        f"(inner folds + 1) = {INNER_FOLDS + 1} for a selector whose one fit "
        "ranks every feature, inner folds x counts + 1 = "
        f"{INNER_FOLDS * len(PER_COUNT_GRID) + 1} for Sequential Attention, "
        "whose selection depends on the count (SelectorCV tries the counts "
        f"{list(PER_COUNT_GRID)} for it), 2 x n_pairs = {2 * N_PAIRS} for "
        "stability selection; `downstream fits`: "
        "the logistic regressions SelectorCV fits. Seconds as median [min, "
        f"max] of {args.repeats} runs; `plain fits' worth`: the wrapper's "
        f"`n_jobs=1` time over one plain fit of the selector with "
        f"`n_features_to_select={COUNT}`.",
        "",
        to_markdown(table.round(2)),
    ]
    lines += footer(start)
    Path(args.output).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
