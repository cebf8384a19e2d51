"""The gated embedding network behind :class:`featsel.OptFSSelector`."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import math

from .._optional import import_optional
from ._layers import linear, mlp

torch = import_optional("torch", extra="nn")
nn = torch.nn


class GatedEmbeddingNetwork(nn.Module):
    """Gated field embeddings of numeric and categorical columns, then a head.

    Every numeric column ``j`` has one gate and one embedding ``e_j`` (its
    field vector is ``g_j x_j e_j``); every category value ``v`` of a
    categorical column has its own gate and embedding (field vector
    ``g_v e_v``). The gate is ``g = sigmoid(beta * m) / sigmoid(m_0)``: 1 at
    the start, 0 or ``1 / sigmoid(m_0)`` as the temperature ``beta`` grows.

    The input packs the standardised numeric columns first, then the codes
    of the categorical columns (as floats: one tensor fits the training
    loop), codes being offset so that they index one table of category
    values.

    ``head`` is "mlp" (the concatenated field vectors feed a one hidden
    layer MLP) or "fm" (a factorization machine: first-order terms plus the
    pairwise products of the field vectors, summed per embedding dimension
    and mapped to the outputs; the product of fields ``i`` and ``j`` is
    gated by ``g_i g_j``).
    """

    def __init__(
        self,
        n_numeric,
        n_values,
        n_categorical,
        embedding_dim,
        head,
        hidden_units,
        n_outputs,
        gate_init,
        generator,
    ):
        super().__init__()
        self.n_numeric = n_numeric
        self.gate_init = gate_init
        self.temperature = 1.0
        n_fields = n_numeric + n_categorical
        self.numeric_gates = nn.Parameter(torch.full((n_numeric,), gate_init))
        self.value_gates = nn.Parameter(torch.full((n_values,), gate_init))
        self.numeric_embedding = nn.Parameter(
            torch.randn(n_numeric, embedding_dim, generator=generator) * 0.1
        )
        self.value_embedding = nn.Parameter(
            torch.randn(n_values, embedding_dim, generator=generator) * 0.1
        )
        self.head_kind = head
        if head == "mlp":
            self.head = mlp(
                n_fields * embedding_dim, hidden_units, n_outputs, generator
            )
        else:
            self.numeric_weight = nn.Parameter(torch.zeros(n_numeric, n_outputs))
            self.value_weight = nn.Parameter(torch.zeros(n_values, n_outputs))
            self.head = linear(embedding_dim, n_outputs, generator)

    def gates(self, logits):
        # 1 / sigmoid(m_0): every gate starts at exactly 1.
        return torch.sigmoid(self.temperature * logits) * (
            1.0 + math.exp(-self.gate_init)
        )

    def gate_sum(self):
        """``sum sigmoid(beta * m)`` over every gate: the sparsity penalty."""
        return (
            torch.sigmoid(self.temperature * self.numeric_gates).sum()
            + torch.sigmoid(self.temperature * self.value_gates).sum()
        )

    def forward(self, X):
        numeric = X[:, : self.n_numeric]
        codes = X[:, self.n_numeric :].long()
        numeric_gates = self.gates(self.numeric_gates)
        value_gates = self.gates(self.value_gates)[codes]
        fields = torch.cat(
            [
                (numeric * numeric_gates)[:, :, None] * self.numeric_embedding,
                value_gates[:, :, None] * self.value_embedding[codes],
            ],
            dim=1,
        )
        if self.head_kind == "mlp":
            return self.head(fields.flatten(1))
        first_order = (numeric * numeric_gates) @ self.numeric_weight + (
            value_gates[:, :, None] * self.value_weight[codes]
        ).sum(dim=1)
        # sum_{i<j} v_i * v_j per dimension = ((sum v)^2 - sum v^2) / 2.
        pairwise = (fields.sum(dim=1) ** 2 - (fields**2).sum(dim=1)) / 2
        return first_order + self.head(pairwise)
