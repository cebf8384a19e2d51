"""Docstring pieces shared by the selectors, written once.

A class docstring names a piece as ``%(task)s`` on a line of its own; the
:class:`Substitution` decorator fills it in (the pattern of
imbalanced-learn's ``Substitution``). A literal percent sign in a decorated
docstring is written ``%%``.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause


class Substitution:
    """Decorator filling the ``%(name)s`` placeholders of a docstring.

    Parameters
    ----------
    **pieces : str
        Text of each placeholder, indented for a numpydoc section of a class
        docstring (continuation lines start at 4 or 8 spaces).

    Examples
    --------
    >>> from featsel._docstring import Substitution
    >>> @Substitution(answer="42")
    ... class Question:
    ...     '''The answer is %(answer)s.'''
    >>> Question.__doc__
    'The answer is 42.'
    """

    def __init__(self, **pieces):
        self.pieces = pieces

    def __call__(self, obj):
        if obj.__doc__:
            obj.__doc__ = obj.__doc__ % self.pieces
        return obj


_SHARED_DOCS = {
    "task": """task : {"auto", "classification", "regression"}, default="auto"
        The learning task. "auto" treats float targets as regression and
        integer, boolean, string or categorical targets as classification.""",
    "device": """device : str, default="cpu"
        Torch device of the training, such as "cpu" or "cuda"; a ValueError
        is raised if the device does not exist here.""",
    "n_jobs": """n_jobs : int or None, default=None
        Torch threads of the training. None means 1 unless in a
        :obj:`joblib.parallel_config` context, -1 all cores (as scikit-learn
        reads ``n_jobs``). One thread is the default because torch's threads
        wait on each other at every operation: when other work shares the
        cores (a grid search, a notebook, a shared server) a KAN fit on 2
        threads ran 2.6 to 3.9 times slower than on one quiet thread, one on
        1 thread at most 1.08 times (``benchmarks/results/threads.md``).
        More threads help large networks on cores nobody else uses (KAN-L2
        at 2000 x 200: 5.3 s on 2 quiet threads, 8.5 s on 1).""",
    "support_": """support_ : ndarray of shape (n_features_in_,)
        Mask of the selected features.""",
    "n_features_to_select_": """n_features_to_select_ : int
        Number of selected features.""",
    "task_": """task_ : str
        The task the selector was fitted for.

    classes_ : ndarray of shape (n_classes,)
        Class labels (classification only).""",
    "n_features_in_": """n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.""",
}

#: Decorator filling the shared pieces into a selector's docstring.
shared_docs = Substitution(**_SHARED_DOCS)
