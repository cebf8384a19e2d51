"""Snapshot every selector's selection, to check a refactoring changes none.

Fits every installed selector of the runner's registry as the quick preset
builds it (its ``quick_params``, so the neural selectors train for few
epochs) on four datasets of the quality study, once at a fixed count and
once with ``n_features_to_select=None`` (the selector's own choice), and
records ``ranking_``, ``support_`` and the order of ``scores_`` (descending,
stable). ``save`` writes them to an ``.npz`` file; ``compare`` refits and
lists every array that is not bitwise equal to the saved one.

Usage::

    python benchmarks/check_contract_snapshot.py save /tmp/before.npz
    python benchmarks/check_contract_snapshot.py compare /tmp/before.npz
"""

import argparse
import sys
import warnings

import numpy as np

from featsel.benchmark import (
    SELECTORS,
    available_selectors,
    build_selector,
)
from featsel.datasets import load_dataset

DATASETS = ("breast_cancer", "wine", "diabetes", "friedman1")

#: The fixed count; every dataset above has more features.
K = 4


def snapshot():
    """``{"selector/dataset/k": array}`` for every fit of the snapshot."""
    arrays = {}
    for dataset_name in DATASETS:
        data = load_dataset(dataset_name)
        X, y = data.X.to_numpy(dtype=np.float64), data.y.to_numpy()
        for name in available_selectors():
            for k in (K, None):
                params = {**SELECTORS[name].quick_params, "n_features_to_select": k}
                selector = build_selector(name, params, 0, data.task)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    selector.fit(X, y)
                key = f"{name}/{dataset_name}/{k}"
                arrays[f"{key}/ranking_"] = selector.ranking_
                arrays[f"{key}/support_"] = selector.support_
                arrays[f"{key}/scores_order"] = np.argsort(
                    -selector.scores_, kind="stable"
                )
                print(key, file=sys.stderr, flush=True)
    return arrays


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("save", "compare"))
    parser.add_argument("path")
    args = parser.parse_args()
    current = snapshot()
    if args.action == "save":
        np.savez(args.path, **current)
        print(f"saved {len(current)} arrays to {args.path}")
        return 0
    with np.load(args.path) as saved:
        before = dict(saved)
    changed = sorted(
        key
        for key in before.keys() | current.keys()
        if key not in before
        or key not in current
        or not np.array_equal(before[key], current[key])
    )
    for key in changed:
        print(f"changed: {key}")
    print(f"{len(changed)} of {len(before)} arrays differ from {args.path}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
