"""Soft mask and learnability loss of :class:`featsel.FeatureGradientsSelector`."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np

from .._optional import import_optional

torch = import_optional("torch", extra="nn")
nn = torch.nn


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
