"""numba kernels of the spline layer :class:`._bspline._SplineSum`.

The eager kernels of :mod:`._bspline` make one pass over all the values per
step (locate, gather the pieces, each power of Horner's rule, each power
of the table's gradient), each pass writing a tensor the next one reads.
Here the forward pass is one loop over the inputs (locate the input's
values, evaluate every output's polynomial at them, add them to the
output) and the backward pass one loop over the values (the gradient with
respect to ``x``, and each power of the table's gradient added into the
value's row), in the same piece layout, with the same saved tensors and
the same results up to rounding. :mod:`._bspline` imports this module
only when numba (the ``numba`` extra) is installed and the tensors are on
the CPU; numba compiles each kernel on its first call for each dtype and
keeps the machine code in its disk cache (``cache=True``), so that later
processes load it instead.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from .._optional import import_optional
from ._bspline import SMALL_KNOT_COUNT

numba = import_optional("numba", extra="numba")
torch = import_optional("torch", extra="nn")


def spline_sum_forward(x, table, knots, centre, rate, n_networks, needs_slope):
    """The forward pass of :class:`._bspline._SplineSum`, compiled.

    Same arguments and results as ``_bspline._spline_sum_forward``: the
    output of shape (n_samples, n_networks * n_outputs), and the ``row``,
    ``local`` and ``slope`` (None without ``needs_slope``) that the
    backward pass reads.
    """
    n_samples, n_inputs = x.shape
    n_outputs = table.shape[1]
    output = x.new_zeros(n_networks, n_outputs, n_samples)
    row = torch.empty(n_inputs * n_samples, dtype=torch.int64, device=x.device)
    local = x.new_empty(n_inputs * n_samples)
    # An empty slope is never written: the kernel keeps one signature.
    slope = x.new_empty(n_outputs, n_inputs * n_samples if needs_slope else 0)
    _forward_kernel(
        # Each input's values in one run, as in _locate.
        x.detach().T.contiguous().numpy(),
        table.detach().numpy(),
        knots.numpy(),
        centre.numpy(),
        rate.numpy(),
        output.numpy(),
        row.numpy(),
        local.numpy(),
        slope.numpy(),
        needs_slope,
    )
    output = output.permute(2, 0, 1).reshape(n_samples, n_networks * n_outputs)
    return output, row, local, slope if needs_slope else None


def spline_sum_backward(grad_output, row, local, slope, table_shape, n_networks):
    """The backward pass of :class:`._bspline._SplineSum`, compiled.

    Same arguments and results as ``_bspline._spline_sum_backward``:
    the gradients with respect to ``x`` (None when ``slope`` is None) and
    to the table (None when ``table_shape`` is None).
    """
    n_samples = grad_output.shape[0]
    n_inputs = row.numel() // n_samples
    # Empty tensors are never written: the kernel keeps one signature.
    grad_x = grad_output.new_zeros(n_inputs, 0 if slope is None else n_samples)
    grad_table = grad_output.new_zeros(table_shape or (0, 0, 0))
    _backward_kernel(
        grad_output.contiguous().numpy(),
        row.numpy(),
        local.numpy(),
        grad_output.new_empty(0, 0).numpy() if slope is None else slope.numpy(),
        grad_x.numpy(),
        grad_table.numpy(),
        n_networks,
    )
    return (
        # Inputs first, as the eager kernel returns it.
        None if slope is None else grad_x.T,
        None if table_shape is None else grad_table,
    )


@numba.njit(cache=True)
def _forward_kernel(
    by_input, table, knots, centre, rate, output, row, local, slope, needs_slope
):
    """Fill ``output``, ``row``, ``local`` and (with ``needs_slope``) ``slope``.

    Input by input: the knot interval and the interval coordinate of every
    value (as :func:`._bspline._locate`), then every output's polynomial at
    every value by Horner's rule (as :func:`._bspline._piecewise_values`,
    the derivative alongside), added to the output of the input's network.
    ``by_input`` is ``x.T``, and ``output`` has shape (n_networks,
    n_outputs, n_samples).
    """
    n_inputs, n_samples = by_input.shape
    size, n_outputs, _ = table.shape
    n_knots = knots.shape[1]
    block_inputs = n_inputs // output.shape[0]
    interval = np.empty(n_samples, np.int64)
    spline = np.empty(n_samples, by_input.dtype)
    derivative = np.empty(n_samples, by_input.dtype)
    for i in range(n_inputs):
        values = by_input[i]
        if n_knots < SMALL_KNOT_COUNT:
            # Counting the knots at or below each value, knot by knot over
            # all the values, takes vector instructions: faster than a
            # binary search when the knots are few.
            interval[:] = 0
            for knot in range(n_knots):
                for n in range(n_samples):
                    interval[n] += values[n] >= knots[i, knot]
        else:
            interval[:] = np.searchsorted(knots[i], values, side="right")
        rows = row[i * n_samples : (i + 1) * n_samples]
        s = local[i * n_samples : (i + 1) * n_samples]
        for n in range(n_samples):
            r = i * (n_knots + 1) + interval[n]
            rows[n] = r
            s[n] = (values[n] - centre[r]) * rate[r]
        # One power at a time over all the input's values, as the eager
        # kernel does over all the values: the loops take vector
        # instructions, and the input's rows of the table stay in cache.
        # 30 % faster than each value's polynomial in turn.
        for o in range(n_outputs):
            for n in range(n_samples):
                spline[n] = table[size - 1, o, rows[n]]
            derivative[:] = 0
            for power in range(size - 2, -1, -1):
                if needs_slope:
                    for n in range(n_samples):
                        derivative[n] = spline[n] + derivative[n] * s[n]
                for n in range(n_samples):
                    spline[n] = table[power, o, rows[n]] + spline[n] * s[n]
            network_output = output[i // block_inputs, o]
            for n in range(n_samples):
                network_output[n] += spline[n]
            if needs_slope:
                slopes = slope[o, i * n_samples : (i + 1) * n_samples]
                for n in range(n_samples):
                    slopes[n] = derivative[n] * rate[rows[n]]


@numba.njit(cache=True)
def _backward_kernel(grad_output, row, local, slope, grad_x, grad_table, n_networks):
    """Fill ``grad_x`` and ``grad_table``, unless they are empty.

    ``grad_x[i, n]`` sums the slope of every output of the input's network
    times that output's gradient; ``grad_table[k, o, row]`` gathers the
    output's gradient times ``s ** k`` of every value that reads the row.
    """
    n_samples = grad_output.shape[0]
    n_outputs = grad_output.shape[1] // n_networks
    size, _, n_rows = grad_table.shape
    n_inputs = row.shape[0] // n_samples
    block_inputs = n_inputs // n_networks
    needs_x = grad_x.shape[1] > 0
    # The gradient of a row's pieces next to each other while it gathers:
    # 20 % faster than adding into the table's layout.
    by_row = np.zeros((n_rows, n_outputs, size), grad_table.dtype)
    for i in range(n_inputs):
        first_output = (i // block_inputs) * n_outputs
        for n in range(n_samples):
            at = i * n_samples + n
            r = row[at]
            s = local[at]
            for o in range(n_outputs):
                grad = grad_output[n, first_output + o]
                if needs_x:
                    grad_x[i, n] += slope[o, at] * grad
                # An empty table has size 0: this loop does not run.
                term = grad
                for power in range(size):
                    by_row[r, o, power] += term
                    term *= s
    for r in range(n_rows):
        for o in range(n_outputs):
            for power in range(size):
                grad_table[power, o, r] = by_row[r, o, power]
