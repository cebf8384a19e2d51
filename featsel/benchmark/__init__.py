"""The benchmark runner: selectors x datasets x retention levels.

>>> from featsel.benchmark import Study
>>> Study().retention
(0.2, 0.4, 0.6)
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

from ._registry import SELECTORS, available_selectors
from ._report import report
from ._run import load, load_shifts, load_tasks, run
from ._study import PRESETS, Study, load_study, preset

__all__ = [
    "PRESETS",
    "SELECTORS",
    "Study",
    "available_selectors",
    "load",
    "load_shifts",
    "load_tasks",
    "load_study",
    "preset",
    "report",
    "run",
]
