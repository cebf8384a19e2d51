"""KANSelector: the four scores on both engines."""

import copy
import pickle
import random

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.utils._param_validation import InvalidParameterError

from featsel import KANSelector

torch = pytest.importorskip("torch")
pytest.importorskip("kan")

from featsel._torch import (  # noqa: E402
    _bspline,
    _kan_network,
    _kan_training,
    _layers,
    _pykan,
    _training,
)

METHODS = ["l1", "l2", "si", "ko"]
BACKENDS = ["torch", "pykan"]
# Small but real: one held-out split and a short training.
FAST = {"cv": "holdout", "max_epochs": 40, "hidden_units": 8, "grid_size": 4}


def classification(n_classes=2, seed=0):
    """Informative columns first (shuffle=False), then pure noise.

    The cluster settings make every informative column matter (a random
    forest's permutation importance is clearly positive on each).
    """
    X, y = make_classification(
        n_samples=240,
        n_features=8,
        n_informative=3,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=2 if n_classes == 2 else 1,
        class_sep=1.5,
        shuffle=False,
        random_state=seed,
    )
    return X, y, np.arange(3)


def regression(seed=0):
    X, y, coef = make_regression(
        n_samples=240,
        n_features=8,
        n_informative=3,
        noise=0.5,
        coef=True,
        random_state=seed,
    )
    return X, y, np.flatnonzero(coef)


def top_recall(selector, informative):
    top = np.argsort(selector.ranking_)[: informative.size]
    return np.isin(top, informative).mean()


def check_scores(selector, n_features):
    scores = selector.scores_
    assert scores.shape == (n_features,)
    assert np.all(np.isfinite(scores)) and np.all(scores >= 0)
    assert scores.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "data",
    [classification, lambda: classification(n_classes=3), regression],
    ids=["binary", "multiclass", "regression"],
)
def test_scores_and_recall(method, backend, data):
    X, y, informative = data()
    selector = KANSelector(method=method, backend=backend, random_state=0, **FAST)
    selector.fit(X, y)
    check_scores(selector, X.shape[1])
    assert top_recall(selector, informative) >= 2 / 3
    assert selector.scores_per_fold_.shape == (1, X.shape[1])
    assert len(selector.networks_) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_same_random_state_same_scores(backend):
    X, y, _ = classification()
    params = {**FAST, "max_epochs": 10, "backend": backend}
    first = KANSelector(method="si", random_state=3, **params).fit(X, y)
    second = KANSelector(method="si", random_state=3, **params).fit(X, y)
    np.testing.assert_array_equal(first.ranking_, second.ranking_)
    if backend == "torch":
        np.testing.assert_array_equal(first.scores_, second.scores_)
    else:
        # pykan refits its grids with torch.linalg.lstsq, which is only
        # reproducible to float32 rounding.
        np.testing.assert_allclose(first.scores_, second.scores_, rtol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_global_state_untouched(backend):
    X, y, _ = classification()
    torch.manual_seed(11)
    # The legacy global generators are exactly what must stay untouched.
    np.random.seed(11)  # noqa: NPY002
    random.seed(11)
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()  # noqa: NPY002
    python_state = random.getstate()
    threads = torch.get_num_threads()
    KANSelector(
        method="l2", backend=backend, random_state=0, **{**FAST, "max_epochs": 5}
    ).fit(X, y)
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002
    assert random.getstate() == python_state
    assert torch.get_num_threads() == threads


def test_pykan_writes_and_prints_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    X, y, _ = classification()
    KANSelector(method="ko", backend="pykan", random_state=0, **FAST).fit(X, y)
    assert not (tmp_path / "model").exists()
    assert list(tmp_path.iterdir()) == []
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_verbose_reports_progress(capsys):
    X, y, _ = classification()
    KANSelector(random_state=0, verbose=2, **{**FAST, "max_epochs": 4}).fit(X, y)
    out = capsys.readouterr().out
    assert "fold 1/1" in out
    assert "epoch    2" in out


@pytest.mark.parametrize("backend", BACKENDS)
def test_fitted_selector_pickles_with_cpu_networks(backend):
    X, y, _ = classification()
    selector = KANSelector(
        method="l1",
        backend=backend,
        random_state=0,
        cv=2,
        **{key: value for key, value in FAST.items() if key != "cv"},
    ).fit(X, y)
    assert selector.scores_per_fold_.shape == (2, X.shape[1])
    assert selector.n_epochs_.shape == (2,)
    restored = pickle.loads(pickle.dumps(selector))
    np.testing.assert_array_equal(restored.transform(X), selector.transform(X))
    for network, original in zip(restored.networks_, selector.networks_, strict=True):
        assert isinstance(network, _kan_network.KANNetwork)
        assert all(p.device.type == "cpu" for p in network.parameters())
        standardized = (X - original.input_mean.numpy()) / original.input_scale.numpy()
        inputs = torch.as_tensor(standardized, dtype=torch.float32)
        with torch.no_grad():
            torch.testing.assert_close(network(inputs), original(inputs))


def test_pykan_network_converts_exactly():
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(200, 5, generator=generator)
    with _training.isolated_session(0):
        adapter = _pykan.build_pykan([5, 7, 3], 4, 3, seed=0, device="cpu")
        adapter.refit_grids(X)
        with torch.no_grad():
            for layer in adapter.model.act_fun:
                layer.coef.add_(0.3 * torch.randn(layer.coef.shape))
                layer.scale_base.mul_(1.5)
        expected = adapter(X)
        phi = adapter.edge_activations(X)
    network = adapter.to_network(torch.zeros(5), torch.ones(5))
    with torch.no_grad():
        torch.testing.assert_close(network(X), expected, rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(network.edge_activations(X), phi)


def test_batched_knockout_matches_zeroing_each_feature():
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(100, 6, generator=generator)
    y = torch.randint(0, 3, (100,), generator=generator)
    network = _kan_network.KANNetwork(6, 9, 3, 4, 3, generator)
    network.refit_grids(X)
    loss = _layers.task_loss("classification")
    base, knocked = network.knockout_losses(X, y, loss)
    layer = network.layers[0]
    with torch.no_grad():
        assert base == pytest.approx(float(loss(network(X), y)), rel=1e-5)
        for feature in range(6):
            saved = [p[feature].clone() for p in (layer.base_weight, layer.coef)]
            layer.base_weight[feature] = 0.0
            layer.coef[feature] = 0.0
            expected = float(loss(network(X), y))
            layer.base_weight[feature], layer.coef[feature] = saved
            assert knocked[feature] == pytest.approx(expected, rel=1e-4)


def test_bspline_basis_matches_pykan_and_gradient():
    from kan.spline import B_batch

    generator = torch.Generator().manual_seed(0)
    x = 2 * torch.randn(40, 3, generator=generator, dtype=torch.float64)
    knots = _bspline.data_knots(x, 5, 3)
    basis = _bspline.bspline_basis(x, knots, 3)
    torch.testing.assert_close(basis, B_batch(x, knots, 3))
    # Inside the knot range the basis is a partition of unity.
    inside = (x > knots[:, 3]) & (x < knots[:, -4])
    torch.testing.assert_close(basis.sum(-1)[inside], torch.ones_like(x)[inside])
    assert torch.autograd.gradcheck(
        lambda z: _bspline.bspline_basis(z, knots, 3), (x.requires_grad_(True),)
    )


@pytest.mark.parametrize("order", [0, 1, 3, 4])
def test_local_basis_matches_dense_recursion_and_its_gradient(order):
    generator = torch.Generator().manual_seed(order)
    # A third of the rows fall outside the knots, where every basis is 0.
    x = 3 * torch.randn(60, 4, generator=generator, dtype=torch.float64)
    knots = _bspline.data_knots(x[:20] / 3, 4, order)
    assert ((x < knots[:, :1].T) | (x >= knots[:, -1:].T)).any()
    dense = _bspline.dense_bspline_basis(x, knots, order)
    torch.testing.assert_close(
        _bspline.bspline_basis(x, knots, order), dense, rtol=0, atol=1e-12
    )
    weights = torch.randn(dense.shape, generator=generator, dtype=torch.float64)
    for_local = x.clone().requires_grad_(True)
    (local_grad,) = torch.autograd.grad(
        (_bspline.bspline_basis(for_local, knots, order) * weights).sum(),
        for_local,
    )
    if order == 0:
        # Piecewise constant: the recursion has no gradient at all.
        assert torch.count_nonzero(local_grad) == 0
        return
    for_dense = x.clone().requires_grad_(True)
    (dense_grad,) = torch.autograd.grad(
        (_bspline.dense_bspline_basis(for_dense, knots, order) * weights).sum(),
        for_dense,
    )
    torch.testing.assert_close(local_grad, dense_grad, rtol=0, atol=1e-10)


def test_layer_basis_follows_its_knots():
    generator = torch.Generator().manual_seed(0)
    layer = _kan_network.KANLayer(3, 2, 4, 3, generator)
    x = torch.randn(50, 3, generator=generator)
    before = layer.basis(x)
    # Knots changed in place (a restored state) or replaced (a grid refit).
    with torch.no_grad():
        layer.knots.mul_(2.0)
    expected = _bspline.dense_bspline_basis(x, layer.knots, 3)
    torch.testing.assert_close(layer.basis(x), expected, rtol=0, atol=1e-6)
    layer.refit_grid(x)
    expected = _bspline.dense_bspline_basis(x, layer.knots, 3)
    torch.testing.assert_close(layer.basis(x), expected, rtol=0, atol=1e-6)
    assert not torch.equal(before, layer.basis(x))
    restored = pickle.loads(pickle.dumps(layer))
    torch.testing.assert_close(restored.basis(x), layer.basis(x))


@pytest.mark.parametrize(
    ("order", "n_inputs", "n_outputs"),
    [(0, 5, 1), (1, 5, 2), (3, 5, 2), (3, 1, 3), (3, 5, 4)],
)
def test_piecewise_layer_matches_the_basis_product_and_its_gradients(
    order, n_inputs, n_outputs
):
    generator = torch.Generator().manual_seed(order)
    layer = _kan_network.KANLayer(n_inputs, n_outputs, 4, order, generator).double()
    # A third of the rows fall outside the knots.
    x = 3 * torch.randn(60, n_inputs, generator=generator, dtype=torch.float64)
    layer.refit_grid(x[:20] / 3)
    with torch.no_grad():
        layer.coef.copy_(torch.randn(layer.coef.shape, generator=generator))
    results = []
    for forward in (
        layer.forward_piecewise,
        lambda z: layer.forward_expanded(layer.expand(z)),
    ):
        inputs = x.clone().requires_grad_(True)
        layer.zero_grad()
        outputs = forward(inputs)
        (outputs.sin().sum()).backward()
        results.append(
            [outputs, inputs.grad]
            + [parameter.grad for parameter in layer.parameters()]
        )
    for piecewise, product in zip(*results, strict=True):
        torch.testing.assert_close(piecewise, product, rtol=0, atol=1e-10)


def test_knots_follow_the_data():
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(500, 2, generator=generator) * torch.tensor([1.0, 50.0])
    knots = _bspline.data_knots(x, 5, 3)
    interior = knots[:, 3:-3]
    torch.testing.assert_close(interior[:, 0], x.min(dim=0).values)
    torch.testing.assert_close(interior[:, -1], x.max(dim=0).values)
    assert torch.all(torch.diff(knots, dim=1) > 0)


def test_uncached_first_layer_gives_the_same_scores(monkeypatch):
    X, y, _ = regression()
    cached = KANSelector(method="si", random_state=0, **FAST).fit(X, y)
    monkeypatch.setattr(_kan_training, "MAX_CACHED_FEATURES", 0)
    uncached = KANSelector(method="si", random_state=0, **FAST).fit(X, y)
    np.testing.assert_allclose(uncached.scores_, cached.scores_, rtol=1e-3)


@pytest.mark.parametrize(
    "data",
    [classification, lambda: classification(n_classes=4), regression],
    ids=["binary", "four-classes", "regression"],
)
def test_folds_trained_side_by_side_match_one_by_one(monkeypatch, data):
    """Training the folds' networks together changes only float rounding.

    237 rows in 4 folds give 141 or 142 training rows a fold, so padding
    rows are exercised in the loss and in the grid refits; the folds stop
    at different epochs, so networks are dropped as they stop. With four
    classes the output layer takes its other path (a basis product). The
    runs are short: float32 rounding, in another order, drifts with time.
    """
    X, y, _ = data()
    X, y = X[:237], y[:237]
    params = {**FAST, "cv": 4, "max_epochs": 30, "lr": 0.05, "patience": 5}
    calls = []
    side_by_side = _kan_training.train_side_by_side

    def spy(module, loss_fn, X, *args, **kwargs):
        calls.append(X.shape[0])
        return side_by_side(module, loss_fn, X, *args, **kwargs)

    monkeypatch.setattr(_kan_training, "train_side_by_side", spy)
    together = KANSelector(random_state=0, **params).fit(X, y)
    assert calls == [4]
    monkeypatch.setattr(
        _kan_training.KANTraining, "_trains_side_by_side", lambda *args: False
    )
    apart = KANSelector(random_state=0, **params).fit(X, y)
    assert calls == [4]
    np.testing.assert_array_equal(together.n_epochs_, apart.n_epochs_)
    assert np.unique(together.n_epochs_).size > 2
    np.testing.assert_allclose(
        together.scores_per_fold_, apart.scores_per_fold_, rtol=2e-3, atol=1e-6
    )


def test_side_by_side_threads_follow_the_work_of_every_fold(monkeypatch):
    """One fold's step is below the single-thread bound, four folds' above."""
    X, y, _ = classification()
    # 180 training rows x 8 features x 8 hidden units x (4 + 4) per fold.
    monkeypatch.setattr(_training, "SINGLE_THREAD_WORK", 2 * 180 * 8 * 8 * 8)
    threads = []
    side_by_side = _kan_training.train_side_by_side

    def spy(*args, **kwargs):
        threads.append(torch.get_num_threads())
        return side_by_side(*args, **kwargs)

    monkeypatch.setattr(_kan_training, "train_side_by_side", spy)
    KANSelector(random_state=0, n_jobs=2, **{**FAST, "cv": 4, "max_epochs": 2}).fit(
        X, y
    )
    assert threads == [2]


@pytest.mark.parametrize("cv", ["holdout", 5])
def test_a_single_feature_fits(cv):
    """One input feeds a first layer of 3 hidden units (piecewise, one input)."""
    X, y, _ = classification()
    selector = KANSelector(cv=cv, max_epochs=5, random_state=0).fit(X[:, :1], y)
    assert selector.hidden_units_ == 3
    check_scores(selector, 1)


def test_side_by_side_network_computes_each_network():
    generator = torch.Generator().manual_seed(0)
    networks = [_kan_network.KANNetwork(4, 5, 2, 4, 3, generator) for _ in range(3)]
    inputs = [torch.randn(20, 4, generator=generator) * (1 + i) for i in range(3)]
    for network, x in zip(networks, inputs, strict=True):
        network.refit_grids(x)
    combined = _kan_network.KANNetwork.side_by_side(networks)
    output = combined(torch.stack(inputs))
    for network, x, network_output in zip(networks, inputs, output, strict=True):
        torch.testing.assert_close(network_output, network(x))
    features = combined.layers[0].expand(torch.cat(inputs, dim=1))
    torch.testing.assert_close(combined.forward_from_features(features), output)
    # Dropping a network leaves the others computing what they did.
    combined.keep_networks(torch.tensor([0, 2]))
    torch.testing.assert_close(combined(torch.stack(inputs[::2])), output[::2])
    with torch.no_grad():
        combined.layers[0].coef.mul_(2.0)
    kept = networks[::2]
    _kan_network.load_side_by_side(kept, combined.state_dict())
    torch.testing.assert_close(kept[1].layers[0].coef, combined.layers[0].coef[4:8])


def test_adam_keeps_the_moments_of_the_networks_kept():
    weight = torch.nn.Parameter(torch.zeros(4, 3))
    optimizer = _kan_training._SideBySideAdam([weight], lr=0.1)
    weight.grad = torch.arange(12.0).view(4, 3)
    optimizer.step()
    kept = torch.nn.Parameter(weight.detach()[2:].clone())
    optimizer.keep_blocks(torch.tensor([1]), 2, [kept])
    assert optimizer.params == [kept]
    mean, square = optimizer.moments[0]
    torch.testing.assert_close(mean, 0.1 * torch.arange(6.0, 12.0).view(2, 3))
    torch.testing.assert_close(square, 0.001 * torch.arange(6.0, 12.0).view(2, 3) ** 2)


def test_grid_refit_leaves_out_nan_rows():
    generator = torch.Generator().manual_seed(0)
    layer = _kan_network.KANLayer(3, 2, 4, 3, generator)
    padded = copy.deepcopy(layer)
    x = torch.randn(50, 3, generator=generator)
    layer.refit_grid(x)
    padded.refit_grid(torch.cat([x, torch.full((7, 3), torch.nan)]))
    torch.testing.assert_close(padded.knots, layer.knots)
    torch.testing.assert_close(padded.coef, layer.coef)


@pytest.mark.parametrize("n_outputs", [2, 5])
def test_grid_refit_is_the_ridged_least_squares_fit_of_the_splines(n_outputs):
    generator = torch.Generator().manual_seed(0)
    layer = _kan_network.KANLayer(3, n_outputs, 4, 3, generator).double()
    x = torch.randn(200, 3, generator=generator, dtype=torch.float64)
    with torch.no_grad():
        layer.coef.copy_(torch.randn(layer.coef.shape, generator=generator))
    old_basis = _bspline.dense_bspline_basis(1.5 * x, layer.knots, 3)
    splines = torch.einsum("nik,iok->ino", old_basis, layer.coef.detach())
    layer.refit_grid(1.5 * x)
    basis = _bspline.dense_bspline_basis(1.5 * x, layer.knots, 3).transpose(0, 1)
    gram = basis.mT @ basis
    ridge = _kan_network.REFIT_RIDGE * gram.diagonal(dim1=1, dim2=2).mean(dim=1)
    gram = gram + ridge[:, None, None] * torch.eye(gram.shape[-1], dtype=gram.dtype)
    expected = torch.linalg.solve(gram, basis.mT @ splines).mT
    torch.testing.assert_close(layer.coef.detach(), expected, rtol=0, atol=1e-9)


def test_column_quantiles_match_nanquantile():
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(41, 5, generator=generator)
    x[30:, 1] = torch.nan
    x[:, 2] = torch.nan
    x[:, 3] = torch.randint(0, 3, (41,), generator=generator).float()
    levels = torch.linspace(0, 1, 6)
    torch.testing.assert_close(
        _bspline._column_quantiles(x, levels),
        torch.nanquantile(x, levels, dim=0).T,
        rtol=0,
        atol=1e-6,
        equal_nan=True,
    )


def test_side_by_side_early_stopping_keeps_each_networks_best_weights():
    module = torch.nn.Module()
    module.weight = torch.nn.Parameter(torch.zeros(2, 3))
    module.register_buffer("knots", torch.zeros(2))
    stopping = _kan_training._EarlyStopping(module, 2, patience=2, tol=0.0)
    losses = [[1.0, 1.0], [0.5, 2.0], [0.7, 0.4], [0.8, 0.3], [0.9, 0.35]]
    for epoch, epoch_losses in enumerate(losses):
        with torch.no_grad():
            module.weight.fill_(epoch)
            module.knots.fill_(epoch)
        stopping.update(epoch, np.array(epoch_losses))
    # Network 0 is best after epoch 1 and stops two epochs later; network 1
    # is best after epoch 3 and still running.
    np.testing.assert_array_equal(stopping.stopped, [True, False])
    np.testing.assert_array_equal(stopping.best_state["weight"][:, 0], [1.0, 3.0])
    np.testing.assert_array_equal(stopping.best_state["knots"], [1.0, 3.0])
    results = stopping.results()
    assert [result.best_epoch for result in results] == [1, 3]
    assert [result.n_epochs for result in results] == [3, 4]
    assert results[0].history == [0.5, 0.7, 0.8]


def test_hidden_units_default_and_cap():
    X, y, _ = classification()
    narrow = KANSelector(random_state=0, **{**FAST, "hidden_units": None})
    assert narrow.fit(X[:, :3], y).hidden_units_ == 7
    wide_X = np.hstack([X] * 5)
    wide_X = wide_X + 0.01 * np.random.default_rng(0).normal(size=wide_X.shape)
    wide = KANSelector(random_state=0, **{**FAST, "hidden_units": None})
    assert wide.fit(wide_X, y).hidden_units_ == 64
    wider_X = np.random.default_rng(0).normal(size=(X.shape[0] // 6, 1000))
    wider = KANSelector(random_state=0, **{**FAST, "hidden_units": None})
    assert wider.fit(wider_X, y[::6][: wider_X.shape[0]]).hidden_units_ == 51


@pytest.mark.parametrize(
    "n_features, expected",
    [
        (3, 7),
        (31, 63),
        (32, 64),
        (800, 64),
        (801, 63),
        (1600, 32),
        (3200, 16),
        (6400, 8),
        (100_000, 8),
    ],
)
def test_default_width_bounds_the_first_layers_edges(n_features, expected):
    from featsel._kan import default_hidden_units

    assert default_hidden_units(n_features) == expected


def test_basis_in_row_blocks_matches_one_pass(monkeypatch):
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(50, 7, generator=generator)
    knots = _bspline.data_knots(x, 5, 3)
    one_pass = _bspline.bspline_basis(x, knots, 3)
    monkeypatch.setattr(_bspline, "BASIS_BLOCK_VALUES", 7 * 8)
    with torch.no_grad():
        in_blocks = _bspline.bspline_basis(x, knots, 3)
    assert torch.equal(in_blocks, one_pass)


def test_auto_learning_rate_shrinks_with_the_square_root_of_the_features(
    monkeypatch,
):
    used = []
    fit_folds = _kan_training.fit_folds

    def record(*args, **settings):
        used.append(settings["lr"])
        return fit_folds(*args, **settings)

    monkeypatch.setattr(_kan_training, "fit_folds", record)
    X, y, _ = classification()
    rng = np.random.default_rng(0)
    for n_features, expected in [(X.shape[1], 0.01), (800, 0.005), (3200, 0.0025)]:
        columns = np.hstack([X, rng.normal(size=(X.shape[0], 3200))])[:, :n_features]
        params = {**FAST, "max_epochs": 1, "lr": "auto"}
        selector = KANSelector(random_state=0, **params).fit(columns[::6], y[::6])
        assert selector.lr_ == pytest.approx(expected)
        assert used[-1] == pytest.approx(expected)
    assert KANSelector(**FAST, random_state=0).fit(X[::6], y[::6]).lr_ == 0.01


def test_patience_and_validation_fraction_are_used(capsys):
    X, y, _ = classification()
    params = {**FAST, "max_epochs": 200, "lr": 0.05}
    patient = KANSelector(patience=50, random_state=0, **params).fit(X, y)
    hasty = KANSelector(patience=2, random_state=0, **params).fit(X, y)
    assert hasty.n_epochs_[0] < patient.n_epochs_[0]
    quick = {**FAST, "max_epochs": 1}
    KANSelector(validation_fraction=0.5, verbose=1, random_state=0, **quick).fit(X, y)
    assert "training on 60 rows, early stopping on 60, scoring on 120" in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize(("cv", "n_networks"), [("holdout", 1), (None, 5), (3, 3)])
def test_early_stopping_never_watches_the_scoring_rows(monkeypatch, cv, n_networks):
    """Training, early-stopping and scoring rows are disjoint in every fold.

    Column 0 holds the row number, so each row is known by its
    (standardised) value there; uncached, the training loop and the scores
    receive the standardised inputs themselves.
    """
    X, y, _ = regression()
    X = np.column_stack([np.arange(X.shape[0]), X])
    monkeypatch.setattr(_kan_training, "MAX_CACHED_FEATURES", 0)
    folds = []
    train = _kan_training.train_with_early_stopping
    kan_scores = _kan_network.kan_scores

    def spy_train(module, loss_fn, X_fit, y_fit, X_stop, y_stop, **kwargs):
        folds.append({"fit": X_fit[:, 0], "stop": X_stop[:, 0]})
        return train(module, loss_fn, X_fit, y_fit, X_stop, y_stop, **kwargs)

    def spy_scores(network, method, X_score, *args):
        folds[-1]["score"] = X_score[:, 0]
        return kan_scores(network, method, X_score, *args)

    monkeypatch.setattr(_kan_training, "train_with_early_stopping", spy_train)
    monkeypatch.setattr(_kan_network, "kan_scores", spy_scores)
    KANSelector(random_state=0, **{**FAST, "cv": cv, "max_epochs": 3}).fit(X, y)
    # cv=None is scikit-learn's 5 folds.
    assert len(folds) == n_networks
    for fold in folds:
        rows = {part: set(values.tolist()) for part, values in fold.items()}
        assert len(rows["fit"] | rows["stop"] | rows["score"]) == X.shape[0]
        assert sum(len(part) for part in rows.values()) == X.shape[0]
        n_train = X.shape[0] - len(rows["score"])
        assert len(rows["stop"]) == np.ceil(0.2 * n_train)


def test_no_signal_gives_uniform_scores_and_warns(monkeypatch):
    X, y, _ = classification()
    X[:, 5] = 1.0
    monkeypatch.setattr(
        _kan_network,
        "kan_scores",
        lambda network, method, X, *args: np.zeros(X.shape[1]),
    )
    with pytest.warns(UserWarning, match="found no signal"):
        selector = KANSelector(method="ko", random_state=0, **FAST).fit(X, y)
    assert selector.scores_[5] == 0.0
    np.testing.assert_allclose(np.delete(selector.scores_, 5), 1 / 7)


def test_plot_scores():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    X, y, _ = classification()
    selector = KANSelector(method="l2", random_state=0, **FAST).fit(X, y)
    ax = selector.plot_scores()
    assert len(ax.patches) == X.shape[1]
    assert ax.get_xticklabels()[0].get_text() == f"x{np.argmin(selector.ranking_)}"
    matplotlib.pyplot.close(ax.figure)


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"method": "l3"}, InvalidParameterError, "'method' parameter"),
        ({"backend": "jax"}, InvalidParameterError, "'backend' parameter"),
        ({"hidden_units": 0}, InvalidParameterError, "'hidden_units' parameter"),
        ({"cv": 1}, InvalidParameterError, "'cv' parameter"),
        ({"cv": 0.3}, InvalidParameterError, "'cv' parameter"),
        ({"validation_fraction": 1.0}, InvalidParameterError, "'validation_fraction'"),
        ({"sparsity": -0.1}, InvalidParameterError, "'sparsity' parameter"),
        ({"patience": 0}, InvalidParameterError, "'patience' parameter"),
        ({"lr": 0.0}, InvalidParameterError, "'lr' parameter"),
        ({"lr": "fast"}, InvalidParameterError, "'lr' parameter .* among {'auto'}"),
        ({"device": "tpu"}, ValueError, "not a torch device|not supported"),
        ({"cv": 50}, ValueError, "cv=50 folds need at least 50 samples"),
    ],
)
def test_bad_parameters(params, error, message):
    X, y, _ = classification()
    with pytest.raises(error, match=message):
        # Every 6th row: 40 rows of both classes.
        KANSelector(**{**FAST, **params}).fit(X[::6], y[::6])


@pytest.mark.parametrize(
    ("cv", "n_samples", "message"),
    [
        ("holdout", 2, "cv='holdout' a network gets 1. Pass more samples.$"),
        (2, 3, "cv=2 a network gets 1. Pass more samples or a smaller cv.$"),
    ],
)
def test_too_few_rows_for_early_stopping(cv, n_samples, message):
    X, y, _ = regression()
    with pytest.raises(ValueError, match=f"at least 2 training rows.*{message}"):
        KANSelector(**{**FAST, "cv": cv}).fit(X[:n_samples], y[:n_samples])


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_gpu_is_a_clear_error():
    X, y, _ = classification()
    with pytest.raises(ValueError, match="CUDA is not available"):
        KANSelector(device="cuda", **FAST).fit(X, y)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
@pytest.mark.parametrize("backend", BACKENDS)
def test_cuda_fit_returns_cpu_networks(backend):
    X, y, _ = classification()
    selector = KANSelector(
        method="si", backend=backend, device="cuda", random_state=0, **FAST
    )
    selector.fit(X, y)
    check_scores(selector, X.shape[1])
    assert all(
        p.device.type == "cpu" for net in selector.networks_ for p in net.parameters()
    )


def test_basis_gradient_is_taken_in_one_pass(monkeypatch):
    # Row blocks serve values that need no gradient; with one, the basis is
    # computed in one pass and its gradient is that of the whole.
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(50, 7, generator=generator, dtype=torch.float64)
    knots = _bspline.data_knots(x, 5, 3)
    weights = torch.randn(50, 7, 8, generator=generator, dtype=torch.float64)
    gradients = []
    for block_values in (2**18, 7 * 8):
        monkeypatch.setattr(_bspline, "BASIS_BLOCK_VALUES", block_values)
        inputs = x.clone().requires_grad_(True)
        (_bspline.bspline_basis(inputs, knots, 3) * weights).sum().backward()
        gradients.append(inputs.grad)
    assert torch.equal(gradients[0], gradients[1])
