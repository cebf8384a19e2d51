"""Measure the per-task costs behind ``featsel bench``'s up-front estimate.

Runs the tasks of fold 0 on a few small datasets, one at a time in this
process, and measures each task's CPU time (tasks run single-threaded, so
CPU time is what a free core takes even when other jobs share the
machine): the reference ``none`` once per downstream model gives the cost
of one evaluation (a model fitted and scored at one level) per model; every
selector at its defaults and at the quick preset's settings, with the
linear model, gives its fit cost (task time less its evaluations). It
prints the tables ``featsel/benchmark/_estimate.py`` holds and writes them,
with a check of the estimate against measured wall times of whole studies,
to ``benchmarks/results/task_costs.md``.

Usage::

    python benchmarks/bench_task_costs.py
    python benchmarks/bench_task_costs.py --datasets wine --output /tmp/costs.md
"""

import argparse
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pandas as pd
from _provenance import header
from bench_speed import warm_up

from featsel.benchmark import (
    MODELS,
    NO_SELECTION,
    Study,
    load_study,
    make_tasks,
    preset,
    run_task,
    task_seconds,
    to_markdown,
)

#: Measured times of whole studies, to check the estimate against.
CHECKS = (
    # benchmarks/results/runner.md: the quick preset, --n-jobs 1, and the
    # paper preset's datasets measured there one at a time, one worker.
    ("the quick preset (runner.md)", preset("quick"), 247.0),
    *(
        (
            f"the paper preset on {name} (runner.md)",
            replace(preset("paper"), datasets=(name,)),
            seconds,
        )
        for name, seconds in (
            ("breast_cancer", 116),
            ("digits3", 162),
            ("classification", 78),
        )
    ),
    # benchmarks/results/quality.md: 0.34 h of task time (two workers on two
    # cores, so each task ran a little slower than alone on a free core).
    (
        "the quality study, task time (quality.md)",
        load_study("benchmarks/studies/quality.toml"),
        0.34 * 3600,
    ),
)


def _cpu_seconds(study):
    """CPU seconds of each fold-0 task of ``study``, with the task."""
    measured = []
    for task in make_tasks(study):
        if task.fold != 0:
            continue
        start = time.process_time()
        result = run_task(task)
        if result["status"] != "done":
            raise RuntimeError(f"{task.selector} on {task.dataset}: {result['error']}")
        measured.append((task, time.process_time() - start))
    return measured


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets", default="wine,diabetes,breast_cancer", help="comma-separated"
    )
    parser.add_argument(
        "--output", default="benchmarks/results/task_costs.md", help="results file"
    )
    args = parser.parse_args(argv)
    datasets = tuple(args.datasets.split(","))
    # The paper preset runs xgb exactly where xgboost is installed.
    models = [m for m in MODELS if m != "xgb" or "xgb" in preset("paper").models]
    base = Study(datasets=datasets, retention=(0.2, 0.4, 0.6), folds=3)

    evaluation = {}
    for model in models:
        study = replace(base, selectors=(NO_SELECTION,), models=(model,))
        runs = _cpu_seconds(study.validate())
        evaluation[model] = round(sum(cpu for _, cpu in runs) / len(runs), 3)

    fits = defaultdict(dict)
    quick = preset("quick")
    # First fits pay one-time costs (torch's import, the numba kernels'
    # compilation) that no task of a study pays twice.
    warm_up([name for name in quick.selectors if name != NO_SELECTION])
    for settings, params in (("default", {}), ("quick", quick.selector_params)):
        selectors = [name for name in quick.selectors if name != NO_SELECTION]
        if settings == "quick":
            selectors = [name for name in selectors if name in params]
        study = replace(
            base, selectors=tuple(selectors), models=("linear",), selector_params=params
        )
        per_selector = defaultdict(list)
        for task, cpu in _cpu_seconds(study.validate()):
            evaluations = len(task.levels) * evaluation["linear"]
            per_selector[task.selector].append(max(cpu - evaluations, 0.0))
        for name, values in per_selector.items():
            fits[name][settings] = round(sum(values) / len(values), 3)

    lines = header("Per-task costs of the up-front estimate")
    lines += [
        f"CPU seconds, fold 0 of {', '.join(datasets)}. One downstream "
        "evaluation (a model fitted and scored at one level), per model:",
        "",
        f"EVALUATION_SECONDS = {evaluation}",
        "",
        "One selector fit (its task less its linear-model evaluations), at "
        "the defaults and at the quick preset's settings:",
        "",
        "FIT_SECONDS = {",
        *[f"    {name!r}: {fits[name]}," for name in sorted(fits)],
        "}",
        "",
        "## The estimate against measured wall times",
        "",
        "The estimate from the tables above, one worker, against the time "
        "the runner measured:",
        "",
    ]
    rows = []
    for name, study, measured in CHECKS:
        tasks = make_tasks(study)
        estimated = sum(task_seconds(task, fits, evaluation) for task in tasks)
        rows.append(
            {
                "study": name,
                "estimated (s)": f"{estimated:.0f}",
                "measured (s)": f"{measured:.0f}",
            }
        )
    lines += [to_markdown(pd.DataFrame(rows))]
    Path(args.output).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
