"""Estimate the run time of ``featsel bench --preset real`` from a sample.

Runs the tasks of one outer fold (fold 0) of the ``real`` preset, one at a
time in this process, on the datasets named, and measures each task's CPU
time (tasks run single-threaded, so CPU time is what a free core takes even
when other jobs share the machine). A study runs ``folds`` times as many
tasks; with ``--n-jobs 2`` on two free cores it takes about half their
CPU time. Datasets left out of the sample are not counted: time the
largest ones, whose tasks dominate.

Usage::

    python benchmarks/bench_real_runtime.py lending_club,ames,grants
    python benchmarks/bench_real_runtime.py ames --folds 5

``--folds`` extrapolates to another number of folds than the preset's.
"""

import argparse
import time
from collections import defaultdict
from dataclasses import replace

from _provenance import header

from featsel.benchmark import make_tasks, preset, run_task


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", help="comma-separated datasets of the suite")
    parser.add_argument("--selectors", help="comma-separated selectors (all)")
    parser.add_argument("--folds", type=int, help="folds to extrapolate to")
    args = parser.parse_args(argv)
    print("\n".join(header("Run time of the real preset, from fold 0")))
    study = replace(preset("real"), datasets=tuple(args.datasets.split(",")))
    if args.selectors:
        study = replace(study, selectors=tuple(args.selectors.split(",")))
    study.validate()
    tasks = [task for task in make_tasks(study) if task.fold == 0]
    per_dataset = defaultdict(float)
    per_selector = defaultdict(float)
    for task in sorted(tasks, key=lambda task: (task.dataset, task.selector)):
        start = time.process_time()
        result = run_task(task)
        cpu = time.process_time() - start
        per_dataset[task.dataset] += cpu
        per_selector[task.selector] += cpu
        print(
            f"{task.dataset:22s} {task.selector:13s} {str(task.levels):16s} "
            f"{result['status']:6s} cpu {cpu:6.1f} s",
            flush=True,
        )
    print("\nCPU seconds of fold 0, by selector:")
    for selector, cpu in sorted(per_selector.items(), key=lambda item: -item[1]):
        print(f"  {selector:13s} {cpu:7.1f}")
    folds = args.folds or study.folds
    print(f"\nEstimate for {folds} folds:")
    total = 0.0
    for dataset, cpu in per_dataset.items():
        total += cpu * folds
        print(f"  {dataset:22s} {cpu * folds / 60:6.1f} CPU min")
    print(
        f"  {'total':22s} {total / 60:6.1f} CPU min; with --n-jobs 2 on two "
        f"free cores about {total / 120:.0f} min"
    )


if __name__ == "__main__":
    main()
