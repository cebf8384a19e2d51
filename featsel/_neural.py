"""The torch networks and losses behind the neural selectors.

Sequential Attention, Feature Gradients and OptFS train through the shared
loop of :mod:`featsel._torch_core`; this module holds what is theirs: the
attention network, the Kong-Valiant learnability estimator, the gated
embedding network, and the small pieces they share. It imports torch, so the
selectors import it inside ``fit``.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np

from ._optional import import_optional

torch = import_optional("torch", extra="nn")
nn = torch.nn
F = torch.nn.functional

#: Below this many multiply-adds per gradient step, one torch thread is
#: faster than several: the work is too small to split.
SINGLE_THREAD_WORK = 50_000_000


def n_threads(work):
    """Torch threads for steps of ``work`` multiply-adds (None: the default)."""
    return 1 if work < SINGLE_THREAD_WORK else None


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
    """Mean cross-entropy on class codes, or mean squared error on one output."""
    if task == "classification":
        return F.cross_entropy

    def squared_error(output, target):
        return F.mse_loss(output[:, 0], target)

    return squared_error


# --------------------------------------------------------------------------
# Sequential Attention
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Feature Gradients
# --------------------------------------------------------------------------


class SoftMask(nn.Module):
    """``s = sigmoid(2 x)`` over the features, applied to standardised rows.

    The rows arrive raw (float32) and are standardised here, batch by batch,
    so that a large ``X`` is never copied whole into a standardised array.
    """

    def __init__(self, mean, scale):
        super().__init__()
        self.logits = nn.Parameter(torch.zeros(mean.shape[0]))
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))

    def mask(self):
        return torch.sigmoid(2 * self.logits)

    def forward(self, X):
        return (X - self.mean) / self.scale * self.mask()


def neumann_coefficients(order, bound):
    """Coefficients ``a`` of ``p(l) = sum_j a_j l^j`` with ``l p(l) = 1 - (1 - l/L)^K``.

    ``p`` is the ``K``-term Neumann series of ``1 / l`` around ``L``
    (``K = order``, ``L = bound``): ``l p(l)`` rises monotonically from 0 at
    ``l = 0`` to 1 at ``l = L``, so a direction of the feature covariance
    with eigenvalue ``l <= L`` counts with weight ``1 - (1 - l/L)^K``.
    """
    return np.array(
        [(-1) ** j * math.comb(order, j + 1) / bound ** (j + 1) for j in range(order)]
    )


def chain_moments(features, targets, order):
    """Kong-Valiant estimates of ``c^T S^j c`` for ``j < order``, per target.

    With ``c = E[x t]`` and ``S = E[x x^T]``, ``c^T S^j c`` is the
    expectation of ``t_0 x_0^T (x_1 x_1^T) ... (x_j x_j^T) x_{j+1} t_{j+1}``
    over ``j + 2`` distinct rows; averaging it over every increasing tuple
    of rows gives an unbiased estimate (a U-statistic). Running sums over
    the rows compute each sum in ``O(rows * features)``, one
    ``rows x rows`` Gram matrix never being formed.

    Parameters
    ----------
    features : torch.Tensor of shape (n_rows, n_features)

    targets : torch.Tensor of shape (n_rows, n_targets)

    order : int
        Number of moments; needs ``n_rows >= order + 1``.

    Returns
    -------
    moments : torch.Tensor of shape (order, n_targets)
    """
    n_rows = features.shape[0]
    # (rows, targets, features): row i's x_i t_i, one slice per target.
    ends = targets[:, :, None] * features[:, None, :]
    chain = ends
    moments = []
    for j in range(order):
        # Sum over the chains that end before row l (exclusive running sum).
        before = torch.cumsum(chain, dim=0) - chain
        # Dividing each link by n_rows keeps the sums in float32 range; the
        # factor below puts the scale back and averages over the tuples.
        factor = n_rows**j / math.comb(n_rows, j + 2)
        moments.append((ends * before).sum(dim=(0, 2)) * factor)
        if j + 1 < order:
            projection = (before * features[:, None, :]).sum(dim=2, keepdim=True)
            chain = projection * features[:, None, :] / n_rows
    return torch.stack(moments)


class LearnabilityLoss:
    """``(1 - w) F(s) + w mean(s)`` for :class:`SoftMask` outputs.

    ``F`` is ``1 - z`` for regression and the estimated error rate of the
    best linear classifier for classification (the mean over the
    one-vs-rest problems of multiclass targets), where ``z`` is the
    Kong-Valiant estimate of the fraction of the target's variance that a
    linear function of the masked features explains.
    """

    def __init__(self, mask_module, coefficients, task, sparsity):
        self.mask_module = mask_module
        self.coefficients = torch.as_tensor(coefficients, dtype=torch.float32)
        self.task = task
        self.sparsity = sparsity

    def __call__(self, masked, targets):
        penalty = self.mask_module.mask().mean()
        order = self.coefficients.shape[0]
        if masked.shape[0] < order + 1:
            # Too few rows for the longest chain: only the penalty is known.
            return self.sparsity * penalty
        moments = chain_moments(masked, targets, order)
        explained = self.coefficients.to(moments.device) @ moments
        if self.task == "regression":
            unlearnable = 1 - explained[0]
        else:
            # Gaussian features and a probit link: the best linear classifier
            # errs with probability arccos(rho) / pi, where rho^2 is
            # pi / 2 times the explained variance of the standardised labels.
            rho = torch.sqrt(torch.clamp(math.pi / 2 * explained, 1e-6, 1 - 1e-6))
            unlearnable = (torch.arccos(rho) / math.pi).mean()
        return (1 - self.sparsity) * unlearnable + self.sparsity * penalty


def largest_eigenvalue(X, generator, n_iter=50):
    """Power-iteration estimate of the top eigenvalue of ``X^T X / n``."""
    vector = torch.randn(X.shape[1], generator=generator).to(X.device)
    value = torch.zeros(())
    for _ in range(n_iter):
        image = X.T @ (X @ vector) / X.shape[0]
        value = torch.linalg.vector_norm(image)
        if value == 0:
            break
        vector = image / value
    return float(value)


# --------------------------------------------------------------------------
# OptFS
# --------------------------------------------------------------------------


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
