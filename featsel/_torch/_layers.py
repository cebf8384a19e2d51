"""Layers and the task loss shared by featsel's torch networks."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import math

from .._optional import import_optional

torch = import_optional("torch", extra="nn")
nn = torch.nn
F = torch.nn.functional


def linear(n_in, n_out, generator):
    """A linear layer with torch's default initialisation, drawn from ``generator``.

    The weights come from the selector's own generator instead of torch's
    global one, so that a network starts from the same weights whatever
    else ran before it.
    """
    layer = nn.Linear(n_in, n_out)
    bound = 1.0 / math.sqrt(n_in)
    with torch.no_grad():
        for parameter in (layer.weight, layer.bias):
            parameter.copy_(
                (2 * torch.rand(parameter.shape, generator=generator) - 1) * bound
            )
    return layer


def mlp(n_in, hidden_units, n_out, generator):
    """One hidden ReLU layer of ``hidden_units``, or a linear map if it is 0."""
    if hidden_units == 0:
        return linear(n_in, n_out, generator)
    return nn.Sequential(
        linear(n_in, hidden_units, generator),
        nn.ReLU(),
        linear(hidden_units, n_out, generator),
    )


def task_loss(task):
    """The loss of ``task`` on network outputs and encoded targets.

    Cross-entropy of class logits against class codes for classification;
    squared error of the single output against the (standardised) target for
    regression. Both average over the rows unless ``reduction`` says
    otherwise (``"none"`` gives one loss per row).
    """
    if task == "classification":
        return F.cross_entropy

    def squared_error(output, target, reduction="mean"):
        return F.mse_loss(output[:, 0], target, reduction=reduction)

    return squared_error
