"""KAN against SVM-RFE on collinear real regressions (issue 23, item 4).

Is KAN-L1/L2/SI's deficit against SVM-RFE on the Hitters salary regression
(263 x 19 once the rows without a salary are dropped; its career totals
correlate up to 0.98) noise of 5 folds, or a property? Each dataset is
split by 5-fold CV repeated over several seeds; on each split every
selector keeps 20 % of the columns (rounded up) on the training rows, and
a linear regression on the standardised kept columns is scored by R^2 on
the held-out rows. The table gives each selector's mean R^2 and, for each
KAN method, the paired difference to SVM-RFE over the splits: its mean,
its standard error across seeds (the splits of one seed share rows, so the
seed means are the independent units), and the number of seeds whose mean
difference is negative. Hitters is read from the data folder of the
``ISLP`` package, which featsel does not install; the other tables come
from the real-data suite.

Usage::

    python benchmarks/bench_kan_collinear.py [--islp-dir DIR]
        [--datasets hitters,concrete] [--seeds 3]
        [--out benchmarks/results/kan_collinear.md]
"""

import argparse
import importlib.util
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _provenance import footer, header
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from featsel import KANSelector, SVMRFESelector
from featsel.datasets import load_dataset

RETENTION = 0.2
SELECTORS = {
    "KAN-L1": lambda k, seed: KANSelector(k, method="l1", random_state=seed),
    "KAN-L2": lambda k, seed: KANSelector(k, method="l2", random_state=seed),
    "KAN-SI": lambda k, seed: KANSelector(k, method="si", random_state=seed),
    "SVM-RFE": lambda k, seed: SVMRFESelector(k, random_state=seed),
}


def islp_data_dir():
    spec = importlib.util.find_spec("ISLP")
    return None if spec is None else Path(spec.origin).parent / "data"


def load(name, islp_dir):
    if name == "hitters":
        if islp_dir is None:
            raise SystemExit("hitters needs --islp-dir or the ISLP package installed")
        frame = pd.read_csv(Path(islp_dir) / "Hitters.csv").dropna(subset=["Salary"])
        y = frame.pop("Salary").to_numpy(dtype=float)
        X = pd.get_dummies(frame, drop_first=True).to_numpy(dtype=float)
        return X, y
    data = load_dataset(name)
    X = pd.get_dummies(data.X, drop_first=True).to_numpy(dtype=float)
    return X, data.y.to_numpy(dtype=float)


def largest_correlation(X):
    correlation = np.abs(np.corrcoef(X, rowvar=False))
    np.fill_diagonal(correlation, 0)
    return np.nanmax(correlation)


def run(X, y, seeds):
    k = math.ceil(RETENTION * X.shape[1])
    scores = {name: np.zeros((seeds, 5)) for name in SELECTORS}
    for seed in range(seeds):
        splits = KFold(5, shuffle=True, random_state=seed).split(X)
        for fold, (train, test) in enumerate(splits):
            for name, make in SELECTORS.items():
                selector = make(k, seed).fit(X[train], y[train])
                columns = np.flatnonzero(selector.support_)
                model = make_pipeline(StandardScaler(), LinearRegression())
                model.fit(X[train][:, columns], y[train])
                scores[name][seed, fold] = model.score(X[test][:, columns], y[test])
        print(seed, {name: round(s[seed].mean(), 3) for name, s in scores.items()})
    return k, scores


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--islp-dir", default=islp_data_dir())
    parser.add_argument("--datasets", default="hitters,concrete")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", default="benchmarks/results/kan_collinear.md")
    args = parser.parse_args()
    start = time.perf_counter()
    lines = header("KAN against SVM-RFE on collinear regressions")
    lines += [
        f"5-fold CV repeated over seeds 0 to {args.seeds - 1}; every selector "
        f"keeps {RETENTION:.0%} of the columns (rounded up); R^2 of a linear "
        "regression on the standardised kept columns, on the held-out rows. "
        "Differences are KAN minus SVM-RFE, paired by split; se is the "
        "standard error of the seed means.",
        "",
        "| dataset | rows x columns | largest \\|r\\| | k | selector | mean R^2 "
        "| difference to SVM-RFE (se) | seeds worse |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in args.datasets.split(","):
        X, y = load(name, args.islp_dir)
        k, scores = run(X, y, args.seeds)
        for selector, score in scores.items():
            cells = ["", ""]
            if selector != "SVM-RFE":
                by_seed = (score - scores["SVM-RFE"]).mean(axis=1)
                se = by_seed.std(ddof=1) / np.sqrt(by_seed.size)
                cells = [
                    f"{by_seed.mean():+.3f} ({se:.3f})",
                    f"{np.count_nonzero(by_seed < 0)} of {by_seed.size}",
                ]
            lines.append(
                f"| {name} | {X.shape[0]} x {X.shape[1]} "
                f"| {largest_correlation(X):.2f} | {k} | {selector} "
                f"| {score.mean():.3f} | {cells[0]} | {cells[1]} |"
            )
    lines += footer(start)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
