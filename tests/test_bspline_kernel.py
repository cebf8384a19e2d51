"""The numba kernels of the KAN spline layer against the eager ones."""

import numpy as np
import pytest
from sklearn.datasets import make_classification

from featsel import KANSelector

torch = pytest.importorskip("torch")
pytest.importorskip("numba")

from featsel._torch import _bspline, _bspline_numba  # noqa: E402

ORDER = 3
N_OUTPUTS = 2
BLOCK_INPUTS = 4
N_SAMPLES = 60


def spline_layer_inputs(n_knots, n_networks, dtype, seed=0):
    """Knots with an empty interval, values on, between and outside them.

    The first rows are the knots themselves (left ends of the half-open
    intervals), the next ones lie below the first knot and above the last.
    """
    generator = torch.Generator().manual_seed(seed)
    n_inputs = BLOCK_INPUTS * n_networks
    knots = torch.randn(n_inputs, n_knots, generator=generator, dtype=dtype)
    knots = knots.sort(dim=1).values
    knots[:, 4] = knots[:, 3]
    _, _, centre, rate = _bspline.spline_pieces(knots, ORDER)
    n_rows = n_inputs * (n_knots + 1)
    table = torch.randn(ORDER + 1, N_OUTPUTS, n_rows, generator=generator, dtype=dtype)
    x = 2 * torch.randn(N_SAMPLES, n_inputs, generator=generator, dtype=dtype)
    x[:n_knots] = knots.T
    x[n_knots] = knots[:, 0] - 1
    x[n_knots + 1] = knots[:, -1] + 1
    grad = torch.randn(N_SAMPLES, n_networks * N_OUTPUTS, generator=generator)
    return x, table, knots, centre, rate, grad.to(dtype)


def spline_sum_step(monkeypatch, kernel, inputs, n_networks, requires_grad):
    """The output and the gradients of :class:`_SplineSum` with ``kernel``."""
    monkeypatch.setenv(_bspline.KERNEL_VARIABLE, kernel)
    x, table, knots, centre, rate, grad = inputs
    x = x.clone().requires_grad_(requires_grad[0])
    table = table.clone().requires_grad_(requires_grad[1])
    output = _bspline._SplineSum.apply(x, table, knots, centre, rate, n_networks)
    output.backward(grad)
    return output.detach(), x.grad, table.grad


@pytest.mark.parametrize("n_networks", [1, 3])
@pytest.mark.parametrize(
    "n_knots",
    [12, _bspline.SMALL_KNOT_COUNT + 8],
    ids=["counted-interval", "searched-interval"],
)
@pytest.mark.parametrize(
    "requires_grad",
    [(True, True), (True, False), (False, True)],
    ids=["both", "x-only", "table-only"],
)
def test_numba_kernels_match_eager_outputs_and_gradients(
    monkeypatch, n_networks, n_knots, requires_grad
):
    inputs = spline_layer_inputs(n_knots, n_networks, torch.float64)
    eager = spline_sum_step(monkeypatch, "eager", inputs, n_networks, requires_grad)
    compiled = spline_sum_step(monkeypatch, "numba", inputs, n_networks, requires_grad)
    for name, expected, actual in zip(
        ["output", "grad x", "grad table"], eager, compiled, strict=True
    ):
        if expected is None:
            assert actual is None, name
        else:
            torch.testing.assert_close(actual, expected, rtol=0, atol=1e-6, msg=name)


def test_numba_kernels_match_eager_in_float32(monkeypatch):
    inputs = spline_layer_inputs(12, 5, torch.float32)
    eager = spline_sum_step(monkeypatch, "eager", inputs, 5, (True, True))
    compiled = spline_sum_step(monkeypatch, "numba", inputs, 5, (True, True))
    for expected, actual in zip(eager, compiled, strict=True):
        assert actual.dtype == torch.float32
        torch.testing.assert_close(actual, expected, rtol=1e-5, atol=1e-4)


def test_kernel_variable_picks_the_kernels(monkeypatch):
    inputs = spline_layer_inputs(12, 1, torch.float64)[:5]
    compiled = (_bspline_numba.spline_sum_forward, _bspline_numba.spline_sum_backward)
    eager = (_bspline._spline_sum_forward, _bspline._spline_sum_backward)
    monkeypatch.delenv(_bspline.KERNEL_VARIABLE, raising=False)
    assert _bspline._spline_sum_kernels(*inputs) == compiled
    # A transposed view is not contiguous: the eager kernels take it.
    assert _bspline._spline_sum_kernels(inputs[0].T, *inputs[1:]) == eager
    # Where numba is not installed, the default is the eager kernels.
    with monkeypatch.context() as patch:
        patch.setattr(_bspline, "_numba_installed", lambda: False)
        assert _bspline._spline_sum_kernels(*inputs) == eager
    monkeypatch.setenv(_bspline.KERNEL_VARIABLE, "eager")
    assert _bspline._spline_sum_kernels(*inputs) == eager
    monkeypatch.setenv(_bspline.KERNEL_VARIABLE, "compiled")
    with pytest.raises(ValueError, match="FEATSEL_KAN_KERNEL='compiled'"):
        _bspline._spline_sum_kernels(*inputs)


def test_kernels_that_cannot_load_fall_back_to_eager_with_a_warning(monkeypatch):
    """numba's disk cache fails to load on a read-only install."""
    import builtins

    inputs = spline_layer_inputs(12, 1, torch.float64)[:5]
    eager = (_bspline._spline_sum_forward, _bspline._spline_sum_backward)
    real_import = builtins.__import__

    def read_only_import(name, globals=None, locals=None, fromlist=(), level=0):
        if fromlist and "_bspline_numba" in fromlist:
            raise RuntimeError("cannot cache function: no locator available")
        return real_import(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", read_only_import)
    _bspline._numba_kernels.cache_clear()
    try:
        monkeypatch.delenv(_bspline.KERNEL_VARIABLE, raising=False)
        with pytest.warns(RuntimeWarning, match="NUMBA_CACHE_DIR"):
            assert _bspline._spline_sum_kernels(*inputs) == eager
        monkeypatch.setenv(_bspline.KERNEL_VARIABLE, "numba")
        with pytest.raises(RuntimeError, match="no locator"):
            _bspline._spline_sum_kernels(*inputs)
    finally:
        _bspline._numba_kernels.cache_clear()


@pytest.mark.parametrize("method", ["l1", "l2", "si", "ko"])
def test_kan_selector_ranks_the_same_with_either_kernel(monkeypatch, method):
    # cv=5 trains the five networks side by side; their second layer (two
    # outputs) is the spline sum. KAN-SI's gradient with respect to the
    # inputs passes through it, KAN-KO evaluates it without gradients.
    X, y = make_classification(150, 6, n_informative=3, random_state=0)
    fits = {}
    for kernel in ("eager", "numba"):
        monkeypatch.setenv(_bspline.KERNEL_VARIABLE, kernel)
        selector = KANSelector(method=method, max_epochs=30, random_state=0)
        fits[kernel] = selector.fit(X, y)
    np.testing.assert_array_equal(fits["numba"].ranking_, fits["eager"].ranking_)
    np.testing.assert_allclose(fits["numba"].scores_, fits["eager"].scores_, atol=1e-5)
