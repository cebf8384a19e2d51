"""One benchmark task: fit a selector on a training fold, score every level."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import hashlib
import importlib
import json
import math
import re
import resource
import time
import traceback
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.compose import make_column_transformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.impute import SimpleImputer
from sklearn.metrics import get_scorer
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils import get_tags
from threadpoolctl import threadpool_limits

from .. import __version__, shift
from .._meta import strict_ranking
from ..datasets import file_digest, is_data_file, load_dataset
from ._registry import (
    NO_SELECTION,
    OWN_CHOICE,
    OWN_CHOICE_LEVEL,
    build_model,
    build_selector,
    own_choice_only,
    spec,
)


@dataclass(frozen=True)
class Task:
    """Everything that determines one task's result.

    A task fits one selector once on one training fold and evaluates the
    top-k features of its ranking at every retention level in ``levels``
    (one level only for selectors whose choice depends on k).
    """

    dataset: str
    target: str
    selector: str
    params: tuple
    fold: int
    folds: int
    seed: int
    levels: tuple
    models: tuple
    scoring: tuple
    shift: tuple
    task: str = "auto"
    data_digest: str = ""
    resolved_params: tuple = ()
    code: str = ""

    @property
    def key(self):
        """Hash of the full configuration: the task's identity in the store.

        A data file enters by its content (``data_digest``), the selector by
        every parameter it is built with (``resolved_params``, defaults
        included), and featsel by its version and a fingerprint of its code
        (``code``): an edited file, a changed default or another featsel
        gives new tasks, never a stored row made by something else.
        """
        text = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def to_dict(self):
        return {
            **asdict(self),
            "params": dict(self.params),
            "resolved_params": dict(self.resolved_params),
        }


def data_digest(name):
    """The content digest of a data file; empty for a registry dataset."""
    if not is_data_file(name):
        return ""
    return file_digest(Path(name).read_bytes())


#: Modules that only present stored rows (tables, plots, their statistics,
#: the command line): editing them changes no row, so they are left out of
#: the code fingerprint, and a report can be rewritten from a store.
PRESENTATION_MODULES = (
    "cli.py",
    "benchmark/_report.py",
    "benchmark/_plots.py",
    "benchmark/_stats.py",
)


@lru_cache(maxsize=1)
def code_fingerprint():
    """featsel's version and a digest of the source files that make rows.

    Two installs give the same fingerprint exactly when they compute rows
    with the same code, so a development checkout changes it with every
    edit of the package (but of :data:`PRESENTATION_MODULES`), and a release
    with its version.
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).as_posix() in PRESENTATION_MODULES:
            continue
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def resolved_params(selector, params, seed):
    """Every parameter the task's selector is built with, as sorted pairs.

    Defaults are included, so a default changed by an upgrade changes the
    task; the reference row (no selection) has none.
    """
    if selector == NO_SELECTION:
        return ()
    built = build_selector(selector, dict(params), seed).get_params(deep=True)
    return tuple(sorted((name, repr(value)) for name, value in built.items()))


def make_tasks(study):
    """Expand a study into tasks, the presumably longest first."""
    tasks = []
    for dataset in study.datasets:
        digest = data_digest(dataset)
        for selector in study.selectors:
            params = study.params_of(selector) if selector != NO_SELECTION else {}
            # Built once per selector (and seed), not once per task.
            level_groups = _level_groups(study, selector, params)
            for seed in study.seeds:
                resolved = resolved_params(selector, params, seed)
                for fold in range(study.folds):
                    for levels in level_groups:
                        tasks.append(
                            Task(
                                dataset=str(dataset),
                                target=study.target,
                                selector=selector,
                                params=tuple(sorted(params.items())),
                                fold=fold,
                                folds=study.folds,
                                seed=seed,
                                levels=levels,
                                models=tuple(study.models),
                                scoring=tuple(sorted(study.scoring.items())),
                                shift=tuple(study.shift),
                                task=study.task,
                                data_digest=digest,
                                resolved_params=resolved,
                                code=code_fingerprint(),
                            )
                        )
    return sorted(tasks, key=_expected_cost, reverse=True)


def _level_groups(study, selector, params):
    """The levels each task of ``selector`` evaluates, one tuple per fit.

    One fit serves every retention level of a selector that ranks once;
    one that chooses by ``k`` gets a fit per level; the own choice always
    has a fit of its own (``n_features_to_select=None``).
    """
    if selector == NO_SELECTION:
        return [(1.0,)]
    own = [(OWN_CHOICE_LEVEL,)] if OWN_CHOICE in study.retention else []
    levels = tuple(level for level in study.retention if level != OWN_CHOICE)
    if own_choice_only(selector) or not levels:
        return own
    if _depends_on_k(selector, params):
        return [(level,) for level in levels] + own
    return [levels, *own]


def _depends_on_k(selector, params):
    built = build_selector(selector, params, 0)
    return getattr(built, "selection_depends_on_k", True)


def _expected_cost(task):
    n_samples, n_features = _dataset_shape(task.dataset, task.target, task.data_digest)
    cost = 0.1 if task.selector == NO_SELECTION else spec(task.selector).relative_cost
    return cost * n_samples * n_features


# The content digest is part of the cache keys: an edited file is reloaded.
@lru_cache(maxsize=32)
def _dataset_shape(name, target, digest):
    return load_dataset(name, target=target).X.shape


@lru_cache(maxsize=8)
def _load(name, target, seed, digest, task="auto"):
    # The bytes parsed are checked against the study's digest: a file edited
    # while the study runs fails its tasks instead of entering under the old
    # key.
    dataset = load_dataset(
        name, target=target, random_state=seed, digest=digest or None
    )
    return with_task(dataset, task)


def with_task(dataset, task):
    """The dataset with its learning task set explicitly (unless "auto")."""
    if task == "auto" or task == dataset.task:
        return dataset
    y = dataset.y.astype(float) if task == "regression" else dataset.y
    return replace(dataset, y=y, task=task)


def split(dataset, task):
    """Train and test row indices of the task's outer fold."""
    splitter_class = StratifiedKFold if dataset.task == "classification" else KFold
    splitter = splitter_class(task.folds, shuffle=True, random_state=task.seed)
    return list(splitter.split(dataset.X, dataset.y))[task.fold]


def _encoder(X, selector):
    """Fold-local preprocessing: one-hot categorical columns, impute NaN.

    With a selector, only the steps its input tags ask for: a selector that
    takes categorical columns or missing values gets them as they are. With
    ``selector=None`` (the downstream model), every step, and imputation
    always: a test fold may hold missing values that the training fold
    lacks.
    """
    tags = None if selector is None else get_tags(selector).input_tags
    categorical = [column for column in X.columns if X[column].dtype.kind not in "iuf"]
    steps = []
    if categorical and not (tags is not None and tags.categorical):
        steps.append(
            make_column_transformer(
                (
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                    categorical,
                ),
                remainder="passthrough",
                verbose_feature_names_out=False,
            )
        )
    if selector is None or (X.isna().to_numpy().any() and not tags.allow_nan):
        # Keep all-missing columns (as zeros): the column count must not
        # change under the selector's ranking.
        steps.append(SimpleImputer(strategy="median", keep_empty_features=True))
    if not steps:
        return None
    return make_pipeline(*steps).set_output(transform="pandas")


def _source_columns(encoder, columns):
    """The dataset column behind each of ``columns``, the selector's inputs.

    A one-hot encoded column stands for the categorical column it came from,
    so that the ground truth, given in the dataset's own columns, is matched
    whichever encoding the selector saw.
    """
    source = {name: name for name in columns}
    transformers = [] if encoder is None else encoder.named_steps.values()
    for step in transformers:
        one_hot = getattr(step, "named_transformers_", {}).get("onehotencoder")
        if one_hot is None:
            continue
        names = iter(one_hot.get_feature_names_out())
        for column, categories in zip(
            one_hot.feature_names_in_, one_hot.categories_, strict=True
        ):
            for _ in categories:
                source[next(names)] = column
    return source


def _downstream_model(name, task_type, seed, X_selected):
    """The downstream model, behind what its input still needs.

    The selector's view of the data keeps categorical columns or missing
    values when the selector takes them; the downstream models take
    neither, so they get their own fold-local encoding and imputation. A
    selection of no feature (an own choice may keep none) is scored as what
    is left: the prior class, or the mean.
    """
    if X_selected.shape[1] == 0:
        return DummyClassifier() if task_type == "classification" else DummyRegressor()
    model = build_model(name, task_type, seed)
    encoder = _encoder(X_selected, None)
    return model if encoder is None else make_pipeline(encoder, model)


@contextmanager
def _single_threaded(uses_torch):
    """Hold numerical libraries to one thread: parallelism is across tasks.

    torch ignores threadpoolctl, so its thread count is set (and restored)
    directly, importing it first when the selector is going to.
    """
    torch = importlib.import_module("torch") if uses_torch else None
    previous = torch.get_num_threads() if torch is not None else None
    if torch is not None:
        torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        if torch is not None:
            torch.set_num_threads(previous)


def run_task(task):
    """Run one task and return its result as a plain dict.

    A failing selector or model does not raise: the result records the
    error and its message, so the study goes on.
    """
    start = time.perf_counter()
    result = {"key": task.key, "task": task.to_dict(), "status": "done"}
    uses_torch = (
        task.selector != NO_SELECTION and "torch" in spec(task.selector).requires
    )
    try:
        with (
            _single_threaded(uses_torch),
            warnings.catch_warnings(record=True) as caught,
        ):
            warnings.simplefilter("always")
            try:
                result.update(_evaluate(task))
            finally:
                result["warnings"] = _distinct_warnings(caught)
    except Exception as exc:  # noqa: BLE001 - a failed task is a result
        result.update(
            status="failed",
            # One line: the error goes into tables and one-line listings.
            error=" ".join(f"{type(exc).__name__}: {exc}".split()),
            traceback=traceback.format_exc(limit=5),
            evaluations=[],
            shifts=[],
        )
    result["wall_time"] = time.perf_counter() - start
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _distinct_warnings(caught):
    """The distinct warnings of a task, as one-line "Category: message" texts."""
    texts = (
        " ".join(f"{record.category.__name__}: {record.message}".split())
        for record in caught
    )
    return list(dict.fromkeys(texts))


def warning_kind(text):
    """A warning's text with its numbers blanked: what "once each" counts.

    The same warning from different folds differs only in its counts.
    """
    return re.sub(r"\d+(\.\d+)?", "#", text)


def _evaluate(task):
    dataset = _load(task.dataset, task.target, task.seed, task.data_digest, task.task)
    train, test = split(dataset, task)
    X_train, X_test = dataset.X.iloc[train], dataset.X.iloc[test]
    y_train, y_test = dataset.y.iloc[train], dataset.y.iloc[test]

    selector = (
        None
        if task.selector == NO_SELECTION
        else build_selector(
            task.selector,
            dict(task.params),
            task.seed,
            task=dataset.task,
            scoring=dict(task.scoring)[dataset.task],
        )
    )
    encoder = _encoder(X_train, selector)
    if encoder is not None:
        X_train = encoder.fit_transform(X_train)
        X_test = encoder.transform(X_test)
    n_features = X_train.shape[1]
    columns = np.asarray(X_train.columns)
    source = _source_columns(encoder, columns)

    own_choice = task.levels == (OWN_CHOICE_LEVEL,)
    if selector is None:
        fit_time, ranking, scores = 0.0, np.arange(1, n_features + 1), None
    else:
        if not own_choice and getattr(selector, "selection_depends_on_k", True):
            selector.set_params(
                n_features_to_select=math.ceil(task.levels[0] * n_features)
            )
        fit_start = time.perf_counter()
        selector.fit(X_train, y_train)
        fit_time = time.perf_counter() - fit_start
        ranking = None if own_choice else strict_ranking(selector)
        scores = getattr(selector, "scores_", None)

    scorer = get_scorer(dict(task.scoring)[dataset.task])
    informative = set(dataset.informative or ())
    evaluations, shifts = [], []
    model_time = 0.0
    for level in task.levels:
        if own_choice:
            selected = list(columns[selector.get_support()])
        else:
            order = np.argsort(ranking, kind="stable")
            selected = list(columns[order[: math.ceil(level * n_features)]])
        k = len(selected)
        for model_name in task.models:
            model_start = time.perf_counter()
            model = _downstream_model(
                model_name, dataset.task, task.seed, X_train[selected]
            )
            model.fit(X_train[selected], y_train)
            score = float(scorer(model, X_test[selected], y_test))
            model_time += time.perf_counter() - model_start
            if task.shift:
                shifts += (
                    _shift_rows(
                        task,
                        model,
                        scorer,
                        (X_train, y_train, X_test, y_test),
                        selected,
                    )
                    .assign(level=level, model=model_name)
                    .to_dict("records")
                )
            selected_sources = [source[name] for name in selected]
            evaluations.append(
                {
                    "level": level,
                    "model": model_name,
                    "n_selected": k,
                    "score": score,
                    "selected": selected,
                    "recall": (
                        len(informative.intersection(selected_sources))
                        / len(informative)
                        if informative
                        else None
                    ),
                    "precision": (
                        sum(name in informative for name in selected_sources) / k
                        if informative and k
                        else None
                    ),
                }
            )
    return {
        "fit_time": fit_time,
        "model_time": model_time,
        "n_features": n_features,
        "task_type": dataset.task,
        "feature_names": [str(name) for name in columns],
        "feature_scores": None if scores is None else [float(s) for s in scores],
        "evaluations": evaluations,
        "shifts": shifts,
    }


def _shift_rows(task, model, scorer, data, selected):
    """Feature-shift evaluation of one fitted model on the task's test fold."""
    X_train, y_train, X_test, y_test = data
    return shift.evaluate(
        model,
        X_train[selected],
        y_train,
        X_test[selected],
        y_test,
        scenarios=task.shift,
        scoring=scorer,
        random_state=task.seed,
    )
