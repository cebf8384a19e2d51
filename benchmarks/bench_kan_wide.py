"""Where a KAN fit's time goes on wide data: width, lr="auto", the floor (issue 26).

For d = 800 and 3200 (n = 2000, the data of ``bench_speed.py``, one torch
thread) this script fits KAN-L2 (``cv=5``) at its defaults, with
``lr="auto"``, and, where the default width is bounded (beyond 800
features the first layer keeps 51,200 edges, 16 hidden units at d = 3200),
with 64 hidden units (the default width up to 800 features) and with 8
(the fewest the default takes), and on two torch threads (``n_jobs=2``;
its products timed on two threads too). It reports the fit time, the
epochs of the five networks, the recall of the 10 informative columns
among the top 10, and the time of one epoch. It also works out the
arithmetic floor of the training: an epoch multiplies the cached
first-layer features of the training rows by the layer's weights forward
and backward (``2 x 2 x rows x d x (grid + order + 1) x hidden`` flops;
the second layer and the early-stopping rows are small beside it), timed
here as the same matrix products on their own, so that ``floor = epochs x
one epoch's products``, and, beside it, the time to read those features
once per product, which says whether memory traffic or arithmetic bounds
the products.

Usage::

    python benchmarks/bench_kan_wide.py [--features 800,3200]
        [--out benchmarks/results/kan_wide.md]
"""

import argparse
import math
import time
from pathlib import Path

import numpy as np
import torch
from _provenance import footer, header, timed
from bench_speed import N_INFORMATIVE, synthetic, torch_threads

from featsel import KANSelector
from featsel._kan import (
    MAX_DEFAULT_HIDDEN_UNITS,
    MIN_DEFAULT_HIDDEN_UNITS,
    default_hidden_units,
)

N_SAMPLES = 2000


def product_seconds(n_rows, n_features, hidden, n_basis, batch_size):
    """One epoch's first-layer products (forward and weight gradient), timed.

    Also times one read of the same features per product (a sum), the
    least a product bound by memory traffic could take: returns the
    seconds of both per epoch.
    """
    columns = n_features * (n_basis + 1)
    features = torch.randn(min(n_rows, batch_size), columns)
    weight = torch.randn(columns, hidden)
    gradient = torch.randn(features.shape[0], hidden)
    n_batches = math.ceil(n_rows / batch_size)

    def epoch():
        for _ in range(n_batches):
            features @ weight
            features.T @ gradient

    def reads():
        for _ in range(2 * n_batches):
            features.sum()

    epoch()
    times, _ = timed(epoch, 3)
    read_times, _ = timed(reads, 3)
    return float(np.median(times)), float(np.median(read_times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--features", default="800,3200")
    parser.add_argument("--out", default="benchmarks/results/kan_wide.md")
    args = parser.parse_args()
    torch.set_num_threads(1)
    start = time.perf_counter()
    lines = header("KAN on wide data: width, epochs, the arithmetic floor, lr='auto'")
    lines += [
        f"`make_classification({N_SAMPLES}, d, n_informative={N_INFORMATIVE}, "
        "n_redundant=0)`; `KANSelector(method='l2', random_state=0)` at its "
        "defaults (`cv=5`, `batch_size=512`, grid 5, cubic; hidden units "
        "64 up to 800 columns, `51200 // d` beyond), with `lr='auto'`, and "
        "with `hidden_units=64` (the default width before the bound) and 8 "
        "(the fewest the default takes) and with `n_jobs=2` (two torch threads, "
        "its products timed on two as well) where the width is bounded, "
        "otherwise one torch thread, one fit each. *recall*: informative columns among "
        "the top 10. *epoch*: fit time over the epochs of the five networks "
        "(set-up and scoring included). *floor*: the epochs times one epoch's "
        "first-layer products timed alone, on a network's training rows; "
        "*GFLOP/s*: their multiply-adds (2 flops each) over that time; "
        "*read*: the time to read the same features once per product (a "
        "sum), per epoch, the least the products could take if memory "
        "traffic bounded them.",
        "",
        "| d | hidden units | lr | fit s | epochs per network | recall "
        "| s per epoch | floor s | fit / floor | GFLOP/s | read s per epoch |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n_features in (int(d) for d in args.features.split(",")):
        X, y = synthetic(N_SAMPLES, n_features)
        KANSelector(method="l2", max_epochs=1, random_state=0).fit(X[:, :50], y)
        settings = [{}, {"lr": "auto"}]
        if default_hidden_units(n_features) != MAX_DEFAULT_HIDDEN_UNITS:
            # The width before the bound, and the bound's floor: whether a
            # narrower product would be the faster one.
            settings.append({"hidden_units": MAX_DEFAULT_HIDDEN_UNITS})
            settings.append({"hidden_units": MIN_DEFAULT_HIDDEN_UNITS})
            # Both cores: what a user who can spare them gets.
            settings.append({"n_jobs": 2})
        for params in settings:
            times, selector = timed(
                lambda params=params, X=X, y=y: KANSelector(
                    method="l2", random_state=0, **params
                ).fit(X, y)
            )
            seconds = times[0]
            epochs = selector.n_epochs_
            top = np.argsort(selector.ranking_)[:N_INFORMATIVE]
            recall = np.isin(top, np.arange(N_INFORMATIVE)).mean()
            n_train = N_SAMPLES * (1 - 1 / selector.cv)
            n_fit = int(n_train - math.ceil(selector.validation_fraction * n_train))
            n_basis = selector.grid_size + selector.spline_order
            with torch_threads(params.get("n_jobs", 1)):
                per_epoch, read = product_seconds(
                    n_fit,
                    n_features,
                    selector.hidden_units_,
                    n_basis,
                    selector.batch_size,
                )
            floor = epochs.sum() * per_epoch
            flops = 2 * 2 * n_fit * n_features * (n_basis + 1) * selector.hidden_units_
            lines.append(
                f"| {n_features} | {selector.hidden_units_} | {selector.lr_:.4g}"
                f"{' (auto)' if 'lr' in params else ''}"
                f"{' (2 threads)' if 'n_jobs' in params else ''} | {seconds:.1f} "
                f"| {', '.join(str(e) for e in epochs)} | {recall:.1f} "
                f"| {seconds / epochs.sum():.3f} | {floor:.1f} "
                f"| {seconds / floor:.1f} | {flops / per_epoch / 1e9:.0f} "
                f"| {read:.3f} |"
            )
            print(lines[-1], flush=True)
    lines += footer(start)
    Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
