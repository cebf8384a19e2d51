"""How much of the linear signal Feature Gradients' estimate sees (issue 23).

For every table of the real-data suite, ``FeatureGradientsSelector``'s
``visible_signal_`` (see its Notes): the share of the linear signal in the
features that the order-4 learnability estimate weighs, measured on the
rows that estimate the spectrum. The tables are encoded as the benchmark
runner encodes them for a selector (categorical columns one-hot, missing
values imputed by the median). Only the diagnostic is read, so each fit
runs one epoch. Feature Gradients' gap to the best classical selector on
each table is in ``benchmarks/results/real.md``; this file's reading pairs
the two.

Usage::

    python benchmarks/bench_feature_gradients_visible.py
        [--out benchmarks/results/feature_gradients_visible.md]
"""

import argparse
import time
import warnings
from pathlib import Path

import pandas as pd
from _provenance import footer, header

from featsel import FeatureGradientsSelector
from featsel.datasets import load_dataset, real_suite


def encoded(data):
    """The table as the runner hands it to a selector, as floats."""
    X = pd.get_dummies(data.X, dtype=float)
    return X.fillna(X.median()).to_numpy(dtype=float)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", default="benchmarks/results/feature_gradients_visible.md"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    lines = header(
        "Feature Gradients: the share of the linear signal its estimate sees"
    )
    lines += [
        "`FeatureGradientsSelector(max_epochs=1, random_state=0)` on all the "
        "rows of each table of the real-data suite, one-hot encoded; "
        "`visible_signal_` below 0.4 makes a fit warn.",
        "",
        "| dataset | rows x columns (encoded) | task | visible_signal_ |",
        "|---|---|---|---|",
    ]
    for name in real_suite():
        data = load_dataset(name)
        X = encoded(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            selector = FeatureGradientsSelector(max_epochs=1, random_state=0)
            selector.fit(X, data.y.to_numpy())
        lines.append(
            f"| {name} | {X.shape[0]} x {X.shape[1]} | {data.task} "
            f"| {selector.visible_signal_:.2f} |"
        )
        print(lines[-1], flush=True)
    lines += footer(start)
    Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
