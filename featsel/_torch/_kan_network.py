"""The KAN engine behind :class:`featsel.KANSelector`.

A Kolmogorov-Arnold network written for speed (only the non-zero B-splines
of each input are evaluated, from per-interval polynomials; a wide layer's
forward pass is one matrix product, a layer with few outputs reads each
spline's polynomial on the input's knot interval), an
adapter that gives a ``kan.KAN`` from pykan the same interface, and the four
feature scores computed on either. The module imports torch: the selector
imports it inside ``fit``.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib

import numpy as np

from .._optional import import_optional
from ._training import EVAL_BATCH_SIZE, evaluate

torch = import_optional("torch", extra="nn")
nn = torch.nn
F = torch.nn.functional

#: Weight of the even spacing of the data range in the interior knots; the
#: rest follows the data quantiles. Quantiles put resolution where the data
#: is, the even part keeps knots apart on discrete features (pykan calls
#: this mixing weight ``grid_eps``).
GRID_EPS = 0.25

#: Scale of the random initial spline coefficients (pykan's ``noise_scale``):
#: each edge starts close to its SiLU base function.
NOISE_SCALE = 0.3

#: Ridge added, relative to the mean diagonal of the normal equations, when
#: spline coefficients are refitted on new knots; it keeps basis functions
#: that no sample reaches at zero instead of making the system singular.
REFIT_RIDGE = 1e-4

#: Elements of a (rows, features, hidden) tensor of edge activations: the
#: scores process held-out rows in chunks of this size to bound memory.
CHUNK_ELEMENTS = 2**22

#: Below this many knots per input, the knot interval of a value is found
#: by counting comparisons rather than by binary search (and the count fits
#: a byte).
SMALL_KNOT_COUNT = 32

#: Number of partial sums the gradient of a spline table is gathered into
#: (:class:`_SplineSum`), so that consecutive additions go to different
#: addresses (a power of 2).
SUM_LANES = 4

#: Largest number of outputs for which a layer evaluates each edge's spline
#: from its polynomial pieces (:class:`_SplineSum`) instead of as a product
#: of all its B-spline basis functions with a weight matrix: few outputs
#: make that product a thin, slow one, many make the gathered pieces large.
#: Measured on 64 inputs: 2.5x faster on 20,000 rows (a knock-out pass) for
#: 2 or 3 outputs, 1.6x for 4; on a 364-row training step as fast for 2
#: outputs, 15 % slower for 4. A grid refit reads the splines it refits the
#: same way, and from the basis for more outputs (a first layer), whose
#: gathered pieces would take gigabytes on wide data.
MAX_PIECEWISE_OUTPUTS = 3


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
    return _BSplineBasis.apply(x, knots, *pieces)


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
    into its own outputs.
    """

    @staticmethod
    def forward(ctx, x, table, knots, centre, rate, n_networks):
        n_samples = x.shape[0]
        n_outputs = table.shape[1]
        _, row, local = _locate(x, knots, centre, rate)
        value, slope = _piecewise_values(
            table, row, local, rate if ctx.needs_input_grad[0] else None
        )
        ctx.save_for_backward(row, local, slope)
        ctx.table_shape = table.shape
        ctx.n_networks = n_networks
        value = value.view(n_outputs, n_networks, -1, n_samples).sum(dim=2)
        return value.permute(2, 1, 0).reshape(n_samples, n_networks * n_outputs)

    @staticmethod
    def backward(ctx, grad_output):
        row, local, slope = ctx.saved_tensors
        n_networks = ctx.n_networks
        n_samples = grad_output.shape[0]
        size, n_outputs, n_rows = ctx.table_shape
        grad_x = grad_table = None
        # (outputs, networks, 1, samples): the gradient reaching every input.
        per_value = grad_output.view(n_samples, n_networks, n_outputs)
        per_value = per_value.permute(2, 1, 0).unsqueeze(2)
        if ctx.needs_input_grad[0]:
            slope = slope.view(n_outputs, n_networks, -1, n_samples)
            grad_x = (slope * per_value).sum(dim=0).view(-1, n_samples).T
        if ctx.needs_input_grad[1]:
            # d value / d table[k, o, row] = s ** k, times the output's gradient.
            n_inputs = row.numel() // n_samples
            terms = grad_output.new_empty(size, n_outputs, row.numel())
            terms[0] = per_value.expand(-1, -1, n_inputs // n_networks, -1).reshape(
                n_outputs, -1
            )
            for power in range(1, size):
                torch.mul(terms[power - 1], local, out=terms[power])
            # The values of an input fall in few knot intervals, so adding
            # them in order into one row each makes every addition wait for
            # the one before. Consecutive values add into SUM_LANES copies of
            # the rows, summed at the end: on a breast_cancer training step
            # the addition takes 0.85 ms instead of 1.56 ms.
            lane = torch.arange(row.numel(), device=row.device).bitwise_and_(
                SUM_LANES - 1
            )
            lanes = row * SUM_LANES + lane
            grad_table = grad_output.new_zeros(size * n_outputs, n_rows * SUM_LANES)
            grad_table.index_add_(1, lanes, terms.view(size * n_outputs, -1))
            grad_table = grad_table.view(size, n_outputs, n_rows, SUM_LANES).sum(dim=3)
        return grad_x, grad_table, None, None, None, None


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


class KANLayer(nn.Module):
    """One KAN layer: a learnable function on every (input, output) edge.

    ``phi[n, i, o] = base_weight[i, o] * silu(x[n, i])
    + spline_scale[i, o] * sum_k coef[i, o, k] * B_k(x[n, i])``, and output
    ``o`` is ``sum_i phi[n, i, o]``.

    Parameters
    ----------
    in_features, out_features : int
        Number of inputs and outputs.

    grid_size : int
        Number of knot intervals over the data range.

    spline_order : int
        Polynomial order of the splines.

    generator : torch.Generator
        CPU generator of the initial weights.

    n_networks : int or None, default=None
        Number of independent layers held side by side: the parameters and
        knots of each come one after another along the first dimension, the
        inputs and outputs in as many consecutive blocks, and the outputs of
        a block depend on the inputs of the same block only (see
        :meth:`KANNetwork.side_by_side`). None: one plain layer.
    """

    def __init__(
        self,
        in_features,
        out_features,
        grid_size,
        spline_order,
        generator,
        n_networks=None,
    ):
        super().__init__()
        self.spline_order = spline_order
        self.grid_size = grid_size
        self.n_networks = n_networks
        n_basis = grid_size + spline_order
        n_inputs = (n_networks or 1) * in_features
        self.register_buffer(
            "knots",
            data_knots(
                torch.linspace(-1, 1, 2)[:, None].expand(2, n_inputs),
                grid_size,
                spline_order,
            ),
        )
        bound = 1 / np.sqrt(in_features)
        self.base_weight = nn.Parameter(
            (torch.rand(n_inputs, out_features, generator=generator) * 2 - 1) * bound
        )
        self.spline_scale = nn.Parameter(torch.full((n_inputs, out_features), bound))
        self.coef = nn.Parameter(
            (torch.rand(n_inputs, out_features, n_basis, generator=generator) - 0.5)
            * NOISE_SCALE
            / grid_size
        )

    def pieces(self):
        """:func:`spline_pieces` of the layer's knots, and the same by input.

        The second item, of shape (n_inputs, (order + 1) * (n_knots + 1),
        n_basis), holds the pieces of input ``i`` as a matrix: row
        ``k * (n_knots + 1) + v``, column ``b`` is the coefficient of
        ``s ** k`` in basis function ``b`` on the interval that ends at knot
        ``v``, so that a product with the coefficients of the splines gives
        their pieces (:meth:`_piece_table`). Both depend on the knots only:
        they are kept until the knots change (a grid refit, a restored
        state, a move to another device).
        """
        version = (self.knots, self.knots._version)
        cached = getattr(self, "_pieces", None)
        if (
            cached is None
            or cached[0][0] is not version[0]
            or cached[0][1] != version[1]
        ):
            n_inputs, n_knots = self.knots.shape
            n_basis = self.coef.shape[2]
            size = self.spline_order + 1
            device = self.knots.device
            pieces = spline_pieces(self.knots, self.spline_order)
            # Row v of an input holds basis functions v - size, ..., v - 1;
            # those that do not exist have zero pieces, so any column will do.
            column = torch.arange(n_knots + 1, device=device)[:, None] - size
            column = (column + torch.arange(size, device=device)).clamp_(0, n_basis - 1)
            by_input = pieces[0].view(size, size, n_inputs, n_knots + 1)
            by_input = by_input.permute(2, 0, 3, 1)
            matrix = by_input.new_zeros(n_inputs, size, n_knots + 1, n_basis)
            matrix.scatter_add_(3, column.expand(by_input.shape), by_input)
            self._pieces = (version, pieces, matrix.view(n_inputs, -1, n_basis))
        return self._pieces[1:]

    def basis(self, x):
        """Every B-spline basis function of every input, on the layer's knots."""
        return bspline_basis(x, self.knots, self.spline_order, self.pieces()[0])

    def __getstate__(self):
        # The pieces are derived from the knots: rebuilt after unpickling.
        state = super().__getstate__()
        state.pop("_pieces", None)
        return state

    def expand(self, x):
        """The layer's features of ``x``: SiLU then every basis function.

        Returns a tensor of shape (n_samples, in * (1 + n_basis)); the layer
        is linear in it, so a fixed input's features can be computed once.
        Side by side, the features of each network: a tensor of shape
        (n_networks, n_samples, in * (1 + n_basis)).
        """
        basis = self.basis(x)
        if self.n_networks is None:
            return torch.cat([F.silu(x), basis.flatten(1)], dim=1)
        n_samples, blocks = x.shape[0], self.n_networks
        silu = F.silu(x).view(n_samples, blocks, -1)
        basis = basis.reshape(n_samples, blocks, -1)
        return torch.cat([silu, basis], dim=2).transpose(0, 1).contiguous()

    def forward_expanded(self, features):
        """The layer's output from :meth:`expand`'s features: two products.

        The SiLU and spline columns are multiplied separately rather than
        by one concatenated weight, which would copy every weight per step.
        Side by side, each network's features (a tensor of shape
        (n_networks, n_samples, n_features)) have their own pair of products.
        """
        n_inputs, n_outputs = self.base_weight.shape
        spline = (self.spline_scale.unsqueeze(-1) * self.coef).permute(0, 2, 1)
        if self.n_networks is None:
            return torch.addmm(
                features[:, :n_inputs] @ self.base_weight,
                features[:, n_inputs:],
                spline.reshape(-1, n_outputs),
            )
        blocks = self.n_networks
        block_inputs = n_inputs // blocks
        output = torch.baddbmm(
            features[..., :block_inputs] @ self.base_weight.view(blocks, -1, n_outputs),
            features[..., block_inputs:],
            spline.reshape(blocks, -1, n_outputs),
        )
        return output.transpose(0, 1).reshape(features.shape[1], -1)

    def forward(self, x):
        if self.base_weight.shape[1] <= MAX_PIECEWISE_OUTPUTS:
            return self.forward_piecewise(x)
        return self.forward_expanded(self.expand(x))

    def forward_piecewise(self, x):
        """The layer's output, each spline evaluated from its polynomial pieces.

        The table of :meth:`_piece_table` is built once per call and each
        value reads one row of it. Equal to :meth:`forward_expanded` up to
        rounding, without forming the basis.
        """
        (_, _, centre, rate), _ = self.pieces()
        n_outputs = self.base_weight.shape[1]
        table = self._piece_table(self.spline_scale.unsqueeze(-1) * self.coef)
        blocks = self.n_networks or 1
        splines = _SplineSum.apply(x, table, self.knots, centre, rate, blocks)
        if self.n_networks is None:
            return torch.addmm(splines, F.silu(x), self.base_weight)
        n_samples = x.shape[0]
        silu = F.silu(x).view(n_samples, blocks, -1).transpose(0, 1)
        base = silu @ self.base_weight.view(blocks, -1, n_outputs)
        return splines + base.transpose(0, 1).reshape(n_samples, -1)

    def _piece_table(self, coef):
        """The pieces of the splines of coefficients ``coef``, by knot interval.

        ``coef`` has the shape of the layer's; the result is the ``table``
        of :class:`_SplineSum`: on the knot interval ``v`` of input ``i``
        the spline of edge ``(i, o)`` is one polynomial whose coefficients
        combine the ``spline_order + 1`` basis pieces there
        (:func:`spline_pieces`) with ``coef``, one small product per input.
        """
        _, matrix = self.pieces()
        n_inputs, n_outputs = coef.shape[:2]
        size = self.spline_order + 1
        table = torch.bmm(matrix, coef.transpose(1, 2))
        table = table.view(n_inputs, size, -1, n_outputs).permute(1, 3, 0, 2)
        # Contiguous even for one input, where a reshape would keep a view.
        return table.contiguous().view(size, n_outputs, -1)

    def input_norms(self):
        """Euclidean norm of all the parameters of each input's edges."""
        spline = self.spline_scale.unsqueeze(-1) * self.coef
        return _row_norms(self.base_weight, spline)

    def edge_activations(self, x):
        """``phi`` of every edge: a tensor of shape (n_samples, in, out)."""
        basis = self.basis(x)
        spline = torch.einsum("nik,iok->nio", basis, self.coef)
        return F.silu(x).unsqueeze(-1) * self.base_weight + self.spline_scale * spline

    @torch.no_grad()
    def refit_grid(self, x):
        """Move the knots to the distribution of ``x``, keeping the function.

        The spline coefficients on the new knots are the (lightly ridged)
        least-squares fit of the current splines at the rows of ``x``; the
        NaN values of a column (padding of side-by-side networks) are left
        out of its fit.
        """
        present = ~torch.isnan(x)
        values = torch.where(present, x, 0.0)
        if self.base_weight.shape[1] <= MAX_PIECEWISE_OUTPUTS:
            (_, _, centre, rate), _ = self.pieces()
            table = self._piece_table(self.coef)
            _, row, local = _locate(values, self.knots, centre, rate)
            old, _ = _piecewise_values(table, row, local)
            old = old.view(-1, *values.T.shape).permute(1, 2, 0)
        else:
            # The gathered pieces hold order + 1 numbers per output and
            # value, the basis n_basis per value: with many outputs (a
            # first layer) the basis is the smaller.
            old = torch.einsum("nik,iok->ino", self.basis(values), self.coef)
        self.knots = data_knots(x, self.grid_size, self.spline_order)
        weight = present.unsqueeze(-1).to(x.dtype)
        basis = (self.basis(values) * weight).permute(1, 0, 2)
        gram = basis.transpose(1, 2) @ basis
        ridge = REFIT_RIDGE * gram.diagonal(dim1=1, dim2=2).mean(dim=1).clamp_min(1e-6)
        gram = gram + ridge[:, None, None] * torch.eye(
            gram.shape[-1], device=x.device, dtype=x.dtype
        )
        coef = torch.linalg.solve(gram, basis.transpose(1, 2) @ old)
        self.coef.copy_(coef.transpose(1, 2))


class KANNetwork(nn.Module):
    """A KAN of widths ``[n_features, hidden_width, n_outputs]``.

    It takes inputs standardised with the statistics stored in its buffers
    ``input_mean`` and ``input_scale`` (those of its fold's training rows)
    and returns one logit per class, or one standardised prediction for
    regression.

    Parameters
    ----------
    n_features, hidden_width, n_outputs : int
        Widths of the three node layers.

    grid_size, spline_order : int
        Spline settings of both edge layers.

    generator : torch.Generator
        CPU generator of the initial weights.

    n_networks : int or None, default=None
        Number of independent networks held side by side (see
        :meth:`side_by_side`); None: one plain network.
    """

    def __init__(
        self,
        n_features,
        hidden_width,
        n_outputs,
        grid_size,
        spline_order,
        generator,
        n_networks=None,
    ):
        super().__init__()
        self.n_networks = n_networks
        self.layers = nn.ModuleList(
            [
                KANLayer(
                    n_features,
                    hidden_width,
                    grid_size,
                    spline_order,
                    generator,
                    n_networks,
                ),
                KANLayer(
                    hidden_width,
                    n_outputs,
                    grid_size,
                    spline_order,
                    generator,
                    n_networks,
                ),
            ]
        )
        n_inputs = (n_networks or 1) * n_features
        self.register_buffer("input_mean", torch.zeros(n_inputs))
        self.register_buffer("input_scale", torch.ones(n_inputs))

    @classmethod
    def side_by_side(cls, networks):
        """One network that computes ``networks`` side by side.

        Every parameter and buffer holds the networks' own, one after
        another along its first dimension; its inputs and outputs have the
        networks along their first dimension (shape (n_networks,
        n_samples, ...)). Training it is training every network at once:
        the loss of one does not depend on the others' weights, and the
        gradients stay apart, while on small data each operation does the
        work of all the networks for the dispatch cost of one (see
        :func:`featsel._torch._training.train_side_by_side`). Copy weights
        back with :func:`load_side_by_side`.
        """
        first = networks[0]
        n_features, hidden_width = first.layers[0].base_weight.shape
        layer = first.layers[0]
        combined = cls(
            n_features,
            hidden_width,
            first.layers[1].base_weight.shape[1],
            layer.grid_size,
            layer.spline_order,
            torch.Generator(),
            n_networks=len(networks),
        ).to(layer.knots.device)
        states = [network.state_dict() for network in networks]
        with torch.no_grad():
            for name, tensor in combined.state_dict().items():
                tensor.copy_(torch.cat([state[name] for state in states]))
        return combined

    @torch.no_grad()
    def keep_networks(self, index):
        """Keep only the networks at positions ``index`` of those side by side.

        The parameters are new objects: an optimizer must be given them.
        """
        count = self.n_networks
        for module in self.modules():
            # New parameters, not new data in the old ones: autograd keeps
            # the shape a leaf had when it first took part in a graph.
            for name, param in list(module.named_parameters(recurse=False)):
                blocks = param.view(count, -1)[index]
                setattr(
                    module, name, nn.Parameter(blocks.reshape(-1, *param.shape[1:]))
                )
            for name, buffer in module.named_buffers(recurse=False):
                blocks = buffer.view(count, -1)[index]
                setattr(module, name, blocks.reshape(-1, *buffer.shape[1:]))
            if isinstance(module, (KANLayer, KANNetwork)):
                module.n_networks = len(index)

    def forward(self, x):
        if self.n_networks is None:
            return self.layers[1](self.layers[0](x))
        n_samples = x.shape[1]
        inputs = x.transpose(0, 1).reshape(n_samples, -1)
        return self._by_network(self.layers[1](self.layers[0](inputs)))

    def input_norms(self):
        """Norm of the first-layer parameters of each input feature."""
        return self.layers[0].input_norms()

    def forward_from_features(self, features):
        """The output from the first layer's :meth:`KANLayer.expand` features."""
        output = self.layers[1](self.layers[0].forward_expanded(features))
        return output if self.n_networks is None else self._by_network(output)

    def _by_network(self, output):
        """Outputs side by side, (n_samples, n_networks * n), by network."""
        return output.view(output.shape[0], self.n_networks, -1).transpose(0, 1)

    def edge_activations(self, x):
        """``phi`` of the first layer's edges, shape (n_samples, in, hidden)."""
        return self.layers[0].edge_activations(x)

    @torch.no_grad()
    def refit_grids(self, x):
        """Refit both layers' knots to the inputs they receive from ``x``."""
        self.layers[0].refit_grid(x)
        self.layers[1].refit_grid(self.layers[0](x))

    @torch.no_grad()
    def refit_hidden_grid(self, features, present=None):
        """Refit the second layer's knots; the first layer's input is fixed.

        ``present``, a boolean tensor of shape (n_networks, n_rows), says
        which rows of ``features`` each network side by side has (None:
        all); the others are padding, left out of its fit.
        """
        hidden = self.layers[0].forward_expanded(features)
        if present is not None:
            width = hidden.shape[1] // self.n_networks
            present = present.T.repeat_interleave(width, dim=1)
            hidden = torch.where(present, hidden, torch.nan)
        self.layers[1].refit_grid(hidden)

    @torch.no_grad()
    def knockout_losses(self, X, y, loss_fn):
        """Held-out loss with each feature's first-layer edges zeroed in turn.

        Zeroing feature ``i``'s edges removes exactly ``phi[:, i, :]`` from
        the hidden layer's input, so all features are knocked out in one
        batched pass of the second layer instead of one pass per feature.

        Returns
        -------
        base : float
            The loss of the intact network.
        knocked : ndarray of shape (n_features,)
            The loss with each feature knocked out.
        """
        n_samples, n_features = X.shape
        hidden_width, n_outputs = self.layers[1].coef.shape[:2]
        rows = max(1, CHUNK_ELEMENTS // (n_features * hidden_width))
        base, knocked = 0.0, torch.zeros(n_features, dtype=torch.float64)
        for start in range(0, n_samples, rows):
            X_chunk, y_chunk = X[start : start + rows], y[start : start + rows]
            phi = self.edge_activations(X_chunk)
            hidden = phi.sum(dim=1)
            base += float(loss_fn(self.layers[1](hidden), y_chunk)) * len(X_chunk)
            without = (hidden.unsqueeze(1) - phi).reshape(-1, hidden_width)
            outputs = self.layers[1](without).reshape(len(X_chunk), n_features, -1)
            targets = y_chunk.unsqueeze(1).expand(-1, n_features)
            losses = loss_fn(
                outputs.reshape(-1, n_outputs), targets.reshape(-1), reduction="none"
            )
            knocked += losses.reshape(-1, n_features).sum(dim=0).double().cpu()
        return base / n_samples, knocked.numpy() / n_samples


@torch.no_grad()
def load_side_by_side(networks, state):
    """Copy each network's weights out of ``state``, networks side by side.

    ``state`` is a state dict of :meth:`KANNetwork.side_by_side` of
    ``networks``.
    """
    for index, network in enumerate(networks):
        for name, tensor in network.state_dict().items():
            tensor.copy_(state[name].view(len(networks), *tensor.shape)[index])


class CachedFirstLayer(nn.Module):
    """Train a :class:`KANNetwork` on precomputed first-layer features.

    The first layer's input never changes during training and its knots are
    set once, so its SiLU and B-spline features are computed once per row
    (:meth:`KANLayer.expand`) and every epoch reuses them: the first layer
    costs one matrix product per step.
    """

    def __init__(self, network):
        super().__init__()
        self.network = network

    def forward(self, features):
        return self.network.forward_from_features(features)

    def keep_networks(self, index):
        """See :meth:`KANNetwork.keep_networks`."""
        self.network.keep_networks(index)


def build_pykan(widths, grid_size, spline_order, seed, device):
    """A ``kan.KAN`` of the given widths that writes and prints nothing.

    pykan's constructor reseeds the global torch, numpy and :mod:`random`
    generators: call it inside :func:`featsel._torch._training.isolated_session`.
    """
    kan = import_optional("kan", extra="kan")
    model = kan.KAN(
        width=list(widths),
        grid=grid_size,
        k=spline_order,
        noise_scale=NOISE_SCALE,
        grid_eps=GRID_EPS,
        seed=seed,
        # No checkpoints under ./model, no symbolic branch (its functions are
        # all zero until symbolic fitting, which is not used), activations
        # recorded only on demand.
        auto_save=False,
        symbolic_enabled=False,
        save_act=False,
        device=str(device),
    )
    return PykanAdapter(model)


class PykanAdapter:
    """Give a ``kan.KAN`` the interface the scores use on a ``KANNetwork``.

    Parameters
    ----------
    model : kan.KAN
        A pykan network built with ``symbolic_enabled=False`` and
        ``save_act=False`` (activations are recorded on demand).
    """

    def __init__(self, model):
        self.model = model

    def __call__(self, x):
        return self.model(x)

    def edge_activations(self, x):
        """Activations of the first layer's edges recorded by pykan itself."""
        self.model.save_act = True
        try:
            self.model(x)
            # pykan stores them as (n_samples, out, in).
            return self.model.spline_postacts[0].permute(0, 2, 1)
        finally:
            self._forget_activations()

    def input_norms(self):
        """Norm of the first-layer parameters of each input feature."""
        layer = self.model.act_fun[0]
        spline = (layer.scale_sp * layer.mask).unsqueeze(-1) * layer.coef
        return _row_norms(layer.scale_base * layer.mask, spline)

    def refit_grids(self, x):
        """pykan's own data-adaptive grid update on every layer."""
        self.model.update_grid_from_samples(x)
        self._forget_activations()

    def knockout_losses(self, X, y, loss_fn):
        """Held-out loss, then with each feature's first-layer edges zeroed.

        One forward pass of the pykan model per feature, the parameters
        zeroed in place and restored after each.
        """
        layer = self.model.act_fun[0]
        base = evaluate(self.model, loss_fn, X, y)
        knocked = []
        for feature in range(X.shape[1]):
            # pykan's parameters are laid out (in, out[, basis]), like ours.
            with _zeroed(layer.scale_base, layer.scale_sp, layer.coef, row=feature):
                knocked.append(evaluate(self.model, loss_fn, X, y))
        return base, np.asarray(knocked)

    def _forget_activations(self):
        """Drop the data pykan caches at each forward pass (it would be pickled)."""
        self.model.save_act = False
        self.model.cache_data = None
        self.model.acts = None
        for name in (
            "acts_premult",
            "spline_preacts",
            "spline_postsplines",
            "spline_postacts",
            "acts_scale",
            "acts_scale_spline",
            "subnode_actscale",
            "edge_actscale",
        ):
            setattr(self.model, name, [])

    def to_network(self, input_mean, input_scale):
        """The same trained function as a picklable ``KANNetwork`` on the CPU.

        ``kan.KAN`` objects hold lambdas and cannot be pickled. pykan's node
        affine transforms stay at their identity initial values because they
        are not trained (``affine_trainable=False``), so copying the edge
        parameters reproduces the network exactly.
        """
        layers = self.model.act_fun
        network = KANNetwork(
            layers[0].in_dim,
            layers[0].out_dim,
            layers[1].out_dim,
            layers[0].num,
            layers[0].k,
            torch.Generator(),
        )
        with torch.no_grad():
            for ours, theirs in zip(network.layers, layers, strict=True):
                mask = theirs.mask.detach().cpu()
                ours.knots = theirs.grid.detach().cpu().clone()
                ours.base_weight.copy_(theirs.scale_base.detach().cpu() * mask)
                ours.spline_scale.copy_(theirs.scale_sp.detach().cpu() * mask)
                ours.coef.copy_(theirs.coef.detach().cpu())
            network.input_mean.copy_(input_mean)
            network.input_scale.copy_(input_scale)
        return network.eval()


def _row_norms(*parameters):
    """Euclidean norm of each row (input feature) across ``parameters``.

    torch's vector norm has gradient 0 at 0, so an input whose edges are
    all zero does not make the group-lasso gradient NaN.
    """
    rows = torch.cat([parameter.flatten(1) for parameter in parameters], dim=1)
    return torch.linalg.vector_norm(rows, dim=1)


@contextlib.contextmanager
def _zeroed(*parameters, row):
    """Zero row ``row`` of each parameter inside the block, then restore it."""
    saved = [parameter.data[row].clone() for parameter in parameters]
    try:
        with torch.no_grad():
            for parameter in parameters:
                parameter.data[row] = 0.0
        yield
    finally:
        with torch.no_grad():
            for parameter, values in zip(parameters, saved, strict=True):
                parameter.data[row] = values


def kan_scores(network, method, X, y, loss_fn, hidden_width):
    """The raw importance of every input feature, measured on ``(X, y)``.

    Parameters
    ----------
    network : KANNetwork or PykanAdapter
        The trained network.

    method : {"l1", "l2", "si", "ko"}
        The score; see :class:`featsel.KANSelector`.

    X, y : torch.Tensor
        Held-out rows (standardised inputs) and targets.

    hidden_width : int
        Number of hidden nodes of the network.

    loss_fn : callable
        The training loss, used by the knock-out score.

    Returns
    -------
    scores : ndarray of shape (n_features,)
    """
    n_samples, n_features = X.shape
    if method in ("l1", "l2"):
        total = torch.zeros(n_features, dtype=torch.float64, device=X.device)
        rows = max(1, CHUNK_ELEMENTS // (n_features * hidden_width))
        with torch.no_grad():
            for start in range(0, n_samples, rows):
                phi = network.edge_activations(X[start : start + rows]).double()
                magnitude = phi.abs() if method == "l1" else phi.square()
                total += magnitude.sum(dim=(0, 2))
        mean = total / (n_samples * hidden_width)
        scores = mean if method == "l1" else mean.sqrt()
    elif method == "si":
        total = torch.zeros(n_features, dtype=torch.float64, device=X.device)
        for start in range(0, n_samples, EVAL_BATCH_SIZE):
            batch = slice(start, start + EVAL_BATCH_SIZE)
            inputs = X[batch].detach().requires_grad_(True)
            # Rows are independent, so the gradient of the summed outputs
            # holds each row's own input gradient.
            (gradient,) = torch.autograd.grad(network(inputs).abs().sum(), inputs)
            total += gradient.abs().double().sum(dim=0)
        scores = total / n_samples
    else:
        base, knocked = network.knockout_losses(X, y, loss_fn)
        return np.maximum(knocked - base, 0.0)
    return scores.cpu().numpy()
