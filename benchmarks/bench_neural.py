"""Quality, speed and ground truth of the neural selectors (issue 4).

SequentialAttentionSelector, FeatureGradientsSelector and OptFSSelector,
in four parts, each writing markdown tables:

- ``quality``: the protocol of the KAN feature-selection paper on its
  datasets. For each outer fold every selector is fitted on the training
  fold only; for retention 20/40/60 % the selected features train
  LogisticRegression (Ridge for regression), RandomForest(200) and XGBoost
  on the training fold, scored on the test fold by F1-macro (R^2).
  Sequential Attention, whose choice depends on k, is fitted once per
  retention level; the others once per fold (top-k of their ranking).
- ``speed``: SequentialAttentionSelector against scikit-learn's
  SequentialFeatureSelector(direction="forward"), d=100, k=20, n=2000, with
  Ridge (run) and with an MLP of the selector's size (estimated from timed
  candidate fits: the full run takes about an hour).
- ``scale``: FeatureGradientsSelector on float32 data up to n=100,000,
  d=1,000, each fit in a fresh subprocess: wall time and peak resident
  memory.
- ``truth``: y = 1[x0 * x1 + noise > 0] with 20 noise features (a pure
  interaction): recall of {x0, x1} in each selector's top 2 over 10 seeds.

Usage::

    python benchmarks/bench_neural.py [--parts quality,speed,scale,truth] \
        [--folds 5] [--datasets breast_cancer,wine,...] [--seeds 10] \
        [--fg-epochs 10] [--output benchmarks/results/neural.md]
"""

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from datetime import date

import numpy as np
import pandas as pd
from sklearn import datasets as sk_datasets
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SequentialFeatureSelector
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import f1_score, r2_score
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from xgboost import XGBClassifier, XGBRegressor

from featsel import (
    FeatureGradientsSelector,
    LassoSelector,
    MutualInfoSelector,
    OptFSSelector,
    RandomForestSelector,
    SequentialAttentionSelector,
    SVMRFESelector,
)
from featsel.datasets import load_dataset

RETENTION = (0.2, 0.4, 0.6)
NEURAL = ("SeqAttn", "FeatGrad", "OptFS")
BASELINES = ("LASSO", "RF", "MI", "SVM-RFE")
DATASETS = (
    "breast_cancer",
    "wine",
    "digits3",
    "diabetes",
    "classification",
    "regression",
)
#: Width of the hidden layer of SequentialAttentionSelector's MLP (its
#: default), also used for the MLP wrapped by SequentialFeatureSelector.
HIDDEN_UNITS = 64


def load(name):
    """(X, y, task) of the KAN paper's datasets."""
    if name == "breast_cancer":
        X, y = sk_datasets.load_breast_cancer(return_X_y=True)
    elif name == "wine":
        X, y = sk_datasets.load_wine(return_X_y=True)
    elif name == "digits3":
        X, y = sk_datasets.load_digits(n_class=3, return_X_y=True)
    elif name == "diabetes":
        X, y = sk_datasets.load_diabetes(return_X_y=True)
    elif name == "classification":
        X, y = sk_datasets.make_classification(500, 10, n_informative=5, random_state=0)
    elif name == "regression":
        X, y = sk_datasets.make_regression(
            500, 10, n_informative=5, noise=0.1, random_state=0
        )
    else:
        raise ValueError(f"unknown dataset {name!r}")
    task = "regression" if name in ("diabetes", "regression") else "classification"
    return X, y, task


def selectors():
    """Every selector of the comparison, by display name, default settings."""
    return {
        "SeqAttn": SequentialAttentionSelector(random_state=0),
        "FeatGrad": FeatureGradientsSelector(random_state=0),
        "OptFS": OptFSSelector(random_state=0),
        "LASSO": LassoSelector(random_state=0),
        "RF": RandomForestSelector(random_state=0),
        "MI": MutualInfoSelector(random_state=0),
        "SVM-RFE": SVMRFESelector(random_state=0),
    }


def models(task):
    """The three downstream models of the paper's protocol."""
    if task == "classification":
        return {
            "linear": make_pipeline(
                StandardScaler(), LogisticRegression(max_iter=5000)
            ),
            "rf": RandomForestClassifier(200, random_state=0, n_jobs=1),
            "xgb": XGBClassifier(random_state=0, n_jobs=1, verbosity=0),
        }
    return {
        "linear": make_pipeline(StandardScaler(), Ridge()),
        "rf": RandomForestRegressor(200, random_state=0, n_jobs=1),
        "xgb": XGBRegressor(random_state=0, n_jobs=1, verbosity=0),
    }


def score(task, y_true, y_pred):
    if task == "classification":
        return f1_score(y_true, y_pred, average="macro")
    return r2_score(y_true, y_pred)


def selections(selector, X, y):
    """Columns kept at each retention level, and the fit time (all levels)."""
    n_features = X.shape[1]
    sizes = {level: math.ceil(level * n_features) for level in RETENTION}
    start = time.perf_counter()
    if type(selector).selection_depends_on_k:
        chosen = {
            level: np.flatnonzero(
                clone(selector).set_params(n_features_to_select=k).fit(X, y).support_
            )
            for level, k in sizes.items()
        }
    else:
        ranking = clone(selector).fit(X, y).ranking_
        chosen = {level: np.sort(np.argsort(ranking)[:k]) for level, k in sizes.items()}
    return chosen, time.perf_counter() - start


def protocol(name, candidates, n_folds):
    """(selector, fold, retention, model, score) rows and the fit times."""
    X, y, task = load(name)
    splitter = (StratifiedKFold if task == "classification" else KFold)(
        n_folds, shuffle=True, random_state=0
    )
    rows, fit_times, cache = [], [], {}
    for fold, (train, test) in enumerate(splitter.split(X, y)):
        chosen = {"all features": {1.0: np.arange(X.shape[1])}}
        for selector_name, selector in candidates.items():
            chosen[selector_name], seconds = selections(selector, X[train], y[train])
            fit_times.append((selector_name, seconds))
        for selector_name, levels in chosen.items():
            for retention, columns in levels.items():
                for model_name, model in models(task).items():
                    # A subset chosen by several selectors is scored once
                    # per fold.
                    key = (fold, model_name, tuple(columns))
                    if key not in cache:
                        fitted = clone(model).fit(X[train][:, columns], y[train])
                        cache[key] = score(
                            task, y[test], fitted.predict(X[test][:, columns])
                        )
                    rows.append(
                        (selector_name, fold, retention, model_name, cache[key])
                    )
        print(f"  {name}: fold {fold + 1}/{n_folds} done", file=sys.stderr)
    frame = pd.DataFrame(
        rows, columns=["selector", "fold", "retention", "model", "score"]
    )
    return frame, pd.DataFrame(fit_times, columns=["selector", "seconds"])


def to_markdown(table, digits=3):
    """A pipe table; float columns with ``digits`` decimals."""
    columns = {
        column: [
            f"{value:.{digits}f}" if isinstance(value, float) else str(value)
            for value in table[column].tolist()
        ]
        for column in table.columns
    }
    header = "| " + " | ".join([table.index.name or "", *map(str, table.columns)])
    lines = [header + " |", "|" + "---|" * (len(table.columns) + 1)]
    for row, index in enumerate(table.index):
        cells = [columns[column][row] for column in table.columns]
        lines.append("| " + " | ".join([str(index), *cells]) + " |")
    return "\n".join(lines)


def quality(args, out):
    out.append("## 1. Quality: the KAN paper's protocol\n")
    out.append(args.provenance)
    out.append(
        f"{args.folds}-fold outer CV (stratified for classification, shuffled, "
        "seed 0); every selector fitted on the training fold only, default "
        "settings, `random_state=0`; downstream models trained on the "
        "training fold restricted to the selected 20/40/60 % of the features "
        "and scored on the test fold (F1-macro for classification, R^2 for "
        "regression). Cells: mean over folds and the three retention levels; "
        "`mean`: over the three models; `fit s`: selector fit time per outer "
        "fold (for SeqAttn the three fits, one per retention level). "
        "`all features`: no selection.\n"
    )
    gaps, levels = [], []
    for name in args.datasets:
        frame, times = protocol(name, selectors(), args.folds)
        levels.append(frame.assign(dataset=name))
        table = frame.pivot_table(index="selector", columns="model", values="score")
        table = table[["linear", "rf", "xgb"]]
        table["mean"] = table.mean(axis=1)
        table["fit s"] = times.groupby("selector")["seconds"].mean()
        table = table.loc[["all features", *NEURAL, *BASELINES]]
        table.index.name = name
        out.append(f"### {name}\n\n{to_markdown(table)}\n")
        best = table.loc[list(BASELINES), "mean"]
        for label in NEURAL:
            gaps.append(
                (name, label, table.loc[label, "mean"] - best.max(), best.idxmax())
            )
    gaps = pd.DataFrame(gaps, columns=["dataset", "method", "gap", "best"])
    pivot = gaps.pivot(index="dataset", columns="method", values="gap")
    pivot = pivot.loc[list(args.datasets), list(NEURAL)]
    pivot["best baseline"] = gaps.groupby("dataset")["best"].first()
    out.append(
        "### Against the best baseline\n\n"
        "Gap = the method's mean score minus the best of the four baselines' "
        "(mean over the three models); negative: the method loses.\n\n"
        + to_markdown(pivot)
        + "\n"
    )
    losses = gaps[gaps["gap"] < -0.02]
    out.append(
        "Losses by more than 0.02: "
        + (
            "; ".join(
                f"{row.method} on {row.dataset} ({row.gap:+.3f} vs {row.best})"
                for row in losses.itertuples()
            )
            or "none"
        )
        + ".\n"
    )
    by_level = pd.concat(levels)
    by_level = by_level[by_level["selector"] != "all features"].pivot_table(
        index=["dataset", "selector"], columns="retention", values="score"
    )
    by_level = by_level.reindex(
        [(name, label) for name in args.datasets for label in (*NEURAL, *BASELINES)]
    )
    by_level.index = [f"{name} / {label}" for name, label in by_level.index]
    by_level.index.name = "dataset / selector"
    by_level.columns = [f"{level:.0%}" for level in by_level.columns]
    out.append(
        "### Per retention level\n\nMean over folds and the three models.\n\n"
        + to_markdown(by_level)
        + "\n"
    )
    out.append(
        "Why SeqAttn loses on `classification`: it is greedy, and on "
        "make_classification (classes on the vertices of a hypercube, the "
        "informative features useful jointly) its first two or four picks "
        "are weaker than a forest's (see the 20 % and 40 % columns).\n"
    )
    out.append(
        "Why FeatGrad loses where it does: it ranks by its mask, and the "
        "masks of the features it keeps all saturate near 1 (the objective "
        "only ever gains from a larger mask of a useful feature), so below "
        "its own subset size (`n_features_to_select=None`: mask >= 0.5) the "
        "order among them is not an importance order, and a 20 % level may "
        "keep a weaker column. Its estimator is linear: it also misses "
        "features whose effect is not linear in them (see part 4).\n"
    )


def speed_data():
    """d=100 regression, 20 informative columns; 2000 rows + 2000 held out."""
    X, y = sk_datasets.make_regression(
        4000, 100, n_informative=20, noise=20.0, random_state=0
    )
    # One target scale for every method (the MLPs train poorly on raw y).
    y = (y - y[:2000].mean()) / y[:2000].std()
    return X[:2000], y[:2000], X[2000:], y[2000:]


def mlp():
    return make_pipeline(
        StandardScaler(),
        MLPRegressor(hidden_layer_sizes=(HIDDEN_UNITS,), random_state=0),
    )


def ridge():
    return make_pipeline(StandardScaler(), Ridge())


def downstream(columns, X, y, X_test, y_test):
    """Held-out R^2 of Ridge and of the MLP on the selected columns."""
    return {
        "Ridge test R^2": clone(ridge())
        .fit(X[:, columns], y)
        .score(X_test[:, columns], y_test),
        "MLP test R^2": clone(mlp())
        .fit(X[:, columns], y)
        .score(X_test[:, columns], y_test),
    }


def speed(args, out):
    out.append("## 2. Speed: Sequential Attention against forward selection\n")
    out.append(args.provenance)
    X, y, X_test, y_test = speed_data()
    informative = set(
        np.flatnonzero(
            sk_datasets.make_regression(
                4000, 100, n_informative=20, noise=20.0, random_state=0, coef=True
            )[2]
        )
    )
    k = 20
    # Import torch and warm it up outside the timed fit.
    SequentialAttentionSelector(2, max_epochs=2).fit(X[:100, :5], y[:100])
    rows = {}
    start = time.perf_counter()
    sa = SequentialAttentionSelector(k, random_state=0).fit(X, y)
    sa_seconds = time.perf_counter() - start
    rows["SequentialAttentionSelector (MLP, 64 hidden)"] = {
        "fit s": sa_seconds,
        "estimated": "no",
        **downstream(sa.get_support(), X, y, X_test, y_test),
        "informative (of 20)": len(informative & set(sa.selection_order_)),
    }
    print(f"  SA: {sa_seconds:.1f} s", file=sys.stderr)
    start = time.perf_counter()
    sfs = SequentialFeatureSelector(
        ridge(), n_features_to_select=k, direction="forward", cv=5, n_jobs=1
    ).fit(X, y)
    sfs_seconds = time.perf_counter() - start
    rows["SFS(Ridge), 5-fold CV"] = {
        "fit s": sfs_seconds,
        "estimated": "no",
        **downstream(sfs.get_support(), X, y, X_test, y_test),
        "informative (of 20)": len(informative & set(sfs.get_support(indices=True))),
    }
    print(f"  SFS(Ridge): {sfs_seconds:.1f} s", file=sys.stderr)

    # SFS(MLP): time cross-validated candidate fits at several subset sizes
    # and add them up over the candidates forward selection evaluates.
    rng = np.random.default_rng(0)
    sizes = (1, 5, 10, 15, 20)
    per_size = {}
    for size in sizes:
        timings = []
        for _ in range(args.mlp_repeats):
            columns = rng.choice(100, size, replace=False)
            start = time.perf_counter()
            cross_val_score(mlp(), X[:, columns], y, cv=5)
            timings.append(time.perf_counter() - start)
        per_size[size] = float(np.mean(timings))
        print(f"  SFS(MLP), {size} columns: {per_size[size]:.2f} s", file=sys.stderr)
    # Step s (1..k) evaluates 100 - s + 1 candidates of s columns each.
    interpolated = np.interp(np.arange(1, k + 1), sizes, [per_size[s] for s in sizes])
    n_candidates = np.arange(100, 100 - k, -1)
    estimate = float((n_candidates * interpolated).sum())
    oracle = sorted(informative)
    rows["SFS(MLP, 64 hidden), 5-fold CV"] = {
        "fit s": estimate,
        "estimated": f"yes, from {len(sizes) * args.mlp_repeats} timed candidates",
        **{
            f"{name} (20 informative)": value
            for name, value in downstream(oracle, X, y, X_test, y_test).items()
        },
    }
    table = pd.DataFrame(rows).T
    table.index.name = "method"
    table = table[
        [
            "fit s",
            "estimated",
            "Ridge test R^2",
            "MLP test R^2",
            "informative (of 20)",
            "Ridge test R^2 (20 informative)",
            "MLP test R^2 (20 informative)",
        ]
    ].fillna("")
    for column in table.columns:
        table[column] = [
            f"{value:.3f}" if isinstance(value, float) else str(value)
            for value in table[column]
        ]
    ridge_gap = (
        rows["SequentialAttentionSelector (MLP, 64 hidden)"]["Ridge test R^2"]
        - rows["SFS(Ridge), 5-fold CV"]["Ridge test R^2"]
    )
    mlp_gap = (
        rows["SequentialAttentionSelector (MLP, 64 hidden)"]["MLP test R^2"]
        - rows["SFS(MLP, 64 hidden), 5-fold CV"]["MLP test R^2 (20 informative)"]
    )
    out.append(
        "make_regression(4000, 100, n_informative=20, noise=20, "
        "random_state=0): 2000 training rows (standardised target), 2000 "
        "held out; k=20. SequentialAttentionSelector with its defaults "
        f"(MLP with {HIDDEN_UNITS} hidden units, 100 epochs); "
        "SequentialFeatureSelector(direction='forward', cv=5) around "
        "StandardScaler + Ridge, and around StandardScaler + "
        f"MLPRegressor(hidden_layer_sizes=({HIDDEN_UNITS},)). The MLP "
        "wrapper is **not run**: its time is estimated from "
        f"{args.mlp_repeats} timed 5-fold candidate evaluations at each of "
        f"{len(sizes)} subset sizes, interpolated over the 1810 candidates "
        "forward selection evaluates (100 + 99 + ... + 81); since its "
        "selection is unknown, its row gives the scores of the 20 truly "
        "informative columns, an upper reference for any selection. Test "
        "scores: each model refitted on the training rows with the selected "
        "columns.\n\n" + to_markdown(table) + "\n\n"
        f"- Against SFS(Ridge): **{sfs_seconds / sa_seconds:.1f}x** faster "
        f"(target 5x), Ridge test R^2 difference {ridge_gap:+.3f} "
        "(target: within 0.02).\n"
        f"- Against SFS(MLP) (estimate): **{estimate / sa_seconds:.0f}x** "
        f"faster (target 20x); MLP test R^2 of the SA selection minus that of "
        f"the 20 informative columns: {mlp_gap:+.3f}.\n"
        "- Where we lose: nowhere in time; but this problem is linear with "
        "independent columns, so both selectors find the 20 informative "
        "columns and the equal scores say little about harder problems, "
        "and the SFS(MLP) time is an estimate, its selection unknown.\n"
    )


def fg_worker(n_samples, n_features, epochs):
    """One FeatureGradientsSelector fit; prints time and peak memory as JSON."""
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_samples, n_features), dtype=np.float32)
    coef = np.linspace(1.0, 0.2, 10).astype(np.float32)
    y = X[:, :10] @ coef + rng.standard_normal(n_samples, dtype=np.float32)
    with_data = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Import torch before the clock starts.
    FeatureGradientsSelector(max_epochs=1).fit(X[:64, :4], y[:64])
    start = time.perf_counter()
    selector = FeatureGradientsSelector(10, max_epochs=epochs, random_state=0)
    selector.fit(X, y)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "start_mb": baseline,
                "data_mb": with_data,
                "recall": float(np.mean(selector.support_[:10])),
                "steps": int(selector.n_steps_),
            }
        )
    )


def scale(args, out):
    out.append("## 3. Scale: FeatureGradientsSelector, float32\n")
    out.append(args.provenance)
    configs = [
        (25_000, 1_000, args.fg_epochs),
        (50_000, 1_000, args.fg_epochs),
        (100_000, 250, args.fg_epochs),
        (100_000, 500, args.fg_epochs),
        (100_000, 1_000, 1),
        (100_000, 1_000, args.fg_epochs),
    ]
    rows = []
    for n_samples, n_features, epochs in configs:
        result = subprocess.run(
            [
                sys.executable,
                __file__,
                "--fg-worker",
                f"{n_samples},{n_features},{epochs}",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        record = json.loads(result.stdout.strip().splitlines()[-1])
        print(f"  FG n={n_samples} d={n_features}: {record}", file=sys.stderr)
        rows.append(
            {
                "n": n_samples,
                "d": n_features,
                "epochs": epochs,
                "Adam steps": record["steps"],
                "fit s": record["seconds"],
                "s per 1e8 values x epoch": record["seconds"]
                / (n_samples * n_features * epochs / 1e8),
                "peak RSS MB": record["peak_mb"],
                "RSS before fit MB": record["data_mb"],
                "recall of the 10 informative": record["recall"],
            }
        )
    table = pd.DataFrame(rows).set_index("n")
    largest = table[(table["d"] == 1_000) & (table["epochs"] == args.fg_epochs)]
    largest = largest.loc[100_000]
    out.append(
        "X ~ N(0, 1) in float32, y = X[:, :10] @ linspace(1, 0.2, 10) + "
        "N(0, 1); `FeatureGradientsSelector(10, max_epochs=E, random_state=0)` "
        "with its other defaults (batch 256, 4 accumulated batches per step, "
        "order 4); each fit in a fresh Python process (peak RSS from "
        "`resource.getrusage`, including the interpreter, torch and the "
        "float32 data; `RSS before fit` is the peak after generating the "
        "data). The fit time includes the base class's input checks (a "
        "float64 copy of X and the scan for repeated columns), the "
        "statistics and the spectrum estimate.\n\n" + to_markdown(table) + "\n\n"
        f"n=100,000, d=1,000, {args.fg_epochs} epochs: **{largest['fit s']:.0f} s** "
        f"(target: under 120 s) and **{largest['peak RSS MB'] / 1024:.2f} GB** "
        "peak (target: under 3 GB). Where we lose: a fixed cost that is not "
        "the method's (the 1-epoch row: the base class's float64 copy of X, "
        "which also dominates the peak memory, and its scan for repeated "
        "columns); the time per value and epoch is flat within the noise "
        "of a shared machine.\n"
    )


def truth(args, out):
    out.append("## 4. Ground truth: a pure interaction\n")
    out.append(args.provenance)
    rows = []
    for label, selector in selectors().items():
        found = []
        for seed in range(args.seeds):
            data = load_dataset("interaction", random_state=seed)
            X, y = data.X.to_numpy(), data.y.to_numpy()
            if type(selector).selection_depends_on_k:
                top = np.flatnonzero(
                    clone(selector)
                    .set_params(n_features_to_select=2, random_state=seed)
                    .fit(X, y)
                    .support_
                )
            else:
                fitted = clone(selector).set_params(random_state=seed).fit(X, y)
                top = np.argsort(fitted.ranking_)[:2]
            found.append(np.isin([0, 1], top).mean())
        rows.append(
            {
                "selector": label,
                "mean recall of {x0, x1} in top 2": float(np.mean(found)),
                "seeds with both": int(np.sum(np.asarray(found) == 1.0)),
            }
        )
        print(f"  truth {label}: {np.mean(found):.2f}", file=sys.stderr)
    table = pd.DataFrame(rows).set_index("selector")
    out.append(
        "featsel.datasets `interaction` (500 rows, X ~ N(0, I_22), "
        "y = 1[x0 * x1 + 0.1 N(0, 1) > 0]): neither x0 nor x1 alone carries "
        f"any signal. Seeds 0..{args.seeds - 1} generate the data and seed "
        "the selector; default settings; Sequential Attention selects k=2.\n\n"
        + to_markdown(table)
        + "\n\nWhere we lose: "
        + (
            ", ".join(
                f"{name} ({value:.2f})"
                for name, value in table.iloc[:, 0].items()
                if name in NEURAL and value < 1
            )
            or "no neural selector"
        )
        + ". FeatGrad's estimator measures linear learnability, and no linear "
        "function of x0 and x1 explains their product: it cannot see a pure "
        "interaction, by construction.\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="quality,speed,scale,truth")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--fg-epochs", type=int, default=10)
    parser.add_argument("--mlp-repeats", type=int, default=2)
    parser.add_argument("--output", default="benchmarks/results/neural.md")
    parser.add_argument("--fg-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # MLPRegressor stops at its max_iter=200 as SequentialFeatureSelector
    # would run it: the warning is expected on every fit.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    if args.fg_worker:
        fg_worker(*map(int, args.fg_worker.split(",")))
        return
    args.datasets = tuple(args.datasets.split(","))
    command = "python benchmarks/bench_neural.py " + " ".join(sys.argv[1:])
    machine = (
        f"{platform.machine()}, {os.cpu_count()} CPU cores, no GPU, Python "
        f"{platform.python_version()}, shared with other jobs (load average "
        f"{os.getloadavg()[0]:.1f} at start): timings are indicative"
    )
    args.provenance = (
        f"Command: `{command.strip()}`; {date.today().isoformat()}; {machine}.\n"
    )
    parts = {"quality": quality, "speed": speed, "scale": scale, "truth": truth}
    sections = {}
    start = time.perf_counter()
    # Parts run in the order asked (timing-sensitive ones first, if wished)
    # and are written in the order of this file.
    for part in args.parts.split(","):
        sections[part] = []
        parts[part](args, sections[part])
        print(f"{part} done at {time.perf_counter() - start:.0f} s", file=sys.stderr)
    out = ["# Neural selectors benchmark (issue 4)\n", args.provenance]
    for part in parts:
        out.extend(sections.get(part, []))
    out.append(f"Total benchmark wall time: {time.perf_counter() - start:.0f} s.\n")
    text = "\n".join(out)
    print(text)
    if args.output:
        with open(args.output, "w") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
