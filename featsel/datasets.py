"""Datasets for examples, tests and benchmarks, all available offline.

Every loader returns a :class:`Dataset`; the bundled ones come with
scikit-learn, the synthetic ones are generated locally and know which of
their features are informative.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn import datasets as sk_datasets


@dataclass(frozen=True)
class Dataset:
    """A tabular dataset with its learning task.

    Attributes
    ----------
    name : str
        Registry name.

    X : pandas.DataFrame
        Features, with named columns.

    y : pandas.Series
        Target.

    task : {"classification", "regression"}
        The learning task.

    informative : list of str or None
        Names of the truly informative columns, where they are known.

    description : str
        One line on where the data come from.
    """

    name: str
    X: pd.DataFrame
    y: pd.Series
    task: str
    informative: list = field(default=None)
    description: str = ""


def _frame(X, y, name, task, informative, description):
    columns = [f"x{j}" for j in range(X.shape[1])]
    informative_names = [columns[j] for j in informative]
    return Dataset(
        name,
        pd.DataFrame(X, columns=columns),
        pd.Series(y, name="target"),
        task,
        informative_names,
        description,
    )


def _classification(random_state=0):
    X, y = sk_datasets.make_classification(
        500,
        10,
        n_informative=5,
        n_redundant=0,
        shuffle=False,
        random_state=random_state,
    )
    return _frame(
        X,
        y,
        "classification",
        "classification",
        range(5),
        "make_classification(500, 10, n_informative=5), as in the KAN paper",
    )


def _regression(random_state=0):
    X, y, coef = sk_datasets.make_regression(
        500, 10, n_informative=5, noise=0.1, coef=True, random_state=random_state
    )
    return _frame(
        X,
        y,
        "regression",
        "regression",
        np.flatnonzero(coef),
        "make_regression(500, 10, n_informative=5, noise=0.1), as in the KAN paper",
    )


def _friedman1(random_state=0):
    X, y = sk_datasets.make_friedman1(500, 10, noise=1.0, random_state=random_state)
    return _frame(
        X, y, "friedman1", "regression", range(5), "Friedman #1: 5 of 10 informative"
    )


def _interaction(random_state=0):
    rng = np.random.default_rng(random_state)
    X = rng.normal(size=(500, 22))
    y = (X[:, 0] * X[:, 1] + 0.1 * rng.normal(size=500) > 0).astype(int)
    return _frame(
        X,
        y,
        "interaction",
        "classification",
        [0, 1],
        "y = sign(x0 * x1 + noise) with 20 noise features: a pure interaction",
    )


# name: (loader, task, description, loader keyword arguments)
_BUNDLED = {
    "breast_cancer": (
        sk_datasets.load_breast_cancer,
        "classification",
        "Wisconsin breast cancer (569 x 30, 2 classes)",
        {},
    ),
    "wine": (
        sk_datasets.load_wine,
        "classification",
        "Wine (178 x 13, 3 classes)",
        {},
    ),
    "digits3": (
        sk_datasets.load_digits,
        "classification",
        "Digits 0-2 (537 x 64, 3 classes), as in the KAN paper",
        {"n_class": 3},
    ),
    "digits": (
        sk_datasets.load_digits,
        "classification",
        "Digits (1797 x 64, 10 classes)",
        {},
    ),
    "diabetes": (
        sk_datasets.load_diabetes,
        "regression",
        "Diabetes progression (442 x 10)",
        {},
    ),
}

_SYNTHETIC = {
    "classification": _classification,
    "regression": _regression,
    "friedman1": _friedman1,
    "interaction": _interaction,
}


def list_datasets():
    """Names of the datasets :func:`load_dataset` knows.

    Returns
    -------
    names : list of str
        Registry names, in a fixed order.

    Examples
    --------
    >>> from featsel.datasets import list_datasets
    >>> list_datasets()[:3]
    ['breast_cancer', 'wine', 'digits3']
    """
    return [*_BUNDLED, *_SYNTHETIC]


def load_dataset(name, *, random_state=0):
    """Load a dataset of the registry by name.

    Parameters
    ----------
    name : str
        One of :func:`list_datasets`.

    random_state : int, default=0
        Seed of the synthetic datasets (ignored by the bundled ones).

    Returns
    -------
    dataset : Dataset
        The features, target, task and, for synthetic data, the informative
        columns.

    Examples
    --------
    >>> from featsel.datasets import load_dataset
    >>> data = load_dataset("diabetes")
    >>> data.X.shape, data.task
    ((442, 10), 'regression')
    >>> load_dataset("interaction").informative
    ['x0', 'x1']
    """
    if name in _BUNDLED:
        loader, task, description, kwargs = _BUNDLED[name]
        X, y = loader(return_X_y=True, as_frame=True, **kwargs)
        X.columns = [str(column) for column in X.columns]
        return Dataset(name, X, y.rename("target"), task, None, description)
    if name in _SYNTHETIC:
        return _SYNTHETIC[name](random_state)
    raise ValueError(
        f"Unknown dataset {name!r}; choose one of {', '.join(list_datasets())}."
    )
