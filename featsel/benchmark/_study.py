"""The description of a benchmark study: what to compare, and how."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import sys
from dataclasses import asdict, dataclass, field, replace

from ..datasets import list_datasets
from ._registry import (
    MODELS,
    NO_SELECTION,
    SELECTORS,
    available_selectors,
    expand_selectors,
    xgboost_available,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

EMBEDDED_DATASETS = (
    "breast_cancer",
    "wine",
    "digits3",
    "diabetes",
    "classification",
    "regression",
    "friedman1",
    "interaction",
)


@dataclass(frozen=True)
class Study:
    """A study: datasets x selectors x retention levels x folds x seeds.

    Parameters
    ----------
    datasets : tuple of str
        Dataset names of :mod:`featsel.datasets`, or paths of CSV / Parquet
        files (whose target column is ``target``).

    selectors : tuple of str
        Short selector names (see ``featsel selectors``); ``"none"`` is the
        reference row that keeps every feature, ``"all"`` stands for every
        installed selector.

    selector_params : dict
        Per-selector parameter overrides, ``{"rf": {"n_estimators": 50}}``.

    retention : tuple of float
        Fractions of the features kept; a level keeps ``ceil(p * d)``.

    models : tuple of str
        Downstream models: ``"linear"`` (LogisticRegression or Ridge, on
        standardised features), ``"rf"`` (random forest, 200 trees),
        ``"xgb"`` (XGBoost, 200 trees).

    scoring : dict
        Scorer names by task; default F1-macro and R^2.

    folds : int
        Outer folds (stratified for classification, shuffled).

    seeds : tuple of int
        Seeds; each seed reshuffles the outer folds and reseeds the
        selectors and models.

    target : str
        Target column of user data files.

    shift : tuple of str
        Feature-shift scenarios evaluated on each task's test fold (see
        :mod:`featsel.shift`); empty for none.
    """

    datasets: tuple = EMBEDDED_DATASETS
    selectors: tuple = (NO_SELECTION, "lasso", "rf", "mi", "svm-rfe")
    selector_params: dict = field(default_factory=dict)
    retention: tuple = (0.2, 0.4, 0.6)
    models: tuple = ("linear", "rf")
    scoring: dict = field(
        default_factory=lambda: {"classification": "f1_macro", "regression": "r2"}
    )
    folds: int = 5
    seeds: tuple = (0,)
    target: str = "target"
    shift: tuple = ()

    def __post_init__(self):
        object.__setattr__(self, "selectors", expand_selectors(self.selectors))

    def validate(self):
        """Raise a ValueError naming the first unknown or invalid entry."""
        unknown = [
            name
            for name in self.selectors
            if name != NO_SELECTION and name not in SELECTORS
        ]
        if unknown:
            raise ValueError(
                f"unknown selector(s): {', '.join(unknown)}; choose from "
                f"{', '.join([NO_SELECTION, *SELECTORS])}"
            )
        unavailable = [
            name
            for name in self.selectors
            if name != NO_SELECTION and name not in available_selectors()
        ]
        if unavailable:
            raise ValueError(
                f"selector(s) not available in this environment: "
                f"{', '.join(unavailable)} (install featsel[all])"
            )
        for name in self.datasets:
            if name not in list_datasets() and not _looks_like_file(name):
                raise ValueError(
                    f"unknown dataset {name!r}; choose from "
                    f"{', '.join(list_datasets())} or give a .csv/.parquet file"
                )
        bad_models = [name for name in self.models if name not in MODELS]
        if bad_models:
            raise ValueError(
                f"unknown model(s): {', '.join(bad_models)}; choose from "
                f"{', '.join(MODELS)}"
            )
        if "xgb" in self.models and not xgboost_available():
            raise ValueError("model 'xgb' needs xgboost: install featsel[shap]")
        if not self.retention or not all(0 < p <= 1 for p in self.retention):
            raise ValueError(
                f"retention levels must lie in (0, 1], got {self.retention}"
            )
        if self.folds < 2:
            raise ValueError(f"folds must be at least 2, got {self.folds}")
        return self

    def to_dict(self):
        return asdict(self)


def _looks_like_file(name):
    return str(name).lower().endswith((".csv", ".parquet", ".pq"))


def preset(name):
    """A named study.

    ``quick``: every installed selector on the embedded datasets, 3 folds,
    one linear and one tree model, selectors at moderate settings; finishes
    in minutes on a laptop. ``paper``: the protocol of the KAN
    feature-selection paper (5 folds; LogisticRegression or Ridge, random
    forest with 200 trees and XGBoost; 20/40/60 %) on its datasets, every
    installed selector at its defaults; about 7 minutes with 2 workers on 2
    free cores (``benchmarks/results/runner.md``), resumable after a stop.
    """
    if name == "quick":
        selectors = (NO_SELECTION, *available_selectors())
        return Study(
            selectors=selectors,
            selector_params={
                selector: dict(SELECTORS[selector].quick_params)
                for selector in selectors
                if selector != NO_SELECTION and SELECTORS[selector].quick_params
            },
            folds=3,
        )
    if name == "paper":
        return Study(
            datasets=(
                "breast_cancer",
                "wine",
                "digits3",
                "diabetes",
                "classification",
                "regression",
            ),
            selectors=(NO_SELECTION, *available_selectors()),
            models=("linear", "rf", "xgb") if xgboost_available() else ("linear", "rf"),
            folds=5,
        )
    raise ValueError(f"unknown preset {name!r}; choose quick or paper")


PRESETS = ("quick", "paper")


def load_study(path, base=None):
    """Read a TOML study file; its keys override ``base`` (default Study()).

    Example file::

        datasets = ["wine", "diabetes"]
        selectors = ["none", "lasso", "kan-l2"]
        retention = [0.2, 0.4]
        models = ["linear"]
        folds = 3
        seeds = [0, 1]

        [selector_params.kan-l2]
        max_epochs = 200
    """
    with open(path, "rb") as file:
        config = tomllib.load(file)
    known = set(Study.__dataclass_fields__)
    unknown = sorted(set(config) - known)
    if unknown:
        raise ValueError(
            f"{path}: unknown key(s) {', '.join(unknown)}; known: "
            f"{', '.join(sorted(known))}"
        )
    values = {
        key: tuple(value) if isinstance(value, list) else value
        for key, value in config.items()
    }
    return replace(base or Study(), **values)
