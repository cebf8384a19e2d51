"""The description of a benchmark study: what to compare, and how."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
import sys
import warnings
from dataclasses import asdict, dataclass, field, fields, replace
from numbers import Integral, Real

import numpy as np
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.metrics import get_scorer, get_scorer_names

from .._base import MANY_CLASSES_WARNING_THRESHOLD
from ..datasets import is_data_file, list_datasets, load_dataset
from ..shift import SCENARIOS
from ._registry import (
    EVERY_SELECTOR,
    MODELS,
    NO_SELECTION,
    OWN_CHOICE,
    SELECTORS,
    available_selectors,
    build_selector,
    expand_selectors,
    import_class,
    known,
    own_choice_only,
    parse_name,
    selector_available,
    selector_class,
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
        installed selector. A suffix ``+cv`` wraps a selector in
        :class:`~featsel.SelectorCV` (its count chosen by cross-validation
        with the linear model, one-standard-error rule), ``+stability`` in
        :class:`~featsel.StabilitySelector` (``all+cv``, ``all+stability``:
        every installed selector so wrapped); ``module:Class`` names any
        scikit-learn-style selector (``sklearn.feature_selection:RFECV``).
        Wrappers, and imported selectors that take no
        ``n_features_to_select``, run at the ``"own"`` level only.

    selector_params : dict
        Per-selector parameter overrides, ``{"rf": {"n_estimators": 50}}``.
        A wrapper's table holds its own parameters, and the wrapped
        selector's under ``selector`` (by default the table of its short
        name). An imported selector's parameter given as a table with a
        ``class`` key is built as that object (``{"class":
        "sklearn.linear_model:LogisticRegression", "max_iter": 1000}``), one
        with ``classification`` and ``regression`` keys per task.

    retention : tuple of float or "own"
        Fractions of the features kept; a level keeps ``ceil(p * d)``.
        ``"own"`` adds each selector's own choice of count
        (``n_features_to_select=None``), fitted once more per fold.

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

    task : {"auto", "classification", "regression"}
        Learning task of every dataset; "auto" takes each dataset's own (a
        data file: regression for a float target, classification
        otherwise). Give "regression" for an integer-valued quantity.

    preset : str
        The preset the study starts from (set by :func:`preset`), which the
        console and the report name; a label only: it changes no task.
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
    task: str = "auto"
    # A label: two studies that differ only in it run the same tasks.
    preset: str = field(default="", compare=False)

    def __post_init__(self):
        for item in fields(self):
            # A list where a tuple is expected: what a user of Python writes.
            if item.type is tuple and isinstance(getattr(self, item.name), list):
                object.__setattr__(self, item.name, tuple(getattr(self, item.name)))
        if isinstance(self.selectors, tuple) and any(
            name.partition("+")[0] == EVERY_SELECTOR
            for name in self.selectors
            if isinstance(name, str)
        ):
            object.__setattr__(self, "selectors", expand_selectors(self.selectors))

    def validate(self):
        """Raise a ValueError naming the first unknown or invalid entry.

        Everything a run needs is checked here, before any task starts:
        names, types, duplicates, every selector's parameters, and each
        dataset against the folds, the task and the scorer. Each message is
        one line naming the bad value and the valid ones.
        """
        self._check_types()
        unknown = [name for name in self.selectors if not known(name)]
        if unknown:
            raise ValueError(
                f"unknown selector(s): {', '.join(unknown)}; choose from "
                f"{', '.join([NO_SELECTION, *SELECTORS])}, a name with +cv or "
                "+stability, or a class as module:Class"
            )
        for name in self.selectors:
            if parse_name(name)[0] == "import":
                import_class(name)  # a ValueError naming what cannot be found
        unavailable = [
            name
            for name in self.selectors
            if name != NO_SELECTION and not selector_available(name)
        ]
        if unavailable:
            raise ValueError(
                f"selector(s) not available in this environment: "
                f"{', '.join(unavailable)} (install featsel[all])"
            )
        for name in self.datasets:
            if name not in list_datasets() and not is_data_file(name):
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
        levels = [p for p in self.retention if p != OWN_CHOICE]
        if not all(
            isinstance(p, Real) and not isinstance(p, bool) and 0 < p <= 1
            for p in levels
        ):
            raise ValueError(
                f"retention levels must lie in (0, 1] (or be {OWN_CHOICE!r}, "
                f"each selector's own choice), got {self.retention}"
            )
        own_only = [
            name
            for name in self.selectors
            if name != NO_SELECTION and own_choice_only(name)
        ]
        if own_only and OWN_CHOICE not in self.retention:
            raise ValueError(
                f"{', '.join(own_only)} choose their own number of features: "
                f"add {OWN_CHOICE!r} to the retention levels"
            )
        if self.folds < 2:
            raise ValueError(f"folds must be at least 2, got {self.folds}")
        bad_shift = [name for name in self.shift if name not in SCENARIOS]
        if bad_shift:
            raise ValueError(
                f"unknown shift scenario(s): {', '.join(bad_shift)}; choose from "
                f"{', '.join(SCENARIOS)}"
            )
        self._check_scoring()
        self._check_selector_params()
        for name in self.datasets:
            self._check_dataset(name)
        return self

    def _check_types(self):
        for name, kind, what in _FIELD_TYPES:
            value = getattr(self, name)
            if kind is tuple:
                if not isinstance(value, tuple):
                    raise ValueError(f"{name} must be a list of {what}, got {value!r}")
                if not value and name in _NOT_EMPTY:
                    raise ValueError(
                        f"{name} is empty: give at least one of {_NOT_EMPTY[name]}"
                    )
                bad = [item for item in value if not _is_a(item, what)]
                if bad:
                    raise ValueError(
                        f"{name} must be a list of {what}, got {bad[0]!r} in "
                        f"{list(value)!r}"
                    )
                repeated = sorted(
                    {str(item) for item in value if value.count(item) > 1}
                )
                if repeated:
                    raise ValueError(
                        f"{name} lists {', '.join(repeated)} more than once"
                    )
            elif not _is_a(value, what):
                raise ValueError(f"{name} must be {what}, got {value!r}")
        if self.task not in TASKS:
            raise ValueError(
                f"unknown task {self.task!r}; choose from {', '.join(TASKS)}"
            )
        bad_seeds = [seed for seed in self.seeds if not 0 <= seed <= MAX_SEED]
        if bad_seeds:
            raise ValueError(
                f"seed {bad_seeds[0]} is out of range: seeds must lie between 0 "
                f"and {MAX_SEED} (numpy's and scikit-learn's random_state)"
            )

    def _check_scoring(self):
        if not isinstance(self.scoring, dict) or set(self.scoring) != {
            "classification",
            "regression",
        }:
            raise ValueError(
                "scoring must map 'classification' and 'regression' to scorer "
                f"names, got {self.scoring!r}"
            )
        for scorer in self.scoring.values():
            if scorer not in get_scorer_names():
                raise ValueError(
                    f"unknown scorer {scorer!r}; see sklearn.metrics.get_scorer_names()"
                )

    def params_of(self, name):
        """The parameters a selector name is built with in this study.

        A wrapper (``lasso+cv``) takes its own table, whose ``selector``
        entry holds the wrapped selector's parameters; without one, the
        wrapped selector takes the table of its short name (``lasso``), so
        that a preset's settings carry over.
        """
        params = dict(self.selector_params.get(name, {}))
        kind, base, _ = parse_name(name)
        if kind == "wrapped" and "selector" not in params:
            params["selector"] = dict(self.selector_params.get(base, {}))
        return params

    def _check_selector_params(self):
        for selector, params in self.selector_params.items():
            if not known(selector):
                raise ValueError(
                    f"selector_params names an unknown selector {selector!r}; "
                    f"choose from {', '.join(SELECTORS)}, a name with +cv or "
                    "+stability, or a class as module:Class"
                )
            if not isinstance(params, dict):
                raise ValueError(
                    f"selector_params of {selector!r} must be a table of "
                    f"parameters, got {params!r}"
                )
            if parse_name(selector)[0] == "featsel":
                _check_identity_params(selector, params)
        for selector in self.selectors:
            if selector != NO_SELECTION:
                _check_selector(selector, self.params_of(selector))

    def _check_dataset(self, name):
        data = load_dataset(name, target=self.target)
        task = data.task if self.task == "auto" else self.task
        n_samples, n_features = data.X.shape
        if n_features == 0:
            raise ValueError(f"dataset {name!r} has no feature columns")
        if task == "regression" and data.y.dtype.kind not in "iufb":
            raise ValueError(
                f"task 'regression' needs a numeric target, but {name}'s target "
                f"is {data.y.dtype} (e.g. {data.y.iloc[0]!r})"
            )
        scorer = self.scoring[task]
        if scorer in _REGRESSION_SCORERS and data.y.dtype.kind not in "iufb":
            raise ValueError(
                f"scorer {scorer!r} needs a numeric target, but {name}'s "
                f"target is {data.y.dtype} (e.g. {data.y.iloc[0]!r})"
            )
        if n_samples < self.folds:
            raise ValueError(
                f"folds={self.folds} is more than dataset {name!r} allows "
                f"({n_samples} rows); give at least {self.folds} rows or fewer "
                "folds"
            )
        if task == "classification":
            # Every fold needs a row of every class: the smallest class bounds
            # the folds (StratifiedKFold would leave a class out of a fold).
            counts = data.y.value_counts()
            smallest = int(counts.min())
            if smallest < self.folds:
                raise ValueError(
                    f"folds={self.folds} is more than dataset {name!r} allows: "
                    f"its smallest class, {counts.idxmin()}, has {smallest} "
                    f"rows; choose folds between 2 and {smallest}"
                )
        _check_finite_values(name, data.X)
        _check_scorer_fits(name, scorer, data.y, task)

    def guesses(self):
        """What the study guessed from the data, one line each.

        The task of a data file's target (with ``task="auto"``): a float
        target with two values is run as regression, an integer target with
        many values as classification; and what loading a file guessed (a
        saved row index left out). Empty for the registry datasets.
        """
        from ._report import dataset_label

        lines = []
        for name in self.datasets:
            data = load_dataset(name, target=self.target)
            lines += data.notes
            if self.task != "auto" or not is_data_file(name):
                continue
            label, n_values = dataset_label(name), data.y.nunique()
            if data.task == "regression" and n_values == 2:
                values = ", ".join(map(str, sorted(data.y.unique())))
                lines.append(
                    f"{label}: the float target {self.target!r} has 2 values "
                    f"({values}) and is run as regression; give task "
                    "classification (--task classification) if they are classes"
                )
            elif (
                data.y.dtype.kind in "iu" and n_values > MANY_CLASSES_WARNING_THRESHOLD
            ):
                lines.append(
                    f"{label}: the integer target {self.target!r} has "
                    f"{n_values} values and is run as classification; give "
                    "task regression (--task regression) if it is a quantity"
                )
        return lines

    def to_dict(self):
        """The study's settings, the data files' digests and featsel's code.

        ``featsel`` is the version and code fingerprint of the running
        featsel (:func:`~featsel.benchmark._tasks.code_fingerprint`).
        """
        from ._tasks import code_fingerprint, data_digest

        return {
            **asdict(self),
            "featsel": code_fingerprint(),
            "data_digests": {
                str(name): data_digest(name)
                for name in self.datasets
                if is_data_file(name)
            },
        }


TASKS = ("auto", "classification", "regression")

#: The largest seed: numpy's and scikit-learn's ``random_state`` take 32 bits.
MAX_SEED = 2**32 - 1

#: Lists that a study cannot run without, and what they hold.
_NOT_EMPTY = {
    "datasets": "the datasets (featsel datasets) or a data file",
    "selectors": "the selectors (featsel selectors)",
    "retention": "the retention levels",
    "models": "the downstream models",
    "seeds": "the seeds",
}

#: Parameters the runner sets itself, with what sets them.
_RUNNER_PARAMS = {
    "task": "the study's task (--task), from each dataset",
    "n_features_to_select": "the retention levels",
}


def _check_selector(name, params):
    """Refuse a selector that cannot be built from ``params``, naming why."""
    kind, base, _ = parse_name(name)
    cls = selector_class(name)
    signature = inspect.signature(cls).parameters
    own = dict(params)
    if kind == "wrapped":
        inner = own.pop("selector")
        if not isinstance(inner, dict):
            raise ValueError(
                f"the selector entry of {name!r} must be a table of "
                f"{base!r}'s parameters, got {inner!r}"
            )
        _check_selector(base, inner)
        signature = {
            key: value for key, value in signature.items() if key != "selector"
        }
    elif kind == "featsel":
        _check_identity_params(name, own)
    unknown = sorted(set(own) - set(signature))
    if unknown:
        raise ValueError(
            f"selector {name!r} has no parameter(s) {', '.join(unknown)}; its "
            f"parameters: {', '.join(sorted(signature))}"
        )
    missing = [
        key
        for key, parameter in signature.items()
        if parameter.default is inspect.Parameter.empty
        and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
        and key not in own
    ]
    if missing and kind == "import":
        raise ValueError(
            f"selector {name!r} needs parameter(s) {', '.join(missing)}: give "
            f"them in its selector_params table, an object as a table naming "
            'its class, e.g. estimator = {class = "sklearn.linear_model:'
            'LogisticRegression"}'
        )
    for task in TASKS[1:]:
        try:
            selector = build_selector(name, params, 0, task=task)
            if hasattr(selector, "_validate_params"):
                selector._validate_params()
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"selector {name!r}: {' '.join(str(exc).split())}"
            ) from None


def _check_identity_params(selector, params):
    """Refuse parameters that would make a short name mean another method.

    A name fixes some parameters (``kan-l1`` is ``method="l1"``); the runner
    sets others itself (the task, the count); a row labelled with the name
    must be what the name says.
    """
    for param, value in params.items():
        fixed = SELECTORS[selector].params
        if param in fixed and value != fixed[param]:
            alternatives = [
                name
                for name, spec in SELECTORS.items()
                if spec.params.get(param) == value
                and spec.class_name == SELECTORS[selector].class_name
            ]
            hint = f"; use {alternatives[0]!r}" if alternatives else ""
            raise ValueError(
                f"selector_params of {selector!r} sets {param}={value!r}, but "
                f"{selector!r} means {param}={fixed[param]!r}{hint}"
            )
        if param in _RUNNER_PARAMS:
            raise ValueError(
                f"selector_params of {selector!r} sets {param!r}, which the "
                f"runner sets from {_RUNNER_PARAMS[param]}"
            )


def _check_finite_values(name, X):
    """Refuse a dataset with infinite values: every task would fail on them."""
    numeric = X.select_dtypes("number")
    infinite = np.isinf(numeric.to_numpy(dtype=float)).any(axis=0)
    if infinite.any():
        columns = ", ".join(repr(str(c)) for c in numeric.columns[infinite][:10])
        raise ValueError(
            f"dataset {name!r} has infinite values in column(s) {columns}; "
            "replace them (by NaN, which the runner imputes, or a finite value)"
        )


def _check_scorer_fits(name, scorer, y, task):
    """Refuse a scorer that cannot score the dataset's target at all.

    The scorer is tried on a constant model of ``y``: what fails there (a
    binary-only metric on three classes, say) fails in every task.
    """
    dummy = DummyClassifier() if task == "classification" else DummyRegressor()
    X = np.zeros((y.size, 1))
    target = y.to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            get_scorer(scorer)(dummy.fit(X, target), X, target)
        except Exception as exc:  # noqa: BLE001 - any failure refuses it
            kind = f"{y.nunique()} classes" if task == "classification" else task
            raise ValueError(
                f"scorer {scorer!r} cannot score dataset {name!r} ({kind}): "
                f"{' '.join(str(exc).split())}"
            ) from None


_REGRESSION_SCORERS = {
    "r2",
    "explained_variance",
    "max_error",
    "neg_mean_absolute_error",
    "neg_mean_squared_error",
    "neg_root_mean_squared_error",
    "neg_median_absolute_error",
    "neg_mean_absolute_percentage_error",
}

# (field, tuple or scalar, kind of value)
_FIELD_TYPES = (
    ("datasets", tuple, "str"),
    ("selectors", tuple, "str"),
    ("retention", tuple, "number or 'own'"),
    ("models", tuple, "str"),
    ("seeds", tuple, "int"),
    ("shift", tuple, "str"),
    ("folds", None, "int"),
    ("target", None, "str"),
    ("task", None, "str"),
    ("selector_params", None, "table"),
    ("preset", None, "str"),
)


def _is_a(value, what):
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(
        value,
        {
            "str": str,
            "int": Integral,
            "number": Real,
            "number or 'own'": (Real, str),
            "table": dict,
        }[what],
    )


def preset(name):
    """A named study.

    ``quick``: every installed selector on the embedded datasets, 3 folds,
    one linear and one tree model, selectors at moderate settings; finishes
    in minutes on a laptop. ``paper``: the protocol of the KAN
    feature-selection paper (5 folds; LogisticRegression or Ridge, random
    forest with 200 trees and XGBoost; 20/40/60 %) on its datasets, every
    installed selector at its defaults; 6 of the 9 datasets of the quality
    study, which took 10.3 minutes with 2 workers on 2 free cores
    (``benchmarks/results/quality.md``), resumable after a stop.
    ``real``: every installed selector at its defaults on the real-data
    suite (:func:`featsel.datasets.real_suite`: 22 tables with the ``data``
    extra, from 165 to 9,857 rows and up to 1,502 features), linear and
    random-forest models, 20/40/60 %, 3 outer folds;
    ``benchmarks/studies/real.toml`` is the same study. With 5 folds it
    would take about an hour with 2 workers on 2 free cores (CPU time of
    fold 0 measured on the largest tables with
    ``benchmarks/bench_real_runtime.py``, the others extrapolated), most of
    it in the downstream random forests, which lighter selector settings
    do not shorten; 3 folds bring it near 40 minutes. Add seeds for more
    paired observations per dataset.
    """
    if name == "quick":
        selectors = (NO_SELECTION, *available_selectors())
        return Study(
            preset=name,
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
            preset=name,
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
    if name == "real":
        from ..datasets import real_suite

        return Study(
            preset=name,
            datasets=tuple(real_suite()),
            selectors=(NO_SELECTION, *available_selectors()),
            models=("linear", "rf"),
            retention=(0.2, 0.4, 0.6),
            # 3 folds, not 5: see the docstring.
            folds=3,
        )
    raise ValueError(f"unknown preset {name!r}; choose {', '.join(PRESETS)}")


PRESETS = ("quick", "paper", "real")


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

    A single value where a list is expected is a list of one
    (``datasets = "wine"``). ``preset = "quick"`` starts from a preset
    instead of ``base``: the file's keys override it, and its
    ``selector_params`` tables are added to the preset's (a selector's
    table replaces the preset's table of that selector). Keys and value
    types are checked by :meth:`Study.validate`.
    """
    with open(path, "rb") as file:
        try:
            config = tomllib.load(file)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path} is not valid TOML: {exc}") from None
    if "preset" in config:
        base = preset(config.pop("preset"))
        if isinstance(config.get("selector_params"), dict):
            config["selector_params"] = {
                **base.selector_params,
                **config["selector_params"],
            }
    known = set(Study.__dataclass_fields__) | {"preset"}
    unknown = sorted(set(config) - known)
    if unknown:
        raise ValueError(
            f"{path}: unknown key(s) {', '.join(unknown)}; known: "
            f"{', '.join(sorted(known))}"
        )
    lists = {item.name for item in fields(Study) if item.type is tuple}
    values = {
        # A single value where a list is expected is a list of one.
        key: tuple(value)
        if isinstance(value, list)
        else (value,)
        if key in lists
        else value
        for key, value in config.items()
    }
    return replace(base or Study(), **values)
