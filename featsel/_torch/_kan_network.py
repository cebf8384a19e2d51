"""The KAN behind :class:`featsel.KANSelector`, the four feature scores, the loss.

A Kolmogorov-Arnold network written for speed (only the non-zero B-splines
of each input are evaluated, from per-interval polynomials, see
:mod:`._bspline`; a wide layer's forward pass is one matrix product, a
layer with few outputs reads each spline's polynomial on the input's knot
interval), and the scores computed on it or on the pykan adapter of
:mod:`._pykan`. The module imports torch: the selector imports it inside
``fit``.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib

import numpy as np

from .._optional import import_optional
from ._bspline import (
    _locate,
    _piecewise_values,
    _SplineSum,
    bspline_basis,
    data_knots,
    spline_pieces,
)
from ._training import EVAL_BATCH_SIZE

torch = import_optional("torch", extra="nn")
nn = torch.nn
F = torch.nn.functional

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
        :func:`featsel._torch._kan_training.train_side_by_side`). Copy weights
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


def evaluate(module, loss_fn, X, y, *, batch_size=EVAL_BATCH_SIZE):
    """Mean of ``loss_fn`` over the rows of ``X``, without gradients.

    ``loss_fn`` must average over its rows (the torch default), so batches
    are weighted by their size.
    """
    was_training = module.training
    module.eval()
    total = 0.0
    with torch.no_grad():
        for start in range(0, X.shape[0], batch_size):
            stop = start + batch_size
            batch_loss = loss_fn(module(X[start:stop]), y[start:stop])
            total += float(batch_loss) * (min(stop, X.shape[0]) - start)
    module.train(was_training)
    return total / X.shape[0]
