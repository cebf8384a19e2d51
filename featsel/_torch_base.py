"""The base class of the selectors that train a torch network.

This module imports no torch name, nor do the selectors: each selector
calls its network's engine in :mod:`featsel._torch` at one place inside
``fit``, so ``import featsel`` works without the ``nn`` extra.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

from joblib import effective_n_jobs
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval

from ._base import BaseSelector, draw_seeds


class BaseTorchSelector(BaseSelector):
    """Base class of the selectors that train a torch network.

    It holds what KAN, Sequential Attention, Feature Gradients and OptFS
    share on the numpy side of their networks: the constraints of the
    training parameters (``max_epochs``, ``lr``, ``batch_size``,
    ``device``, ``n_jobs``, ``random_state``, ``verbose``), the seeds, the
    thread count and the number of outputs. Subclasses implement
    ``_fit_scores`` as any selector does, and hand the validated arrays to
    their engine in :mod:`featsel._torch`, which resolves the device, trains
    under an isolated session (:func:`featsel._torch._training.session`)
    and returns numpy results.
    """

    _parameter_constraints: dict = {
        **BaseSelector._parameter_constraints,
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [None, Interval(Integral, 1, None, closed="left")],
        "device": [str],
        # scikit-learn's reading: None, -1 (every core) and below, or a count;
        # 0 runs nothing.
        "n_jobs": [
            None,
            Interval(Integral, None, -1, closed="right"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def _draw_seeds(self, random_state=None, size=None):
        """Seeds of the torch generators drawn from ``random_state``.

        ``random_state`` defaults to a fresh generator of ``self.random_state``;
        ``size=None`` draws one seed as an int, otherwise an array of them.
        """
        if random_state is None:
            random_state = check_random_state(self.random_state)
        return draw_seeds(random_state, size)

    def _n_threads(self):
        """Torch threads of the fit: ``n_jobs`` as scikit-learn reads it."""
        return effective_n_jobs(self.n_jobs)

    def _n_outputs(self):
        """Network outputs: one logit per class, or one regression output."""
        return self.classes_.size if self.task_ == "classification" else 1
