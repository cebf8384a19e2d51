"""STS-mRMR's data relevance options on planted problems (issue 23, item 2).

Data-only mRMR (``alpha_sts=0``), 10 seeds each, every relevance in both
schemes:

- ``interaction``: y = sign(x0 x1) among 18 noise columns (1000 rows,
  columns in random order): on how many seeds the first two picks are
  the pair.
- ``linear``: 5 informative columns (logistic weights 1.5, -1.2, 1.0, -0.8,
  0.7, noise sd 0.5) among 25 noise columns, 300 rows, random order: the
  informative columns among the first 5 picks, and on how many seeds the
  second pick is informative.

Usage::

    python benchmarks/bench_sts_relevance.py [--seeds 10]
"""

import argparse
import warnings

import numpy as np
from _provenance import header

from featsel import STSmRMRSelector

RELEVANCES = ("f", "mi", "pearson", "rf")


def interaction(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(1000, 20))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    order = rng.permutation(20)
    return X[:, order], y, np.isin(order, [0, 1])


def linear(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(300, 30))
    latent = X[:, :5] @ np.array([1.5, -1.2, 1.0, -0.8, 0.7])
    y = (latent + 0.5 * rng.normal(size=300) > 0).astype(int)
    order = rng.permutation(30)
    return X[:, order], y, order < 5


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    print("\n".join(header("STS-mRMR: data relevance and scheme on planted signals")))
    print(
        "| scheme | relevance | interaction: pair first | linear: informative "
        "in top 5 | linear: 2nd pick informative |"
    )
    print("|---|---|---|---|---|")
    for scheme in ("difference", "quotient"):
        for relevance in RELEVANCES:
            pair, top5, second = 0, [], 0
            for seed in range(args.seeds):
                params = {
                    "alpha_sts": 0,
                    "relevance": relevance,
                    "scheme": scheme,
                    "random_state": 0,
                }
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    X, y, planted = interaction(seed)
                    order = STSmRMRSelector(2, **params).fit(X, y).selection_order_
                    pair += bool(planted[order].all())
                    X, y, planted = linear(seed)
                    order = STSmRMRSelector(5, **params).fit(X, y).selection_order_
                top5.append(planted[order].sum())
                second += bool(planted[order[1]])
            print(
                f"| {scheme} | {relevance} | {pair}/{args.seeds} | "
                f"{np.mean(top5):.1f} | {second}/{args.seeds} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
