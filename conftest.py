"""Doctest collection: skip the modules that import an optional package
at import time when that package is not installed."""

import importlib.util

_NEEDS = {
    "torch": ["featsel/_torch"],
}

collect_ignore = [
    path
    for module, paths in _NEEDS.items()
    if importlib.util.find_spec(module) is None
    for path in paths
]
