"""Every selector, on any awkward input: a fitted contract or a clear error.

Hypothesis draws the shape (0-50 rows, 0-30 columns), the dtype, where NaN
and infinity go, the container and its column names, the kind of target and
``n_features_to_select``. Every draw must end either in a fitted selector
that honours the contract, or in a ValueError / TypeError of featsel's or
scikit-learn's own that says what is wrong; never another library's
exception, and never a changed input.
"""

import copy
import math
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer, make_classification

import featsel

from .conftest import SELECTORS, make_selector

# Repeated entries weight the draws towards inputs a selector must accept.
DTYPES = ("float64",) * 3 + ("float32", "float16", "int8", "bool", "object", "strings")
# The ends of the float64 range: every selector takes them (a power-of-two
# rescale in the base class), float32 selectors and boosted trees included.
MAGNITUDES = (1.0,) * 4 + (1e-300, 4e38, 1e300)
TARGETS = ("binary", "multiclass", "float") * 2 + ("strings", "single", "nan", "2d")
HOLES = ("none",) * 4 + ("nan", "inf")
NAMES = ("none", "str", "int", "unicode", "repeated")

# Words of which a clear message names at least one: what is wrong where.
NAMING_WORDS = (
    "X",
    "y",
    "column",
    "feature",
    "parameter",
    "n_features_to_select",
    "row",
    "sample",
    "class",
    "cv",
    "target",
)
OWN_MODULES = ("builtins", "sklearn", "featsel")


@st.composite
def problems(draw, workable=False):
    """X, y and n_features_to_select; ``workable`` ones every selector fits.

    Workable: at least 20 rows and 1 column, numbers without infinity (NaN
    only for the selectors that take it), distinct column names, a binary,
    multiclass or float target and a valid ``n_features_to_select``.
    """
    if workable:
        n_rows = draw(st.integers(20, 50))
        n_cols = draw(st.integers(1, 12))
    else:  # degenerate sizes and workable ones, both often
        n_rows = draw(st.one_of(st.integers(0, 4), st.integers(20, 50)))
        n_cols = draw(st.one_of(st.integers(0, 2), st.integers(3, 30)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    values = rng.normal(size=(n_rows, n_cols))
    holes = draw(st.sampled_from(("none", "nan") if workable else HOLES))
    if holes != "none" and values.size:
        cells = rng.random(values.shape) < 0.1
        values[cells] = np.nan if holes == "nan" else np.inf

    dtype = draw(st.sampled_from(DTYPES[:-2] if workable else DTYPES))
    if dtype in ("float64", "object"):  # the types that hold the whole range
        values = values * draw(st.sampled_from(MAGNITUDES))
    if dtype == "strings":
        X = values.astype(object)
        if n_cols:
            X[:, 0] = [
                f"level {int(abs(v)) % 3 if np.isfinite(v) else 0}" for v in X[:, 0]
            ]
    elif dtype == "object":
        X = values.astype(object)
    elif dtype in ("int8", "bool"):
        X = np.nan_to_num(values, posinf=1, neginf=-1).astype(dtype)
    else:
        X = values.astype(dtype)

    container = draw(st.sampled_from(("ndarray", "frame", "list")))
    # A date column, which no selector takes as a number or a category.
    dated = not workable and n_cols > 0 and draw(st.integers(0, 9)) == 0
    container = "frame" if dated else container
    names = draw(st.sampled_from(NAMES[:-1] if workable else NAMES))
    if container == "frame":
        columns = {
            "none": list(range(n_cols)),
            "str": [f"x{j}" for j in range(n_cols)],
            "int": list(range(n_cols)),
            "unicode": [f"größe-{j} 🌡" for j in range(n_cols)],
            "repeated": [f"x{j // 2}" for j in range(n_cols)],
        }[names]
        X = pd.DataFrame(X, columns=columns)
        if dated:
            X.isetitem(0, pd.date_range("2026-01-01", periods=n_rows))
    elif container == "list":
        X = X.tolist()

    target = draw(st.sampled_from(TARGETS[:3] if workable else TARGETS))
    classes = rng.integers(0, 2, size=n_rows)
    y = {
        "binary": classes,
        "multiclass": rng.integers(0, 4, size=n_rows),
        "float": rng.normal(size=n_rows),
        "strings": np.array(["yes", "no"], dtype=object)[classes],
        "single": np.zeros(n_rows, dtype=int),
        "nan": np.where(classes == 0, np.nan, 1.0),
        "2d": np.column_stack([classes, classes]),
    }[target]

    valid_k = st.one_of(st.none(), st.integers(1, max(n_cols, 1)), st.floats(0.01, 1))
    odd_k = st.one_of(
        st.integers(-1, n_cols + 1), st.floats(0, 1.5, allow_nan=False), st.booleans()
    )
    k = draw(valid_k if workable else st.one_of(valid_k, valid_k, odd_k))
    return X, y, k


def _check_unchanged(before, after):
    if isinstance(before, pd.DataFrame):
        pd.testing.assert_frame_equal(before, after)
    elif isinstance(before, np.ndarray):
        assert before.dtype == after.dtype
        # pandas compares NaN as equal to NaN, in object arrays too.
        assert pd.DataFrame(before).equals(pd.DataFrame(after))
    else:
        assert pickle.dumps(before) == pickle.dumps(after)


def _check_contract(selector, X, k):
    n_features = selector.n_features_in_
    assert n_features == np.shape(X)[1]
    np.testing.assert_array_equal(
        np.sort(selector.ranking_), np.arange(1, n_features + 1)
    )
    assert np.all(np.isfinite(selector.scores_)) and np.all(selector.scores_ >= 0)
    if k is None:
        expected = selector.n_features_to_select_
    elif isinstance(k, float):
        expected = math.ceil(k * n_features)
    else:
        expected = k
    assert selector.support_.sum() == expected
    np.testing.assert_array_equal(selector.support_, selector.ranking_ <= expected)


BOUNDED = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("cls", SELECTORS, ids=lambda cls: cls.__name__)
def test_workable_input_is_fitted_to_the_contract(cls):
    allow_nan = cls().__sklearn_tags__().input_tags.allow_nan

    @settings(BOUNDED, max_examples=10)
    @given(problem=problems(workable=True))
    def check(problem):
        X, y, k = problem
        if not allow_nan and np.isnan(np.asarray(X, dtype=float)).any():
            X = np.nan_to_num(np.asarray(X, dtype=float))
        X_before, y_before = copy.deepcopy(X), copy.deepcopy(y)
        selector = make_selector(cls, n_features_to_select=k)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            selector.fit(X, y)
        _check_contract(selector, X, k)
        _check_unchanged(X_before, X)
        _check_unchanged(y_before, y)

    check()


@pytest.mark.parametrize("cls", SELECTORS, ids=lambda cls: cls.__name__)
def test_any_input_ends_in_the_contract_or_a_clear_error(cls):
    @BOUNDED
    @given(problem=problems())
    def check(problem):
        X, y, k = problem
        X_before, y_before = copy.deepcopy(X), copy.deepcopy(y)
        selector = make_selector(cls, n_features_to_select=k)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                selector.fit(X, y)
            except (ValueError, TypeError) as exc:
                module = type(exc).__module__.split(".")[0]
                assert module in OWN_MODULES, f"{type(exc).__module__}: {exc}"
                message = str(exc)
                assert any(word in message for word in NAMING_WORDS), message
            else:
                _check_contract(selector, X, k)
        _check_unchanged(X_before, X)
        _check_unchanged(y_before, y)

    check()


# Named cases that once ended in another library's error or in silence.


@pytest.mark.parametrize("magnitude", [1e-300, 4e38, 1e307])
def test_planted_feature_is_found_at_the_ends_of_the_float64_range(
    selector_class, magnitude
):
    # Once: every Feature Gradients score 0.5 beyond float32, LASSO "Input X
    # contains NaN", MI a noise column, boosted trees an XGBoostError.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 6))
    y = (X[:, 2] + 0.3 * rng.normal(size=80) > 0).astype(int)
    selector = make_selector(selector_class, n_features_to_select=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        selector.fit(X * magnitude, y)
    assert np.flatnonzero(selector.support_).tolist() == [2]


def test_partial_fit_scales_every_chunk_as_the_first():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 5)) * 1e300
    y = X[:, 3] / 1e300 + 0.1 * rng.normal(size=400)
    selector = featsel.FeatureGradientsSelector(random_state=0, n_features_to_select=1)
    for chunk in np.array_split(np.arange(400), 4):
        selector.partial_fit(X[chunk], y[chunk])
    assert np.flatnonzero(selector.support_).tolist() == [3]


def test_date_column_is_named_by_every_selector(selector_class):
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(30, 2)), columns=["a", "b"])
    X["t"] = pd.date_range("2026-01-01", periods=30)
    with pytest.raises(ValueError, match=r"non-numeric columns: t\.|nor categories: t"):
        make_selector(selector_class).fit(X, np.arange(30) % 2)


def test_repeated_column_names_are_named(selector_class):
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(30, 3)), columns=list("aab"))
    y = np.arange(30) % 2
    with pytest.raises(ValueError, match="repeated column names: 'a'"):
        make_selector(selector_class).fit(X, y)


def test_no_columns_is_refused(selector_class):
    with pytest.raises(ValueError, match=r"0 feature\(s\) \(shape=\(10, 0\)\)"):
        make_selector(selector_class).fit(
            pd.DataFrame(index=range(10)), np.arange(10) % 2
        )


@pytest.mark.parametrize("k", [True, False, np.True_])
def test_bool_n_features_to_select_is_refused(k):
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(
        ValueError, match="'n_features_to_select' parameter of LassoSelector must be"
    ):
        featsel.LassoSelector(n_features_to_select=k).fit(X, np.arange(20) % 2)


def test_infinity_is_named_for_selectors_that_take_nan():
    X = np.random.default_rng(0).normal(size=(30, 3))
    X[0, 1], X[1, 0] = np.inf, np.nan
    for cls in (featsel.SHAPForwardSelector, featsel.RandomForestSelector):
        with pytest.raises(ValueError, match=r"infinity in column\(s\) 1\. .*infinite"):
            make_selector(cls).fit(X, np.arange(30) % 2)


def test_too_few_rows_for_the_folds_or_neighbours():
    X = np.random.default_rng(0).normal(size=(2, 3))
    with pytest.raises(ValueError, match="cv=2 needs at least 2 rows in one class"):
        make_selector(featsel.SHAPForwardSelector).fit(X, [0, 1])
    with pytest.raises(ValueError, match="needs a class with at least 2 rows"):
        featsel.MutualInfoSelector().fit(X, [0, 1])
    with pytest.raises(ValueError, match=r"n_neighbors=3\) needs more than 3 rows"):
        featsel.MutualInfoSelector().fit(X, [0.5, 1.5])


def test_random_forest_ties_follow_impurity_importance_with_a_warning():
    X, y = load_breast_cancer(return_X_y=True)
    selector = featsel.RandomForestSelector(n_estimators=20, random_state=0)
    with pytest.warns(UserWarning, match=r"Permutation importance is 0 for \d+ of 30"):
        selector.fit(X[:100], y[:100])
    tied = np.flatnonzero(selector.scores_ == 0)
    assert tied.size > 15
    by_rank = tied[np.argsort(selector.ranking_[tied])]
    impurity = selector.estimator_.feature_importances_[by_rank]
    assert np.all(np.diff(impurity) <= 0)
    assert not np.array_equal(by_rank, np.sort(by_rank)), "not column order"


def test_all_tied_scores_warn():
    X = np.random.default_rng(0).normal(size=(40, 4))
    y = np.arange(40) % 2

    class Flat(featsel.BaseSelector):
        def __init__(self, n_features_to_select=None, *, task="auto"):
            self.n_features_to_select = n_features_to_select
            self.task = task

        def _fit_scores(self, X, y, uninformative):
            return np.ones(X.shape[1])

    with pytest.warns(UserWarning, match="gave all 4 non-constant features the same"):
        Flat().fit(X, y)


class _Decided(featsel.BaseSelector):
    """Scores 1, 1, 0, 0 with a tie order and a count of its own."""

    def __init__(self, n_features_to_select=None, *, task="auto"):
        self.n_features_to_select = n_features_to_select
        self.task = task

    def _fit_scores(self, X, y, uninformative):
        self.uninformative_seen_ = uninformative
        return featsel.SelectionResult(
            np.array([1.0, 1.0, 0.0, 0.0]),
            n_features_to_select=3,
            tie_break=np.array([0.0, 2.0, 1.0, 5.0]),
        )


def test_selection_result_sets_the_count_and_the_tie_order():
    X = np.random.default_rng(0).normal(size=(40, 4))
    X[:, 3] = X[:, 0]
    selector = _Decided(n_features_to_select=1).fit(X, np.arange(40) % 2)
    np.testing.assert_array_equal(selector.uninformative_seen_, [0, 0, 0, 1])
    # Column 3 is a copy: its tie-break counts as 0, like its score.
    np.testing.assert_array_equal(selector.ranking_, [2, 1, 3, 4])
    assert selector.n_features_to_select_ == 3
    np.testing.assert_array_equal(selector.support_, [1, 1, 1, 0])


@pytest.mark.parametrize(
    "hook, signature",
    [
        ("_fit_scores", "(self, X, y)"),
        ("_default_n_features_to_select", "(self, scores)"),
    ],
)
def test_old_hook_signature_names_the_new_one(hook, signature):
    namespace = {}
    exec(f"def {hook}{signature}:\n    return 1", namespace)
    with pytest.raises(TypeError, match=rf"define {hook}\(self, .*uninformative\)"):
        type("Old", (featsel.BaseSelector,), {hook: namespace[hook]})


def test_one_standardiser_for_whole_data_chunks_and_missing_values():
    from featsel._feature_gradients import FeatureGradientsSelector
    from featsel._optfs import _numeric_block
    from featsel._preprocessing import Standardizer

    rng = np.random.default_rng(0)
    # A column constant up to the rounding of its mean, and a real one.
    X = np.column_stack(
        [np.full(64, 0.1) + 1e-17 * rng.normal(size=64), rng.normal(size=64)]
    )
    whole = Standardizer.fit(X)
    assert whole.scale[0] == 1.0 and whole.scale[1] == pytest.approx(X[:, 1].std())
    moments = Standardizer.from_moments(X.mean(0), X.std(0), np.abs(X).max(0))
    np.testing.assert_array_equal(moments.scale, whole.scale)
    np.testing.assert_array_equal(_numeric_block(X), whole.transform(X))
    pytest.importorskip("torch")
    streamed = FeatureGradientsSelector(random_state=0)
    for start in range(0, 64, 16):
        streamed.partial_fit(X[start : start + 16], np.arange(16) % 2)
    assert streamed._standardizer().scale[0] == 1.0


def test_mutual_information_ties_follow_the_f_statistic_with_a_warning():
    # Once: features of zero mutual information ranked by column position.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 40))
    y = (X[:, -1] + rng.normal(size=30) > 0).astype(int)
    selector = featsel.MutualInfoSelector(random_state=0)
    with pytest.warns(UserWarning, match=r"Mutual information is 0 for \d+ of 40"):
        selector.fit(X, y)
    tied = np.flatnonzero(selector.scores_ == 0)
    by_rank = tied[np.argsort(selector.ranking_[tied])]
    statistic = featsel._base.univariate_f_statistic(X, y, classification=True)
    assert np.all(np.diff(statistic[by_rank]) <= 0)
    assert not np.array_equal(by_rank, np.sort(by_rank)), "not column order"


def test_f_statistic_tie_break_scores_constant_columns_0_without_listing_them():
    # scikit-learn's F test warns with the index of every constant column
    # (over a thousand on a wide fold); the tie-break scores them 0 quietly.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 6))
    X[:, [1, 4]] = 3.0
    y = np.arange(20) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        statistic = featsel._base.univariate_f_statistic(X, y, classification=True)
    np.testing.assert_array_equal(statistic[[1, 4]], 0.0)
    assert np.all(statistic[[0, 2, 3, 5]] > 0)
    # Hundreds of constant columns: scikit-learn's list runs over many lines.
    wide = np.hstack([X, np.ones((20, 500))])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        statistic = featsel._base.univariate_f_statistic(wide, y, classification=True)
    np.testing.assert_array_equal(statistic[6:], 0.0)


@pytest.mark.parametrize("classification", [True, False])
def test_f_statistic_in_column_blocks_equals_the_whole_matrix(
    monkeypatch, classification
):
    # The tie-break runs in column blocks to bound its copies of X; a block
    # boundary must not change any column's statistic or its missing values'
    # filling by the column mean.
    from sklearn.feature_selection import f_classif, f_regression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 23))
    y = X[:, 3] + rng.normal(size=40)
    if classification:
        y = (y > 0).astype(int)
    X[rng.random(X.shape) < 0.1] = np.nan
    filled = np.where(np.isnan(X), np.nanmean(X, axis=0), X)
    whole = (f_classif if classification else f_regression)(filled, y)[0]
    monkeypatch.setattr(featsel._base, "F_STATISTIC_BLOCK_VALUES", 40 * 5)
    blocked = featsel._base.univariate_f_statistic(X, y, classification=classification)
    np.testing.assert_allclose(blocked, whole, rtol=1e-12)


def test_own_choice_says_what_none_keeps(selector_class):
    # The capability table shows ``own_choice``: where it is the default,
    # n_features_to_select=None must keep half of the features (rounded up).
    assert selector_class.own_choice
    if selector_class.own_choice != featsel.BaseSelector.own_choice:
        return
    X, y = make_classification(
        n_samples=120, n_features=7, n_informative=3, random_state=0
    )
    selector = make_selector(selector_class).fit(X, y)
    assert selector.support_.sum() == 4
