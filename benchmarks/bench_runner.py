"""Runner performance: quick-preset wall time, overhead, speed-up, paper preset.

Runs the quick preset (or the selectors given) twice into fresh folders,
with ``--n-jobs 1`` and ``--n-jobs 2``, and reports:

- the wall time of each run;
- the runner overhead: the share of the single-process wall time not spent
  fitting selectors or downstream models (dataset loading, splitting,
  encoding, scheduling, the SQLite store);
- the speed-up of two workers over one.

Then the paper preset's runtime: the preset restricted to the datasets of
``--paper-slice`` (every selector, 5 folds, 3 models) runs with one worker,
its CPU time is measured per dataset (CPU time, not wall time: on a shared
machine the wall time measures the other jobs too), and the whole preset is
extrapolated by giving each unmeasured dataset the CPU time of the measured
one nearest in size (rows x features), then dividing by two workers.

Usage::

    python benchmarks/bench_runner.py [--selectors none,lasso,...] \
        [--paper-slice breast_cancer,digits3,classification] \
        [--output benchmarks/results/runner.md]
"""

import argparse
import math
import resource
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from _provenance import header, timed

from featsel.benchmark import preset, run
from featsel.datasets import load_dataset


def study_seconds(study, n_jobs):
    with tempfile.TemporaryDirectory() as out:
        [seconds], results = timed(
            lambda: run(study, out, n_jobs=n_jobs, progress=False)
        )
        return seconds, results


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def paper_runtime(datasets):
    """Markdown lines: the paper preset timed on a slice, then extrapolated."""
    paper = preset("paper")
    measured = {}
    for name in datasets:
        study = replace(paper, datasets=(name,))
        cpu, start = cpu_seconds(), time.perf_counter()
        with tempfile.TemporaryDirectory() as out:
            results = run(study, out, n_jobs=1, progress=False)
        measured[name] = {
            "wall": time.perf_counter() - start,
            "cpu": cpu_seconds() - cpu,
            "tasks": results["key"].nunique(),
        }
    shapes = {name: load_dataset(name).X.shape for name in paper.datasets}
    sizes = {name: math.prod(shape) for name, shape in shapes.items()}
    rows, total = [], 0.0
    for name in paper.datasets:
        if name in measured:
            cpu, basis = measured[name]["cpu"], "measured"
        else:
            nearest = min(measured, key=lambda m: abs(math.log(sizes[m] / sizes[name])))
            cpu, basis = measured[nearest]["cpu"], f"**estimate**: as {nearest}"
        total += cpu
        wall = f"{measured[name]['wall']:.0f}" if name in measured else ""
        n_rows, n_features = shapes[name]
        rows.append(
            f"| {name} | {n_rows} x {n_features} | {wall} | {cpu:.0f} | {basis} |"
        )
    return [
        "## The paper preset (`featsel bench --preset paper`)",
        "",
        f"Every installed selector ({len(paper.selectors) - 1} and the "
        "reference), 5 outer folds, 20/40/60 %, models "
        f"{', '.join(paper.models)}, run with one worker on the datasets "
        f"{', '.join(datasets)}; the other datasets are **extrapolated** "
        "from the measured one nearest in size.",
        "",
        "| dataset | rows x features | wall (s) | CPU (s) | basis |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"Total CPU time: {total / 3600:.2f} h; with `--n-jobs 2` on two free "
        f"cores (speed-up about 2, above): about **{total / 2 / 3600:.1f} h** "
        "of wall time (an extrapolation).",
        "",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--selectors", help="comma-separated short names")
    parser.add_argument(
        "--paper-slice",
        default="breast_cancer,digits3,classification",
        help="datasets of the paper preset to time ('' to skip)",
    )
    parser.add_argument("--output", default="benchmarks/results/runner.md")
    args = parser.parse_args()

    study = preset("quick")
    if args.selectors:
        study = replace(study, selectors=tuple(args.selectors.split(",")))

    serial_time, results = study_seconds(study, n_jobs=1)
    tasks = results.drop_duplicates("key")
    work = tasks["fit_time"].sum() + tasks["model_time"].sum()
    overhead = 1 - work / serial_time
    parallel_time, _ = study_seconds(study, n_jobs=2)
    failed = tasks[tasks["status"] == "failed"]

    per_selector = tasks.groupby("selector")[["fit_time", "model_time"]].sum().round(1)
    lines = [
        *header("Benchmark runner performance"),
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
    if args.paper_slice:
        lines += paper_runtime(args.paper_slice.split(","))
    Path(args.output).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
