"""Tests of FeatureGradientsSelector beyond the shared selector checks."""

import math
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_regression

from featsel import FeatureGradientsSelector
from featsel._torch._learnability import visible_signal

from .test_selectors import planted_classification, planted_regression, recall

torch = pytest.importorskip("torch")


def test_multiclass_one_vs_rest():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 12))
    # Each of the three classes is told apart by a different column.
    y = np.argmax(X[:, [3, 8, 10]] + 0.3 * rng.normal(size=(600, 3)), axis=1)
    selector = FeatureGradientsSelector(3, random_state=0).fit(X, y)
    assert set(np.flatnonzero(selector.support_)) == {3, 8, 10}


def test_default_keeps_the_features_with_mask_above_one_half():
    X, y, informative = planted_classification(n_samples=1000, seed=1)
    selector = FeatureGradientsSelector(random_state=0).fit(X, y)
    np.testing.assert_array_equal(selector.support_, selector.mask_ >= 0.5)
    assert set(np.flatnonzero(selector.support_)) == set(informative)


def test_chain_moments_equal_the_gram_matrix_formula():
    from featsel._torch._learnability import chain_moments

    rng = np.random.default_rng(0)
    X = rng.normal(size=(9, 4))
    t = rng.normal(size=(9, 2))
    # With G the strictly upper triangular part of X X^T, t^T G^(j+1) t sums
    # the chains over increasing row tuples: Kong and Valiant's n x n form.
    gram = np.triu(X @ X.T, k=1)
    expected = np.array(
        [
            np.einsum("ic,ij,jc->c", t, np.linalg.matrix_power(gram, j + 1), t)
            / math.comb(9, j + 2)
            for j in range(4)
        ]
    )
    moments = chain_moments(
        torch.as_tensor(X, dtype=torch.float64), torch.as_tensor(t), order=4
    )
    np.testing.assert_allclose(moments.numpy(), expected, rtol=1e-10)


def test_chain_moments_are_unbiased():
    from featsel._torch._learnability import chain_moments

    # Independent standard features, t = x . beta: c^T S^j c = |beta|^2.
    generator = torch.Generator().manual_seed(0)
    beta = torch.tensor([1.0, -0.5, 0.0, 0.0], dtype=torch.float64)
    estimates = []
    for _ in range(400):
        X = torch.randn(32, 4, generator=generator, dtype=torch.float64)
        estimates.append(chain_moments(X, (X @ beta)[:, None], order=3)[:, 0])
    mean = torch.stack(estimates).mean(dim=0).numpy()
    np.testing.assert_allclose(mean, 1.25, rtol=0.1)


def planted_rows(n_samples=2048, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, 12)) * rng.uniform(0.5, 3, 12) + rng.normal(size=12)
    y = X[:, 1] - 2 * X[:, 7] + 0.5 * X[:, 3] + rng.normal(size=n_samples)
    return X, y


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_partial_fit_in_one_chunk_equals_one_epoch_of_fit(task):
    X, y = planted_rows()
    if task == "classification":
        y = (y > 0).astype(int)
    fitted = FeatureGradientsSelector(max_epochs=1, random_state=0).fit(X, y)
    streamed = FeatureGradientsSelector(random_state=0).partial_fit(X, y)
    np.testing.assert_allclose(streamed.mask_, fitted.mask_, atol=1e-6)
    np.testing.assert_array_equal(streamed.ranking_, fitted.ranking_)
    assert streamed.n_steps_ == fitted.n_steps_


def test_partial_fit_in_chunks_approaches_fit():
    # Chunks of a multiple of batch_size * accumulation_steps rows, in order:
    # the same batches as one epoch of fit, standardised with the statistics
    # of the rows seen so far instead of all rows.
    X, y = planted_rows(n_samples=4096)
    params = {"shuffle": False, "random_state": 0}
    fitted = FeatureGradientsSelector(max_epochs=1, **params).fit(X, y)
    streamed = FeatureGradientsSelector(**params)
    for start in range(0, 4096, 1024):
        streamed.partial_fit(X[start : start + 1024], y[start : start + 1024])
    assert streamed.n_samples_seen_ == 4096
    np.testing.assert_allclose(streamed.mean_, X.mean(axis=0))
    np.testing.assert_allclose(streamed.var_, X.var(axis=0))
    np.testing.assert_allclose(streamed.mask_, fitted.mask_, atol=0.01)
    top = set(np.argsort(-fitted.mask_)[:3])
    assert set(np.argsort(-streamed.mask_)[:3]) == top == {1, 3, 7}


def test_partial_fit_continues_after_fit_and_selects_well():
    X, y = planted_rows(n_samples=4096)
    selector = FeatureGradientsSelector(3, max_epochs=2, random_state=0).fit(X, y)
    steps = selector.n_steps_
    for start in range(0, 4096, 512):
        selector.partial_fit(X[start : start + 512], y[start : start + 512])
    assert selector.n_steps_ > steps
    assert set(np.flatnonzero(selector.support_)) == {1, 3, 7}


def test_partial_fit_classes():
    X, y = planted_rows(n_samples=600)
    labels = np.where(y > 1, "high", np.where(y < -1, "low", "mid"))
    order = np.argsort(labels == "low", kind="stable")
    X, labels = X[order], labels[order]
    selector = FeatureGradientsSelector(random_state=0)
    selector.partial_fit(X[:200], labels[:200], classes=["high", "low", "mid"])
    selector.partial_fit(X[200:], labels[200:])
    assert list(selector.classes_) == ["high", "low", "mid"]
    with pytest.raises(ValueError, match="labels not seen"):
        selector.partial_fit(X[:10], np.array(["other"] * 10))


def test_fit_and_partial_fit_rank_an_exact_copy_last():
    X, y = planted_rows(n_samples=2048)
    # A copy of the strongest column, right after it.
    X = np.insert(X, 8, X[:, 7], axis=1)
    fitted = FeatureGradientsSelector(random_state=0).fit(X, y)
    whole = FeatureGradientsSelector(random_state=0).partial_fit(X, y)
    chunked = FeatureGradientsSelector(random_state=0)
    for start in range(0, 2048, 512):
        chunked.partial_fit(X[start : start + 512], y[start : start + 512])
    for selector in (fitted, whole, chunked):
        assert selector.ranking_[8] == X.shape[1]
        assert selector.scores_[8] == 0
        assert selector.support_[7]


def test_partial_fit_finds_columns_repeated_on_every_chunk_only():
    X, y = planted_rows(n_samples=1024)
    # Column 2 equals column 1 on the first chunk only, column 4 equals
    # column 3 on the first chunk and column 0 on every chunk.
    X[:512, 2] = X[:512, 1]
    X[:, 4] = X[:, 0]
    X[:512, 3] = X[:512, 0]
    selector = FeatureGradientsSelector(random_state=0)
    selector.partial_fit(X[:512], y[:512])
    assert selector.scores_[2] == selector.scores_[3] == selector.scores_[4] == 0
    selector.partial_fit(X[512:], y[512:])
    assert selector.scores_[2] > 0 and selector.scores_[3] > 0
    assert selector.scores_[4] == 0


def test_partial_fit_checks_the_number_of_features():
    X, y = planted_rows(n_samples=300)
    selector = FeatureGradientsSelector(random_state=0).partial_fit(X, y)
    with pytest.raises(ValueError, match="features"):
        selector.partial_fit(X[:, :5], y)


def test_same_random_state_same_selection():
    X, y, _ = planted_regression(n_samples=300)
    first = FeatureGradientsSelector(random_state=5).fit(X, y)
    second = FeatureGradientsSelector(random_state=5).fit(X, y)
    np.testing.assert_array_equal(first.scores_, second.scores_)


def test_float32_state():
    X, y, _ = planted_regression(n_samples=100)
    selector = FeatureGradientsSelector(max_epochs=2, random_state=0).fit(
        X.astype(np.float32), y
    )
    assert selector._state["logits"].dtype == torch.float32


def planted_wide_multiclass(n_samples=80, n_features=600, seed=0):
    """Four classes, each shifting three of its own columns: d >> n."""
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % 4
    X = rng.normal(size=(n_samples, n_features))
    informative = rng.choice(n_features, 12, replace=False)
    for label in range(4):
        columns = informative[3 * label : 3 * label + 3]
        X[np.ix_(y == label, columns)] += 2.0
    return X, y, informative


@pytest.mark.parametrize("seed", [0, 1])
def test_wide_multiclass_planted_features(seed):
    # Under Adam every logit with a gradient of constant sign moved at the
    # same speed: here the mask ranked noise columns first (recall 0).
    X, y, informative = planted_wide_multiclass(seed=seed)
    selector = FeatureGradientsSelector(12, random_state=0).fit(X, y)
    assert recall(selector, informative) >= 11 / 12


def test_count_on_wide_data_costs_at_most_a_second_training():
    # d >> n: the bisection on the sparsity weight trained up to 8 more
    # times from masks at 0.5; the search by continuation trains once more,
    # for at most as many steps as the fit without a count.
    X, y, informative = planted_wide_multiclass(n_samples=60, n_features=300)
    own = FeatureGradientsSelector(random_state=0).fit(X, y)
    selector = FeatureGradientsSelector(12, random_state=0).fit(X, y)
    assert recall(selector, informative) >= 11 / 12
    assert own.n_steps_ < selector.n_steps_ <= 2 * own.n_steps_


def test_count_falls_back_to_the_trained_masks_when_the_search_collapses():
    # 60 rows, 1,500 columns, 12 shifted by 2 and 1,000 by 1 by class: at
    # masks of 0.5 the penalty outweighs every column's gain, the search's
    # first epoch closes all but a few masks in the order of the first
    # gradients, and the count keeps the top of the masks trained at the
    # default weight.
    rng = np.random.default_rng(0)
    y = np.arange(60) % 4
    X = rng.normal(size=(60, 1500))
    strong = rng.choice(1500, 12, replace=False)
    weak = rng.choice(np.setdiff1d(np.arange(1500), strong), 1000, replace=False)
    for label in range(4):
        X[np.ix_(y == label, strong[3 * label : 3 * label + 3])] += 2.0
        X[np.ix_(y == label, weak[label::4])] += 1.0
    own = FeatureGradientsSelector(random_state=0).fit(X, y)
    selector = FeatureGradientsSelector(8, random_state=0).fit(X, y)
    assert own.support_.sum() > 8
    assert selector.sparsity_ == selector.sparsity
    top = np.argsort(-own.mask_, kind="stable")[:8]
    np.testing.assert_array_equal(np.flatnonzero(selector.support_), np.sort(top))


@pytest.mark.parametrize("seed", [0, 1])
def test_own_choice_on_wide_data_keeps_fewer_columns_than_rows(seed):
    # 80 rows, 600 columns, 12 informative: a mean mask charged each feature
    # w / 600 and the own choice kept 223 columns; charged w / 80, it keeps
    # every informative column and fewer columns than rows.
    X, y, informative = planted_wide_multiclass(seed=seed)
    selector = FeatureGradientsSelector(random_state=0).fit(X, y)
    assert selector.support_[informative].all()
    assert selector.support_.sum() < X.shape[0]


def test_reference_objective_takes_binary_classes_as_their_codes():
    # As the reference's binary path (the labels as given); more classes
    # are coded +1 against -1.
    X, y, _ = planted_classification(n_samples=60)
    selector = FeatureGradientsSelector(objective="reference", max_epochs=1)
    selector.fit(X, np.where(y == 1, "yes", "no"))
    np.testing.assert_array_equal(selector._targets(np.array([0, 1])), [[0], [1]])
    selector.fit(X, np.arange(60) % 3)
    np.testing.assert_array_equal(
        selector._targets(np.array([0, 2])), [[1, -1, -1], [-1, -1, 1]]
    )


def test_keeps_the_strongest_features_of_a_sparse_regression():
    # The KAN paper's regression set, keeping 20 %: Adam kept columns 3 and 6.
    X, y, coef = make_regression(
        500, 10, n_informative=5, noise=0.1, coef=True, random_state=0
    )
    selector = FeatureGradientsSelector(2, random_state=0).fit(X, y)
    strongest = np.argsort(-np.abs(coef))[:2]
    assert set(np.flatnonzero(selector.support_)) == set(strongest)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_reference_objective_recovers_planted_features(task):
    maker = planted_classification if task == "classification" else planted_regression
    X, y, informative = maker(seed=0)
    selector = FeatureGradientsSelector(4, objective="reference", random_state=0)
    selector.fit(X, y)
    assert recall(selector, informative) >= 0.75
    # The reference scales the top eigenvalue to 1: no margin on the bound.
    assert (
        selector.spectrum_bound_
        < FeatureGradientsSelector(4, random_state=0).fit(X, y).spectrum_bound_
    )


def test_reference_coefficients_are_the_reference_polynomial():
    from featsel._torch._learnability import (
        reference_coefficients,
        unit_reference_coefficients,
    )

    # On a covariance of top eigenvalue 4, p(4 l) = p_unit(l) / 4.
    coefficients = reference_coefficients(4, 4.0)
    spectrum = np.linspace(0.1, 4, 7)
    scaled = np.polyval(coefficients[::-1], spectrum) * spectrum
    unit = unit_reference_coefficients(4)
    reference = np.polyval(unit[::-1], spectrum / 4) * spectrum / 4
    np.testing.assert_allclose(scaled, reference)


def test_reference_coefficients_match_the_published_table():
    from featsel._torch._learnability import unit_reference_coefficients

    # A few entries of the table in microsoft/nni's gradient_selector.
    np.testing.assert_allclose(
        unit_reference_coefficients(1), [(1 + 2**0.5) / 4], rtol=1e-6
    )
    np.testing.assert_allclose(
        unit_reference_coefficients(2), [1.52705001, -0.34841729], rtol=5e-6
    )
    np.testing.assert_allclose(
        unit_reference_coefficients(4),
        [4.63445685, -5.19936195, 0.0, 1.50391676],
        rtol=2e-5,
    )
    np.testing.assert_array_equal(
        np.flatnonzero(unit_reference_coefficients(7) == 0), [4, 5]
    )
    # Order 12, the largest: the weight l p(l) of the table at a few points.
    spectrum = np.array([0.1, 0.4, 0.7, 1.0])
    weights = np.polyval(unit_reference_coefficients(12)[::-1], spectrum) * spectrum
    np.testing.assert_allclose(
        weights, [1.0918579, 1.0230126, 1.01140863, 0.99069476], atol=2e-4
    )


def test_reference_objective_has_coefficients_up_to_order_12():
    X, y, _ = planted_regression(n_samples=60)
    with pytest.raises(ValueError, match="order=13 is not available"):
        FeatureGradientsSelector(objective="reference", order=13).fit(X, y)


def test_stops_once_the_selection_settles():
    # 20 steps an epoch: the 100 steps are done after 5 epochs, and the
    # selection of 3 strong columns then stays put.
    X, y = planted_rows(n_samples=20_480)
    selector = FeatureGradientsSelector(3, random_state=0).fit(X, y)
    assert 5 <= selector.n_epochs_ < 10
    assert selector.n_steps_ == 20 * selector.n_epochs_
    assert set(np.flatnonzero(selector.support_)) == {1, 3, 7}
    # One step an epoch: all max_epochs run.
    X, y = planted_rows(n_samples=500)
    assert FeatureGradientsSelector(3, random_state=0).fit(X, y).n_epochs_ == 100


def test_max_normalized_step_moves_the_steepest_coordinate_by_lr():
    from featsel._torch._learnability import MaxNormalizedGradientDescent

    weights = torch.zeros(3, requires_grad=True)
    optimizer = MaxNormalizedGradientDescent([weights], lr=0.1)
    (weights * torch.tensor([1e-3, -4e-3, 2e-3])).sum().backward()
    optimizer.step()
    np.testing.assert_allclose(weights.detach().numpy(), [-0.025, 0.1, -0.05])


def test_count_to_keep_raises_the_sparsity_weight_to_rank_saturated_masks():
    # Four strong columns (standardised coefficients 0.60, 0.53, 0.46, 0.43):
    # at the default weight all four masks saturate near 1 and their order
    # is an accident of the optimisation (it put column 8 before column 9).
    X, y, coef = make_regression(
        400, 10, n_informative=5, noise=0.1, coef=True, random_state=1
    )
    selector = FeatureGradientsSelector(2, random_state=0).fit(X, y)
    assert set(np.flatnonzero(selector.support_)) == {2, 9}
    assert np.count_nonzero(selector.mask_ >= 0.5) == 2
    assert selector.sparsity_ > selector.sparsity
    # Its own choice keeps every open mask at the given weight.
    own = FeatureGradientsSelector(random_state=0).fit(X, y)
    assert own.sparsity_ == own.sparsity
    assert set(np.flatnonzero(own.support_)) == {1, 2, 8, 9}


def _spectrum(n_samples=400, n_features=40, seed=0):
    """Columns that share one large factor; the target is a difference of two.

    Like a spectrum: the signal lies along a direction of small variance.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, 1)) + 0.05 * rng.normal(
        size=(n_samples, n_features)
    )
    y = (X[:, 10] - X[:, 11]) / 0.05 + 0.1 * rng.normal(size=n_samples)
    return X, y


def test_warns_when_the_signal_lies_along_directions_of_small_variance():
    X, y = _spectrum()
    with pytest.warns(UserWarning, match=r"order 4 sees \d+% of the linear signal"):
        selector = FeatureGradientsSelector(max_epochs=1, random_state=0).fit(X, y)
    assert selector.visible_signal_ < 0.05


def test_no_warning_and_a_visible_signal_near_one_on_independent_columns():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 40))
    y = X[:, 3] - 2 * X[:, 17] + 0.5 * rng.normal(size=400)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="The learnability estimate")
        selector = FeatureGradientsSelector(max_epochs=1, random_state=0).fit(X, y)
    assert selector.visible_signal_ > 0.9


def test_visible_signal_is_the_weighted_share_of_the_ridge_fit():
    # Two orthogonal directions of variance 4 and 0.01 carry equal signal;
    # order 1 with bound 5 weighs them 4/5 and 0.01/5.
    n = 1000
    basis = np.linalg.qr(np.random.default_rng(0).normal(size=(n, 2)))[0] * np.sqrt(n)
    features = basis * np.sqrt([4.0, 0.01])
    targets = (basis[:, :1] + basis[:, 1:]) / np.sqrt(2)
    fitted = np.array([0.5 / (4.0 + 0.01) * 4.0, 0.5 / (0.01 + 0.01) * 0.01])
    expected = (0.8 * fitted[0] + 0.002 * fitted[1]) / fitted.sum()
    weights = {"objective": "neumann", "order": 1, "bound": 5.0}
    share = visible_signal(features, targets, **weights)
    assert share == pytest.approx(expected)
    # More features than rows: the same share through the rows' Gram matrix.
    wide = np.hstack([features, np.zeros((n, 3 * n))])
    assert visible_signal(wide, targets, **weights) == pytest.approx(expected)
