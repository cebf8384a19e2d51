"""Runner performance: quick-preset wall time, runner overhead, parallel speed-up.

Runs the quick preset (or the selectors given) twice into fresh folders,
with ``--n-jobs 1`` and ``--n-jobs 2``, and reports:

- the wall time of each run;
- the runner overhead: the share of the single-process wall time not spent
  fitting selectors or downstream models (dataset loading, splitting,
  encoding, scheduling, the SQLite store);
- the speed-up of two workers over one.

Usage::

    python benchmarks/bench_runner.py [--selectors all,lasso,...] \
        [--output benchmarks/results/runner.md]
"""

import argparse
import os
import platform
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from featsel.benchmark import preset, run


def timed_run(study, n_jobs):
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        results = run(study, out, n_jobs=n_jobs, progress=False)
        return time.perf_counter() - start, results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--selectors", help="comma-separated short names")
    parser.add_argument("--output", default="benchmarks/results/runner.md")
    args = parser.parse_args()

    study = preset("quick")
    if args.selectors:
        study = replace(study, selectors=tuple(args.selectors.split(",")))

    serial_time, results = timed_run(study, n_jobs=1)
    tasks = results.drop_duplicates("key")
    work = tasks["fit_time"].sum() + tasks["model_time"].sum()
    overhead = 1 - work / serial_time
    parallel_time, _ = timed_run(study, n_jobs=2)
    failed = tasks[tasks["status"] == "failed"]

    per_selector = tasks.groupby("selector")[["fit_time", "model_time"]].sum().round(1)
    command = "python benchmarks/bench_runner.py" + (
        f" --selectors {args.selectors}" if args.selectors else ""
    )
    lines = [
        "# Benchmark runner performance",
        "",
        f"Command: `{command}`  ",
        f"Machine: {os.cpu_count()} CPU cores ({platform.processor() or 'x86_64'}), "
        "no GPU  ",
        f"Date: {date.today().isoformat()}",
        "",
        f"Study: the quick preset, {len(study.datasets)} datasets x "
        f"{len(study.selectors)} selectors ({', '.join(study.selectors)}) x "
        f"{study.folds} folds, retention {list(study.retention)}, models "
        f"{list(study.models)}: {len(tasks)} tasks, {len(failed)} failed.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| wall time, --n-jobs 1 | {serial_time:.1f} s |",
        f"| wall time, --n-jobs 2 | {parallel_time:.1f} s |",
        f"| speed-up of 2 workers | {serial_time / parallel_time:.2f}x |",
        f"| selector + model fitting, --n-jobs 1 | {work:.1f} s |",
        f"| runner overhead, --n-jobs 1 | {overhead:.1%} |",
        "",
        "Fitting time per selector (seconds, summed over tasks, --n-jobs 1):",
        "",
        "| selector | selector fits | downstream models |",
        "|---|---|---|",
        *[
            f"| {name} | {row.fit_time} | {row.model_time} |"
            for name, row in per_selector.iterrows()
        ],
        "",
    ]
    if not failed.empty:
        lines += ["Failed tasks:", ""] + [
            f"- {row.dataset} / {row.selector} / fold {row.fold}: {row.error}"
            for row in failed.itertuples()
        ]
    Path(args.output).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
