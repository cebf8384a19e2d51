"""How many features: the selectors' own counts and the meta-selectors.

Measurements behind the docstrings of issue 21 (the runner's study of the
same questions is separate). Each part prints a Markdown table:

- ``lasso``: LassoSelector's own count for regression, LassoCV's
  minimum-error penalty against the one-standard-error rule, on
  ``make_regression(300, 50, n_informative=5, noise=20)``, 10 seeds.
- ``cv``: SelectorCV (LassoSelector, RandomForestSelector and
  MutualInfoSelector inside, LogisticRegression downstream, 5 folds) on a
  planted problem: 300 rows, 5 informative columns of 30 (logistic weights
  1.5, -1.2, 1.0, -0.8, 0.7, noise sd 0.5), columns in random order, 10
  seeds; recall, noise columns kept, selector fits and time.
- ``stability``: StabilitySelector (50 pairs) with the same selectors on
  the same problem, and on the null problem (no informative column) for
  the false selections against the bound.
- ``optfs``: OptFSSelector's own count on breast_cancer and wine, the
  5-fold accuracy of a LogisticRegression on the kept columns against
  every column, and on the interaction table (1000 x 20, y = sign(x0 x1),
  800 training rows) how often exactly the pair is kept;
  ``--optfs-sparsity`` compares penalties.
- ``shap``: SHAPForwardSelector's own choice (``tol="auto"``, defaults) on
  the ``interaction`` dataset (y = sign(x0 x1 + noise), 20 noise columns,
  random column order): the columns it keeps per seed and the noise among
  them.

Usage::

    python benchmarks/bench_own_choice.py [--parts lasso,cv,stability,optfs,shap]
        [--seeds 10] [--optfs-sparsity default,0.003]
"""

import argparse
import time

import numpy as np
from _provenance import header
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, make_regression
from sklearn.linear_model import LassoCV, LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from featsel import (
    LassoSelector,
    MutualInfoSelector,
    RandomForestSelector,
    SelectorCV,
    StabilitySelector,
)
from featsel._linear import standardize


def planted(seed, n_samples=300, n_features=30, signal=True):
    """5 informative columns of 30, in random order: (X, y, informative mask)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    weights = np.array([1.5, -1.2, 1.0, -0.8, 0.7])
    latent = X[:, :5] @ weights if signal else 0.0
    y = (latent + 0.5 * rng.normal(size=n_samples) > 0).astype(int)
    order = rng.permutation(n_features)
    informative = np.zeros(n_features, bool)
    informative[:5] = signal
    return X[:, order], y, informative[order]


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    print("\n".join(lines) + "\n", flush=True)


def part_lasso(seeds):
    print("## LassoSelector's own count, regression (50 columns, 5 informative)\n")
    rows = []
    for seed in range(seeds):
        X, y, coef = make_regression(
            300, 50, n_informative=5, noise=20, coef=True, random_state=seed
        )
        informative = coef != 0
        minimum = LassoCV(cv=5, max_iter=10000).fit(standardize(X), y)
        kept_min = minimum.coef_ != 0
        selector = LassoSelector(random_state=0).fit(X, y)
        kept = selector.support_
        rows.append(
            [
                seed,
                f"{kept_min.sum()} ({(kept_min & informative).sum()})",
                f"{kept.sum()} ({(kept & informative).sum()})",
            ]
        )
    table(["seed", "min-error alpha: kept (informative)", "1-SE rule"], rows)


SELECTORS = {
    "lasso": LassoSelector(random_state=0),
    "random forest": RandomForestSelector(random_state=0),
    "mutual info": MutualInfoSelector(random_state=0),
}


def part_cv(seeds):
    print("## SelectorCV on planted data (5 informative of 30, 300 rows)\n")
    rows = []
    for name, selector in SELECTORS.items():
        recall, noise, kept, seconds = [], [], [], []
        for seed in range(seeds):
            X, y, informative = planted(seed)
            start = time.perf_counter()
            search = SelectorCV(
                clone(selector), LogisticRegression(solver="newton-cholesky")
            ).fit(X, y)
            seconds.append(time.perf_counter() - start)
            recall.append(search.support_[informative].mean())
            noise.append(search.support_[~informative].sum())
            kept.append(search.n_features_)
        rows.append(
            [
                name,
                f"{np.mean(kept):.1f}",
                f"{np.mean(recall):.2f}",
                f"{np.mean(noise):.1f}",
                "6",
                f"{np.mean(seconds):.2f}",
            ]
        )
    table(
        ["selector", "kept", "recall", "noise kept", "selector fits", "s per fit"],
        rows,
    )


def part_stability(seeds):
    print("## StabilitySelector (50 pairs, bound 1) on planted and null data\n")
    rows = []
    for name, selector in SELECTORS.items():
        if name == "random forest":
            continue  # 100 forests per fit: too slow for this script
        recall, noise, null, seconds = [], [], [], []
        for seed in range(seeds):
            X, y, informative = planted(seed)
            start = time.perf_counter()
            stability = StabilitySelector(clone(selector), random_state=seed)
            support = stability.fit(X, y).support_
            seconds.append(time.perf_counter() - start)
            recall.append(support[informative].mean())
            noise.append(support[~informative].sum())
            X, y, _ = planted(seed, signal=False)
            stability = StabilitySelector(clone(selector), random_state=seed)
            null.append(stability.fit(X, y).support_.sum())
        rows.append(
            [
                name,
                f"{np.mean(recall):.2f}",
                f"{np.mean(noise):.1f}",
                f"{np.mean(null):.2f}",
                f"{stability.false_selection_bound_:.2f}",
                "100",
                f"{np.mean(seconds):.2f}",
            ]
        )
    table(
        [
            "selector",
            "recall",
            "noise kept",
            "null: false selections",
            "bound",
            "selector fits",
            "s per fit",
        ],
        rows,
    )


def interaction_table(seed, n_samples=1000, n_features=20):
    """y = sign(x0 x1) among 18 noise columns, in random order: (X, y, pair mask)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    order = rng.permutation(n_features)
    pair = np.zeros(n_features, bool)
    pair[:2] = True
    return X[:, order], y, pair[order]


def part_optfs(seeds, sparsities=("default",)):
    from sklearn.datasets import load_wine

    from featsel import OptFSSelector

    print("## OptFSSelector's own count (5 folds, random_state 0)\n")
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    rows = []
    for sparsity in sparsities:
        params = {} if sparsity == "default" else {"sparsity": float(sparsity)}
        for name, load in [("breast_cancer", load_breast_cancer), ("wine", load_wine)]:
            X, y = load(return_X_y=True)
            kept, accuracy, seconds = [], [], []
            for train, test in cv.split(X, y):
                start = time.perf_counter()
                selector = OptFSSelector(random_state=0, **params)
                columns = selector.fit(X[train], y[train]).support_
                seconds.append(time.perf_counter() - start)
                kept.append(int(columns.sum()))
                fitted = clone(model).fit(X[train][:, columns], y[train])
                accuracy.append(fitted.score(X[test][:, columns], y[test]))
            every = cross_val_score(model, X, y, cv=cv).mean()
            rows.append(
                [
                    sparsity,
                    name,
                    kept,
                    f"{np.mean(accuracy):.3f}",
                    f"{every:.3f} ({X.shape[1]})",
                    f"{np.mean(seconds):.1f}",
                ]
            )
        exact, noise, seconds = 0, [], []
        for seed in range(seeds):
            X, y, pair = interaction_table(seed)
            train = np.arange(800)
            start = time.perf_counter()
            selector = OptFSSelector(random_state=0, **params)
            support = selector.fit(X[train], y[train]).support_
            seconds.append(time.perf_counter() - start)
            exact += bool(np.array_equal(support, pair))
            noise.append(int(support[~pair].sum()))
        rows.append(
            [
                sparsity,
                f"interaction 1000 x 20, {seeds} seeds (800 training rows)",
                f"exactly the pair: {exact}/{seeds}",
                f"noise kept: {noise}",
                "",
                f"{np.mean(seconds):.1f}",
            ]
        )
    table(
        ["sparsity", "data", "kept per fold", "accuracy", "every column", "s per fit"],
        rows,
    )


def part_shap(seeds):
    from featsel import SHAPForwardSelector
    from featsel.datasets import load_dataset

    print("## SHAPForwardSelector's own choice on the interaction table\n")
    rows, noisy, found = [], 0, 0
    for seed in range(seeds):
        data = load_dataset("interaction", random_state=seed)
        start = time.perf_counter()
        selector = SHAPForwardSelector(random_state=0).fit(data.X, data.y)
        seconds = time.perf_counter() - start
        entered = [str(name) for name in selector.step_names_]
        kept = [str(name) for name in selector.get_feature_names_out()]
        noise = sum(name not in ("x0", "x1") for name in kept)
        noisy += noise > 0
        found += {"x0", "x1"} <= set(kept)
        path = ", ".join(f"{score:.3f}" for score in selector.scores_path_)
        rows.append(
            [
                seed,
                " > ".join(entered),
                ", ".join(kept),
                noise,
                path,
                f"{seconds:.1f}",
            ]
        )
    table(["seed", "order of entry", "kept", "noise kept", "score path", "s"], rows)
    print(
        f"noise kept on {noisy} of {seeds} seeds; the pair kept on {found} of {seeds}\n"
    )
    print("## SHAPForwardSelector's own choice on planted data (5 of 30)\n")
    rows = []
    for seed in range(seeds):
        X, y, informative = planted(seed)
        start = time.perf_counter()
        support = SHAPForwardSelector(random_state=0).fit(X, y).support_
        seconds = time.perf_counter() - start
        rows.append(
            [
                seed,
                int(support[informative].sum()),
                int(support[~informative].sum()),
                f"{seconds:.1f}",
            ]
        )
    recall = np.mean([row[1] for row in rows]) / 5
    noise = np.mean([row[2] for row in rows])
    rows.append(["mean", f"recall {recall:.2f}", f"{noise:.1f}", ""])
    table(["seed", "informative kept (of 5)", "noise kept", "s"], rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="lasso,cv,stability,optfs")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument(
        "--optfs-sparsity",
        default="default",
        help="comma-separated sparsity values of the optfs part; 'default' "
        "leaves the parameter at its default",
    )
    args = parser.parse_args()
    print("\n".join(header("The selectors' own choice of count")))
    for part in args.parts.split(","):
        if part == "optfs":
            part_optfs(args.seeds, args.optfs_sparsity.split(","))
        else:
            globals()[f"part_{part}"](args.seeds)


if __name__ == "__main__":
    main()
