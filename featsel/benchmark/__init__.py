"""The benchmark runner: selectors x datasets x retention levels.

>>> from featsel.benchmark import Study
>>> Study().retention
(0.2, 0.4, 0.6)
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

from ._estimate import estimate, task_seconds
from ._registry import (
    MODELS,
    NO_SELECTION,
    SELECTORS,
    available_selectors,
    build_model,
    build_selector,
    selector_available,
)
from ._report import (
    annotate,
    data_only_note,
    failure_reasons,
    failure_table,
    gap_table,
    headline_table,
    incomplete,
    level_table,
    own_choice_table,
    report,
    split_own_choice,
    to_markdown,
)
from ._run import BACKENDS, load, load_shifts, load_tasks, run
from ._store import recover
from ._study import PRESETS, Study, load_study, preset
from ._tasks import make_tasks, run_task

__all__ = [
    "BACKENDS",
    "MODELS",
    "NO_SELECTION",
    "PRESETS",
    "SELECTORS",
    "Study",
    "annotate",
    "available_selectors",
    "build_model",
    "build_selector",
    "data_only_note",
    "estimate",
    "failure_reasons",
    "failure_table",
    "gap_table",
    "headline_table",
    "incomplete",
    "level_table",
    "load",
    "load_shifts",
    "load_study",
    "load_tasks",
    "make_tasks",
    "own_choice_table",
    "preset",
    "recover",
    "report",
    "run",
    "run_task",
    "selector_available",
    "split_own_choice",
    "task_seconds",
    "to_markdown",
]
