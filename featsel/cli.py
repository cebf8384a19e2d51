"""The ``featsel`` command line."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import sys
import time

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from . import __version__
from .datasets import list_datasets, load_dataset
from .utils import all_selectors

DEFAULT_DATASETS = ("breast_cancer", "wine", "diabetes")
DEFAULT_RETENTION = (0.2, 0.4, 0.6)
CLASSICAL_SELECTORS = (
    "LassoSelector",
    "MutualInfoSelector",
    "RandomForestSelector",
    "SVMRFESelector",
)


def _cross_validated_score(dataset, selector, n_splits, random_state):
    """Mean test score of scale -> selector -> linear model over outer folds."""
    if dataset.task == "classification":
        model, scoring = LogisticRegression(max_iter=2000), "f1_macro"
        folds = StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
    else:
        model, scoring = Ridge(), "r2"
        folds = KFold(n_splits, shuffle=True, random_state=random_state)
    steps = (
        [StandardScaler(), model]
        if selector is None
        else [
            StandardScaler(),
            selector,
            model,
        ]
    )
    # The selector sits inside the pipeline, so it only sees training folds.
    return cross_val_score(
        make_pipeline(*steps), dataset.X, dataset.y, cv=folds, scoring=scoring
    ).mean()


def bench(datasets, selectors, retention, n_splits, random_state):
    """Score every selector at every retention level on every dataset.

    Returns a DataFrame with one row per dataset and selector, one column per
    retention level, the mean over levels and the total time.
    """
    classes = dict(all_selectors())
    rows = []
    for name in datasets:
        dataset = load_dataset(name)
        start = time.perf_counter()
        score = _cross_validated_score(dataset, None, n_splits, random_state)
        rows.append(
            {"dataset": name, "selector": "all features"}
            | dict.fromkeys(map(str, retention), score)
            | {"mean": score, "seconds": time.perf_counter() - start}
        )
        for selector_name in selectors:
            start = time.perf_counter()
            scores = {
                str(level): _cross_validated_score(
                    dataset,
                    classes[selector_name](
                        n_features_to_select=level, random_state=random_state
                    ),
                    n_splits,
                    random_state,
                )
                for level in retention
            }
            rows.append(
                {"dataset": name, "selector": selector_name}
                | scores
                | {
                    "mean": np.mean(list(scores.values())),
                    "seconds": time.perf_counter() - start,
                }
            )
    return pd.DataFrame(rows)


def _parse_list(text):
    return [item.strip() for item in text.split(",") if item.strip()]


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="featsel", description="Feature selection for scikit-learn."
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)

    bench_parser = commands.add_parser(
        "bench",
        help="compare selectors over retention levels",
        description=(
            "Select features inside each training fold, fit a linear model "
            "(LogisticRegression or Ridge) on the kept features and print its "
            "cross-validated test score (F1-macro or R^2) per retention level."
        ),
    )
    bench_parser.add_argument(
        "--datasets",
        type=_parse_list,
        default=list(DEFAULT_DATASETS),
        help=f"comma-separated dataset names (default: {','.join(DEFAULT_DATASETS)})",
    )
    bench_parser.add_argument(
        "--selectors",
        type=_parse_list,
        default=list(CLASSICAL_SELECTORS),
        help="comma-separated selector class names (default: the four baselines)",
    )
    bench_parser.add_argument(
        "--retention",
        type=lambda text: [float(level) for level in _parse_list(text)],
        default=list(DEFAULT_RETENTION),
        help="comma-separated fractions of features kept (default: 0.2,0.4,0.6)",
    )
    bench_parser.add_argument("--folds", type=int, default=5, help="outer folds")
    bench_parser.add_argument("--seed", type=int, default=0, help="random seed")

    commands.add_parser("datasets", help="list the available datasets")
    commands.add_parser("selectors", help="list the available selectors")
    return parser


def main(argv=None):
    """Entry point of the ``featsel`` console script."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command == "datasets":
        for name in list_datasets():
            data = load_dataset(name)
            print(f"{name:15s} {data.task:15s} {data.description}")
        return 0
    if args.command == "selectors":
        for name, _ in all_selectors():
            print(name)
        return 0

    known_datasets, known_selectors = list_datasets(), dict(all_selectors())
    for kind, names, known in (
        ("dataset", args.datasets, known_datasets),
        ("selector", args.selectors, known_selectors),
    ):
        unknown = [name for name in names if name not in known]
        if unknown:
            parser.error(
                f"unknown {kind}(s): {', '.join(unknown)}; "
                f"choose from {', '.join(known)}"
            )
    if not all(0 < level <= 1 for level in args.retention):
        parser.error("retention levels must lie in (0, 1]")

    table = bench(args.datasets, args.selectors, args.retention, args.folds, args.seed)
    print(
        f"Test score (F1-macro / R^2) over {args.folds} folds; selection fitted "
        "on training folds only.\n"
    )
    print(table.to_string(index=False, float_format="{:.3f}".format))
    return 0


if __name__ == "__main__":
    sys.exit(main())
