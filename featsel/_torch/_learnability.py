"""Soft mask and learnability loss of :class:`featsel.FeatureGradientsSelector`."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import functools
import math

import numpy as np

from .._optional import import_optional
from . import _training

torch = import_optional("torch", extra="nn")
nn = torch.nn


#: Points of [0, 1] on which the reference polynomials are fitted: Chebyshev
#: points, dense near both ends where the error of the fit peaks.
REFERENCE_FIT_POINTS = 1025

#: The largest order of the reference objective.
REFERENCE_MAX_ORDER = 12

#: Ridge, relative to the mean eigenvalue of the standardised features'
#: covariance (1), of the linear fit against which :func:`visible_signal`
#: measures the signal: directions of smaller variance do not count.
VISIBLE_RIDGE = 1e-2


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


class MaxNormalizedGradientDescent(_training.Optimizer):
    """Gradient descent whose step moves the steepest coordinate by ``lr``.

    The gradient is divided by its largest absolute entry over all
    parameters: the step size does not depend on the scale of the loss, and
    the coordinates move in proportion to their gradients. Adam's
    per-coordinate scaling moves every coordinate whose gradient keeps its
    sign at the same speed, so the order of a soft mask trained by Adam says
    which features push consistently, not which ones matter most.

    """

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


@functools.cache
def unit_reference_coefficients(order):
    """The reference's polynomial for a covariance whose largest eigenvalue is 1.

    ``z = sum_j a_j c^T S^j c`` counts a direction of the covariance with
    eigenvalue ``l`` and coefficient ``b`` of the best linear fit as
    ``b^2 l^2 p(l)`` where the exact explained variance counts ``b^2 l``:
    the error of the estimate is governed by ``e(l) = l - l^2 p(l)`` on
    ``[0, 1]``. The smallest uniform error any ``p`` of ``order`` terms
    reaches there is ``E = tan(pi / (4 order + 4)) / (order + 1)``. Among
    the polynomials whose error stays within ``2 E``, this is the one of
    smallest weighted size ``sum_j 2^j |a_j|``: each moment's estimate is
    noisy, and its noise is multiplied by its coefficient, so the fit gives
    up half of its accuracy to keep the coefficients small. It is a linear
    program (on ``REFERENCE_FIT_POINTS`` Chebyshev points), whose solution
    has zero coefficients where a smaller polynomial does as well.

    This rule reproduces the table of coefficients that the authors of
    Feature Gradients ship (microsoft/nni, ``gradient_selector``): the same
    zero coefficients at every order, and an ``l p(l)`` within 1e-5 of
    theirs on ``[0, 1]`` up to order 5 and within 2e-4 up to order 12 (the
    table's own error peaks a little below ``2 E``: it was presumably
    fitted on a grid of points).

    Parameters
    ----------
    order : int
        Number of coefficients, from 1 to ``REFERENCE_MAX_ORDER``.

    Returns
    -------
    coefficients : ndarray of shape (order,)
        ``a_j`` for ``j < order``.
    """
    from scipy.optimize import linprog

    tolerance = 2 * math.tan(math.pi / (4 * order + 4)) / (order + 1)
    spectrum = (1 - np.cos(np.linspace(0, np.pi, REFERENCE_FIT_POINTS))) / 2
    powers = spectrum[:, None] ** (np.arange(order) + 2)
    weights = 2.0 ** np.arange(order)
    # a = positive - negative, both parts >= 0, so that |a_j| is linear.
    result = linprog(
        np.concatenate([weights, weights]),
        A_ub=np.block([[powers, -powers], [-powers, powers]]),
        b_ub=np.concatenate([spectrum + tolerance, tolerance - spectrum]),
        bounds=(0, None),
        method="highs",
    )
    if result.status != 0:
        raise RuntimeError(
            f"The reference polynomial of order {order} could not be fitted: "
            f"{result.message}"
        )
    coefficients = result.x[:order] - result.x[order:]
    # The solver leaves round-off where the solution has a zero coefficient.
    coefficients[np.abs(coefficients) < 1e-9] = 0.0
    coefficients.flags.writeable = False
    return coefficients


def reference_coefficients(order, largest_eigenvalue):
    """The reference's coefficients for a covariance of that top eigenvalue.

    The reference scales the features so that the largest eigenvalue of
    their covariance is 1; dividing ``a_j`` by ``largest_eigenvalue ** (j + 1)``
    is the same polynomial on the unscaled features.
    """
    coefficients = unit_reference_coefficients(order)
    return coefficients / largest_eigenvalue ** np.arange(1, order + 1)


def estimate_coefficients(objective, order, bound):
    """The coefficients of ``p``, the polynomial standing for ``1 / l``.

    :func:`neumann_coefficients` with its bound ``L``, or
    :func:`reference_coefficients` with the largest eigenvalue, as
    ``objective`` says.
    """
    if objective == "neumann":
        return neumann_coefficients(order, bound)
    return reference_coefficients(order, bound)


def visible_signal(features, targets, *, objective, order, bound, ridge=VISIBLE_RIDGE):
    """Share of the linear signal that the learnability estimate sees.

    Parameters
    ----------
    features : ndarray of shape (n_samples, n_features)
        Standardised features.

    targets : ndarray of shape (n_samples, n_targets)
        Centred targets (a regression target, or class indicators); their
        scale does not matter, since each target's share is a ratio.

    objective : {"neumann", "reference"}
        The estimate, whose polynomial ``p(l) = sum_j a_j l^j`` stands for
        ``1 / l``: a direction of eigenvalue ``l`` counts with ``l p(l)``
        (:func:`neumann_coefficients`, :func:`reference_coefficients`).

    order : int
        Number of coefficients of ``p``.

    bound : float
        The Neumann bound ``L``, or the reference's largest eigenvalue.

    ridge : float, default=VISIBLE_RIDGE
        Ridge of the linear fit that defines the signal.

    Returns
    -------
    share : float
        The mean over the targets of ``sum_i w(l_i) c_i / sum_i c_i``, where
        ``c_i`` is the explained variance of the ridge fit along the
        ``i``-th eigenvector of the covariance and ``w(l) = l p(l)``
        clipped to [0, 1]; 1 for a target without signal.
    """
    coefficients = estimate_coefficients(objective, order, bound)
    n_samples, n_features = features.shape
    # The eigenvectors of the smaller of the two Gram matrices: the nonzero
    # eigenvalues of X^T X / n and X X^T / n are the same.
    if n_features <= n_samples:
        eigenvalues, vectors = np.linalg.eigh(features.T @ features / n_samples)
        projections = (vectors.T @ (features.T @ targets / n_samples)) ** 2
    else:
        eigenvalues, vectors = np.linalg.eigh(features @ features.T / n_samples)
        eigenvalues = np.clip(eigenvalues, 0.0, None)
        projections = eigenvalues[:, None] * (vectors.T @ targets) ** 2 / n_samples
    fitted = projections / (eigenvalues[:, None] + ridge)
    powers = eigenvalues[:, None] ** (np.arange(coefficients.size) + 1)
    weights = np.clip(powers @ coefficients, 0.0, 1.0)
    total = fitted.sum(axis=0)
    shares = np.divide(
        weights @ fitted, total, out=np.ones_like(total), where=total > 0
    )
    return float(shares.mean())


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
    """``(1 - w) F(s) + w sum(s) / m`` for :class:`SoftMask` outputs.

    ``m`` is ``n_penalized``: the number of features, or fewer (see
    :class:`featsel.FeatureGradientsSelector`).

    ``F`` is ``1 - z`` for regression and the estimated error rate of the
    best linear classifier for classification (the mean over the
    one-vs-rest problems of multiclass targets), where ``z`` is the
    Kong-Valiant estimate of the fraction of the target's variance that a
    linear function of the masked features explains. The error rate is
    ``arccos(sqrt(pi z / 2)) / pi`` (Gaussian features, probit link) for
    ``objective="neumann"`` and the reference's ``(1 - sqrt(z)) / 2`` for
    ``objective="reference"``.

    With ``growth < 1`` the weight rises after every mini-batch, ``1 - w``
    shrinking by the factor ``growth`` (learning by continuation); the
    current weight is ``sparsity``.
    """

    def __init__(
        self,
        mask_module,
        coefficients,
        task,
        sparsity,
        objective="neumann",
        growth=1.0,
        n_penalized=None,
    ):
        self.mask_module = mask_module
        self.coefficients = torch.as_tensor(coefficients, dtype=torch.float32)
        self.task = task
        self.sparsity = sparsity
        self.objective = objective
        self.growth = growth
        self.n_penalized = n_penalized

    def __call__(self, masked, targets):
        sparsity = self.sparsity
        if self.growth != 1:
            self.sparsity = 1 - (1 - sparsity) * self.growth
        mask = self.mask_module.mask()
        penalty = mask.sum() / (self.n_penalized or mask.shape[0])
        order = self.coefficients.shape[0]
        if masked.shape[0] < order + 1:
            # Too few rows for the longest chain: only the penalty is known.
            return sparsity * penalty
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
        return (1 - sparsity) * unlearnable + sparsity * penalty


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


def start_mask(X, standardizer, *, seed, n_rows, work, n_threads):
    """The largest eigenvalue of the input's covariance, and a fresh state.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The first rows.

    standardizer : Standardizer
        The standardisation of the rows seen.

    seed : int
        Seed of the session and of the generator kept in the state.

    n_rows : int
        Rows sampled to estimate the eigenvalue.

    work, n_threads : int
        Multiply-adds of a step and torch threads of the fit (see
        :func:`._training.session`).

    Returns
    -------
    largest : float
        The largest eigenvalue (at least 1e-6).

    state : dict
        The seed, the mask logits (zeros) and the generator's state, which
        :func:`train_mask` goes on from.
    """
    with _training.session(seed, work, n_threads):
        generator = _training.make_generator(seed)
        rows = torch.randperm(X.shape[0], generator=generator)[:n_rows]
        sample = torch.as_tensor(standardizer.transform(X[np.sort(rows.numpy())]))
        largest = max(largest_eigenvalue(sample, generator), 1e-6)
        state = {
            "seed": seed,
            "logits": torch.zeros(X.shape[1]),
            "generator": generator.get_state(),
        }
    return largest, state


def train_mask(
    X,
    targets,
    state,
    *,
    standardizer,
    task,
    objective,
    order,
    spectrum_bound,
    sparsity,
    lr,
    batch_size,
    epochs,
    accumulation_steps,
    shuffle,
    work,
    n_threads,
    device,
    verbose,
    n_penalized,
    growth=1.0,
):
    """Run ``epochs`` passes over the rows from ``state``.

    With ``growth < 1``, every optimiser step shrinks ``1 - sparsity`` by
    that factor (see :class:`LearnabilityLoss`). Returns the new state (as
    :func:`start_mask`'s), the mask logits in float64 and the sparsity
    weight reached.
    """
    device = _training.resolve_device(device)
    with _training.session(state["seed"], work, n_threads):
        generator = torch.Generator(device="cpu")
        generator.set_state(state["generator"])
        network = SoftMask(
            standardizer.mean,
            standardizer.scale,
            exponent=1.0 if objective == "neumann" else 0.5,
        )
        with torch.no_grad():
            network.logits.copy_(state["logits"])
        network = network.to(device)
        optimizer = MaxNormalizedGradientDescent(network.parameters(), lr=lr)
        coefficients = estimate_coefficients(objective, order, spectrum_bound)
        n_batches = -(-X.shape[0] // batch_size)
        batches_per_step = min(accumulation_steps, n_batches)
        loss_fn = LearnabilityLoss(
            network,
            coefficients,
            task,
            sparsity,
            objective,
            growth=growth ** (1 / batches_per_step),
            n_penalized=n_penalized,
        )
        # float32 throughout; the rows are standardised batch by batch
        # inside the network, so X is never copied whole in float64.
        X_train = torch.as_tensor(np.asarray(X, dtype=np.float32)).to(device)
        _training.train(
            network,
            loss_fn,
            X_train,
            torch.as_tensor(targets).to(device),
            max_epochs=epochs,
            generator=generator,
            batch_size=batch_size,
            # One epoch per call: print it whenever verbose is set.
            verbose=int(bool(verbose)),
            optimizer=optimizer,
            accumulation_steps=accumulation_steps,
            shuffle=shuffle,
        )
        state = {
            "seed": state["seed"],
            "logits": network.logits.detach().cpu(),
            "generator": generator.get_state(),
        }
    return state, state["logits"].numpy().astype(np.float64), loss_fn.sparsity
