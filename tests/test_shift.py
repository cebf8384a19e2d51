"""Feature-shift evaluation (TabFSBench scenarios) and its runner integration."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression

from featsel.benchmark import Study, load_shifts, report, run
from featsel.shift import evaluate, fill_values, summarize, target_correlation


class RecordingModel(RegressorMixin, BaseEstimator):
    """Predicts the sum of its inputs and records every test set it sees."""

    def fit(self, X, y):
        self.seen_ = []
        return self

    def predict(self, X):
        self.seen_.append(X)
        return X.select_dtypes("number").sum(axis=1).to_numpy()


@pytest.fixture
def linear_data():
    """y = 3a + 2b + c: correlation order a, b, c on the training part."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    y = 3 * X["a"] + 2 * X["b"] + X["c"]
    return X[:150], y[:150], X[150:], y[150:]


def test_single_scenario_matches_a_hand_computation(linear_data):
    X_train, y_train, X_test, y_test = linear_data
    model = LinearRegression().fit(X_train, y_train)
    shifts = evaluate(
        model,
        X_train,
        y_train,
        X_test,
        y_test,
        scenarios=["single"],
        scoring="neg_mean_squared_error",
    )
    assert list(shifts["scenario"]) == ["none", "single", "single", "single"]
    by_feature = shifts.set_index(shifts["shifted"].str[0])
    # The model is exact, so shifting a leaves the error 3 * (a - mean a).
    expected = -np.mean((3 * (X_test["a"] - X_train["a"].mean())) ** 2)
    assert by_feature.loc["a", "score"] == pytest.approx(expected, rel=1e-6)
    assert shifts.loc[0, "score"] == pytest.approx(0.0, abs=1e-12)
    assert by_feature.loc["a", "drop"] > by_feature.loc["b", "drop"]
    assert by_feature.loc["b", "drop"] > by_feature.loc["c", "drop"]


def test_cumulative_scenarios_use_training_correlation(linear_data):
    X_train, y_train, X_test, y_test = linear_data
    # On the test part c dominates: the order must still come from training.
    y_test = 10 * X_test["c"]
    model = LinearRegression().fit(X_train, y_train)
    shifts = evaluate(
        model, X_train, y_train, X_test, y_test, scenarios=["most", "least"]
    )
    most = shifts[shifts["scenario"] == "most"]["shifted"].tolist()
    least = shifts[shifts["scenario"] == "least"]["shifted"].tolist()
    assert most == [("a",), ("a", "b"), ("a", "b", "c")]
    assert least == [("c",), ("c", "b"), ("c", "b", "a")]
    np.testing.assert_allclose(
        shifts[shifts["scenario"] == "most"]["fraction"], [1 / 3, 2 / 3, 1]
    )


def test_every_shifted_test_set_is_a_fresh_copy(linear_data):
    X_train, y_train, X_test, y_test = linear_data
    X_test_before = X_test.copy()
    model = RecordingModel().fit(X_train, y_train)
    evaluate(model, X_train, y_train, X_test, y_test, scenarios=["most"])
    pd.testing.assert_frame_equal(X_test, X_test_before)
    # Unshifted, then a; a, b; a, b, c shifted: every set differs from the
    # others (TabFSBench's released code ends with identical ones).
    seen = model.seen_
    assert len(seen) == 4
    assert len({id(frame) for frame in seen}) == 4
    for n_shifted, frame in enumerate(seen):
        constant = [name for name in "abc" if frame[name].nunique() == 1]
        assert constant == ["a", "b", "c"][:n_shifted]


def test_categorical_columns_are_filled_with_the_mode():
    X_train = pd.DataFrame(
        {
            "x": [1.0, 2.0, 3.0, 6.0],
            "city": pd.Categorical(["Oslo", "Rome", "Rome", "Lima"]),
            "flag": [True, False, False, False],
        }
    )
    fills = fill_values(X_train)
    assert fills == {"x": 3.0, "city": "Rome", "flag": False}
    X_test = X_train.iloc[:2].reset_index(drop=True)
    model = RecordingModel().fit(X_train, [0, 0, 0, 0])
    evaluate(
        model,
        X_train,
        [0.0, 1.0, 1.0, 2.0],
        X_test,
        [0.0, 1.0],
        scenarios=["single"],
    )
    shifted_city = model.seen_[2]
    assert list(shifted_city["city"]) == ["Rome", "Rome"]
    assert shifted_city["city"].dtype == X_test["city"].dtype


def test_random_scenario_sizes_and_seed(linear_data):
    X_train, y_train, X_test, y_test = linear_data
    model = LinearRegression().fit(X_train, y_train)

    def random_sets(seed):
        shifts = evaluate(
            model,
            X_train,
            y_train,
            X_test,
            y_test,
            scenarios=["random"],
            random_fractions=(0.3, 0.7),
            n_draws=4,
            random_state=seed,
        )
        return shifts[shifts["scenario"] == "random"]

    first = random_sets(1)
    assert list(first["n_shifted"]) == [1] * 4 + [2] * 4
    assert first["shifted"].tolist() == random_sets(1)["shifted"].tolist()


def test_target_correlation_multiclass_ignores_label_order():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"signal": rng.normal(size=300), "noise": rng.normal(size=300)})
    labels = np.digitize(X["signal"], [-0.5, 0.5])
    # Class 1 sits in the middle: label-encoded Pearson r would still work,
    # but relabelling must not change anything.
    relabelled = np.array(["b", "c", "a"])[labels]
    np.testing.assert_allclose(
        target_correlation(X, labels), target_correlation(X, relabelled)
    )
    assert target_correlation(X, labels)["signal"] > 0.5


def test_bad_input(linear_data):
    X_train, y_train, X_test, y_test = linear_data
    model = LinearRegression().fit(X_train, y_train)
    with pytest.raises(ValueError, match="unknown shift scenario"):
        evaluate(model, X_train, y_train, X_test, y_test, scenarios=["all"])
    with pytest.raises(ValueError, match="features not in X_test: z"):
        evaluate(model, X_train, y_train, X_test, y_test, features=["a", "z"])
    with pytest.raises(TypeError, match="DataFrames"):
        evaluate(model, X_train.to_numpy(), y_train, X_test, y_test)


def test_summarize_area_under_curve():
    shifts = pd.DataFrame(
        {
            "scenario": ["none", "random", "random", "random"],
            "fraction": [0.0, 0.5, 0.5, 1.0],
            "score": [1.0, 0.6, 0.4, 0.0],
            "drop": [0.0, 0.4, 0.6, 1.0],
        }
    )
    summary = summarize(shifts).set_index("scenario")
    assert summary.loc["random", "auc"] == pytest.approx(0.5)
    assert summary.loc["random", "max_drop"] == 1.0


def test_runner_stores_and_reports_shifts(tmp_path):
    study = Study(
        datasets=("wine",),
        selectors=("none", "lasso"),
        retention=(0.4,),
        models=("linear",),
        folds=2,
        shift=("most", "random"),
    )
    run(study, tmp_path, progress=False)
    shifts = load_shifts(tmp_path)
    lasso = shifts[(shifts["selector"] == "lasso") & (shifts["fold"] == 0)]
    # ceil(0.4 * 13) = 6 selected features: 6 cumulative sets, 5 x 5 random.
    assert (lasso["scenario"] == "most").sum() == 6
    assert (lasso["scenario"] == "random").sum() == 25
    assert lasso["shifted"].map(len).max() == 6
    tables = report(tmp_path)
    assert {"robustness", "robustness_summary"} <= set(tables)
    assert (tmp_path / "report" / "robustness.md").is_file()
    assert (tmp_path / "report" / "shift.png").is_file()
