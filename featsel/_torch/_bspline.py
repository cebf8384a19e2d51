"""B-spline math of the KAN engine, with its autograd.

The basis of each input's knot interval only, from per-interval
polynomials (:func:`spline_pieces`), the gathered spline sums whose
gradient is accumulated in lanes, and the knots placed on the data. The
module imports torch: the selector imports it inside ``fit``.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import functools
import importlib.util
import os
import warnings

import numpy as np

from .._optional import import_optional

torch = import_optional("torch", extra="nn")
F = torch.nn.functional

#: Weight of the even spacing of the data range in the interior knots; the
#: rest follows the data quantiles. Quantiles put resolution where the data
#: is, the even part keeps knots apart on discrete features (pykan calls
#: this mixing weight ``grid_eps``).
GRID_EPS = 0.25

#: Below this many knots per input, the knot interval of a value is found
#: by counting comparisons rather than by binary search (and the count fits
#: a byte).
SMALL_KNOT_COUNT = 32

#: Number of partial sums the gradient of a spline table is gathered into
#: (:class:`_SplineSum`), so that consecutive additions go to different
#: addresses (a power of 2).
SUM_LANES = 4

#: Environment variable that picks the kernels of the spline layer
#: (:func:`_spline_sum_kernels`): one of :data:`KERNEL_CHOICES`.
KERNEL_VARIABLE = "FEATSEL_KAN_KERNEL"

KERNEL_CHOICES = ("auto", "eager", "numba")

#: Values (rows x inputs) whose basis is computed in one pass when no
#: gradient is needed; more rows are taken in blocks. A pass holds about 16
#: floats per value, and a block above the C allocator's 32 MB mapping
#: threshold is mapped afresh, page by page, at every call: in blocks, the
#: basis of 1,280 rows x 3,200 inputs is about 3 times faster.
BASIS_BLOCK_VALUES = 2**18


def bspline_basis(x, knots, order, pieces=None):
    """All B-spline basis functions of every input column at once.

    Parameters
    ----------
    x : torch.Tensor of shape (n_samples, n_inputs)

    knots : torch.Tensor of shape (n_inputs, n_knots)
        Non-decreasing knots of each column.

    order : int
        Polynomial order of the splines (3 is cubic).

    pieces : tuple of torch.Tensor or None, default=None
        :func:`spline_pieces` of ``knots``, when the caller keeps them
        between calls; None computes them.

    Returns
    -------
    basis : torch.Tensor of shape (n_samples, n_inputs, n_knots - order - 1)
        Like pykan's ``B_batch``: 0 outside the knots, intervals closed on
        the left. Only the ``order + 1`` basis functions that are not 0 on
        the knot interval of each input are evaluated, as polynomials
        (:func:`spline_pieces`) gathered by interval; the gradient with
        respect to ``x`` is the derivative of the same polynomials.
    """
    if pieces is None:
        pieces = spline_pieces(knots, order)
    n_samples, n_inputs = x.shape
    block = max(1, BASIS_BLOCK_VALUES // n_inputs)
    if n_samples <= block or (torch.is_grad_enabled() and x.requires_grad):
        return _BSplineBasis.apply(x, knots, *pieces)
    basis = x.new_empty(n_samples, n_inputs, knots.shape[1] - order - 1)
    for start in range(0, n_samples, block):
        rows = slice(start, start + block)
        basis[rows] = _BSplineBasis.apply(x[rows], knots, *pieces)
    return basis


def spline_pieces(knots, order):
    """The polynomial pieces of every B-spline on every knot interval.

    On the interval ``[t_j, t_{j+1})`` of an input only the basis functions
    ``j - order, ..., j`` are not 0, and each is a polynomial of degree
    ``order`` in the interval's own coordinate ``s = (x - c_j) * r_j``
    (``c_j`` its centre, ``r_j`` twice its inverse width, so ``s`` is in
    [-1, 1), where the monomial coefficients of functions bounded by 1 stay
    small and float32 keeps their accuracy). The pieces are interpolated in
    float64 from the Cox-de Boor recursion (:func:`dense_bspline_basis`) at
    ``order + 1`` Chebyshev nodes of each interval, which is exact for
    polynomials of that degree.

    Returns
    -------
    values : torch.Tensor of shape (order + 1, order + 1, n_rows)
        With ``n_rows = n_inputs * (n_knots + 1)``, ``values[k, r, row]``
        for ``row = i * (n_knots + 1) + v`` is the coefficient of ``s ** k``
        in basis function ``v - 1 - order + r`` of input ``i`` on the
        interval that ends at knot ``v``; rows ``v = 0`` and
        ``v = n_knots`` (outside the knots) and basis functions that do not
        exist are 0. Rows come last so that gathering them for many values
        gives long contiguous runs, which the elementwise kernels need.

    values_and_slopes : torch.Tensor of shape (order + 1, 2 * (order + 1), n_rows)
        ``values`` followed, along the second dimension, by the same
        coefficients for the derivatives with respect to ``x``.

    centre, rate : torch.Tensor of shape (n_rows,)
        ``c_j`` and ``r_j`` of the same intervals (0 outside the knots).
    """
    n_inputs, n_knots = knots.shape
    size = order + 1
    grid = knots.detach().double()
    left, right = grid[:, :-1], grid[:, 1:]
    width = right - left
    centre = (left + right) / 2
    powers = torch.arange(size, device=grid.device)
    nodes = torch.cos(torch.pi * (2 * powers.to(grid.dtype) + 1) / (2 * size))
    points = centre.unsqueeze(-1) + (width / 2).unsqueeze(-1) * nodes
    dense = dense_bspline_basis(points.reshape(n_inputs, -1).T, grid, order)
    dense = dense.permute(1, 0, 2).reshape(n_inputs, n_knots - 1, size, -1)
    # Basis function j - order + r sits at index j + r once padded.
    slots = torch.arange(n_knots - 1, device=grid.device)[:, None] + powers
    samples = F.pad(dense, (order, order)).gather(
        -1, slots[None, :, None, :].expand(n_inputs, -1, size, -1)
    )
    # samples[..., q, r] = sum_k nodes[q] ** k * values[..., r, k].
    values = torch.linalg.solve(nodes.unsqueeze(-1) ** powers, samples).mT
    # An empty interval holds no sample: its pieces are never read.
    nonempty = width > 0
    rate = torch.where(nonempty, 2 / torch.where(nonempty, width, 1.0), 0.0)
    values = torch.where(nonempty[..., None, None], values, 0.0)
    # d/dx s^k = k s^(k-1) rate: shift each row's coefficients down a power.
    slopes = F.pad(values[..., 1:] * powers[1:], (0, 1)) * rate[..., None, None]

    def rows(table):
        """One row per (input, interval), the two outside intervals added."""
        return F.pad(table, (0, 0, 1, 1)).flatten(0, 1).to(knots.dtype)

    def by_power(table):
        """``[k, r, row]``: the coefficient of s^k in basis function r."""
        return rows(table.mT.flatten(2)).T.reshape(size, -1, n_inputs * (n_knots + 1))

    return (
        by_power(values),
        by_power(torch.cat([values, slopes], dim=-2)),
        rows(centre[..., None])[:, 0],
        rows(rate[..., None])[:, 0],
    )


class _BSplineBasis(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, knots, values, values_and_slopes, centre, rate):
        n_samples, n_inputs = x.shape
        n_knots = knots.shape[1]
        size = values.shape[0]
        n_basis = n_knots - size
        interval, row, local = _locate(x, knots, centre, rate)
        needs_slopes = ctx.needs_input_grad[0]
        table = values_and_slopes if needs_slopes else values
        # The non-zero basis functions (and their derivatives) at every value.
        local_basis, _ = _piecewise_values(table, row, local)
        local_basis = local_basis.view(-1, n_inputs, n_samples)
        # Basis functions that do not exist are 0 in the table: clamping
        # their index adds 0 to a neighbour.
        offsets = torch.arange(-size, 0, device=x.device)[:, None, None]
        slots = (interval + offsets).clamp_(0, n_basis - 1)
        basis = x.new_zeros(n_basis, n_inputs, n_samples)
        basis.scatter_add_(0, slots, local_basis[:size])
        if needs_slopes:
            ctx.save_for_backward(slots, local_basis[size:])
        return basis.permute(2, 1, 0)

    @staticmethod
    def backward(ctx, grad_basis):
        slots, slopes = ctx.saved_tensors
        grad_x = (grad_basis.permute(2, 1, 0).gather(0, slots) * slopes).sum(dim=0)
        return grad_x.T, None, None, None, None, None


def _locate(x, knots, centre, rate):
    """The knot interval of every input value and its coordinate there.

    The values are taken input by input (``x.T``), so that every result
    has the samples along its last, contiguous dimension. Returns
    ``interval`` of shape (n_inputs, n_samples), where
    ``interval[i, n] = v`` means ``x[n, i]`` lies in ``[t_{v-1}, t_v)``, the
    half-open intervals of pykan's ``B_batch`` (``v = 0`` and ``n_knots``:
    outside the knots); ``row``, the flat index of each value's row in the
    :func:`spline_pieces` tables; and ``local``, the interval coordinate
    ``s`` of each value; both flat, of shape (n_inputs * n_samples,).
    """
    n_inputs, n_knots = knots.shape
    by_input = x.T.contiguous()
    if n_knots < SMALL_KNOT_COUNT:
        # Counting the knots at or below each value takes one comparison
        # per knot over the whole batch: several times faster than a binary
        # search per value when the knots are few.
        interval = torch.zeros(by_input.shape, dtype=torch.uint8, device=x.device)
        for knot in range(n_knots):
            # A bool tensor viewed as bytes is 0 or 1 without a conversion.
            interval += (by_input >= knots[:, knot, None]).view(torch.uint8)
        interval = interval.long()
    else:
        interval = torch.searchsorted(knots, by_input, right=True)
    offsets = torch.arange(0, n_inputs * (n_knots + 1), n_knots + 1, device=x.device)
    row = (interval + offsets[:, None]).view(-1)
    local = (by_input.view(-1) - centre.index_select(0, row)) * rate.index_select(
        0, row
    )
    return interval, row, local


def _piecewise_values(table, row, local, rate=None):
    """Polynomials given by their pieces, at values located by :func:`_locate`.

    ``table[k, m, row]`` is the coefficient of ``s ** k`` in polynomial
    ``m`` on the knot interval of ``row`` (the layout of
    :func:`spline_pieces`: basis functions, or the splines of
    :class:`_SplineSum`); ``row`` and ``local`` come from :func:`_locate`.
    Horner's rule takes one fused multiply-add per power over all of them:
    several times faster than a batched product of tiny matrices. Returns
    the values, of shape (m, n_values), and with ``rate`` (that of
    :func:`spline_pieces`) their derivatives with respect to ``x`` in the
    same shape, else None.
    """
    size, n_polynomials, n_rows = table.shape
    pieces = table.reshape(-1, n_rows).index_select(1, row)
    pieces = pieces.view(size, n_polynomials, -1)
    value = pieces[size - 1]
    slope = None if rate is None else torch.zeros_like(value)
    for power in range(size - 2, -1, -1):
        if slope is not None:
            slope = torch.addcmul(value, slope, local)
        value = torch.addcmul(pieces[power], value, local)
    if slope is not None:
        # ds/dx is the interval's rate.
        slope = slope * rate.index_select(0, row)
    return value, slope


class _SplineSum(torch.autograd.Function):
    """``sum_i S_io(x[n, i])`` for splines ``S_io`` given by their pieces.

    ``table[k, o, i * (n_knots + 1) + v]`` is the coefficient of ``s ** k``
    in edge ``(i, o)``'s spline on the interval that ends at knot ``v`` (the
    rows of :func:`spline_pieces`); each value reads its own row and no
    basis function is ever formed. With ``n_networks`` networks side by side
    the inputs are ``n_networks`` consecutive blocks, and each block sums
    into its own outputs. The kernels are those :func:`_spline_sum_kernels`
    picks.
    """

    @staticmethod
    def forward(ctx, x, table, knots, centre, rate, n_networks):
        forward, backward = _spline_sum_kernels(x, table, knots, centre, rate)
        value, row, local, slope = forward(
            x, table, knots, centre, rate, n_networks, ctx.needs_input_grad[0]
        )
        ctx.save_for_backward(row, local, slope)
        ctx.backward_kernel = backward
        ctx.table_shape = table.shape
        ctx.n_networks = n_networks
        return value

    @staticmethod
    def backward(ctx, grad_output):
        row, local, slope = ctx.saved_tensors
        grad_x, grad_table = ctx.backward_kernel(
            grad_output,
            row,
            local,
            slope,
            ctx.table_shape if ctx.needs_input_grad[1] else None,
            ctx.n_networks,
        )
        return grad_x, grad_table, None, None, None, None


def _spline_sum_kernels(*tensors):
    """The forward and backward kernels of :class:`_SplineSum` for ``tensors``.

    The numba kernels of :mod:`._bspline_numba` (the ``numba`` extra,
    faster on a breast_cancer training step, see
    ``benchmarks/results/kan_kernel.md``) where numba is installed and the
    tensors are contiguous float32 or float64 on the CPU, else the eager
    ones of this module. The environment variable :data:`KERNEL_VARIABLE`,
    read on every call, overrides the choice: ``eager`` always takes the
    eager kernels; ``numba`` the compiled ones wherever they apply, and
    raises an ImportError naming the extra when numba is missing; unset or
    ``auto``, the choice above.
    """
    choice = os.environ.get(KERNEL_VARIABLE, "auto")
    if choice not in KERNEL_CHOICES:
        raise ValueError(
            f"{KERNEL_VARIABLE}={choice!r} is not one of {', '.join(KERNEL_CHOICES)}."
        )
    eager = _spline_sum_forward, _spline_sum_backward
    if choice == "eager" or (choice == "auto" and not _numba_installed()):
        return eager
    if not all(
        tensor.device.type == "cpu"
        and tensor.is_contiguous()
        and tensor.dtype in (torch.float32, torch.float64)
        for tensor in tensors
    ):
        return eager
    compiled = _numba_kernels(strict=choice == "numba")
    return eager if compiled is None else compiled


@functools.cache
def _numba_kernels(strict):
    """The numba kernels, or None where they cannot load and ``strict`` is off.

    numba's disk cache needs a writable folder (featsel's ``__pycache__``,
    the user's cache, or ``NUMBA_CACHE_DIR``): on a read-only install the
    import fails, and a fit should still run, on the eager kernels.
    """
    try:
        from . import _bspline_numba
    except (ImportError, OSError, RuntimeError) as exc:
        if strict:
            raise
        warnings.warn(
            f"the numba KAN kernels could not load ({exc}); using the eager "
            "kernels. Point NUMBA_CACHE_DIR at a writable folder to use them.",
            RuntimeWarning,
            stacklevel=4,
        )
        return None
    return _bspline_numba.spline_sum_forward, _bspline_numba.spline_sum_backward


@functools.cache
def _numba_installed():
    """Whether numba can be imported, looked up once without importing it."""
    return importlib.util.find_spec("numba") is not None


def _spline_sum_forward(x, table, knots, centre, rate, n_networks, needs_slope):
    """The eager forward pass of :class:`_SplineSum`.

    Returns the output, of shape (n_samples, n_networks * n_outputs), and
    what the backward pass reads: ``row`` and ``local`` of :func:`_locate`,
    and the derivative of every spline at every value with respect to ``x``
    (None without ``needs_slope``), of shape (n_outputs, n_inputs * n_samples).
    """
    n_samples = x.shape[0]
    n_outputs = table.shape[1]
    _, row, local = _locate(x, knots, centre, rate)
    value, slope = _piecewise_values(table, row, local, rate if needs_slope else None)
    value = value.view(n_outputs, n_networks, -1, n_samples).sum(dim=2)
    value = value.permute(2, 1, 0).reshape(n_samples, n_networks * n_outputs)
    return value, row, local, slope


def _spline_sum_backward(grad_output, row, local, slope, table_shape, n_networks):
    """The eager backward pass of :class:`_SplineSum`.

    The gradients with respect to ``x`` (None when ``slope`` is None) and
    to the table, of shape ``table_shape`` (None when that is None), from
    what :func:`_spline_sum_forward` returned.
    """
    n_samples = grad_output.shape[0]
    n_outputs = grad_output.shape[1] // n_networks
    grad_x = None
    # (outputs, networks, 1, samples): the gradient reaching every input.
    per_value = grad_output.view(n_samples, n_networks, n_outputs)
    per_value = per_value.permute(2, 1, 0).unsqueeze(2)
    if slope is not None:
        slope = slope.view(n_outputs, n_networks, -1, n_samples)
        grad_x = (slope * per_value).sum(dim=0).view(-1, n_samples).T
    if table_shape is None:
        return grad_x, None
    size, _, n_rows = table_shape
    # d value / d table[k, o, row] = s ** k, times the output's gradient.
    n_inputs = row.numel() // n_samples
    terms = grad_output.new_empty(size, n_outputs, row.numel())
    terms[0] = per_value.expand(-1, -1, n_inputs // n_networks, -1).reshape(
        n_outputs, -1
    )
    for power in range(1, size):
        torch.mul(terms[power - 1], local, out=terms[power])
    # The values of an input fall in few knot intervals, so adding them in
    # order into one row each makes every addition wait for the one before.
    # Consecutive values add into SUM_LANES copies of the rows, summed at
    # the end: on a breast_cancer training step the addition takes 0.85 ms
    # instead of 1.56 ms.
    lane = torch.arange(row.numel(), device=row.device).bitwise_and_(SUM_LANES - 1)
    lanes = row * SUM_LANES + lane
    grad_table = grad_output.new_zeros(size * n_outputs, n_rows * SUM_LANES)
    grad_table.index_add_(1, lanes, terms.view(size * n_outputs, -1))
    grad_table = grad_table.view(size, n_outputs, n_rows, SUM_LANES).sum(dim=3)
    return grad_x, grad_table


def dense_bspline_basis(x, knots, order):
    """The Cox-de Boor recursion over every knot, the reference of the basis.

    Same arguments and result as :func:`bspline_basis`, computed densely
    (every basis function of every input at every level) and differentiable
    by autograd; it builds :func:`spline_pieces` and checks the fast basis.
    """
    x = x.unsqueeze(-1)
    above = x >= knots
    basis = (above[..., :-1] & ~above[..., 1:]).to(x.dtype)
    for level in range(1, order + 1):
        # B_j <- w_j B_j + (1 - w_{j+1}) B_{j+1} with
        # w_j = (x - t_j) / (t_{j+p} - t_j); an empty span only multiplies
        # a basis function that is 0, so its inverse can be 0.
        span = knots[:, level:] - knots[:, :-level]
        inverse = torch.where(span > 0, 1 / span, torch.zeros_like(span))
        weighted = (x - knots[:, :-level]) * inverse * basis
        basis = weighted[..., :-1] - weighted[..., 1:] + basis[..., 1:]
    return basis


def data_knots(x, grid_size, order, grid_eps=GRID_EPS):
    """Knots of each column of ``x`` set from its distribution.

    The ``grid_size + 1`` interior knots mix the column's quantiles with an
    even spacing of its range (weights ``1 - grid_eps`` and ``grid_eps``);
    ``order`` knots continue the even spacing beyond each end, so the spline
    spans the whole range of the data instead of a fixed interval. NaN
    values are left out: networks trained side by side pad their columns
    with them.

    Returns
    -------
    knots : torch.Tensor of shape (n_columns, grid_size + 2 * order + 1)
    """
    levels = torch.linspace(0, 1, grid_size + 1, device=x.device, dtype=x.dtype)
    quantiles = _column_quantiles(x, levels)
    low, high = quantiles[:, :1], quantiles[:, -1:]
    # A column constant on these rows still needs distinct knots.
    flat = (high - low) <= 1e-6
    low = torch.where(flat, low - 1.0, low)
    high = torch.where(flat, high + 1.0, high)
    even = low + (high - low) * levels
    interior = grid_eps * even + (1 - grid_eps) * torch.where(flat, even, quantiles)
    step = (high - low) / grid_size
    offsets = torch.arange(1, order + 1, device=x.device, dtype=x.dtype)
    return torch.cat(
        [low - step * offsets.flip(0), interior, high + step * offsets], dim=1
    )


def _column_quantiles(x, levels):
    """``torch.nanquantile(x, levels, dim=0).T``, sorted faster on the CPU.

    The quantiles interpolate linearly between the sorted values of each
    column that are not NaN. On the CPU, numpy sorts the columns: torch's
    sort of a few hundred rows is about 25x slower, and grid refits sort
    every hidden column of every network.
    """
    x = x.detach()
    if x.device.type == "cpu":
        ordered = torch.from_numpy(np.sort(x.numpy(), axis=0))
    else:
        ordered = torch.sort(x, dim=0).values
    # NaN sorts last in both, so a column's values come first.
    last = (~torch.isnan(x)).sum(dim=0).clamp_min(1) - 1
    position = levels[:, None] * last
    below = position.floor().long()
    low = ordered.gather(0, below)
    high = ordered.gather(0, position.ceil().long())
    return torch.lerp(low, high, position - below).T
