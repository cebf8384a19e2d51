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


_KAN_QUICK = {"cv": None, "max_epochs": 100}
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


def selector_available(name):
    """Whether the selector's class exists and its dependencies import."""
    spec = SELECTORS[name]
    return hasattr(featsel, spec.class_name) and all(
        importlib.util.find_spec(module) is not None for module in spec.requires
    )


def available_selectors():
    """Short names of the selectors that can run in this environment."""
    return [name for name in SELECTORS if selector_available(name)]


def expand_selectors(names):
    """Selector names with ``"all"`` replaced by every installed selector.

    >>> expand_selectors(["none", "lasso"])
    ('none', 'lasso')
    >>> "svm-rfe" in expand_selectors(["all"])
    True
    """
    expanded = []
    for name in names:
        for item in available_selectors() if name == EVERY_SELECTOR else (name,):
            if item not in expanded:
                expanded.append(item)
    return tuple(expanded)


def family(name):
    """The selector's family (``"reference"`` for no selection)."""
    return "reference" if name == NO_SELECTION else SELECTORS[name].family


def selector_class(name):
    return getattr(featsel, SELECTORS[name].class_name)


def build_selector(name, params, random_state):
    """A selector instance from its short name and parameter overrides."""
    spec = SELECTORS[name]
    cls = selector_class(name)
    full_params = {**spec.params, **params}
    if "random_state" in inspect.signature(cls).parameters:
        full_params.setdefault("random_state", random_state)
    return cls(**full_params)


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
