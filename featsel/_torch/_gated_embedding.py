"""The gated embedding network behind :class:`featsel.OptFSSelector`.

And its training, :func:`fit_gates`: the continuation that anneals the
gates, then the permutation importance of the columns left open.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np

from .._optional import import_optional
from . import _layers, _training
from ._layers import linear, mlp
from ._training import EVAL_BATCH_SIZE

torch = import_optional("torch", extra="nn")
nn = torch.nn

#: Rows of shuffled head inputs per pass in the permutation importance; a
#: head input has tens of values, far fewer than a network input.
SHUFFLE_BATCH_SIZE = 65536

#: Initial gate logit ``m_0`` (the gates start open, at 1).
GATE_INIT = 0.5

#: Shuffles of the rows (the same for every open column) that measure the
#: permutation importance ranking the open columns.
IMPORTANCE_REPEATS = 20


class GatedEmbeddingNetwork(nn.Module):
    """Gated field embeddings of numeric and categorical columns, then a head.

    Every numeric column ``j`` has one gate and one embedding ``e_j`` (its
    field vector is ``g_j x_j e_j``); every category value ``v`` of a
    categorical column has its own gate and embedding (field vector
    ``g_v e_v``). The gate is ``g = sigmoid(beta * m) / sigmoid(m_0)``: 1 at
    the start, 0 or ``1 / sigmoid(m_0)`` as the temperature ``beta`` grows.
    In the sparsity penalty each category value's gate counts with the
    weight ``value_weights[v]`` (its share of the rows), a numeric gate
    with weight 1.

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
        value_weights,
        generator,
    ):
        super().__init__()
        self.n_numeric = n_numeric
        self.gate_init = gate_init
        self.temperature = 1.0
        n_fields = n_numeric + n_categorical
        self.numeric_gates = nn.Parameter(torch.full((n_numeric,), gate_init))
        self.value_gates = nn.Parameter(torch.full((n_values,), gate_init))
        self.register_buffer(
            "value_weights", torch.as_tensor(value_weights, dtype=torch.float32)
        )
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
        """``sum w sigmoid(beta * m)`` over every gate: the sparsity penalty."""
        return (
            torch.sigmoid(self.temperature * self.numeric_gates).sum()
            + (
                self.value_weights * torch.sigmoid(self.temperature * self.value_gates)
            ).sum()
        )

    def gate_parameters(self):
        """The gate logits, which the optimiser must not decay."""
        return [self.numeric_gates, self.value_gates]

    def forward(self, X):
        return self._output(self._head_input(X))

    def permutation_importance(
        self, X, target, loss_fn, fields, *, n_repeats, generator
    ):
        """Mean increase of ``loss_fn`` when each field's column is shuffled.

        Shuffling column ``j`` among the rows shuffles what field ``j`` adds
        to the head's input (the MLP's hidden pre-activation; the
        factorization machine's first-order terms, sum and sum of squares of
        the field vectors) and changes nothing else, so the head's input is
        computed once and each shuffle costs one field's share and the rest
        of the head, not a pass over every field.

        Parameters
        ----------
        X, target : torch.Tensor
            Packed inputs and encoded targets of the rows to score on.
        loss_fn : callable
            Mean loss of outputs against targets.
        fields : sequence of int
            Fields to score (input columns, numeric first, then categorical).
        n_repeats : int
            Shuffles of the rows, drawn from ``generator``, the same for
            every field.
        generator : torch.Generator
            CPU generator of the shuffles.

        Returns
        -------
        importance : ndarray of shape (len(fields),)
        """
        n_rows = X.shape[0]
        with torch.no_grad():
            head_input = torch.cat(
                [
                    self._head_input(X[start : start + EVAL_BATCH_SIZE])
                    for start in range(0, n_rows, EVAL_BATCH_SIZE)
                ]
            )
            base_loss = float(loss_fn(self._output(head_input), target))
            # Every field gets the same shuffles: fewer draws, and the fields
            # are compared on equal terms. The repeats are stacked as rows.
            rows = torch.arange(n_rows, device=X.device).repeat(n_repeats)
            shuffled_rows = torch.cat(
                [torch.randperm(n_rows, generator=generator) for _ in range(n_repeats)]
            ).to(X.device)
            importance = np.zeros(len(fields))
            for i, field in enumerate(fields):
                share = self._field_share(X, field)
                rest = head_input - share
                total_loss = 0.0
                for start in range(0, rows.numel(), SHUFFLE_BATCH_SIZE):
                    batch = slice(start, start + SHUFFLE_BATCH_SIZE)
                    shuffled = rest[rows[batch]] + share[shuffled_rows[batch]]
                    batch_loss = loss_fn(self._output(shuffled), target[rows[batch]])
                    total_loss += float(batch_loss) * rows[batch].numel()
                importance[i] = total_loss / rows.numel() - base_loss
        return importance

    def _gated_inputs(self, X):
        """Gated numeric values, the gate of each row's category values, codes."""
        numeric = X[:, : self.n_numeric]
        codes = X[:, self.n_numeric :].long()
        numeric_gated = numeric * self.gates(self.numeric_gates)
        return numeric_gated, self.gates(self.value_gates)[codes], codes

    def _head_input(self, X):
        """The head's input: the sum over the fields of their shares."""
        numeric_gated, value_gates, codes = self._gated_inputs(X)
        categorical = value_gates[:, :, None] * self.value_embedding[codes]
        if self.head_kind == "mlp":
            return self._mlp_hidden_input(numeric_gated, categorical)
        fields = torch.cat(
            [numeric_gated[:, :, None] * self.numeric_embedding, categorical], dim=1
        )
        first_order = numeric_gated @ self.numeric_weight + (
            value_gates[:, :, None] * self.value_weight[codes]
        ).sum(dim=1)
        return torch.cat(
            [first_order, fields.sum(dim=1), (fields**2).sum(dim=1)], dim=1
        )

    def _mlp_hidden_input(self, numeric_gated, categorical):
        """The MLP's first layer applied to the concatenated field vectors.

        With ``W_j`` the block of the layer's weight that field ``j`` feeds,
        a numeric field adds ``g_j x_j (W_j e_j)``: its embedding is mapped
        through its block once per step, a product with the gated values
        does the rest, and the rows x fields x embedding tensor of the
        field vectors is never formed (on 3,200 columns a training step
        several times faster than the concatenated product, the same sum).
        Category values, whose vectors differ from row to row, take the
        concatenated product.
        """
        layer = self.head[0]
        size = self.numeric_embedding.shape[1]
        blocks = layer.weight.view(layer.weight.shape[0], -1, size)
        numeric_maps = torch.einsum(
            "hje,je->jh", blocks[:, : self.n_numeric], self.numeric_embedding
        )
        hidden_input = torch.addmm(layer.bias, numeric_gated, numeric_maps)
        if categorical.shape[1]:
            categorical_weight = layer.weight[:, self.n_numeric * size :]
            hidden_input = hidden_input + categorical.flatten(1) @ categorical_weight.T
        return hidden_input

    def _field_share(self, X, field):
        """What ``field`` adds to :meth:`_head_input`, row by row."""
        numeric = field < self.n_numeric
        if numeric:
            gated = X[:, field : field + 1] * self.gates(self.numeric_gates[field])
            vector = gated * self.numeric_embedding[field]
        else:
            codes = X[:, field].long()
            gated = self.gates(self.value_gates)[codes][:, None]
            vector = gated * self.value_embedding[codes]
        if self.head_kind == "mlp":
            size = vector.shape[1]
            block = self.head[0].weight[:, field * size : (field + 1) * size]
            return vector @ block.T
        weight = self.numeric_weight[field] if numeric else self.value_weight[codes]
        return torch.cat([gated * weight, vector, vector**2], dim=1)

    def _output(self, head_input):
        """The network's output from the head's input."""
        if self.head_kind == "mlp":
            return self.head[2](self.head[1](head_input))
        size = self.numeric_embedding.shape[1]
        first_order, total, squares = head_input.split(
            [head_input.shape[1] - 2 * size, size, size], dim=1
        )
        # sum_{i<j} v_i * v_j per dimension = ((sum v)^2 - sum v^2) / 2.
        return first_order + self.head((total**2 - squares) / 2)


def fit_gates(
    inputs,
    y,
    *,
    n_numeric,
    value_weights,
    open_fields,
    task,
    n_outputs,
    embedding_dim,
    head,
    hidden_units,
    sparsity,
    final_temperature,
    max_epochs,
    lr,
    weight_decay,
    batch_size,
    seed,
    work,
    device,
    n_threads,
    verbose,
):
    """Train the gated network on the packed inputs, then rank the open fields.

    Parameters
    ----------
    inputs : ndarray of float32 of shape (n_samples, n_numeric + n_categorical)
        The standardised numeric columns, then the offset category codes
        (see :class:`GatedEmbeddingNetwork`).

    y : ndarray of shape (n_samples,)
        Class codes, or the regression target.

    n_numeric : int
        Numeric columns at the start of ``inputs``.

    value_weights : ndarray of shape (n_values,)
        Each category value's share of the rows.

    open_fields : callable
        ``open_fields(numeric_logits, value_logits)`` receives the trained
        gate logits (float64 arrays) and returns the fields whose
        permutation importance is measured.

    task, n_outputs
        The task and the network's outputs.

    embedding_dim, head, hidden_units, sparsity, final_temperature, \
max_epochs, lr, weight_decay, batch_size, verbose
        The selector's parameters.

    seed : int
        Seed of both sessions (training, importance) and their generators.

    work, n_threads : int
        Multiply-adds of a step and torch threads of the fit (see
        :func:`~._training.session`).

    device : str
        The torch device.

    Returns
    -------
    network : GatedEmbeddingNetwork
        The trained network, on the CPU.

    importance : ndarray of shape (len(fields),)
        The training-loss increase when each open field is shuffled.
    """
    device = _training.resolve_device(device)
    task_loss = _layers.task_loss(task)
    with _training.session(seed, work, n_threads):
        inputs = _training.to_tensor(inputs, device)
        (target,) = _training.target_tensors(y, task, device)
        generator = _training.make_generator(seed)
        network = GatedEmbeddingNetwork(
            n_numeric=n_numeric,
            n_values=value_weights.size,
            n_categorical=inputs.shape[1] - n_numeric,
            embedding_dim=embedding_dim,
            head=head,
            hidden_units=hidden_units,
            n_outputs=n_outputs,
            gate_init=GATE_INIT,
            value_weights=value_weights,
            generator=generator,
        ).to(device)

        def loss_fn(output, target):
            return task_loss(output, target) + sparsity * network.gate_sum()

        growth = final_temperature ** (1 / max(max_epochs - 1, 1))

        def anneal(epoch):
            # Called after each epoch: set the next epoch's temperature; the
            # last epoch runs at final_temperature, and so stays.
            network.temperature = growth ** min(epoch, max_epochs - 1)

        gates = network.gate_parameters()
        weights = [p for p in network.parameters() if all(p is not g for g in gates)]
        optimizer = _training.Adam(
            weights + gates,
            lr=lr,
            weight_decay=[weight_decay] * len(weights) + [0.0] * len(gates),
        )
        _training.train(
            network,
            loss_fn,
            inputs,
            target,
            max_epochs=max_epochs,
            generator=generator,
            batch_size=batch_size,
            epoch_callback=anneal,
            verbose=verbose,
            optimizer=optimizer,
        )
    fields = open_fields(
        network.numeric_gates.detach().cpu().numpy().astype(np.float64),
        network.value_gates.detach().cpu().numpy().astype(np.float64),
    )
    with _training.session(seed, work, n_threads):
        importance = network.permutation_importance(
            inputs,
            target,
            task_loss,
            fields,
            n_repeats=IMPORTANCE_REPEATS,
            generator=_training.make_generator(seed),
        )
    return network.cpu(), importance
