"""Tests of OptFSSelector beyond the shared selector checks."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification

from featsel import OptFSSelector

from .test_selectors import planted_classification, planted_regression, recall

pytest.importorskip("torch")


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_default_keeps_the_open_gates(task):
    maker = planted_classification if task == "classification" else planted_regression
    X, y, informative = maker(seed=0)
    selector = OptFSSelector(random_state=0).fit(X, y)
    # The default keeps the open gates: fewer than all, the strong ones in.
    assert 1 <= selector.support_.sum() < X.shape[1]
    np.testing.assert_array_equal(selector.support_, selector.gate_logits_ > 0)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_factorization_machine_head(task):
    maker = planted_classification if task == "classification" else planted_regression
    X, y, informative = maker(seed=0)
    selector = OptFSSelector(4, head="fm", random_state=0).fit(X, y)
    assert recall(selector, informative) >= 0.75


def mixed_frame(n_samples=500, seed=0):
    """Numeric columns, a string column and a categorical column with NaN."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n_samples, 4)), columns=list("abcd"))
    frame["city"] = rng.choice(["Oslo", "Rome", "Lima", "Kyiv"], n_samples)
    frame["color"] = pd.Categorical(rng.choice(["red", "blue", None], n_samples))
    frame.loc[rng.choice(n_samples, 20, replace=False), "b"] = np.nan
    y = (
        frame["a"]
        + 2.0 * (frame["city"] == "Rome")
        - 1.5 * frame["color"].isna()
        + 0.2 * rng.normal(size=n_samples)
    )
    return frame, y


def test_dataframe_with_categorical_columns():
    X, y = mixed_frame()
    selector = OptFSSelector(3, random_state=0).fit(X, y)
    assert list(selector.get_feature_names_out()) == ["a", "city", "color"]
    np.testing.assert_array_equal(selector.categorical_, [False] * 4 + [True, True])
    city = selector.category_gates_["city"]
    assert sorted(city.index) == ["Kyiv", "Lima", "Oslo", "Rome"]
    assert city.idxmax() == "Rome"
    # The missing colour is a category of its own, and the informative one.
    color = selector.category_gates_["color"]
    assert color.index.isna().sum() == 1
    assert np.isnan(color.idxmax())
    assert selector.transform(X).shape == (500, 3)


def test_numpy_object_array_with_strings():
    X, y = mixed_frame(n_samples=300)
    array = X.drop(columns="color").to_numpy(dtype=object)
    selector = OptFSSelector(2, max_epochs=30, random_state=0).fit(array, y)
    np.testing.assert_array_equal(selector.categorical_, [False] * 4 + [True])
    assert set(np.flatnonzero(selector.support_)) == {0, 4}


def test_infinity_is_an_error():
    X, y, _ = planted_classification(n_samples=50, n_features=4)
    X[3, 2] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        OptFSSelector(max_epochs=2).fit(X, y)


def test_temperature_reaches_its_final_value():
    X, y, _ = planted_regression(n_samples=100)
    selector = OptFSSelector(max_epochs=7, final_temperature=50.0, random_state=0).fit(
        X, y
    )
    assert selector.network_.temperature == pytest.approx(50.0)


def test_sparsity_closes_gates():
    X, y, _ = planted_classification(seed=1)
    n_open = [
        OptFSSelector(sparsity=penalty, random_state=0).fit(X, y).support_.sum()
        for penalty in (0.0, 0.005, 0.05)
    ]
    assert n_open[0] >= n_open[1] >= n_open[2]
    assert n_open[0] > n_open[2]


def test_same_random_state_same_selection():
    X, y = mixed_frame(n_samples=200)
    first = OptFSSelector(max_epochs=20, random_state=4).fit(X, y)
    second = OptFSSelector(max_epochs=20, random_state=4).fit(X, y)
    np.testing.assert_array_equal(first.scores_, second.scores_)
    np.testing.assert_array_equal(first.ranking_, second.ranking_)


def eight_level_frame(seed, n_samples=500):
    """Two numeric signals, eight noise columns and an informative 8-level column."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        rng.normal(size=(n_samples, 10)), columns=[f"x{j}" for j in range(10)]
    )
    codes = rng.integers(0, 8, n_samples)
    effect = np.linspace(-1, 1, 8)[rng.permutation(8)]
    X["level"] = pd.Categorical([f"v{code}" for code in codes])
    y = X["x0"] - X["x1"] + effect[codes] + 0.5 * rng.normal(size=n_samples)
    return X, y


@pytest.mark.parametrize("seed", [0, 1])
def test_informative_categorical_column_stays_open(seed):
    # Each value's gate sees an eighth of the rows: at a whole column's
    # penalty every one of them closed.
    X, y = eight_level_frame(seed)
    selector = OptFSSelector(random_state=0).fit(X, y)
    assert list(selector.get_feature_names_out()) == ["x0", "x1", "level"]
    level = selector.category_gates_["level"]
    assert (level > 0).sum() >= 4


def test_own_choice_keeps_the_informative_columns():
    # 10 informative columns and 2 linear combinations of them first, then
    # 38 noise columns; without weight decay every gate closed.
    X, y = make_classification(
        1000, 50, n_informative=10, shuffle=False, random_state=0
    )
    selector = OptFSSelector(random_state=0).fit(X, y)
    kept = np.flatnonzero(selector.support_)
    assert 8 <= kept.size <= 12
    assert np.all(kept < 12)


def test_fit_does_not_import_dynamo():
    # Building a torch.optim optimizer imports torch._dynamo, seconds of a
    # process's first fit: OptFS decays its weights with the core's Adam.
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from featsel import OptFSSelector\n"
        "X = np.random.default_rng(0).normal(size=(40, 3))\n"
        "OptFSSelector(max_epochs=2).fit(X, X[:, 0])\n"
        "assert 'torch._dynamo' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
