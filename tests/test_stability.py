"""StabilitySelector: complementary-pairs stability selection."""

import pickle

import numpy as np
import pytest
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.utils._param_validation import InvalidParameterError

from featsel import BaseSelector, LassoSelector, StabilitySelector
from featsel._stability import _complementary_halves, false_selection_bound


def planted(seed, n_samples=300, n_features=30, signal=True):
    """Classification with 5 informative columns (the first) of 30, or none."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    weights = np.array([1.5, -1.2, 1.0, -0.8, 0.7])
    latent = X[:, :5] @ weights if signal else 0.0
    y = (latent + 0.5 * rng.normal(size=n_samples) > 0).astype(int)
    return X, y


class CountingSelector(BaseSelector):
    """Ranks the columns by their variance; counts its fits."""

    n_fits = 0

    def __init__(self, n_features_to_select=None, *, task="auto", random_state=None):
        self.n_features_to_select = n_features_to_select
        self.task = task
        self.random_state = random_state

    def _fit_scores(self, X, y, uninformative):
        type(self).n_fits += 1
        return X.var(axis=0)


def test_planted_recovery():
    # 5 informative columns of 30, three seeds: every informative column is
    # selected and no noise column.
    recall, noise = [], []
    for seed in range(3):
        X, y = planted(seed)
        stability = StabilitySelector(LassoSelector(), n_pairs=25, random_state=seed)
        support = stability.fit(X, y).support_
        recall.append(support[:5].mean())
        noise.append(support[5:].sum())
    assert np.mean(recall) >= 0.9
    assert np.mean(noise) <= 1


@pytest.mark.parametrize("max_false_selections", [1.0, 3.0])
def test_error_bound_on_a_null_problem(max_false_selections):
    # No column is informative: every selection is false, and their mean
    # over seeds stays within the bound.
    false_selections = []
    for seed in range(8):
        X, y = planted(seed, n_samples=120, signal=False)
        stability = StabilitySelector(
            LassoSelector(),
            n_pairs=10,
            max_false_selections=max_false_selections,
            random_state=seed,
        ).fit(X, y)
        assert stability.false_selection_bound_ <= max_false_selections + 1e-12
        false_selections.append(stability.support_.sum())
    assert np.mean(false_selections) <= max_false_selections


def test_unimodal_bound_and_defaults():
    # Shah and Samworth's unimodal bound at B = 50, pi = 0.9, q^2 / p = 1:
    # 4 (0.1 + 0.01) / 1.02.
    assert false_selection_bound(10, 100, 0.9, 50) == pytest.approx(0.44 / 1.02)
    # Below 3/4: 1 / (2 (2 pi - 1 - 1 / (2B))), where it applies.
    assert false_selection_bound(10, 100, 0.7, 50) == pytest.approx(1 / 0.78)
    # Outside the theorem (fits keeping more than p / sqrt(3) features, or
    # a threshold so close to 1/2 that the denominator is not positive),
    # the general bound q^2 / ((2 pi - 1) p), which holds there too.
    assert false_selection_bound(90, 100, 0.7, 50) == pytest.approx(81 / 0.4)
    assert false_selection_bound(60, 100, 0.95, 50) == pytest.approx(36 / 0.9)
    assert false_selection_bound(44, 1000, 0.502, 50) == pytest.approx(1.936 / 0.004)

    X, y = planted(0, n_samples=100, n_features=30)
    stability = StabilitySelector(LassoSelector(), n_pairs=3, random_state=0)
    stability.fit(X, y)
    # q: the largest with 4 (1 - 0.95 + 1/6) / (4/3) q^2 / 30 <= 1, so 6;
    # then the smallest multiple of 1/6 that meets the bound is 1
    # (5/6 gives 1.2).
    assert stability.n_features_per_fit_ == 6
    assert stability.threshold_ == 1.0
    assert stability.false_selection_bound_ == pytest.approx(0.6)
    np.testing.assert_array_equal(stability.fit_supports_.sum(axis=1), 6)

    # With 50 pairs each fit may keep twice as many features as without
    # the assumption, at the same bound.
    unimodal = StabilitySelector(LassoSelector(), n_pairs=50)
    none = StabilitySelector(LassoSelector(), n_pairs=50, assumption="none")
    assert unimodal._resolve_q_threshold(100) == (20, 0.95)
    assert none._resolve_q_threshold(100) == (9, pytest.approx(0.905))


def test_bound_without_assumption_and_defaults():
    X, y = planted(0, n_samples=100, n_features=30)
    stability = StabilitySelector(
        LassoSelector(), n_pairs=3, assumption="none", random_state=0
    )
    stability.fit(X, y)
    # q = floor(sqrt(0.9 * 1 * 30)) = 5; threshold = 0.5 + 25 / 60.
    assert stability.n_features_per_fit_ == 5
    assert stability.threshold_ == pytest.approx(0.5 + 25 / 60)
    assert stability.false_selection_bound_ == pytest.approx(1.0)
    np.testing.assert_array_equal(stability.fit_supports_.sum(axis=1), 5)

    given = StabilitySelector(
        LassoSelector(), n_pairs=3, threshold=0.8, assumption="none", random_state=0
    ).fit(X, y)
    # q = floor(sqrt(0.6 * 30)) = 4 for the given threshold.
    assert given.n_features_per_fit_ == 4
    assert given.false_selection_bound_ == pytest.approx(16 / (0.6 * 30))

    both = StabilitySelector(
        LassoSelector(),
        n_pairs=3,
        threshold=0.6,
        n_features_per_fit=6,
        assumption="none",
    ).fit(X, y)
    assert both.false_selection_bound_ == pytest.approx(36 / (0.2 * 30))


def test_number_of_fits_is_twice_the_pairs():
    CountingSelector.n_fits = 0
    X, y = planted(0, n_samples=80, n_features=10)
    StabilitySelector(CountingSelector(), n_pairs=7, random_state=0).fit(X, y)
    assert CountingSelector.n_fits == 14


def test_complementary_halves():
    rng = np.random.RandomState(0)
    y = np.array([0] * 31 + [1] * 10 + [2] * 6)
    halves = _complementary_halves(y, 4, rng)
    assert len(halves) == 8
    for first, second in zip(halves[0::2], halves[1::2], strict=True):
        assert first.size == second.size == 23
        assert not set(first) & set(second)
        # Stratified: each class is split within one row.
        counts = np.bincount(y[first], minlength=3) - np.bincount(
            y[second], minlength=3
        )
        assert np.abs(counts).max() <= 1
    regression = _complementary_halves(np.linspace(0, 1, 11), 2, rng)
    assert [half.size for half in regression] == [5, 5, 5, 5]
    assert not set(regression[0]) & set(regression[1])


def test_ranking_is_strict_and_follows_frequency():
    X, y = planted(1, n_samples=150, n_features=12)
    stability = StabilitySelector(LassoSelector(), n_pairs=5, random_state=0)
    stability.fit(X, y)
    assert sorted(stability.ranking_) == list(range(1, 13))
    order = np.argsort(stability.ranking_)
    assert np.all(np.diff(stability.selection_frequencies_[order]) <= 0)
    np.testing.assert_array_equal(stability.scores_, stability.selection_frequencies_)
    # Ties in frequency (0 for most noise columns) go by the mean rank.
    mean_rank = stability.fit_rankings_.mean(axis=0)
    for a, b in zip(order[:-1], order[1:], strict=True):
        if stability.selection_frequencies_[a] == stability.selection_frequencies_[b]:
            assert mean_rank[a] <= mean_rank[b]


def test_determinism_and_seeding():
    X, y = planted(2, n_samples=120, n_features=10)
    selector = CountingSelector(random_state=123)
    first = StabilitySelector(selector, n_pairs=4, random_state=0).fit(X, y)
    second = StabilitySelector(selector, n_pairs=4, random_state=0).fit(X, y)
    np.testing.assert_array_equal(first.fit_rankings_, second.fit_rankings_)
    other = StabilitySelector(selector, n_pairs=4, random_state=1).fit(X, y)
    assert not np.array_equal(first.fit_rankings_, other.fit_rankings_)
    # The user's selector is left as it was.
    assert selector.random_state == 123
    parallel = StabilitySelector(selector, n_pairs=4, random_state=0, n_jobs=2)
    np.testing.assert_array_equal(parallel.fit(X, y).fit_rankings_, first.fit_rankings_)


def test_third_party_selector():
    X, y = planted(3, n_samples=200, n_features=15)
    stability = StabilitySelector(SelectKBest(f_classif), n_pairs=5, random_state=0)
    stability.fit(X, y)
    # f_classif ranks the strongest columns first on most halves.
    assert stability.support_[:2].all()
    assert not stability.support_[5:].any()


@pytest.mark.parametrize(
    "params, error, message",
    [
        ({"threshold": 0.5}, InvalidParameterError, "'threshold' parameter"),
        ({"threshold": 1.2}, InvalidParameterError, "'threshold' parameter"),
        ({"n_pairs": 0}, InvalidParameterError, "'n_pairs' parameter"),
        (
            {"max_false_selections": 0},
            InvalidParameterError,
            "'max_false_selections' parameter",
        ),
        (
            {"n_features_per_fit": 8, "max_false_selections": 1.0},
            ValueError,
            r"n_features_per_fit=8 and max_false_selections=1 with 20 features "
            r"and n_pairs=2 need a selection frequency threshold above 1 "
            r"\(assumption='unimodal'\): lower n_features_per_fit to at most 5, "
            r"or raise max_false_selections",
        ),
        (
            {"max_false_selections": 0.01},
            ValueError,
            r"a bound of at least 0.0333 is needed for n_features_per_fit=1",
        ),
        (
            {"max_false_selections": 0.01, "assumption": "none"},
            ValueError,
            r"a bound of at least 0.05 is needed for n_features_per_fit=1",
        ),
        ({"assumption": "r-concave"}, InvalidParameterError, "'assumption'"),
        (
            {"threshold": 0.51},
            ValueError,
            r"threshold=0.51 with 20 features and n_pairs=2 meets "
            r"max_false_selections=1 for no n_features_per_fit",
        ),
        ({"n_features_per_fit": 21}, ValueError, "larger than the number"),
    ],
)
def test_bad_parameters(params, error, message):
    X, y = planted(0, n_samples=40, n_features=20)
    with pytest.raises(error, match=message):
        StabilitySelector(LassoSelector(), **{"n_pairs": 2, **params}).fit(X, y)


def test_too_few_rows():
    X, y = planted(0, n_samples=3, n_features=6)
    with pytest.raises(ValueError, match="at least 4 rows"):
        StabilitySelector(LassoSelector()).fit(X, y)


def test_pickle():
    X, y = planted(0, n_samples=100, n_features=8)
    stability = StabilitySelector(LassoSelector(), n_pairs=3, random_state=0)
    stability.fit(X, y)
    restored = pickle.loads(pickle.dumps(stability))
    np.testing.assert_array_equal(restored.transform(X), stability.transform(X))


def test_plot_stability_path():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = planted(0, n_samples=120, n_features=10)
    stability = StabilitySelector(LassoSelector(), n_pairs=4, random_state=0)
    ax = stability.fit(X, y).plot_stability_path()
    assert len(ax.lines) == 10 + 1  # one path per feature, the threshold
    assert ax.get_ylabel() == "Selection frequency"
    plt.close(ax.figure)
