"""Soft mask and learnability loss of :class:`featsel.FeatureGradientsSelector`."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np

from .._optional import import_optional

torch = import_optional("torch", extra="nn")
nn = torch.nn


#: Kong and Valiant's fitted coefficients of ``p(l) = sum_j a_j l^j`` by
#: order, for a covariance whose largest eigenvalue is 1, as the reference
#: implementation of Feature Gradients (microsoft/nni, gradient_selector)
#: ships them.
REFERENCE_COEFFICIENTS = {
    1: [0.60355337],
    2: [1.52705001, -0.34841729],
    3: [2.90254224, -1.87216745, 0.0],
    4: [4.63445685, -5.19936195, 0.0, 1.50391676],
    5: [6.92948049, -14.12216211, 9.4475009, 0.0, -1.21093546],
    6: [9.54431082, -28.09414643, 31.84703652, -11.18763791, -1.14175281, 0.0],
    7: [12.54505041, -49.64891525, 79.78828031, -46.72250909, 0.0, 0.0, 5.02973646],
    8: [16.03550163, -84.286182, 196.86078756, -215.36747071, 92.63961263]
    + [0.0, 0.0, -4.86280869],
    9: [19.86409184, -130.76801006, 390.95349861, -570.09210416, 354.77764899]
    + [0.0, -73.84234865, 0.0, 10.09148767],
    10: [24.1117752, -194.946061, 734.214614, -1428.51995, 1415.67410, -581.738134]
    + [0.0, 0.0, 31.1664751, 1.05018365],
    11: [28.75280839, -279.22576729, 1280.46325445, -3104.47148101, 3990.6092248]
    + [-2300.29413333, 0.0, 427.35289033, 0.0, 0.0, -42.17587475],
    12: [33.85141912, -391.4229382, 2184.97827882, -6716.28280208, 11879.75233977]
    + [-11739.97267239, 5384.94542245, 0.0, -674.23291712, 0.0, 0.0, 39.37456439],
}


class SoftMask(nn.Module):
    """``s = sigmoid(2 x)`` over the features, applied to standardised rows.

    The rows arrive raw (float32) and are standardised here, batch by batch,
    so that a large ``X`` is never copied whole into a standardised array.
    Each row is multiplied by ``s ** exponent``: with ``exponent=1`` every
    product of two rows ``u_i^T u_j`` weighs feature ``k`` by ``s_k^2``, with
    ``exponent=0.5`` by ``s_k`` (the reference's ``x_i^T diag(s) x_j``).
    """

    def __init__(self, mean, scale, exponent=1.0):
        super().__init__()
        self.logits = nn.Parameter(torch.zeros(mean.shape[0]))
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))
        self.exponent = exponent

    def mask(self):
        return torch.sigmoid(2 * self.logits)

    def forward(self, X):
        weights = self.mask() if self.exponent == 1 else self.mask() ** self.exponent
        return (X - self.mean) / self.scale * weights


class MaxNormalizedGradientDescent:
    """Gradient descent whose step moves the steepest coordinate by ``lr``.

    The gradient is divided by its largest absolute entry over all
    parameters: the step size does not depend on the scale of the loss, and
    the coordinates move in proportion to their gradients. Adam's
    per-coordinate scaling moves every coordinate whose gradient keeps its
    sign at the same speed, so the order of a soft mask trained by Adam says
    which features push consistently, not which ones matter most.

    It has the interface :func:`featsel._torch._training.train` uses
    (``zero_grad`` and ``step``) without being a ``torch.optim`` optimizer:
    building one of those imports ``torch._dynamo``, seconds of the first
    fit in a process.
    """

    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def zero_grad(self, set_to_none=True):
        for param in self.params:
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad.zero_()

    @torch.no_grad()
    def step(self):
        gradients = [param.grad for param in self.params if param.grad is not None]
        if not gradients:
            return
        largest = torch.stack([gradient.abs().max() for gradient in gradients]).max()
        if largest == 0 or not torch.isfinite(largest):
            return
        for param in self.params:
            if param.grad is not None:
                param.sub_(param.grad / largest, alpha=self.lr)


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


def reference_coefficients(order, largest_eigenvalue):
    """Kong and Valiant's coefficients for a covariance of that top eigenvalue.

    The reference scales the features so that the largest eigenvalue of
    their covariance is 1; dividing ``a_j`` by ``largest_eigenvalue ** (j + 1)``
    is the same polynomial on the unscaled features.
    """
    coefficients = np.asarray(REFERENCE_COEFFICIENTS[order])
    return coefficients / largest_eigenvalue ** np.arange(1, order + 1)


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
    linear function of the masked features explains. The error rate is
    ``arccos(sqrt(pi z / 2)) / pi`` (Gaussian features, probit link) for
    ``objective="neumann"`` and the reference's ``(1 - sqrt(z)) / 2`` for
    ``objective="reference"``.
    """

    def __init__(self, mask_module, coefficients, task, sparsity, objective="neumann"):
        self.mask_module = mask_module
        self.coefficients = torch.as_tensor(coefficients, dtype=torch.float32)
        self.task = task
        self.sparsity = sparsity
        self.objective = objective

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
        elif self.objective == "reference":
            unlearnable = (
                0.5 * (1 - torch.sqrt(torch.clamp(explained, 1e-8, 1)))
            ).mean()
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
