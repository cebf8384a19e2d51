"""Short names for the selectors and downstream models of a study."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib.util
import inspect
from dataclasses import dataclass, field

from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder, StandardScaler

import featsel


@dataclass(frozen=True)
class SelectorSpec:
    """How to build a selector from a short name.

    Attributes
    ----------
    class_name : str
        Name of the class in :mod:`featsel`.

    params : dict
        Parameters fixed by the short name (``{"method": "l1"}`` for
        ``kan-l1``).

    requires : tuple of str
        Modules that must be importable for the selector to run.

    quick_params : dict
        Settings of the ``quick`` preset: real runs of the method, at a
        moderate cost.

    relative_cost : float
        Rough cost of one fit per data cell, relative to LASSO; the runner
        starts the most expensive tasks first so workers finish together.

    family : str
        The family of methods the selector belongs to, for the reports.
    """

    class_name: str
    params: dict = field(default_factory=dict)
    requires: tuple = ()
    quick_params: dict = field(default_factory=dict)
    relative_cost: float = 10.0
    family: str = "classical"


_KAN_QUICK = {"cv": "holdout", "max_epochs": 100}
_NEURAL_QUICK = {"max_epochs": 50}


def _kan(method):
    return SelectorSpec(
        "KANSelector", {"method": method}, ("torch",), _KAN_QUICK, 30, "KAN"
    )


SELECTORS = {
    "kan-l1": _kan("l1"),
    "kan-l2": _kan("l2"),
    "kan-si": _kan("si"),
    "kan-ko": _kan("ko"),
    "seqattn": SelectorSpec(
        "SequentialAttentionSelector", {}, ("torch",), _NEURAL_QUICK, 20, "neural"
    ),
    "featgrad": SelectorSpec(
        "FeatureGradientsSelector", {}, ("torch",), _NEURAL_QUICK, 10, "neural"
    ),
    "optfs": SelectorSpec("OptFSSelector", {}, ("torch",), _NEURAL_QUICK, 20, "neural"),
    "sts-mrmr": SelectorSpec(
        "STSmRMRSelector",
        {},
        ("sentence_transformers",),
        relative_cost=2,
        family="mRMR",
    ),
    "shap-forward": SelectorSpec(
        "SHAPForwardSelector",
        {},
        ("shap", "xgboost"),
        {"cv": 2, "n_candidates": 2, "max_samples": 200},
        50,
        "SHAP",
    ),
    "lasso": SelectorSpec("LassoSelector", relative_cost=1),
    "rf": SelectorSpec("RandomForestSelector", relative_cost=10),
    "mi": SelectorSpec("MutualInfoSelector", relative_cost=1),
    "svm-rfe": SelectorSpec("SVMRFESelector", relative_cost=2),
}

#: The reference row: every feature kept, no selection.
NO_SELECTION = "none"

#: Stands for every installed selector in a list of selector names.
EVERY_SELECTOR = "all"

#: The classical baselines every other selector is compared with.
BASELINES = ("lasso", "rf", "mi", "svm-rfe")


#: Suffixes that wrap a selector in a meta-selector choosing its count:
#: ``lasso+cv`` is ``SelectorCV(LassoSelector(...), linear model)``,
#: ``lasso+stability`` is ``StabilitySelector(LassoSelector(...))``.
WRAPPERS = {"cv": "SelectorCV", "stability": "StabilitySelector"}

#: A wrapper's cost relative to its selector's: folds + 1 fits, 2B fits.
_WRAPPER_COST = {"cv": 6, "stability": 100}

#: The level of a study that evaluates each selector's own choice of count.
OWN_CHOICE = "own"

#: How the own-choice level is stored: 0, which no retention level can be.
OWN_CHOICE_LEVEL = 0.0


def parse_name(name):
    """``(kind, base, wrapper)`` of a selector name of a study.

    ``kind`` is ``"reference"`` (``none``), ``"featsel"`` (a short name),
    ``"wrapped"`` (a short name with a ``+cv`` or ``+stability`` suffix)
    or ``"import"`` (``module:Class``, any scikit-learn-style selector);
    ``base`` is the short name or import path, ``wrapper`` the suffix.

    >>> parse_name("kan-l2+stability")
    ('wrapped', 'kan-l2', 'stability')
    >>> parse_name("sklearn.feature_selection:RFECV")
    ('import', 'sklearn.feature_selection:RFECV', None)
    """
    if name == NO_SELECTION:
        return "reference", name, None
    base, _, wrapper = name.rpartition("+")
    if base and wrapper in WRAPPERS:
        return "wrapped", base, wrapper
    if ":" in name:
        return "import", name, None
    return "featsel", name, None


def spec(name):
    """The :class:`SelectorSpec` of any selector name a study may hold."""
    kind, base, wrapper = parse_name(name)
    if kind == "featsel":
        return SELECTORS[name]
    if kind == "wrapped":
        inner = SELECTORS[base]
        return SelectorSpec(
            WRAPPERS[wrapper],
            requires=inner.requires,
            relative_cost=inner.relative_cost * _WRAPPER_COST[wrapper],
            family=inner.family,
        )
    if kind == "import":
        return SelectorSpec(name, requires=(name.partition(":")[0],), family="other")
    raise KeyError(name)


def known(name):
    """Whether ``name`` is a selector name a study can hold (not yet imported)."""
    kind, base, _ = parse_name(name)
    if kind == "import":
        module, _, attribute = base.partition(":")
        return bool(module) and attribute.isidentifier()
    return kind == "reference" or base in SELECTORS


def own_choice_only(name):
    """Whether a selector runs at the own-choice level only.

    The wrappers choose a count (that is their point), and a selector given
    by import path is only asked for its own choice unless it takes
    ``n_features_to_select``, when every level gets a fit of its own.
    """
    kind = parse_name(name)[0]
    if kind == "wrapped":
        return True
    if kind == "import":
        return (
            "n_features_to_select"
            not in inspect.signature(import_class(name)).parameters
        )
    return False


def selector_available(name):
    """Whether the selector's class exists and its dependencies import."""
    kind, base, _ = parse_name(name)
    if kind == "import":
        return importlib.util.find_spec(base.partition(":")[0]) is not None
    selector_spec = SELECTORS[base]
    return hasattr(featsel, selector_spec.class_name) and all(
        importlib.util.find_spec(module) is not None
        for module in selector_spec.requires
    )


def available_selectors():
    """Short names of the selectors that can run in this environment."""
    return [name for name in SELECTORS if selector_available(name)]


def expand_selectors(names):
    """Selector names with ``"all"`` replaced by every installed selector.

    ``"all+cv"`` and ``"all+stability"`` stand for every installed selector
    with that wrapper.

    >>> expand_selectors(["none", "lasso"])
    ('none', 'lasso')
    >>> "svm-rfe" in expand_selectors(["all"])
    True
    >>> expand_selectors(["all+cv"])[-1]
    'svm-rfe+cv'
    """
    expanded = []
    for name in names:
        base, _, wrapper = name.rpartition("+")
        if name == EVERY_SELECTOR:
            items = available_selectors()
        elif base == EVERY_SELECTOR and wrapper in WRAPPERS:
            items = [f"{item}+{wrapper}" for item in available_selectors()]
        else:
            items = [name]
        for item in items:
            if item not in expanded:
                expanded.append(item)
    return tuple(expanded)


def family(name):
    """The selector's family (``"reference"`` for no selection)."""
    return "reference" if name == NO_SELECTION else spec(name).family


def selector_class(name):
    """The class a selector name builds (importing it for an import path)."""
    kind, base, wrapper = parse_name(name)
    if kind == "import":
        return import_class(name)
    return getattr(
        featsel, WRAPPERS[wrapper] if wrapper else SELECTORS[base].class_name
    )


def import_class(path):
    """The class named by ``module:Class``; a ValueError naming what is missing."""
    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(
            f"cannot import {module_name!r} for selector {path!r}: {exc}"
        ) from None
    cls = getattr(module, attribute, None)
    if not isinstance(cls, type) or not hasattr(cls, "fit"):
        raise ValueError(
            f"{path!r} names no estimator class: {module_name} has no class "
            f"{attribute!r} with a fit method"
        )
    return cls


def build_selector(name, params, random_state, task=None, scoring=None):
    """A selector instance from its name and parameter overrides.

    ``task`` (when known: the dataset's) is set on featsel selectors, also
    inside a wrapper, and picks the per-task values of an imported
    selector's parameters and the downstream model of ``+cv``. ``scoring``
    (the study's metric for the dataset) is what ``+cv`` chooses its count
    by, unless its parameters name another.
    """
    kind, base, wrapper = parse_name(name)
    if kind == "import":
        return _build_imported(name, params, random_state, task)
    if kind == "wrapped":
        params = dict(params)
        inner = build_selector(base, params.pop("selector", {}), random_state, task)
        if wrapper == "cv":
            params.setdefault(
                "estimator",
                build_model("linear", task or "classification", random_state),
            )
            if scoring is not None:
                params.setdefault("scoring", scoring)
        else:
            params.setdefault("random_state", random_state)
        return selector_class(name)(inner, **params)
    selector_spec = SELECTORS[name]
    cls = selector_class(name)
    full_params = {**selector_spec.params, **params}
    if "random_state" in inspect.signature(cls).parameters:
        full_params.setdefault("random_state", random_state)
    if task is not None and "task" in inspect.signature(cls).parameters:
        full_params["task"] = task
    return cls(**full_params)


def _build_imported(path, params, random_state, task):
    """An imported selector, its object parameters built from their tables.

    A parameter given as a table with a ``class`` key (``{class =
    "sklearn.svm:LinearSVC", C = 0.1}``) becomes that object; a table with
    ``classification`` and ``regression`` keys gives the value for the
    dataset's task.
    """
    cls = import_class(path)
    built = {key: _build_value(value, task) for key, value in params.items()}
    if "random_state" in inspect.signature(cls).parameters:
        built.setdefault("random_state", random_state)
    return cls(**built)


def _build_value(value, task):
    if not isinstance(value, dict):
        return value
    if set(value) == {"classification", "regression"}:
        return _build_value(value[task or "classification"], task)
    if "class" in value:
        arguments = {k: _build_value(v, task) for k, v in value.items() if k != "class"}
        return import_class(value["class"])(**arguments)
    return value


def xgboost_available():
    return importlib.util.find_spec("xgboost") is not None


class _EncodedLabels(ClassifierMixin, BaseEstimator):
    """A classifier fitted on labels coded 0..n_classes-1.

    XGBoost's classifier accepts no other labels; class names such as
    ``"responder"`` in a user's file are coded here and decoded in
    ``predict``.
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y):
        self.encoder_ = LabelEncoder().fit(y)
        self.classes_ = self.encoder_.classes_
        self.estimator_ = clone(self.estimator).fit(X, self.encoder_.transform(y))
        return self

    def predict(self, X):
        return self.encoder_.inverse_transform(self.estimator_.predict(X))

    def predict_proba(self, X):
        return self.estimator_.predict_proba(X)


def _xgboost(task, random_state):
    import xgboost

    if task == "classification":
        return _EncodedLabels(
            xgboost.XGBClassifier(n_estimators=200, n_jobs=1, random_state=random_state)
        )
    return xgboost.XGBRegressor(n_estimators=200, n_jobs=1, random_state=random_state)


MODELS = {
    "linear": lambda task, random_state: (
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        if task == "classification"
        else make_pipeline(StandardScaler(), Ridge())
    ),
    "rf": lambda task, random_state: (
        RandomForestClassifier if task == "classification" else RandomForestRegressor
    )(n_estimators=200, n_jobs=1, random_state=random_state),
    "xgb": _xgboost,
}


def build_model(name, task, random_state):
    """A fresh downstream model by short name (linear, rf, xgb)."""
    return MODELS[name](task, random_state)
