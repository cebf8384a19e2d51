"""Soak test of the runner: thousands of small tasks, killed and resumed.

One study of several thousand small tasks runs twice through ``featsel
bench`` with two workers: once without interruption, and once killed with
SIGKILL (the whole process group, workers included, as a machine crash or
the out-of-memory killer would) at random moments and resumed with the same
command until it finishes. The stored rows of the two runs are then compared
one by one: a row lost, stored twice or with a different value is a defect.

Usage::

    python benchmarks/bench_soak.py [--seeds 250] [--output benchmarks/results/soak.md]
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _provenance import header

from featsel.benchmark import load

SELECTORS = "none,mi,svm-rfe,lasso"
#: What must be equal between the interrupted and the uninterrupted run.
COMPARED = ["level", "model", "n_selected", "score", "selected", "status"]
IDENTITY = ["dataset", "selector", "seed", "fold"]


def write_data(folder):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(60, 6)), columns=[f"x{j}" for j in range(6)])
    frame["y"] = (frame["x0"] - frame["x1"] + rng.normal(size=60) > 0).astype(int)
    path = Path(folder) / "soak.csv"
    frame.to_csv(path, index=False)
    return path


def bench_command(data, out, seeds):
    return [
        sys.executable,
        "-m",
        "featsel.cli",
        "bench",
        "--dataset",
        str(data),
        "--target",
        "y",
        "--selectors",
        SELECTORS,
        "--models",
        "linear",
        "--retention",
        "0.5",
        "--folds",
        "3",
        "--seeds",
        ",".join(map(str, range(seeds))),
        "--n-jobs",
        "2",
        "--no-progress",
        "--out",
        str(out),
    ]


def run_to_end(command, rng, kill_window):
    """Run ``command``, killing it at random moments until it finishes.

    Returns the number of kills and the wall time of every attempt.
    """
    kills, attempts = 0, []
    while True:
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = None if kill_window is None else rng.uniform(*kill_window)
        try:
            returncode = process.wait(timeout=deadline)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            kills += 1
            attempts.append(time.perf_counter() - start)
            continue
        attempts.append(time.perf_counter() - start)
        if returncode != 0:
            raise RuntimeError(f"{command} ended with exit code {returncode}")
        return kills, attempts


def compare(whole, killed):
    """Counts of tasks and rows, and of rows lost, duplicated, extra, different."""
    row = ["key", "level", "model"]
    whole, killed = whole.set_index(row), killed.set_index(row)
    duplicated = killed.index.duplicated()
    killed = killed[~duplicated]
    common = whole.index.intersection(killed.index)
    values = [*IDENTITY, *(column for column in COMPARED if column not in row)]
    different = whole.loc[common, values].astype(str) != killed.loc[
        common, values
    ].astype(str)
    return {
        "tasks": whole.index.get_level_values("key").nunique(),
        "rows": len(whole),
        "rows lost": len(whole.index.difference(killed.index)),
        "rows duplicated": int(duplicated.sum()),
        "rows extra": len(killed.index.difference(whole.index)),
        "rows different": int(different.any(axis=1).sum()),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=250, help="seeds of the study")
    parser.add_argument(
        "--kill-after",
        type=float,
        nargs=2,
        default=(3.0, 15.0),
        help="kill each attempt after a uniform random time in this range (s)",
    )
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--output", default="benchmarks/results/soak.md")
    args = parser.parse_args()
    rng = np.random.default_rng(args.random_state)
    with tempfile.TemporaryDirectory() as folder:
        data = write_data(folder)
        start = time.perf_counter()
        run_to_end(bench_command(data, Path(folder) / "whole", args.seeds), rng, None)
        whole_time = time.perf_counter() - start
        start = time.perf_counter()
        kills, attempts = run_to_end(
            bench_command(data, Path(folder) / "killed", args.seeds),
            rng,
            args.kill_after,
        )
        killed_time = time.perf_counter() - start
        columns = ["key", *IDENTITY, *COMPARED]
        whole = load(Path(folder) / "whole")[columns]
        killed = load(Path(folder) / "killed")[columns]
    counts = compare(whole, killed)
    lines = header("Runner soak test: killed and resumed against uninterrupted")
    lines += [
        f"Study: `{data.name}` (60 x 6, binary), selectors {SELECTORS}, one "
        f"retention level, the linear model, 3 folds x {args.seeds} seeds, "
        "two workers; every attempt of the interrupted run is killed with "
        f"SIGKILL to its process group after {args.kill_after[0]:g}-"
        f"{args.kill_after[1]:g} s (uniform), then resumed with the same "
        "command until it finishes.",
        "",
        "| quantity | value |",
        "|---|---|",
        f"| tasks | {counts['tasks']} |",
        f"| rows (task x level x model) | {counts['rows']} |",
        f"| kills | {kills} |",
        f"| attempts of the interrupted run | {len(attempts)} |",
        f"| wall time, uninterrupted | {whole_time:.0f} s |",
        f"| wall time, interrupted and resumed | {killed_time:.0f} s |",
        f"| rows lost | {counts['rows lost']} |",
        f"| rows duplicated | {counts['rows duplicated']} |",
        f"| rows extra | {counts['rows extra']} |",
        f"| rows different | {counts['rows different']} |",
        "",
        "Rows are compared on " + ", ".join(f"`{c}`" for c in COMPARED) + " for "
        "each task key, level and model; timings are not compared.",
        "",
    ]
    Path(args.output).write_text("\n".join(lines))
    print("\n".join(lines))
    failures = sum(counts[name] for name in counts if name not in ("tasks", "rows"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
