"""Fit every torch selector on the GPU and compare its selection with the CPU's.

The one prepared check of issue 26's "GPU ready": run it in one short call
the first time a machine with a CUDA GPU is available. For each torch
selector (the four KAN scores, Sequential Attention, Feature Gradients,
OptFS) at its defaults with a count and with its own choice, on a planted
classification and a planted regression table, it fits once with
``device="cpu"`` and once with ``device=DEVICE``, and reports the fit
times, whether ``support_`` is equal, the overlap of the two selections
and the Spearman correlation of the two ``scores_``. Float arithmetic
differs between devices, so a selection may differ at a tie or a gate on
its boundary: the table shows by how much, and the exit status is 1 only
when a fit fails or the overlap of a selection with a count falls below
``--min-overlap``.

Usage::

    python benchmarks/check_cuda.py                  # cuda against cpu
    python benchmarks/check_cuda.py --device cpu     # a dry run, no GPU
    python benchmarks/check_cuda.py --output benchmarks/results/cuda.md

Needs about a minute on a GPU machine; ``--device cpu`` checks the script
itself on any machine.
"""

import argparse
import sys
import time
import traceback
from pathlib import Path

import numpy as np
from _provenance import header
from scipy.stats import spearmanr
from sklearn.base import clone

from featsel import (
    FeatureGradientsSelector,
    KANSelector,
    OptFSSelector,
    SequentialAttentionSelector,
)
from featsel.datasets import load_dataset

SELECTORS = {
    "kan-l1": KANSelector(method="l1"),
    "kan-l2": KANSelector(method="l2"),
    "kan-si": KANSelector(method="si"),
    "kan-ko": KANSelector(method="ko"),
    "seqattn": SequentialAttentionSelector(),
    "featgrad": FeatureGradientsSelector(),
    "optfs": OptFSSelector(),
}
DATASETS = ("classification", "regression")
COUNT = 5


def fit(selector, device, X, y):
    """A fitted clone on ``device`` and its fit time in seconds."""
    selector = clone(selector).set_params(device=device, random_state=0)
    start = time.perf_counter()
    selector.fit(X, y)
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()
    return selector, time.perf_counter() - start


def compare(name, selector, data, count, device):
    """One table row: times, equal supports, overlap, score correlation."""
    selector = clone(selector).set_params(n_features_to_select=count)
    on_cpu, cpu_time = fit(selector, "cpu", data.X, data.y)
    on_device, device_time = fit(selector, device, data.X, data.y)
    cpu_kept, device_kept = on_cpu.support_, on_device.support_
    overlap = (cpu_kept & device_kept).sum() / max(cpu_kept.sum(), 1)
    rho = spearmanr(on_cpu.scores_, on_device.scores_).statistic
    return {
        "selector": name,
        "dataset": data.name,
        "count": "own" if count is None else str(count),
        "cpu s": f"{cpu_time:.2f}",
        "device s": f"{device_time:.2f}",
        "kept cpu / device": f"{cpu_kept.sum()} / {device_kept.sum()}",
        "equal support": str(bool(np.array_equal(cpu_kept, device_kept))),
        "overlap": f"{overlap:.2f}",
        "scores rho": f"{rho:.3f}",
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", help="device to compare")
    parser.add_argument("--selectors", default=",".join(SELECTORS))
    parser.add_argument("--min-overlap", type=float, default=0.8)
    parser.add_argument("--output", help="Markdown file (default: stdout only)")
    args = parser.parse_args(argv)

    rows, failures = [], []
    for dataset in DATASETS:
        data = load_dataset(dataset, random_state=0)
        for name in args.selectors.split(","):
            for count in (COUNT, None):
                try:
                    row = compare(name, SELECTORS[name], data, count, args.device)
                except Exception:  # noqa: BLE001 - every failure is reported
                    failures.append(f"{name} on {dataset}: {traceback.format_exc()}")
                    continue
                rows.append(row)
                print(" | ".join(row.values()), flush=True)
                if count is not None and float(row["overlap"]) < args.min_overlap:
                    failures.append(f"{name} on {dataset}: overlap {row['overlap']}")

    lines = header(f"Torch selectors on {args.device} against cpu")
    columns = list(rows[0]) if rows else []
    lines += [
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
        *("| " + " | ".join(row.values()) + " |" for row in rows),
        "",
        f"Failures: {len(failures)}",
        *(f"- {failure}" for failure in failures),
    ]
    text = "\n".join(lines) + "\n"
    if args.output:
        Path(args.output).write_text(text)
    print(text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
