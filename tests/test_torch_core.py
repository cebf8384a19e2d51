"""The torch training core shared by the neural selectors."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from featsel._preprocessing import Standardizer  # noqa: E402
from featsel._torch import _kan_network, _kan_training, _training  # noqa: E402
from featsel._torch_base import BaseTorchSelector  # noqa: E402


def test_training_core_early_stopping_restores_best_weights():
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(64, 3, generator=generator)
    y = X[:, 0] + 0.1 * torch.randn(64, generator=generator)
    module = torch.nn.Linear(3, 1)

    def loss(prediction, target):
        return torch.nn.functional.mse_loss(prediction[:, 0], target)

    result = _kan_training.train_with_early_stopping(
        module,
        loss,
        X[:48],
        y[:48],
        X[48:],
        y[48:],
        optimizer=_training.Adam(module.parameters(), lr=0.05),
        max_epochs=500,
        generator=generator,
        batch_size=16,
        patience=5,
    )
    assert result.n_epochs < 500
    assert result.best_loss == pytest.approx(min(result.history), rel=1e-6)
    assert _kan_network.evaluate(module, loss, X[48:], y[48:]) == pytest.approx(
        result.best_loss, rel=1e-5
    )


def test_standardizer_uses_training_rows_only():
    train = np.array([[0.0, 5.0], [2.0, 5.0]])
    standardizer = Standardizer.fit(train)
    np.testing.assert_allclose(standardizer.mean, [1.0, 5.0])
    np.testing.assert_allclose(standardizer.scale, [1.0, 1.0])
    out = standardizer.transform(np.array([[4.0, 6.0]]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[3.0, 1.0]])


class _TargetSelector(BaseTorchSelector):
    """The smallest torch selector: scores are irrelevant here."""

    def __init__(self, n_features_to_select=None, *, task="auto"):
        self.n_features_to_select = n_features_to_select
        self.task = task

    def _fit_scores(self, X, y, uninformative):
        return np.ones(X.shape[1])


def test_regression_targets_standardised_with_the_first_rows():
    selector = _TargetSelector().fit(np.eye(4), [1.0, 3.0, 10.0, 20.0])
    y = np.array([1.0, 3.0, 10.0, 20.0])
    train, held_out = _training.target_tensors(y, selector.task_, "cpu", [0, 1], [2, 3])
    np.testing.assert_allclose(train.numpy(), [-1.0, 1.0])
    np.testing.assert_allclose(held_out.numpy(), [8.0, 18.0])


def test_classification_targets_are_class_codes():
    selector = _TargetSelector().fit(np.eye(4), ["b", "a", "b", "c"])
    (codes,) = _training.target_tensors(np.array([1, 0, 1, 2]), selector.task_, "cpu")
    assert codes.dtype == torch.int64
    assert selector._n_outputs() == 3


def test_adam_matches_torch_optim_adam_exactly():
    generator = torch.Generator().manual_seed(0)
    ours = [torch.nn.Parameter(torch.randn(5, 3, generator=generator))]
    ours.append(torch.nn.Parameter(torch.randn(7, generator=generator)))
    theirs = [torch.nn.Parameter(param.detach().clone()) for param in ours]
    optimizers = [_training.Adam(ours, lr=0.01), torch.optim.Adam(theirs, lr=0.01)]
    assert_same_steps(
        ours, theirs, optimizers, lambda p: p[0].sin().sum() + p[1].pow(3).sum()
    )


def test_adam_reset_matches_a_new_torch_optim_adam():
    # Sequential Attention resets its optimizer at each phase: the reset
    # must be torch.optim.Adam's cleared state, step count included.
    generator = torch.Generator().manual_seed(1)
    ours = [torch.nn.Parameter(torch.randn(4, 3, generator=generator))]
    theirs = [torch.nn.Parameter(ours[0].detach().clone())]
    optimizers = [_training.Adam(ours, lr=0.05), torch.optim.Adam(theirs, lr=0.05)]
    for step in range(20):
        if step == 10:
            optimizers[0].reset()
            optimizers[1].state.clear()
        for params, optimizer in zip((ours, theirs), optimizers, strict=True):
            optimizer.zero_grad(set_to_none=True)
            (params[0].cos().sum() * (step + 1)).backward()
            optimizer.step()
    assert optimizers[0].n_steps == 10
    assert torch.equal(ours[0], theirs[0])


def test_no_torch_fit_imports_dynamo():
    # Building a torch.optim optimizer imports torch._dynamo, seconds of a
    # process's first fit: the core's training loop and every selector that
    # trains a network use the core's own optimizers. One process for all
    # (each start imports torch); the first fit that imports it is named.
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, torch\n"
        "import featsel\n"
        "from featsel._torch import _training\n"
        "X = np.random.default_rng(0).normal(size=(60, 4))\n"
        "module = torch.nn.Linear(3, 1)\n"
        "Z, t = torch.randn(20, 3), torch.randn(20)\n"
        "loss = lambda p, t: torch.nn.functional.mse_loss(p[:, 0], t)\n"
        "fits = {\n"
        "    'train': lambda: _training.train(module, loss, Z, t,\n"
        "        optimizer=_training.Adam(module.parameters(), lr=0.01),\n"
        "        max_epochs=2, generator=torch.Generator()),\n"
        "    'KANSelector': lambda: featsel.KANSelector(\n"
        "        2, cv='holdout', max_epochs=2).fit(X, X[:, 0]),\n"
        "    'OptFSSelector': lambda: featsel.OptFSSelector(\n"
        "        max_epochs=2).fit(X, X[:, 0]),\n"
        "    'FeatureGradientsSelector': lambda: featsel.FeatureGradientsSelector(\n"
        "        2, max_epochs=2).fit(X, X[:, 0]),\n"
        "    'SequentialAttentionSelector(mlp)': lambda: (\n"
        "        featsel.SequentialAttentionSelector(2, head='mlp', max_epochs=4)\n"
        "        .fit(X, X[:, 1])),\n"
        "    'SequentialAttentionSelector(linear)': lambda: (\n"
        "        featsel.SequentialAttentionSelector(2, head='linear', max_epochs=4)\n"
        "        .fit(X, X[:, 1])),\n"
        "}\n"
        "for name, fit in fits.items():\n"
        "    fit()\n"
        "    if 'torch._dynamo' in sys.modules:\n"
        "        sys.exit(name + ' imported torch._dynamo')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_adam_weight_decay_needs_one_value_per_parameter():
    params = [torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(3))]
    with pytest.raises(ValueError, match="weight_decay has 1 values for 2 param"):
        _training.Adam(params, lr=0.1, weight_decay=[0.1])


@pytest.mark.parametrize("per_parameter", [False, True])
def test_adam_weight_decay_matches_torch_optim_adam_exactly(per_parameter):
    # torch's coupled L2 decay; OptFS decays the weights behind its gates but
    # not the gates: one decay per parameter, as torch's parameter groups.
    generator = torch.Generator().manual_seed(1)
    ours = [torch.nn.Parameter(torch.randn(4, 6, generator=generator))]
    ours.append(torch.nn.Parameter(torch.randn(6, generator=generator)))
    theirs = [torch.nn.Parameter(param.detach().clone()) for param in ours]
    decays = [0.05, 0.0] if per_parameter else [0.05, 0.05]
    optimizers = [
        _training.Adam(ours, lr=0.01, weight_decay=decays if per_parameter else 0.05),
        torch.optim.Adam(
            [
                {"params": [param], "weight_decay": decay}
                for param, decay in zip(theirs, decays, strict=True)
            ],
            lr=0.01,
        ),
    ]
    assert_same_steps(
        ours, theirs, optimizers, lambda p: p[0].cos().sum() + p[1].pow(2).sum()
    )


def assert_same_steps(ours, theirs, optimizers, loss_of):
    """30 steps of each optimizer on its copy of the parameters end equal."""
    for step in range(30):
        for params, optimizer in zip((ours, theirs), optimizers, strict=True):
            optimizer.zero_grad(set_to_none=True)
            (loss_of(params) * (step + 1)).backward()
            optimizer.step()
    for mine, reference in zip(ours, theirs, strict=True):
        assert torch.equal(mine, reference)


def test_session_runs_large_steps_on_the_requested_threads_and_restores():
    before = torch.get_num_threads()
    with _training.session(0, _training.SINGLE_THREAD_WORK, 2):
        assert torch.get_num_threads() == 2
    with _training.session(0, _training.SINGLE_THREAD_WORK - 1, 2):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


@pytest.fixture
def thread_counts(monkeypatch):
    """The thread count of every training session, with every step large."""
    threads = []
    session = _training.isolated_session

    def spy(seed, *, n_threads=None):
        threads.append(n_threads)
        return session(seed, n_threads=n_threads)

    monkeypatch.setattr(_training, "SINGLE_THREAD_WORK", 0)
    monkeypatch.setattr(_training, "isolated_session", spy)
    return threads


@pytest.mark.parametrize(
    "name", ["KANSelector", "SequentialAttentionSelector", "OptFSSelector"]
)
@pytest.mark.parametrize("n_jobs, expected", [(None, 1), (2, 2)])
def test_torch_selectors_train_on_n_jobs_threads(thread_counts, name, n_jobs, expected):
    import featsel

    X = np.random.default_rng(0).normal(size=(40, 4))
    y = (X[:, 0] > 0).astype(int)
    selector = getattr(featsel, name)(
        n_features_to_select=2, max_epochs=2, n_jobs=n_jobs, random_state=0
    )
    selector.fit(X, y)
    assert thread_counts and set(thread_counts) == {expected}


def test_feature_gradients_fit_and_partial_fit_use_n_jobs_threads(thread_counts):
    from featsel import FeatureGradientsSelector

    X = np.random.default_rng(0).normal(size=(40, 4))
    y = (X[:, 0] > 0).astype(int)
    selector = FeatureGradientsSelector(max_epochs=2, n_jobs=2, random_state=0)
    selector.fit(X, y)
    selector.partial_fit(X, y)
    assert thread_counts and set(thread_counts) == {2}


def test_n_jobs_reads_like_scikit_learns():
    from joblib import cpu_count, parallel_config

    from featsel import KANSelector

    assert KANSelector()._n_threads() == 1
    assert KANSelector(n_jobs=-1)._n_threads() == cpu_count()
    with parallel_config(n_jobs=3):
        assert KANSelector()._n_threads() == 3
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="'n_jobs' parameter .* Got 0 instead"):
        KANSelector(n_jobs=0, max_epochs=1).fit(X, X[:, 0] > 0)


def test_shuffled_batches_gathered_into_one_buffer_train_as_fresh_copies():
    # The loop reuses one buffer for every batch; the batches it trains on,
    # and the weights after gradient accumulation over them, must be those
    # of fresh copies X[index], the last (partial) batch included.
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(8, 3, generator=generator)
    y = torch.randn(8, 1, generator=generator)
    seen = []

    class Recording(torch.nn.Linear):
        def forward(self, x):
            seen.append(x.clone())
            return super().forward(x)

    modules = [Recording(3, 1), torch.nn.Linear(3, 1)]
    modules[1].load_state_dict(modules[0].state_dict())
    loss_fn = torch.nn.functional.mse_loss
    _training.train(
        modules[0],
        loss_fn,
        X,
        y,
        optimizer=torch.optim.SGD(modules[0].parameters(), lr=0.1),
        max_epochs=2,
        generator=torch.Generator().manual_seed(1),
        batch_size=3,
        accumulation_steps=2,
    )
    order_generator = torch.Generator().manual_seed(1)
    optimizer = torch.optim.SGD(modules[1].parameters(), lr=0.1)
    expected = []
    for _ in range(2):
        batches = torch.randperm(8, generator=order_generator).split(3)
        for step, index in enumerate(batches):
            group_size = 2 if step < 2 else 1
            if step in (0, 2):
                optimizer.zero_grad()
            expected.append(X[index])
            (loss_fn(modules[1](X[index]), y[index]) / group_size).backward()
            if step in (1, 2):
                optimizer.step()
    assert [batch.shape[0] for batch in seen] == [3, 3, 2, 3, 3, 2]
    for batch, expected_batch in zip(seen, expected, strict=True):
        assert torch.equal(batch, expected_batch)
    for ours, theirs in zip(
        modules[0].parameters(), modules[1].parameters(), strict=True
    ):
        assert torch.equal(ours, theirs)
