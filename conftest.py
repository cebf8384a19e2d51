"""Doctest collection: skip the modules that import an optional package
at import time when that package is not installed."""

import importlib.util

_NEEDS = {
    "torch": [
        "featsel/_torch_core.py",
        "featsel/_kan_network.py",
        "featsel/_neural.py",
    ],
}

collect_ignore = [
    path
    for module, paths in _NEEDS.items()
    if importlib.util.find_spec(module) is None
    for path in paths
]
