"""Feature Gradients on wide data, against LASSO and SVM-RFE (issue 23, item 3).

ISLR's Khan gene-expression matrix (83 x 2,308, 4 classes: its training
and test rows together, read from the data folder of the ``ISLP`` package,
which featsel does not install) and wide tables of the real-data suite.
Stratified 5-fold CV (shuffled, seed 0); each selector keeps k = 10
columns on the training folds, and a standardised logistic regression on
them is scored by macro-F1 on the held-out fold. Every selector runs in
the same process on the same folds, so the fit times compare; the load
average at the start and the end is stated, since other work shares the
machine. Feature Gradients also runs without a count (its own choice):
its kept columns, their macro-F1 and its fit time, the reference of the
"a count costs at most twice a fit without one" target.

Khan is not installed with featsel: ``pip download islp==0.6.0 --no-deps``
and unzip the wheel; its ``ISLP/data`` folder is ``--khan-dir`` (found by
itself when ISLP is installed). ISLR / ISLP data are kept out of the
real-data suite for independent checks; Khan is used here because the
issue measured the defect on it.

Usage::

    python benchmarks/bench_feature_gradients_wide.py [--khan-dir DIR]
        [--datasets khan,tissue_gene_expression] [--k 10] [--folds 5]
        [--out benchmarks/results/feature_gradients_wide.md]
"""

import argparse
import importlib.util
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _provenance import header
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from featsel import FeatureGradientsSelector, LassoSelector, SVMRFESelector
from featsel.datasets import load_dataset

SELECTORS = {
    "Feature Gradients": lambda k: FeatureGradientsSelector(k, random_state=0),
    "LASSO": lambda k: LassoSelector(k, random_state=0),
    "SVM-RFE": lambda k: SVMRFESelector(k, random_state=0),
}


def islp_data_dir():
    spec = importlib.util.find_spec("ISLP")
    return None if spec is None else Path(spec.origin).parent / "data"


def load_khan(directory):
    def read(part):
        return pd.read_csv(Path(directory) / f"Khan_{part}.csv").to_numpy()

    X = np.vstack([read("xtrain"), read("xtest")]).astype(float)
    y = np.concatenate([read("ytrain").ravel(), read("ytest").ravel()])
    return X, y


def load(name, khan_dir):
    if name == "khan":
        if khan_dir is None:
            raise SystemExit("khan needs --khan-dir or the ISLP package installed")
        return load_khan(khan_dir)
    data = load_dataset(name)
    return data.X.to_numpy(dtype=float), data.y.to_numpy()


def macro_f1(X_train, y_train, X_test, y_test, columns):
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    model.fit(X_train[:, columns], y_train)
    return f1_score(y_test, model.predict(X_test[:, columns]), average="macro")


def run(X, y, k, folds):
    rows = {name: {"f1": [], "time": [], "kept": []} for name in SELECTORS}
    rows["Feature Gradients, own choice"] = {"f1": [], "time": [], "kept": []}
    splits = StratifiedKFold(folds, shuffle=True, random_state=0).split(X, y)
    for train, test in splits:
        makers = {**SELECTORS, "Feature Gradients, own choice": None}
        for name, make in makers.items():
            selector = (
                FeatureGradientsSelector(random_state=0) if make is None else make(k)
            )
            start = time.perf_counter()
            selector.fit(X[train], y[train])
            rows[name]["time"].append(time.perf_counter() - start)
            columns = np.flatnonzero(selector.support_)
            rows[name]["kept"].append(columns.size)
            rows[name]["f1"].append(
                macro_f1(X[train], y[train], X[test], y[test], columns)
            )
        print({name: round(row["f1"][-1], 3) for name, row in rows.items()}, flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--khan-dir", default=islp_data_dir())
    parser.add_argument("--datasets", default="khan,tissue_gene_expression")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", default="benchmarks/results/feature_gradients_wide.md")
    args = parser.parse_args()
    lines = header("Feature Gradients on wide data")
    lines += [
        f"Stratified {args.folds}-fold CV (seed 0), k = {args.k}, macro-F1 of a "
        "standardised logistic regression on the kept columns; mean (sd) over "
        "the folds, mean fit time in seconds on the training folds. The count "
        "row is `FeatureGradientsSelector(k)`; the own-choice row "
        "`FeatureGradientsSelector()` (no count); its time is the reference of "
        "the ratio.",
        "",
    ]
    for name in args.datasets.split(","):
        X, y = load(name, args.khan_dir)
        print(name, X.shape, flush=True)
        rows = run(X, y, args.k, args.folds)
        own_time = np.mean(rows["Feature Gradients, own choice"]["time"])
        lines += [
            f"## {name} ({X.shape[0]} x {X.shape[1]}, {np.unique(y).size} classes)",
            "",
            "| selector | macro-F1 | kept | fit time (s) | time / own choice |",
            "|---|---|---|---|---|",
        ]
        for selector, row in rows.items():
            lines.append(
                f"| {selector} | {np.mean(row['f1']):.3f} ({np.std(row['f1']):.3f}) "
                f"| {np.mean(row['kept']):.0f} | {np.mean(row['time']):.1f} "
                f"| {np.mean(row['time']) / own_time:.2f} |"
            )
        lines.append("")
    lines.append(f"Load average at the end: {os.getloadavg()[0]:.1f}")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
