"""The attention network behind :class:`featsel.SequentialAttentionSelector`."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import math

from .._optional import import_optional

torch = import_optional("torch", extra="nn")
nn = torch.nn


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
