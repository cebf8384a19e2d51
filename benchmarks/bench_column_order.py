"""Does a selector's result depend on where a column sits (issue 23, item 5)?

The quality study's ``friedman1`` gaps of Sequential Attention and KAN-SI
moved (-0.007 to -0.044 and -0.003 to -0.018) when the generator's columns
were put in a seeded random order: the same data in another order. This
script separates the two readings of that move. One dataset is drawn
once; its columns are then permuted ``--orders`` times at a fixed
``random_state``, and, at the original order, the selector is refitted
with ``--orders`` different seeds. On each of 5 folds the selector keeps
20 % of the columns on the training rows and a linear regression on the
kept columns is scored by R^2 on the held-out rows. If the spread of the
mean R^2 over column orders matches its spread over seeds, the order acts
as one more random draw (the network's initial weights are drawn column
by column) and the study's move is seed noise; a systematic preference
for a position would show as a larger spread over orders, and as a
position bias: the mean rank, in the original order, of the columns kept
when they sit first versus last. LASSO is the control: deterministic, and
its ties broken by the F statistic, it must give one selection whatever
the order.

Usage::

    python benchmarks/bench_column_order.py [--dataset friedman1]
        [--orders 10] [--out benchmarks/results/column_order.md]
"""

import argparse
import math
import time
from collections import Counter
from pathlib import Path

import numpy as np
from _provenance import footer, header
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold

from featsel import KANSelector, LassoSelector, SequentialAttentionSelector
from featsel.datasets import load_dataset

RETENTION = 0.2
N_FOLDS = 5
SELECTORS = {
    "Sequential Attention": lambda k, seed: SequentialAttentionSelector(
        k, random_state=seed
    ),
    "KAN-SI": lambda k, seed: KANSelector(k, method="si", random_state=seed),
    "LASSO (control)": lambda k, seed: LassoSelector(k, random_state=seed),
}


def cross_validated(make, X, y, k, order, seed):
    """Mean held-out R^2, and the kept columns of each fold in X's own order.

    The selector sees ``X[:, order]``; the folds are the same for every
    order and seed.
    """
    scores, kept = [], []
    for train, test in KFold(N_FOLDS, shuffle=True, random_state=0).split(X):
        selector = make(k, seed).fit(X[train][:, order], y[train])
        columns = order[selector.support_]
        model = LinearRegression().fit(X[train][:, columns], y[train])
        scores.append(model.score(X[test][:, columns], y[test]))
        kept.append(frozenset(columns.tolist()))
    return float(np.mean(scores)), kept


def most_kept(counter):
    """``name count`` of the columns kept, most often first."""
    return ", ".join(f"{name} {count}" for name, count in counter.most_common())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="friedman1")
    parser.add_argument("--orders", type=int, default=10)
    parser.add_argument("--out", default="benchmarks/results/column_order.md")
    args = parser.parse_args()
    start = time.perf_counter()
    data = load_dataset(args.dataset)
    X, y = data.X.to_numpy(dtype=float), data.y.to_numpy(dtype=float)
    n_features = X.shape[1]
    k = math.ceil(RETENTION * n_features)
    informative = np.isin(data.X.columns, data.informative)
    rng = np.random.default_rng(0)
    orders = [rng.permutation(n_features) for _ in range(args.orders)]
    identity = np.arange(n_features)

    lines = header("Column order against seed: does a selection depend on position?")
    lines += [
        f"Data: `{args.dataset}` ({X.shape[0]} x {n_features}, informative: "
        f"{', '.join(data.informative)}), drawn once. {N_FOLDS} folds (the "
        f"same throughout); each selector keeps {k} columns ({RETENTION:.0%}) "
        "on the training rows; R^2 of a linear regression on the kept "
        "columns, on the held-out rows, averaged over the folds.",
        "",
        f"- *over orders*: {args.orders} random column orders, `random_state=0`;",
        f"- *over seeds*: the original order, `random_state` 0 to {args.orders - 1};",
        "- *same selection as the original order*: folds whose kept columns "
        "(mapped back to the original order) equal those of the original "
        "order at `random_state=0`;",
        "- *informative kept*: mean number of informative columns among the "
        "kept, per fold;",
        "- *position bias*: fraction of the kept columns that sat in the "
        "first half of the order the selector saw (0.5 without bias), over "
        "the orders;",
        "- *kept most often*: how many of the folds kept each column, over "
        "the orders / over the seeds.",
        "",
        "| selector | mean R^2 over orders: mean (sd) | over seeds: mean (sd) "
        "| same selection as the original order | informative kept, orders "
        "/ seeds | position bias | kept most often, orders / seeds |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, make in SELECTORS.items():
        reference_score, reference_kept = cross_validated(make, X, y, k, identity, 0)
        by_order, by_seed = [], []
        same, first_half, n_kept = 0, 0, 0
        counts = {"orders": Counter(), "seeds": Counter()}
        informative_orders, informative_seeds = [], []
        for order in orders:
            score, kept = cross_validated(make, X, y, k, order, 0)
            by_order.append(score)
            same += sum(a == b for a, b in zip(kept, reference_kept, strict=True))
            position = np.argsort(order)
            for columns in kept:
                columns = np.fromiter(columns, dtype=int)
                first_half += np.count_nonzero(position[columns] < n_features / 2)
                n_kept += columns.size
                informative_orders.append(np.count_nonzero(informative[columns]))
                counts["orders"].update(data.X.columns[columns])
        for seed in range(args.orders):
            score, kept = (
                (reference_score, reference_kept)
                if seed == 0
                else cross_validated(make, X, y, k, identity, seed)
            )
            by_seed.append(score)
            informative_seeds.extend(
                np.count_nonzero(informative[list(columns)]) for columns in kept
            )
            for columns in kept:
                counts["seeds"].update(data.X.columns[list(columns)])
        lines.append(
            f"| {name} | {np.mean(by_order):.3f} ({np.std(by_order, ddof=1):.3f}) "
            f"| {np.mean(by_seed):.3f} ({np.std(by_seed, ddof=1):.3f}) "
            f"| {same} of {N_FOLDS * args.orders} "
            f"| {np.mean(informative_orders):.2f} / {np.mean(informative_seeds):.2f} "
            f"| {first_half / n_kept:.2f} "
            f"| {most_kept(counts['orders'])} / {most_kept(counts['seeds'])} |"
        )
        print(lines[-1], flush=True)
    lines += footer(start)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
