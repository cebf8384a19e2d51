"""An up-front guess of a study's task time, from measured per-task costs."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import os
from statistics import median

from ._registry import _WRAPPER_COST, NO_SELECTION, SELECTORS, parse_name

#: Mean CPU seconds of one selector fit, by short name, at the defaults and
#: (for selectors that have them) at the quick preset's settings; measured by
#: ``benchmarks/bench_task_costs.py`` on small tables
#: (``benchmarks/results/task_costs.md``, which also compares the estimate
#: with measured wall times).
FIT_SECONDS = {
    "featgrad": {"default": 0.401, "quick": 0.205},
    "kan-ko": {"default": 0.566, "quick": 0.113},
    "kan-l1": {"default": 0.541, "quick": 0.085},
    "kan-l2": {"default": 0.544, "quick": 0.09},
    "kan-si": {"default": 0.556, "quick": 0.1},
    "lasso": {"default": 0.109},
    "mi": {"default": 0.005},
    "optfs": {"default": 0.113, "quick": 0.027},
    "rf": {"default": 0.139},
    "seqattn": {"default": 0.304, "quick": 0.25},
    "shap-forward": {"default": 1.795, "quick": 0.65},
    "sts-mrmr": {"default": 0.0},
    "svm-rfe": {"default": 0.0},
}

#: Mean CPU seconds to fit and score one downstream model at one level.
EVALUATION_SECONDS = {"linear": 0.047, "rf": 0.279, "xgb": 0.1}

#: The largest table (rows x features) of those the costs were measured on:
#: a task on a larger one takes longer than its estimate.
MEASURED_CELLS = 569 * 30


def _fit_seconds(task, fits):
    kind, base, wrapper = parse_name(task.selector)
    if task.selector == NO_SELECTION:
        return 0.0
    known = fits.get(base)
    if known is None:
        # An imported selector: nothing measured, the typical selector's cost.
        return median(costs["default"] for costs in fits.values())
    quick_params = SELECTORS[base].quick_params
    quick = quick_params and dict(task.params) == quick_params
    seconds = known.get("quick" if quick else "default", known["default"])
    return seconds * (_WRAPPER_COST[wrapper] if kind == "wrapped" else 1)


def task_seconds(task, fits=FIT_SECONDS, evaluations=EVALUATION_SECONDS):
    """The estimated seconds of one task: its selector fit and evaluations.

    ``fits`` and ``evaluations`` are tables like :data:`FIT_SECONDS` and
    :data:`EVALUATION_SECONDS` (the script that measures them checks its
    own).
    """
    evaluation = sum(
        evaluations.get(model, max(evaluations.values())) for model in task.models
    )
    return _fit_seconds(task, fits) + len(task.levels) * evaluation


def estimate(tasks, n_jobs):
    """One line: the estimated wall time of ``tasks`` with ``n_jobs`` workers.

    The sum of :func:`task_seconds` divided by the workers; a rough guess,
    not a promise: it counts neither a busy machine nor tables larger than
    those the costs were measured on (the line says how many tasks run on
    such tables). ``tasks`` are those still to run.
    """
    from ._tasks import _dataset_shape

    if not tasks:
        return "Estimated time: nothing to run, every task is in the store"
    workers = min(os.cpu_count() if n_jobs < 0 else n_jobs, len(tasks))
    seconds = sum(map(task_seconds, tasks)) / workers
    larger = sum(
        math.prod(_dataset_shape(task.dataset, task.target, task.data_digest))
        > MEASURED_CELLS
        for task in tasks
    )
    caveat = (
        f"; {larger} of them on tables larger than those the costs were "
        "measured on, which take longer: take it as a lower bound"
        if larger
        else ""
    )
    return (
        f"Estimated time: about {_duration(seconds)} for {len(tasks)} tasks "
        f"with {workers} worker(s), a rough guess from mean task times "
        f"measured on small tables (benchmarks/results/task_costs.md){caveat}"
    )


def _duration(seconds):
    """``40 s``, ``12 min``, ``2.5 h``.

    >>> _duration(40), _duration(700), _duration(9000)
    ('40 s', '12 min', '2.5 h')
    """
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
