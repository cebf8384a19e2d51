"""The planted-signal generators of featsel.datasets: shape, truth, determinism."""

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_selection import f_classif
from sklearn.linear_model import LinearRegression

from featsel.datasets import (
    list_datasets,
    load_dataset,
    make_categorical,
    make_correlated,
)


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_make_correlated_shape_and_task(task):
    data = make_correlated(
        n_samples=120, n_features=11, n_informative=3, task=task, random_state=0
    )
    assert data.X.shape == (120, 11)
    assert list(data.X.columns) == [f"x{j}" for j in range(11)]
    assert data.task == task
    assert len(data.informative) == 3
    assert set(data.informative) <= set(data.X.columns)
    if task == "classification":
        assert set(np.unique(data.y)) == {0, 1}
    else:
        assert data.y.dtype.kind == "f"


def test_make_correlated_truth():
    # Least squares on every column recovers the planted model: a coefficient
    # near 1 on each informative column and near 0 on its decoy, although the
    # decoys are correlated with the informative columns as planted.
    data = make_correlated(n_samples=4000, noise=0.5, random_state=0)
    coef = pd.Series(LinearRegression().fit(data.X, data.y).coef_, data.X.columns)
    others = coef.drop(data.informative)
    np.testing.assert_allclose(coef[data.informative], 1.0, atol=0.05)
    assert others.abs().max() < 0.05

    correlations = data.X.corr().abs()
    block = correlations.loc[data.informative, data.informative].to_numpy()
    np.testing.assert_allclose(block[~np.eye(4, dtype=bool)], 0.5, atol=0.06)
    # Each informative column has exactly one decoy correlated about 0.5.
    decoy_peaks = correlations.loc[data.informative, others.index].max(axis=1)
    np.testing.assert_allclose(decoy_peaks, 0.5, atol=0.06)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_make_categorical_shape_and_task(task):
    data = make_categorical(
        n_samples=150,
        n_features=7,
        n_informative=2,
        n_categorical=4,
        n_categories=3,
        task=task,
        random_state=0,
    )
    assert data.X.shape == (150, 7)
    categorical = [name for name in data.X if data.X[name].dtype == "category"]
    assert len(categorical) == 4
    assert set(data.informative) <= set(categorical)
    assert len(data.informative) == 2
    assert list(data.X[categorical[0]].cat.categories) == ["a", "b", "c"]
    assert (data.X.drop(columns=categorical).dtypes == np.float64).all()
    assert data.task == task


def test_make_categorical_truth():
    # Each column's one-hot ANOVA F puts the informative columns first.
    data = make_categorical(n_samples=2000, random_state=0)
    strength = {}
    for name in data.X:
        column = data.X[name]
        if column.dtype == "category":
            strength[name] = f_classif(pd.get_dummies(column), data.y)[0].max()
        else:
            strength[name] = f_classif(column.to_frame(), data.y)[0][0]
    top = sorted(strength, key=strength.get, reverse=True)[:3]
    assert sorted(top) == sorted(data.informative)


@pytest.mark.parametrize("make", [make_correlated, make_categorical])
def test_generators_are_deterministic(make):
    first, second = make(random_state=3), make(random_state=3)
    pd.testing.assert_frame_equal(first.X, second.X)
    pd.testing.assert_series_equal(first.y, second.y)
    assert first.informative == second.informative
    # Another seed moves the informative columns, so that no selector finds
    # them by breaking ties by column position.
    positions = {tuple(make(random_state=seed).informative) for seed in range(5)}
    assert len(positions) > 1


@pytest.mark.parametrize("name", ["correlated", "categorical"])
def test_generators_are_registered(name):
    assert name in list_datasets()
    data = load_dataset(name, random_state=1)
    assert data.name == name and data.informative


@pytest.mark.parametrize(
    "make, params, message",
    [
        (make_correlated, {"correlation": 1.0}, "correlation must be in"),
        (make_correlated, {"n_features": 7}, "n_features=7 must be at least"),
        (make_correlated, {"task": "ranking"}, "task must be"),
        (make_categorical, {"n_categories": 1}, "n_categories must be in"),
        (make_categorical, {"n_categorical": 2}, "n_informative=3, n_categorical=2"),
        (make_categorical, {"task": "ranking"}, "task must be"),
    ],
)
def test_generators_reject_bad_parameters(make, params, message):
    with pytest.raises(ValueError, match=message):
        make(**params)
