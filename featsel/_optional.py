"""Import of the optional dependencies, with errors that name the extra."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib


def import_optional(module, *, extra):
    """Import ``module``, or raise an ImportError naming the extra to install.

    Parameters
    ----------
    module : str
        Dotted name of the module to import.

    extra : str
        Name of the featsel extra that provides the module.

    Returns
    -------
    module : module
        The imported module.

    Examples
    --------
    >>> from featsel._optional import import_optional
    >>> import_optional("math", extra="nn").sqrt(4.0)
    2.0
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{module!r} is needed here but is not installed; install it with "
            f'`pip install "featsel[{extra}]"`.'
        ) from exc
