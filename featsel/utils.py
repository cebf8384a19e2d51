"""Utilities for users and developers of featsel."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect

import featsel

from ._base import BaseSelector


def all_selectors():
    """List every selector class exported by :mod:`featsel`.

    The test suite runs the scikit-learn estimator checks on this list, so a
    new selector is checked as soon as it is exported.

    Returns
    -------
    selectors : list of (str, type) tuples
        Class names and classes, sorted by name.

    Examples
    --------
    >>> from featsel.utils import all_selectors
    >>> "LassoSelector" in [name for name, _ in all_selectors()]
    True
    """
    return sorted(
        (name, obj)
        for name, obj in vars(featsel).items()
        if inspect.isclass(obj)
        and issubclass(obj, BaseSelector)
        and not inspect.isabstract(obj)
    )
