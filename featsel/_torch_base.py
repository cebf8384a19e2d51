"""The base class of the selectors that train a torch network.

This module does not import torch: the selectors import :mod:`featsel._torch`
inside ``fit``, so ``import featsel`` works without the ``nn`` extra.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval

from ._base import BaseSelector, draw_seeds
from ._preprocessing import Standardizer

#: Below this many multiply-adds per gradient step, one torch thread is
#: faster than several: the work is too small to split.
SINGLE_THREAD_WORK = 50_000_000


class BaseTorchSelector(BaseSelector):
    """Base class of the selectors that train a torch network.

    It holds what KAN, Sequential Attention, Feature Gradients and OptFS
    share around their networks: the constraints of the training parameters
    (``max_epochs``, ``lr``, ``batch_size``, ``device``, ``random_state``,
    ``verbose``), the device, the seeds, the session that isolates the
    caller's global random state and thread count, the encoded targets and
    the task loss. Subclasses implement ``_fit_scores`` as any selector does,
    and build and train their network inside :meth:`_session`.
    """

    _parameter_constraints: dict = {
        **BaseSelector._parameter_constraints,
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [None, Interval(Integral, 1, None, closed="left")],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def _resolve_device(self):
        """The :class:`torch.device` named by ``device`` (ValueError if absent)."""
        from ._torch import _training

        return _training.resolve_device(self.device)

    def _draw_seeds(self, random_state=None, size=None):
        """Seeds of the torch generators drawn from ``random_state``.

        ``random_state`` defaults to a fresh generator of ``self.random_state``;
        ``size=None`` draws one seed as an int, otherwise an array of them.
        """
        if random_state is None:
            random_state = check_random_state(self.random_state)
        return draw_seeds(random_state, size)

    def _session(self, seed, work):
        """Context of a training run: a private seed and thread count.

        Parameters
        ----------
        seed : int
            Seed of the global torch, numpy and :mod:`random` generators
            inside the block; the caller's states are restored on exit.

        work : int
            Multiply-adds per gradient step: below
            :data:`SINGLE_THREAD_WORK` torch runs on one thread (faster on
            small problems), otherwise on its default number.
        """
        from ._torch import _training

        n_threads = 1 if work < SINGLE_THREAD_WORK else None
        return _training.isolated_session(int(seed), n_threads=n_threads)

    def _n_outputs(self):
        """Network outputs: one logit per class, or one regression output."""
        return self.classes_.size if self.task_ == "classification" else 1

    def _target_tensors(self, y, device, *row_sets):
        """The encoded targets of each set of rows, as tensors on ``device``.

        Class codes for classification; for regression, the target
        standardised with the mean and standard deviation of the first set
        of rows (the training rows). Without ``row_sets``, all rows form
        one set.
        """
        from ._torch import _training

        row_sets = row_sets or (slice(None),)
        if self.task_ == "classification":
            return [_training.to_tensor(y[rows], device) for rows in row_sets]
        standardizer = Standardizer.fit(y[row_sets[0], None])
        return [
            _training.to_tensor(standardizer.transform(y[rows, None])[:, 0], device)
            for rows in row_sets
        ]

    def _task_loss(self):
        """The loss of the fitted task (cross-entropy or squared error)."""
        from ._torch import _layers

        return _layers.task_loss(self.task_)
