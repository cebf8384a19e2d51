"""Speed and scale of the neural selectors (issue 4).

The quality of SequentialAttentionSelector, FeatureGradientsSelector and
OptFSSelector (the KAN paper's protocol) is not measured here but by the
benchmark runner, like every other selector's: ``python
benchmarks/bench_study.py benchmarks/studies/quality.toml`` (the paper's
protocol on its datasets and more) writes ``benchmarks/results/quality.md``,
and the planted-interaction check is ``benchmarks/bench_ground_truth.py``. This
script keeps what the runner cannot do:

- ``speed``: SequentialAttentionSelector against scikit-learn's
  SequentialFeatureSelector(direction="forward"), d=100, k=20, n=2000, with
  Ridge (run) and with an MLP of the selector's size (estimated from timed
  candidate fits: the full run takes about an hour).
- ``scale``: FeatureGradientsSelector on float32 data up to n=100,000,
  d=1,000, each fit in a fresh subprocess: wall time and peak resident
  memory.

Usage::

    python benchmarks/bench_neural.py [--parts speed,scale] [--fg-epochs 10] \
        [--output benchmarks/results/neural.md]
"""

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd
from _provenance import header
from sklearn import datasets as sk_datasets
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SequentialFeatureSelector
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from featsel import FeatureGradientsSelector, SequentialAttentionSelector
from featsel.benchmark import build_model, to_markdown

#: Width of the hidden layer of SequentialAttentionSelector's MLP (its
#: default), also used for the MLP wrapped by SequentialFeatureSelector.
HIDDEN_UNITS = 64


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
    """The runner's linear model for regression: StandardScaler + Ridge."""
    return build_model("linear", "regression", random_state=0)


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
    out.append("## Speed: Sequential Attention against forward selection\n")
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
        "columns.\n\n" + to_markdown(table.rename_axis("method").reset_index()) + "\n\n"
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
    out.append("## Scale: FeatureGradientsSelector, float32\n")
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
        "statistics and the spectrum estimate.\n\n"
        + to_markdown(table.reset_index())
        + "\n\n"
        f"n=100,000, d=1,000, {args.fg_epochs} epochs: **{largest['fit s']:.0f} s** "
        f"(target: under 120 s) and **{largest['peak RSS MB'] / 1024:.2f} GB** "
        "peak (target: under 3 GB). Where we lose: a fixed cost that is not "
        "the method's (the 1-epoch row: the base class's float64 copy of X, "
        "which also dominates the peak memory, and its scan for repeated "
        "columns); the time per value and epoch is flat within the noise "
        "of a shared machine.\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="speed,scale")
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
    provenance = header("Neural selectors: speed and scale (issue 4)")
    parts = {"speed": speed, "scale": scale}
    sections = {}
    start = time.perf_counter()
    # Parts run in the order asked (timing-sensitive ones first, if wished)
    # and are written in the order of this file.
    for part in args.parts.split(","):
        sections[part] = []
        parts[part](args, sections[part])
        print(f"{part} done at {time.perf_counter() - start:.0f} s", file=sys.stderr)
    out = ["\n".join(provenance)]
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
