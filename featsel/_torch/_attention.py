"""The attention network behind :class:`featsel.SequentialAttentionSelector`.

And its training, :func:`select`: the warm-up, then one phase per pick,
each training the attention logits and picking the features they weight
most.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np

from .._optional import import_optional
from . import _layers, _training

torch = import_optional("torch", extra="nn")
nn = torch.nn

#: Strength of the ridge penalty on the open features' weights of the
#: linear model: the penalty that makes the attention weights follow the
#: correlations with the residual, as Orthogonal Matching Pursuit does.
LINEAR_RIDGE = 1.0

#: With the linear head, a phase goes on until its picks hold this share of
#: the open attention (the softmax has chosen), by a quarter of its minimum
#: length at a time, for at most ``MAX_PHASE_FACTOR`` times that minimum.
CONCENTRATION = 0.5
MAX_PHASE_FACTOR = 10


class SequentialAttentionNetwork(nn.Module):
    """An attention mask over the inputs, followed by ``head``.

    Selected features pass with weight 1. Each open feature (a candidate not
    yet selected) is weighted by the softmax of the logits over the open
    features only: the open features share a total weight of 1, so when a
    phase starts the head has lost most of their signal, and the gradient
    of each logit measures how much restoring that feature would reduce the
    loss given the selected ones. Features that are not candidates (constant
    or repeated columns) are masked to 0. During warm-up the mask is all
    ones and the logits get no gradient.
    """

    def __init__(self, n_features, head, candidates):
        super().__init__()
        self.logits = nn.Parameter(torch.zeros(n_features))
        self.register_buffer("candidates", candidates)
        self.register_buffer("selected", torch.zeros_like(candidates))
        self.head = head
        self.warm_up = True

    def open_features(self):
        return self.candidates & ~self.selected

    def attention(self):
        """Softmax of the logits over the open features, 0 elsewhere."""
        logits = self.logits.masked_fill(~self.open_features(), -math.inf)
        return torch.softmax(logits, dim=0)

    def forward(self, X):
        if self.warm_up:
            return self.head(X)
        mask = torch.where(self.selected, 1.0, self.attention())
        return self.head(X * mask)

    def open_weights(self):
        """First-layer weights of the open features, columns of ``(out, open)``."""
        first = self.head if isinstance(self.head, nn.Linear) else self.head[0]
        return first.weight[:, self.open_features()]


def select(
    X,
    y,
    candidates,
    *,
    task,
    n_outputs,
    head,
    hidden_units,
    n_to_select,
    features_per_step,
    n_phases,
    epochs_per_phase,
    warmup_epochs,
    lr,
    batch_size,
    seed,
    device,
    n_threads,
    verbose,
):
    """Warm up, then run the phases; return the order and the attention.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The standardised input.

    y : ndarray of shape (n_samples,)
        Class codes, or the regression target.

    candidates : ndarray of bool of shape (n_features,)
        The features that may be picked.

    task, n_outputs, head, hidden_units
        The task, the network's outputs, ``"linear"`` or ``"mlp"``, and the
        MLP's hidden units (0 for the linear head).

    n_to_select, features_per_step, n_phases, epochs_per_phase, \
warmup_epochs, lr, batch_size, verbose
        The selector's schedule and training parameters.

    seed : int
        Seed of the session and of the network's generator.

    device : str
        The torch device.

    n_threads : int
        Torch threads of the fit (see :func:`._training.session`).

    Returns
    -------
    order : list of int
        The features picked, in their order.

    attention : list of ndarray
        The attention weights at the end of each phase.

    phase_epochs : list of int
        The epochs each phase ran.

    network : SequentialAttentionNetwork
        The trained network, on the CPU.
    """
    device = _training.resolve_device(device)
    n_samples, n_features = X.shape
    step_rows = min(n_samples, batch_size or n_samples)
    work = step_rows * n_features * max(hidden_units, 1)
    with _training.session(seed, work, n_threads):
        generator = _training.make_generator(seed)
        X_train = _training.to_tensor(X, device)
        (y_train,) = _training.target_tensors(y, task, device)
        mlp = _layers.mlp(n_features, hidden_units, n_outputs, generator)
        network = SequentialAttentionNetwork(
            n_features, mlp, torch.as_tensor(candidates)
        ).to(device)
        loss_fn = _loss(network, head, task)
        optimizer = _training.Adam(network.parameters(), lr=lr)

        def run(epochs):
            _training.train(
                network,
                loss_fn,
                X_train,
                y_train,
                max_epochs=epochs,
                generator=generator,
                batch_size=batch_size,
                verbose=verbose,
                optimizer=optimizer,
            )

        if warmup_epochs and n_phases:
            run(warmup_epochs)
        network.warm_up = False
        if head == "mlp":
            # Only the logits learn in the phases (see the selector's
            # Notes): a head that keeps learning makes up for the attention
            # instead.
            network.head.requires_grad_(False)
            optimizer.zero_grad(set_to_none=True)
        order, attention, phase_epochs = [], [], []
        extension = max(1, epochs_per_phase // 4)
        for phase in range(n_phases):
            _start_phase(network, optimizer, head)
            run(epochs_per_phase)
            epochs = epochs_per_phase
            n_pick = min(features_per_step, n_to_select - len(order))
            # The ridge on the open weights makes the optimum of the linear
            # head concentrated (see the selector's Notes); an MLP can
            # scale up its first layer instead, so its attention needs not
            # concentrate.
            while (
                head == "linear"
                and _top_attention(network, n_pick) < CONCENTRATION
                and epochs < MAX_PHASE_FACTOR * epochs_per_phase
            ):
                run(extension)
                epochs += extension
            phase_epochs.append(epochs)
            weights, picked = _pick(network, candidates, order, n_pick)
            if verbose:
                print(
                    f"[SequentialAttentionSelector] phase {phase + 1}/"
                    f"{n_phases}: selected {picked}"
                )
            order.extend(picked)
            network.selected[picked] = True
            attention.append(weights)
    return order, attention, phase_epochs, network.cpu()


def _top_attention(network, n_pick):
    """Share of the open attention held by the ``n_pick`` largest weights."""
    with torch.no_grad():
        return float(torch.topk(network.attention(), n_pick).values.sum())


def _loss(network, head, task):
    """The task loss, plus the ridge on the open weights of a linear head."""
    task_loss = _layers.task_loss(task)
    if head != "linear":
        return task_loss

    def loss_fn(output, target):
        loss = task_loss(output, target)
        if network.warm_up:
            return loss
        return loss + LINEAR_RIDGE * network.open_weights().square().sum()

    return loss_fn


def _start_phase(network, optimizer, head):
    """Uniform attention and a fresh optimiser state for a new phase.

    The previous phase optimised for another selected set. The linear
    head's open weights restart at 0 too, so that they follow the new
    residual instead of the old one (the OMP step).
    """
    with torch.no_grad():
        network.logits.zero_()
        if head == "linear":
            network.head.weight[:, network.open_features()] = 0.0
    optimizer.reset()


def _pick(network, candidates, order, n_pick):
    """The attention weights at the end of a phase, and the features picked."""
    with torch.no_grad():
        weights = network.attention().cpu().numpy().astype(np.float64)
    still_open = candidates.copy()
    still_open[order] = False
    # Stable sort: ties go to the lower column index.
    ranked = np.argsort(-weights, kind="stable")
    return weights, ranked[still_open[ranked]][:n_pick].tolist()
