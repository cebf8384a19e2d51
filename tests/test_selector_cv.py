"""SelectorCV: the number of features chosen by cross-validation."""

import pickle

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.dummy import DummyClassifier
from sklearn.feature_selection import RFE, SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from featsel import BaseSelector, LassoSelector, SelectorCV, StabilitySelector
from featsel._selector_cv import _resolve_grid, choose_n_features


def planted(seed, n_samples=300, n_features=30):
    """Classification with 5 informative columns (the first) of 30."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    weights = np.array([1.5, -1.2, 1.0, -0.8, 0.7])
    y = (X[:, :5] @ weights + 0.5 * rng.normal(size=n_samples) > 0).astype(int)
    return X, y


class CountingSelector(BaseSelector):
    """Ranks the columns in their order (column 0 first); counts its fits."""

    n_fits = 0

    def __init__(self, n_features_to_select=None, *, task="auto", depends_on_k=False):
        self.n_features_to_select = n_features_to_select
        self.task = task
        self.depends_on_k = depends_on_k

    @property
    def selection_depends_on_k(self):
        return self.depends_on_k

    def _fit_scores(self, X, y, uninformative):
        type(self).n_fits += 1
        return np.arange(X.shape[1], 0, -1, dtype=float)


class CurveRegressor(RegressorMixin, BaseEstimator):
    """A model whose test score is ``curve[k - 1] + jitter[fold]``.

    ``y`` is the row index, so the test rows of an unshuffled ``KFold`` say
    which fold they are.
    """

    n_fits = 0

    def __init__(self, curve=(), jitter=(), n_rows=100):
        self.curve = curve
        self.jitter = jitter
        self.n_rows = n_rows

    def fit(self, X, y):
        type(self).n_fits += 1
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        return np.zeros(X.shape[0])

    def score(self, X, y):
        fold = int(y.min()) * len(self.jitter) // self.n_rows
        return self.curve[X.shape[1] - 1] + self.jitter[fold]


CURVE = (0.5, 0.8, 0.88, 0.905, 0.91, 0.908)
JITTER = (-0.02, -0.01, 0.0, 0.01, 0.02)


def curve_search(rule="one_se"):
    X = np.random.default_rng(0).normal(size=(100, len(CURVE)))
    y = np.arange(100, dtype=float)
    search = SelectorCV(
        CountingSelector(),
        CurveRegressor(CURVE, JITTER, n_rows=100),
        cv=KFold(5),
        rule=rule,
    )
    return search.fit(X, y)


def test_one_standard_error_rule_on_a_constructed_curve():
    # The best mean is 0.91 at k=5; one standard error of the folds' spread
    # is sd(JITTER) / sqrt(5) = 0.0071, so k=4 (0.905) is within it and k=3
    # (0.88) is not.
    search = curve_search()
    results = search.cv_results_
    np.testing.assert_allclose(results["mean_test_score"], CURVE)
    np.testing.assert_allclose(
        results["sem_test_score"], np.std(JITTER, ddof=1) / np.sqrt(5)
    )
    np.testing.assert_allclose(results["split0_test_score"], np.add(CURVE, -0.02))
    assert search.n_features_ == 4
    np.testing.assert_array_equal(search.get_support(indices=True), [0, 1, 2, 3])
    assert curve_search(rule="best").n_features_ == 5


def test_choose_n_features():
    grid = [2, 4, 8, 16]
    mean = [0.6, 0.8, 0.85, 0.84]
    assert choose_n_features(grid, mean, [0.1, 0.1, 0.01, 0.1]) == 8
    assert choose_n_features(grid, mean, [0.1, 0.1, 0.06, 0.1]) == 4
    assert choose_n_features(grid, mean, [0, 0, 0, 0], rule="best") == 8
    # Ties go to the smallest count.
    assert choose_n_features(grid, [0.9, 0.9, 0.9, 0.9], [0] * 4, rule="best") == 2
    with pytest.raises(ValueError, match="Every cross-validated score is NaN"):
        choose_n_features(grid, [np.nan] * 4, [0] * 4)


@pytest.mark.parametrize("depends_on_k", [False, True])
def test_number_of_fits(depends_on_k):
    # A nested ranking costs one selector fit per fold plus the final fit;
    # a selection that depends on k one per fold and k, plus the final fit.
    CountingSelector.n_fits = CurveRegressor.n_fits = 0
    X = np.random.default_rng(0).normal(size=(100, 6))
    search = SelectorCV(
        CountingSelector(depends_on_k=depends_on_k),
        CurveRegressor(CURVE, JITTER, n_rows=100),
        cv=KFold(5),
        n_features_grid=[1, 2, 4, 6],
    ).fit(X, np.arange(100.0))
    expected = 5 * 4 + 1 if depends_on_k else 5 + 1
    assert CountingSelector.n_fits == expected
    assert CurveRegressor.n_fits == 5 * 4
    np.testing.assert_array_equal(search.cv_results_["n_features"], [1, 2, 4, 6])


def test_planted_recovery():
    # 5 informative columns of 30, three seeds: every informative column is
    # kept, and at most one noise column on average.
    recall, noise = [], []
    for seed in range(3):
        X, y = planted(seed)
        search = SelectorCV(
            LassoSelector(random_state=0),
            LogisticRegression(solver="newton-cholesky"),
        ).fit(X, y)
        recall.append(search.support_[:5].mean())
        noise.append(search.support_[5:].sum())
    assert np.mean(recall) >= 0.9
    assert np.mean(noise) <= 1


def test_attributes_and_final_fit():
    X, y = planted(0, n_samples=200, n_features=12)
    search = SelectorCV(LassoSelector(random_state=0), LogisticRegression(), cv=3).fit(
        X, y
    )
    assert search.selector_.n_features_to_select == search.n_features_
    np.testing.assert_array_equal(search.support_, search.selector_.support_)
    np.testing.assert_array_equal(search.ranking_, search.selector_.ranking_)
    np.testing.assert_array_equal(search.scores_, search.selector_.scores_)
    assert search.n_features_in_ == 12
    assert set(search.cv_results_) == {
        "n_features",
        "mean_test_score",
        "std_test_score",
        "sem_test_score",
        "split0_test_score",
        "split1_test_score",
        "split2_test_score",
    }
    assert search.transform(X).shape == (200, search.n_features_)


def test_in_a_pipeline_with_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = planted(0, n_samples=200, n_features=8)
    X = pd.DataFrame(X, columns=[f"f{j}" for j in range(8)])
    pipe = make_pipeline(
        SelectorCV(LassoSelector(random_state=0), LogisticRegression(), cv=3),
        LogisticRegression(),
    ).fit(X, y)
    names = pipe[0].get_feature_names_out()
    assert set(names) <= set(X.columns)
    np.testing.assert_array_equal(pipe[0].feature_names_in_, X.columns)


@pytest.mark.parametrize(
    "selector",
    [RFE(LogisticRegression(), n_features_to_select=1), SelectKBest(f_classif)],
    ids=["RFE", "SelectKBest"],
)
def test_third_party_selectors(selector):
    # scikit-learn selectors are ranked by ranking_ or scores_, whatever
    # count they select themselves.
    X, y = planted(1, n_samples=200, n_features=10)
    search = SelectorCV(selector, LogisticRegression(), cv=3).fit(X, y)
    assert 1 <= search.n_features_ <= 10
    assert search.support_.sum() == search.n_features_
    assert sorted(search.ranking_) == list(range(1, 11))


def test_regression_uses_unstratified_folds_and_a_scorer():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 8))
    y = 3 * X[:, 0] - 2 * X[:, 1] + 0.5 * rng.normal(size=120)
    search = SelectorCV(
        LassoSelector(random_state=0),
        Ridge(),
        scoring="neg_mean_squared_error",
        cv=4,
    ).fit(X, y)
    assert (search.cv_results_["mean_test_score"] <= 0).all()
    assert search.support_[:2].all()


def test_grid_resolution():
    np.testing.assert_array_equal(_resolve_grid(None, 7), np.arange(1, 8))
    wide = _resolve_grid(None, 2000)
    assert wide[0] == 1 and wide[-1] == 2000 and wide.size <= 30
    assert np.all(np.diff(wide) > 0)
    np.testing.assert_array_equal(_resolve_grid([0.5, 2, 0.1, 2], 10), [1, 2, 5])


@pytest.mark.parametrize(
    "grid, message",
    [
        ([0, 2], r"count 0, outside \[1, 6\]"),
        ([7], r"count 7, outside \[1, 6\]"),
        ([1.5], r"fraction 1.5, outside \(0, 1\]"),
        ([True], "must hold ints"),
        (["3"], "must hold ints"),
        ([], "n_features_grid is empty"),
    ],
)
def test_bad_grid(grid, message):
    X, y = planted(0, n_samples=60, n_features=6)
    search = SelectorCV(LassoSelector(), LogisticRegression(), n_features_grid=grid)
    with pytest.raises(ValueError, match=message):
        search.fit(X, y)


def test_bad_parameters():
    X, y = planted(0, n_samples=60, n_features=6)
    with pytest.raises(InvalidParameterError, match="'rule' parameter"):
        SelectorCV(LassoSelector(), LogisticRegression(), rule="min").fit(X, y)
    with pytest.raises(ValueError, match="cv=5 needs at least 5 rows in one class"):
        SelectorCV(LassoSelector(), LogisticRegression()).fit(X[:4], y[:4])


def test_a_class_smaller_than_the_folds():
    # As RFECV: a class of 3 rows with 5 folds is held out one row at a time,
    # so every training fold keeps it; StratifiedKFold warns. A class of one
    # row would be missing from a training fold: refused, naming the class.
    X, y = planted(0, n_samples=80, n_features=6)
    y = np.where(y == 1, "yes", "no").astype(object)
    y[:3] = "rare"
    y[3:] = np.where(y[3:] == "rare", "no", y[3:])
    search = SelectorCV(LassoSelector(), LogisticRegression())
    with pytest.warns(UserWarning, match="least populated class in y has only 3"):
        search.fit(X, y)
    assert search.cv_results_["n_features"].size > 0
    y[1:3] = "no"
    with pytest.raises(ValueError, match="leaves class 'rare', which has 1 row"):
        search.fit(X, y)


def test_selector_without_a_ranking():
    X, y = planted(0, n_samples=60, n_features=6)
    with pytest.raises(AttributeError, match="has none of ranking_, scores_"):
        SelectorCV(DummyClassifier(), LogisticRegression(), cv=3).fit(X, y)


def test_pickle_and_parallel_folds_agree():
    X, y = planted(2, n_samples=150, n_features=8)
    search = SelectorCV(LassoSelector(random_state=0), LogisticRegression(), cv=3).fit(
        X, y
    )
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.transform(X), search.transform(X))
    parallel = SelectorCV(
        LassoSelector(random_state=0), LogisticRegression(), cv=3, n_jobs=2
    ).fit(X, y)
    np.testing.assert_allclose(
        parallel.cv_results_["mean_test_score"],
        search.cv_results_["mean_test_score"],
    )
    assert parallel.n_features_ == search.n_features_


def test_plot_cv_results():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = curve_search().plot_cv_results()
    assert ax.get_xlabel() == "Number of features"
    assert any("chosen: 4" in text.get_text() for text in ax.get_legend().texts)
    plt.close(ax.figure)


def test_categorical_input_only_where_the_estimator_takes_it_too():
    # Once: OptFS takes categories, so SelectorCV did, and its linear model
    # failed on "could not convert string to float".
    from featsel import OptFSSelector

    wrapper = SelectorCV(OptFSSelector(), LogisticRegression())
    assert OptFSSelector().__sklearn_tags__().input_tags.categorical
    assert not wrapper.__sklearn_tags__().input_tags.categorical
    assert not wrapper.__sklearn_tags__().input_tags.allow_nan


def test_scores_kind_follows_the_wrapped_selector():
    from featsel import SVMRFESelector

    assert SelectorCV(LassoSelector(), LogisticRegression()).scores_kind == (
        "importance"
    )
    assert SelectorCV(SVMRFESelector(), LogisticRegression()).scores_kind == "order"
    assert StabilitySelector(SVMRFESelector()).scores_kind == "importance"
