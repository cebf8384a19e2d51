"""Behaviour every featsel selector shares, run on every exported selector."""

import pickle
import random
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.datasets import load_diabetes, make_regression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import InvalidParameterError

from featsel import (
    FeatureGradientsSelector,
    LassoSelector,
    OptFSSelector,
    SequentialAttentionSelector,
)

from .conftest import make_selector


def planted_classification(n_samples=300, n_features=20, n_informative=4, seed=0):
    """Binary labels from a noisy linear rule on a few scattered columns.

    Every informative column has a marginal effect, so univariate methods
    can find them too.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    informative = np.sort(rng.choice(n_features, n_informative, replace=False))
    weights = np.linspace(2.0, 1.0, n_informative) * rng.choice([-1, 1], n_informative)
    logits = X[:, informative] @ weights + 0.5 * rng.normal(size=n_samples)
    return X, (logits > 0).astype(int), informative


def planted_regression(n_samples=300, n_features=20, n_informative=4, seed=0):
    X, y, coef = make_regression(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_informative,
        noise=1.0,
        coef=True,
        random_state=seed,
    )
    return X, y, np.flatnonzero(coef)


def recall(selector, informative):
    top = np.argsort(selector.ranking_)[: informative.size]
    return np.isin(top, informative).mean()


def test_pipeline_with_numpy_and_pandas():
    X, y, _ = planted_classification()
    pipeline = Pipeline(
        [
            ("sel", LassoSelector(n_features_to_select=0.4)),
            ("clf", LogisticRegression()),
        ]
    )
    assert pipeline.fit(X, y).score(X, y) > 0.8
    assert pipeline[0].support_.sum() == 8

    frame = pd.DataFrame(X, columns=[f"col{j}" for j in range(X.shape[1])])
    pipeline.set_output(transform="pandas").fit(frame, y)
    kept = pipeline[0].transform(frame)
    assert isinstance(kept, pd.DataFrame)
    assert list(kept.columns) == list(frame.columns[pipeline[0].support_])


def test_grid_search_over_retention(selector_class):
    X, y, _ = planted_classification(n_samples=120, n_features=8)
    pipeline = Pipeline(
        [
            ("sel", make_selector(selector_class, random_state=0)),
            ("clf", LogisticRegression()),
        ]
    )
    search = GridSearchCV(pipeline, {"sel__n_features_to_select": [2, 0.5]}, cv=2)
    search.fit(X, y)
    # Each candidate was fitted with its own number of features.
    best = search.best_params_["sel__n_features_to_select"]
    assert search.best_estimator_[0].support_.sum() == {2: 2, 0.5: 4}[best]


def test_ranking_is_a_strict_order(selector_class):
    X, y, _ = planted_classification(n_samples=150, n_features=10)
    selector = make_selector(selector_class, n_features_to_select=3, random_state=0)
    selector.fit(X, y)
    assert sorted(selector.ranking_) == list(range(1, 11))
    assert np.all(selector.scores_ >= 0)
    np.testing.assert_array_equal(selector.support_, selector.ranking_ <= 3)
    # Higher score never ranks worse.
    order = np.argsort(selector.ranking_)
    assert np.all(np.diff(selector.scores_[order]) <= 0)


def test_sequential_selectors_give_their_order_as_selection_order(selector_class):
    X, y, _ = planted_classification(n_samples=150, n_features=10)
    selector = make_selector(selector_class, n_features_to_select=3, random_state=0)
    selector.fit(X, y)
    if selector.scores_kind == "importance":
        assert not hasattr(selector, "selection_order_")
        return
    assert selector.scores_kind == "order"
    order = selector.selection_order_
    assert order.dtype.kind == "i" and 1 <= order.size == np.unique(order).size
    np.testing.assert_array_equal(
        selector.ranking_[order], np.arange(1, order.size + 1)
    )


@pytest.mark.parametrize(
    ("requested", "expected"), [(3, 3), (0.2, 2), (0.25, 3), (1.0, 10), (None, None)]
)
def test_n_features_to_select_resolution(selector_class, requested, expected):
    X, y, _ = planted_classification(n_samples=100, n_features=10)
    selector = make_selector(
        selector_class, n_features_to_select=requested, random_state=0
    )
    selector.fit(X, y)
    if expected is None:
        assert 1 <= selector.n_features_to_select_ <= 10
    else:
        assert selector.n_features_to_select_ == expected
    assert selector.support_.sum() == selector.n_features_to_select_


def test_same_random_state_same_selection(selector_class):
    X, y, _ = planted_classification(n_samples=150, n_features=10)
    first = make_selector(selector_class, random_state=7).fit(X, y)
    second = make_selector(selector_class, random_state=7).fit(X, y)
    np.testing.assert_array_equal(first.ranking_, second.ranking_)
    np.testing.assert_allclose(first.scores_, second.scores_)


def test_global_random_state_untouched(selector_class):
    X, y, _ = planted_classification(n_samples=100, n_features=6)
    # The legacy global generators are exactly what must stay untouched.
    np.random.seed(123)  # noqa: NPY002
    random.seed(123)
    numpy_state = np.random.get_state()[1].copy()  # noqa: NPY002
    python_state = random.getstate()
    make_selector(selector_class, random_state=0).fit(X, y)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002
    assert random.getstate() == python_state


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_recovers_planted_features(selector_class, task):
    if task == "classification":
        X, y, informative = planted_classification()
    else:
        X, y, informative = planted_regression()
    selector = make_selector(selector_class, random_state=0).fit(X, y)
    assert selector.task_ == task
    assert recall(selector, informative) >= 0.75


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize(
    "selector",
    [
        SequentialAttentionSelector(4, random_state=0),
        OptFSSelector(random_state=0),
        FeatureGradientsSelector(random_state=0),
    ],
    ids=lambda selector: type(selector).__name__,
)
def test_neural_selectors_recover_planted_features_with_defaults(selector, task, seed):
    pytest.importorskip("torch")
    maker = planted_classification if task == "classification" else planted_regression
    X, y, informative = maker(seed=seed)
    assert recall(selector.fit(X, y), informative) >= 0.75


def test_diabetes_is_regression(selector_class):
    X, y = load_diabetes(return_X_y=True)
    selector = make_selector(selector_class, n_features_to_select=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        selector.fit(X, y)
    assert selector.task_ == "regression"


def test_integer_target_with_many_values_warns():
    X, y, _ = planted_regression(n_samples=200)
    y = np.round(y).astype(int)
    with pytest.warns(UserWarning, match="task='regression'"):
        selector = LassoSelector().fit(X, y)
    assert selector.task_ == "classification"
    assert LassoSelector(task="regression").fit(X, y).task_ == "regression"


@pytest.mark.parametrize(
    "target",
    [
        np.array(["no", "yes"] * 50),
        np.array([True, False] * 50),
        pd.Series(["a", "b", "c", "d"] * 25, dtype="category"),
    ],
    ids=["strings", "booleans", "categorical"],
)
def test_label_targets_are_classification(target):
    X, _, _ = planted_classification(n_samples=100)
    assert LassoSelector().fit(X, target).task_ == "classification"


def test_regression_task_with_string_target_is_an_error():
    X, _, _ = planted_classification(n_samples=20)
    with pytest.raises(ValueError, match="needs a numeric target"):
        LassoSelector(task="regression").fit(X, ["a", "b"] * 10)


def test_constant_column_scored_zero_and_ranked_last(selector_class):
    X, y, _ = planted_classification(n_samples=150, n_features=8)
    X[:, 0] = 3.0
    X[:, 5] = 0.0
    selector = make_selector(selector_class, random_state=0).fit(X, y)
    assert selector.scores_[0] == 0.0
    assert selector.scores_[5] == 0.0
    assert set(selector.ranking_[[0, 5]]) == {7, 8}


def test_duplicated_columns(selector_class):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 6))
    y = (2 * X[:, 0] + X[:, 1] + 0.3 * rng.normal(size=400) > 0).astype(int)
    X = np.column_stack([X, X[:, 0]])
    selector = make_selector(selector_class, n_features_to_select=2, random_state=0)
    selector.fit(X, y)
    assert selector.scores_[6] == 0.0
    assert set(np.flatnonzero(selector.support_)) == {0, 1}


def test_nan_and_inf_are_named(selector_class):
    X, y, _ = planted_classification(n_samples=60, n_features=5)
    frame = pd.DataFrame(X, columns=list("abcde"))
    frame.loc[3, "c"] = np.nan
    frame.loc[4, "e"] = np.inf
    selector = make_selector(selector_class, random_state=0)
    if selector.__sklearn_tags__().input_tags.allow_nan:
        frame.loc[4, "e"] = 0.0
        selector.fit(frame, y)
        assert np.all(np.isfinite(selector.scores_))
        return
    with pytest.raises(ValueError, match=r"NaN in column\(s\) 'c'; infinity in .*'e'"):
        selector.fit(frame, y)


def test_string_columns_are_named(selector_class):
    X, y, _ = planted_classification(n_samples=40, n_features=3, n_informative=2)
    frame = pd.DataFrame(X, columns=["age", "weight", "height"])
    frame["city"] = ["Oslo", "Rome"] * 20
    selector = make_selector(selector_class, random_state=0)
    if selector.__sklearn_tags__().input_tags.categorical:
        selector.fit(frame, y)
        np.testing.assert_array_equal(selector.categorical_, [False] * 3 + [True])
        assert list(selector.feature_names_in_) == list(frame.columns)
        assert np.all(np.isfinite(selector.scores_))
        return
    with pytest.raises(ValueError, match="non-numeric columns: city"):
        selector.fit(frame, y)
    with pytest.raises(ValueError, match="non-numeric columns: column 3"):
        selector.fit(frame.to_numpy(), y)


def test_sparse_input(selector_class):
    X, y, _ = planted_classification(n_samples=100, n_features=6)
    X_sparse = sparse.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0))
    selector = make_selector(selector_class, n_features_to_select=2, random_state=0)
    if selector.__sklearn_tags__().input_tags.sparse:
        assert selector.fit(X_sparse, y).transform(X_sparse).shape == (100, 2)
    else:
        with pytest.raises(TypeError, match="Sparse data was passed"):
            selector.fit(X_sparse, y)


@pytest.mark.parametrize(
    ("params", "y_change", "error", "message"),
    [
        ({}, "single_class", ValueError, "single class"),
        ({"n_features_to_select": 7}, None, ValueError, "larger than the number"),
        ({"n_features_to_select": 0}, None, InvalidParameterError, "range"),
        ({"n_features_to_select": -0.5}, None, InvalidParameterError, "range"),
        ({"task": "ranking"}, None, InvalidParameterError, "'task' parameter"),
        ({}, "too_short", ValueError, "inconsistent numbers of samples"),
    ],
)
def test_bad_input_errors(selector_class, params, y_change, error, message):
    X, y, _ = planted_classification(n_samples=40, n_features=6)
    if y_change == "single_class":
        y = np.zeros_like(y)
    elif y_change == "too_short":
        y = y[:-1]
    selector = make_selector(selector_class, **params)
    with pytest.raises(error, match=message):
        selector.fit(X, y)


def test_one_sample_is_an_error(selector_class):
    with pytest.raises(ValueError, match=re.escape("1 sample(s)")):
        make_selector(selector_class).fit(np.ones((1, 4)), [1])


def test_user_data_is_not_modified(selector_class):
    X, y, _ = planted_classification(n_samples=80, n_features=6)
    frame = pd.DataFrame(X, columns=list("abcdef"))
    frame_copy, y_copy = frame.copy(), y.copy()
    make_selector(selector_class, random_state=0).fit(frame, y)
    pd.testing.assert_frame_equal(frame, frame_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_fitted_selector_pickles(selector_class):
    X, y, _ = planted_classification(n_samples=80, n_features=6)
    selector = make_selector(selector_class, random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(selector))
    np.testing.assert_array_equal(restored.transform(X), selector.transform(X))


def test_constant_columns_of_unhashable_objects():
    from featsel._base import _constant_columns

    X = np.empty((3, 3), dtype=object)
    X[:, 0] = [[1, 2], [1, 2], [1, 2]]
    X[:, 1] = [[1, 2], [3], None]
    X[:, 2] = ["a", None, "a"]
    np.testing.assert_array_equal(_constant_columns(X), [True, False, True])


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_forest_permutation_importance_is_sklearns_and_zero_where_unused(task):
    from sklearn.inspection import permutation_importance

    from featsel import RandomForestSelector
    from featsel._base import _held_out_split

    make = planted_classification if task == "classification" else planted_regression
    X, y, _ = make(n_samples=120, n_features=30)
    selector = RandomForestSelector(n_estimators=15, max_depth=2, random_state=0)
    with pytest.warns(UserWarning, match="Permutation importance is 0"):
        selector.fit(X, y)
    used = np.zeros(X.shape[1], dtype=bool)
    for tree in selector.estimator_.estimators_:
        used[tree.tree_.feature[tree.tree_.feature >= 0]] = True
    # Shallow trees leave most columns unused: exactly 0, not noise.
    assert (~used).sum() >= 5
    assert np.all(selector.scores_[~used] == 0.0)
    # The same numbers as sklearn's permutation importance on the same
    # forest, held-out rows and shuffles.
    random_state = np.random.RandomState(0)
    random_state.randint(np.iinfo(np.int32).max)
    train, held_out = _held_out_split(
        y, 0.25, random_state, stratify=task == "classification"
    )
    expected = permutation_importance(
        selector.estimator_,
        X[held_out],
        y[held_out],
        n_repeats=5,
        random_state=random_state,
    ).importances_mean
    np.testing.assert_allclose(selector.scores_, np.clip(expected, 0, None), atol=1e-12)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_svm_rfe_solves_linear_svcs_problem(n_classes):
    from sklearn.datasets import make_classification
    from sklearn.svm import LinearSVC

    from featsel._linear import standardize
    from featsel._svm_rfe import _squared_hinge_svm

    X, y = make_classification(
        200, 12, n_informative=4, n_classes=n_classes, random_state=0
    )
    X = standardize(X)
    expected = LinearSVC(dual=False, tol=1e-10, max_iter=100_000).fit(X, y)
    problems = [1] if n_classes == 2 else range(n_classes)
    signs = np.where(y[:, None] == np.asarray(problems), 1.0, -1.0)
    start = np.zeros((13, signs.shape[1]))
    weights, _ = _squared_hinge_svm(X, signs, 1.0, start, 5000)
    np.testing.assert_allclose(weights[:-1].T, expected.coef_, atol=1e-4)
    np.testing.assert_allclose(weights[-1], expected.intercept_, atol=1e-4)
    # A warm start changes the path, not the solution.
    warm, _ = _squared_hinge_svm(X, signs, 1.0, weights + 0.1, 5000)
    np.testing.assert_allclose(warm, weights, atol=1e-4)


@pytest.mark.parametrize(("step", "expected"), [(0.5, [16, 8, 4, 2]), (5, [16, 11, 6])])
def test_svm_rfe_step_is_a_share_of_the_surviving_features(monkeypatch, step, expected):
    from sklearn.datasets import make_classification

    from featsel import _svm_rfe

    sizes = []
    solve = _svm_rfe._squared_hinge_svm

    def recording(X, *args, **kwargs):
        sizes.append(X.shape[1])
        return solve(X, *args, **kwargs)

    monkeypatch.setattr(_svm_rfe, "_squared_hinge_svm", recording)
    X, y = make_classification(100, 16, n_informative=3, random_state=0)
    _svm_rfe.SVMRFESelector(step=step).fit(X, y)
    assert sizes == expected


def test_svm_rfe_regression_ranks_by_the_squared_loss_svr():
    from sklearn.svm import LinearSVR

    from featsel import SVMRFESelector
    from featsel._linear import standardize

    X, y = make_regression(200, 12, n_informative=6, noise=5.0, random_state=0)
    # One elimination step: the ranking is the order of the first SVM's weights.
    selector = SVMRFESelector(step=11).fit(X, y)
    svr = LinearSVR(loss="squared_epsilon_insensitive", dual=False)
    weights = np.abs(svr.fit(standardize(X), y).coef_)
    np.testing.assert_array_equal(np.argsort(selector.ranking_), np.argsort(-weights))
