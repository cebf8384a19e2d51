"""LassoSelector's own choice of count on a large matrix (issue 26).

``LassoSelector()`` at its defaults (``n_features_to_select=None``: the
penalty chosen by 5-fold cross-validation and the one-standard-error rule,
then the non-zero coefficients kept) on 100,000 x 1,000, once for
classification (``bench_speed.synthetic``, the data of the Feature
Gradients row of ``speed.md``) and once for regression (a linear target
on the same 10 informative columns plus unit noise). One process makes
the data and saves it; each fit runs in a fresh process that loads it, so
that its peak memory is its own: the data, then the fit (the generator's
temporaries would otherwise set the peak). The issue's target is under
60 s and 2 GB.

Usage::

    python benchmarks/bench_lasso_large.py [--rows 100000] [--features 1000]
        [--out benchmarks/results/lasso_large.md]
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

from _provenance import footer, header
from bench_speed import numbers_printed_by

MAKE = """
import sys
import numpy as np
sys.path.insert(0, {here!r})
from bench_speed import N_INFORMATIVE, synthetic

X, y = synthetic({rows}, {features})
rng = np.random.default_rng(0)
target = X[:, :N_INFORMATIVE] @ rng.normal(size=N_INFORMATIVE) + rng.normal(size=len(y))
np.save({folder!r} + "/X.npy", X)
np.save({folder!r} + "/classification.npy", y)
np.save({folder!r} + "/regression.npy", target)
"""

FIT = """
import resource, sys, time
import numpy as np
sys.path.insert(0, {here!r})
from bench_speed import N_INFORMATIVE
from featsel import LassoSelector

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

X = np.load({folder!r} + "/X.npy")
y = np.load({folder!r} + "/{task}.npy")
data_peak = peak()
start = time.perf_counter()
selector = LassoSelector(random_state=0).fit(X, y)
seconds = time.perf_counter() - start
kept = np.flatnonzero(selector.support_)
recall = np.isin(np.arange(N_INFORMATIVE), kept).mean()
print(seconds, kept.size, recall, data_peak, peak())
"""


TASKS = ("classification", "regression")
HERE = os.path.dirname(os.path.abspath(__file__))


def make_data(rows, features, folder):
    numbers_printed_by(
        MAKE.format(here=HERE, rows=rows, features=features, folder=folder)
    )


def fit_alone(task, folder):
    return numbers_printed_by(FIT.format(here=HERE, task=task, folder=folder))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=1000)
    parser.add_argument("--out", default="benchmarks/results/lasso_large.md")
    args = parser.parse_args()
    start = time.perf_counter()
    lines = header("LassoSelector's own choice on a large matrix")
    lines += [
        f"{args.rows:,} x {args.features:,}, 10 informative columns, float64; "
        "`LassoSelector(random_state=0)`; one fit each, in a fresh process "
        "that loads the data from disk, scikit-learn's BLAS on every core. "
        "*peak*: the process's largest resident memory (`ru_maxrss`), after "
        "loading the data and after the fit. Target: under 60 s and 2 GB.",
        "",
        "| task | fit s | kept | recall of the 10 informative | peak after the "
        "data (GB) | peak after the fit (GB) |",
        "|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        make_data(args.rows, args.features, folder)
        results = {task: fit_alone(task, folder) for task in TASKS}
    for task in TASKS:
        seconds, kept, recall, data_gb, fit_gb = results[task]
        lines.append(
            f"| {task} | {seconds:.1f} | {kept:.0f} | {recall:.1f} "
            f"| {data_gb:.2f} | {fit_gb:.2f} |"
        )
        print(lines[-1], flush=True)
    lines += footer(start)
    Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
