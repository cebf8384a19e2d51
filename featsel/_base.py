"""The selector contract shared by every featsel selector."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
import math
import pickle
import warnings
from abc import abstractmethod
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, _fit_context
from sklearn.feature_selection import SelectorMixin, f_classif, f_regression
from sklearn.model_selection import StratifiedKFold, check_cv, train_test_split
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

#: Integer targets with more distinct values than this trigger a warning that
#: ``task="regression"`` may have been meant.
MANY_CLASSES_WARNING_THRESHOLD = 30


@dataclass(frozen=True)
class SelectionResult:
    """What a selector's :meth:`BaseSelector._fit_scores` found.

    Parameters
    ----------
    scores : ndarray of shape (n_features,)
        One finite, non-negative importance per column, higher is better.

    n_features_to_select : int or None, default=None
        The number of features the method decided to keep during the fit
        (a stopping rule, or whole groups); None leaves the count to the
        request, or to :meth:`BaseSelector._default_n_features_to_select`
        when none was made.

    tie_break : ndarray of shape (n_features,) or None, default=None
        A secondary score that orders features of equal ``scores``, higher
        first; None orders them by column index.
    """

    scores: np.ndarray
    n_features_to_select: int | None = None
    tie_break: np.ndarray | None = None


#: The hooks whose signature changed with SelectionResult: (name, old, new).
_HOOK_SIGNATURES = (
    ("_fit_scores", "(self, X, y)", "(self, X, y, uninformative)"),
    (
        "_default_n_features_to_select",
        "(self, scores)",
        "(self, scores, uninformative)",
    ),
)


class BaseSelector(SelectorMixin, BaseEstimator):
    """Base class of every featsel selector.

    A selector computes one non-negative importance per input feature in
    :meth:`_fit_scores`, and returns it (with, where the method decides
    them, its count and tie order, as a :class:`SelectionResult`); this
    class does everything else once for all selectors: parameter and input
    validation, task detection, resolving ``n_features_to_select``, and the
    fitted attributes ``scores_``, ``ranking_``, ``support_``,
    ``n_features_in_`` and ``feature_names_in_``.

    Subclasses declare their parameters in ``__init__`` (which only stores
    them), extend ``_parameter_constraints``, implement ``_fit_scores`` and,
    where needed, override :meth:`__sklearn_tags__` (``allow_nan``,
    ``sparse``, ``categorical``) and the class attributes below.

    Attributes
    ----------
    selection_depends_on_k : bool
        Read on an instance, since it may depend on the parameters (SHAP
        forward selection with ``feature_groups``). ``False`` (the class
        default) means that the features selected for any
        ``n_features_to_select=k`` are the top ``k`` of one full ranking, so a
        single fit serves every retention level. Methods whose choice depends
        on ``k`` (for example Sequential Attention, whose phases are cut by
        ``k``) set it to ``True``, as a class attribute or a property.

    own_choice : str
        What ``n_features_to_select=None`` keeps, in a few words, for the
        documentation's capability table. The class default is half of the
        features, for methods that rank but have no count of their own;
        methods with a rule of their own say which.

    scores_kind : {"importance", "order"}
        What ``scores_`` holds. "importance" (the class default): how much
        each feature matters, comparable between features and pooled as
        such by the benchmark's reports. "order": a position-based encoding
        of a sequential search's order of entry (which such selectors give
        as ``selection_order_``), that sorts as ``ranking_`` does but
        measures nothing.

    Notes
    -----
    Two kinds of columns carry no information of their own, whatever the
    method computes for them. A column that is constant on the training data
    scores 0 and ranks after every non-constant column. A column that is an
    exact copy of an earlier column scores 0, so that the two copies never
    both enter before a distinct feature; the first copy keeps its score.

    Every selector takes the whole float64 range. A column whose largest
    magnitude lies outside :math:`[2^{-40}, 2^{40}]` is multiplied by the
    power of two that brings it to :math:`[0.5, 1)` before the method sees
    it: exact (only the exponents change), a no-op for every other column,
    and what keeps squares, float32 casts and boosted trees finite on data
    such as values near 1e300 or 1e-300.

    Examples
    --------
    A new selector stores its parameters in ``__init__`` and computes its
    scores in ``_fit_scores``; validation, the ranking, ``support_`` and
    ``transform`` come from this class. Here each feature is scored by its
    variance:

    >>> import numpy as np
    >>> from featsel import BaseSelector
    >>> class VarianceSelector(BaseSelector):
    ...     def __init__(self, n_features_to_select=None, *, task="auto"):
    ...         self.n_features_to_select = n_features_to_select
    ...         self.task = task
    ...
    ...     def _fit_scores(self, X, y, uninformative):
    ...         return X.var(axis=0)
    >>> X = np.array([[0.0, 1.0, 5.0], [0.0, 3.0, 5.5], [0.0, 5.0, 6.0]])
    >>> selector = VarianceSelector(n_features_to_select=1).fit(X, [0, 1, 0])
    >>> selector.ranking_
    array([3, 1, 2])
    >>> selector.transform(X).ravel()
    array([1., 3., 5.])
    """

    _parameter_constraints: dict = {
        "n_features_to_select": [
            None,
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
        ],
        "task": [StrOptions({"auto", "classification", "regression"})],
    }

    selection_depends_on_k = False

    own_choice = "half of the features (no count of its own)"

    scores_kind = "importance"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A subclass written for the old signatures would otherwise fail
        # deep inside fit, with no word of what changed.
        for name, old, new in _HOOK_SIGNATURES:
            method = cls.__dict__.get(name)
            if method is not None and "uninformative" not in (
                inspect.signature(method).parameters
            ):
                raise TypeError(
                    f"{cls.__name__}.{name}{old} is the old signature; define "
                    f"{name}{new} instead: the mask of constant and repeated "
                    "columns is passed in, and self._uninformative_features "
                    "no longer exists (see the changelog)."
                )

    @abstractmethod
    def _fit_scores(self, X, y, uninformative):
        """Compute one finite, non-negative importance per column of ``X``.

        ``X`` is validated (dense float array, or sparse where the selector's
        tags allow it), ``y`` is validated and ``self.task_`` is set.
        ``self.n_features_to_select_`` holds the requested number of
        features, or None when the method may choose.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            The validated training input.

        y : ndarray of shape (n_samples,)
            The validated target: class codes 0..n_classes-1, or floats.

        uninformative : ndarray of shape (n_features,), dtype=bool
            The constant and repeated columns, whose scores are set to 0
            afterwards; a method may leave them out of its search.

        Returns
        -------
        result : ndarray of shape (n_features,) or SelectionResult
            The scores, or a :class:`SelectionResult` that also carries a
            count the method decided (a stopping rule) or a tie order.
        """

    def _default_n_features_to_select(self, scores, uninformative):
        """Number of features kept when ``n_features_to_select=None``.

        Methods with a natural choice of their own (for example the non-zero
        coefficients of a LASSO) override this; the default keeps half.
        ``scores`` are the final scores (0 for the ``uninformative``
        columns).
        """
        return math.ceil(self.n_features_in_ / 2)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Compute the feature scores and select features.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            The training input samples.

        y : array-like of shape (n_samples,)
            The target values: class labels for classification, real numbers
            for regression.

        Returns
        -------
        self : object
            Fitted selector.
        """
        X, y = self._validate_input(X, y)
        # Kept: a selector that goes on learning (partial_fit) scales its
        # later rows alike.
        self._input_shifts = extreme_column_shifts(X)
        X = scale_extreme_columns(X, self._input_shifts)
        self.n_features_to_select_ = self._requested_n_features_to_select()
        constant = _constant_columns(X)
        uninformative = constant | _repeated_columns(X)
        result = self._fit_scores(X, y, uninformative)
        self._finish_fit(result, constant, uninformative, X.shape[0])
        return self

    def _finish_fit(self, result, constant, uninformative, n_samples):
        """Check the abstract step's result and set the selection from it.

        ``result`` is what :meth:`_fit_scores` returned; every way of
        fitting (``fit``, and ``partial_fit`` where a selector has it) ends
        here.
        """
        if not isinstance(result, SelectionResult):
            result = SelectionResult(result)
        scores = np.asarray(result.scores, dtype=np.float64)
        if scores.shape != (self.n_features_in_,) or not np.all(
            np.isfinite(scores) & (scores >= 0)
        ):
            raise RuntimeError(
                f"{type(self).__name__}._fit_scores must return "
                f"{self.n_features_in_} finite non-negative scores, got {scores!r}."
            )
        tie_break = (
            None
            if result.tie_break is None
            else np.where(uninformative, 0.0, result.tie_break)
        )
        self._set_selection(
            scores, constant, uninformative, tie_break, result.n_features_to_select
        )
        _warn_if_all_tied(self, tie_break, uninformative, n_samples)

    def _validate_input(self, X, y):
        """Validate ``X`` as the selector's tags allow, and check ``y``.

        Returns the validated ``X`` and the target as :meth:`_validate_target`
        encodes it. Selectors that must see the raw input (the dtypes of a
        DataFrame's columns, say) extend this method.
        """
        X, y = self._check_X_y(X, y)
        return X, self._validate_target(y)

    def _check_X_y(self, X, y, *, reset=True, ensure_min_samples=2):
        """``X`` validated as the selector's tags allow, and ``y`` as an array.

        ``reset=False`` checks a later chunk of rows (``partial_fit``)
        against the columns seen first.
        """
        input_tags = self.__sklearn_tags__().input_tags
        _check_columns(X)
        _check_numeric_columns(X, allow_categorical=input_tags.categorical)
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            accept_sparse=["csr", "csc"] if input_tags.sparse else False,
            ensure_all_finite=False,
            ensure_min_samples=ensure_min_samples,
            dtype=None if input_tags.categorical else [np.float64, np.float32],
        )
        _check_finite_columns(
            X,
            getattr(self, "feature_names_in_", None),
            allow_nan=input_tags.allow_nan,
        )
        return X, y

    def _set_selection(
        self, scores, constant, uninformative, tie_break, n_features_to_select
    ):
        """Set ``scores_``, ``ranking_`` and ``support_`` from raw scores.

        The ``uninformative`` columns score 0; the ranking sorts by score
        (descending), then puts the ``constant`` columns last, then breaks
        ties by ``tie_break`` (descending) and by column index, so it is a
        strict order. The count is ``n_features_to_select`` where the method
        decided one, else the request, else
        :meth:`_default_n_features_to_select`.
        """
        scores = np.where(uninformative, 0.0, scores)
        self.scores_ = scores
        if tie_break is None:
            tie_break = np.zeros_like(scores)
        # Sort by score (descending), then constant columns last, then by the
        # selector's secondary score, then by column index: a strict order.
        order = np.lexsort((np.arange(scores.size), -tie_break, constant, -scores))
        self.ranking_ = np.empty(scores.size, dtype=np.intp)
        self.ranking_[order] = np.arange(1, scores.size + 1)
        if n_features_to_select is not None:
            self.n_features_to_select_ = int(n_features_to_select)
        elif self.n_features_to_select_ is None:
            self.n_features_to_select_ = int(
                min(
                    self._default_n_features_to_select(scores, uninformative),
                    scores.size,
                )
            )
        self.support_ = self.ranking_ <= self.n_features_to_select_

    def _validate_target(self, y):
        """Detect the task from ``y`` (unless given) and check ``y`` for it."""
        if self.task == "auto":
            # The dtype, not the values, decides: sklearn's diabetes target is
            # float with 214 integral values and is a quantity, not 214 classes.
            self.task_ = "regression" if y.dtype.kind in "fc" else "classification"
        else:
            self.task_ = self.task

        if self.task_ == "regression":
            y = self._check_regression_target(y)
            if self.task == "auto" and np.unique(y).size == 2:
                warnings.warn(
                    "y is a float target with 2 distinct values and is treated "
                    "as regression; pass task='classification' if they are "
                    "class labels.",
                    UserWarning,
                    stacklevel=4,
                )
            return y

        check_classification_targets(y)
        classes, y_encoded = np.unique(y, return_inverse=True)
        self._set_classes(classes)
        if (
            self.task == "auto"
            and y.dtype.kind in "iu"
            and self.classes_.size > MANY_CLASSES_WARNING_THRESHOLD
        ):
            warnings.warn(
                f"y is an integer target with {self.classes_.size} distinct "
                "values and is treated as classification; pass "
                "task='regression' if it is a quantity.",
                UserWarning,
                stacklevel=4,
            )
        return y_encoded

    @staticmethod
    def _check_regression_target(y):
        """``y`` as float64, or a ValueError if it is not numeric."""
        if y.dtype.kind not in "iufb":
            raise ValueError(
                "task='regression' needs a numeric target, got y of dtype "
                f"{y.dtype} (first value: {y[0]!r})."
            )
        return y.astype(np.float64)

    def _set_classes(self, classes, source="y"):
        """Set ``classes_``, or raise a ValueError naming ``source`` if < 2."""
        self.classes_ = np.asarray(classes)
        if self.classes_.size < 2:
            raise ValueError(
                f"{source} has a single class "
                f"({self.classes_[0]!r}); feature selection for classification "
                "needs at least 2 classes."
            )

    def _requested_n_features_to_select(self):
        """Resolve ``n_features_to_select`` to a count, or None."""
        n_features = self.n_features_in_
        requested = self.n_features_to_select
        if requested is None:
            return None
        if isinstance(requested, (bool, np.bool_)):
            # bool is an Integral, so the constraints let True pass as 1.
            raise ValueError(
                f"The 'n_features_to_select' parameter of {type(self).__name__} "
                "must be an int, a float in (0, 1] or None, not a bool; got "
                f"{requested!r}."
            )
        if isinstance(requested, Integral):
            if requested > n_features:
                raise ValueError(
                    f"n_features_to_select={requested} is larger than the "
                    f"number of features ({n_features})."
                )
            return int(requested)
        return math.ceil(requested * n_features)

    def _get_support_mask(self):
        check_is_fitted(self)
        return self.support_


def _check_numeric_columns(X, allow_categorical=False):
    """Raise a ValueError naming the columns of ``X`` a selector cannot take.

    Object columns pass when they hold numbers only (as scikit-learn
    accepts); string and category columns pass when ``allow_categorical``
    (a selector that encodes them itself); datetime, timedelta, period and
    interval columns, which are neither numbers nor categories, never do.
    """
    if isinstance(X, pd.DataFrame):
        bad = [
            str(name)
            for name, dtype in X.dtypes.items()
            if not _numeric_kind(dtype, X[name])
            and not (allow_categorical and _categorical_kind(dtype))
        ]
    elif (
        isinstance(X, np.ndarray)
        and X.ndim == 2
        and (X.dtype.kind in "mM" or (X.dtype == object and not allow_categorical))
    ):
        bad = [
            f"column {j}"
            for j in range(X.shape[1])
            if X.dtype.kind in "mM" or _has_strings(X[:, j])
        ]
    else:
        return
    if bad and allow_categorical:
        raise ValueError(
            f"X has columns that are neither numbers nor categories: "
            f"{', '.join(bad)}. Encode date and time columns as numbers first "
            "(for example days since a date)."
        )
    if bad:
        raise ValueError(
            f"X has non-numeric columns: {', '.join(bad)}. This selector needs "
            "numeric input: encode categorical, text or date columns first "
            "(for example with sklearn.preprocessing.OneHotEncoder, or as "
            "numbers such as days since a date)."
        )


def _numeric_kind(dtype, column):
    """Whether a DataFrame column holds numbers (object columns included)."""
    if pd.api.types.is_object_dtype(dtype):
        return not _has_strings(column.to_numpy())
    return pd.api.types.is_numeric_dtype(dtype)


def _categorical_kind(dtype):
    """Whether a DataFrame column is a category a categorical selector encodes."""
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
    )


def _has_strings(values):
    return any(isinstance(value, str) for value in values)


def univariate_f_statistic(X, y, *, classification):
    """Each column's ANOVA (or regression) F statistic with ``y``.

    The measured tie-break of selectors whose own score ties (at 0, most
    often): 0 where undefined (a constant column), and a missing value
    counts as its column's mean, adding no association.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        # Constant columns get 0 here, and the base class reports them
        # itself; scikit-learn's warning would list every one of them.
        # numpy wraps a long list over lines: "." must match newlines too.
        warnings.filterwarnings("ignore", "(?s)Features .* are constant", UserWarning)
        if sparse.issparse(X):
            statistic = _f_statistic(X, y, classification)
        else:
            # Column blocks bound the copies that filling and f_classif's
            # split by class make (three of X's size at once otherwise).
            width = max(1, F_STATISTIC_BLOCK_VALUES // max(1, X.shape[0]))
            statistic = np.concatenate(
                [
                    _f_statistic(X[:, start : start + width], y, classification)
                    for start in range(0, X.shape[1], width)
                ]
            )
    return np.nan_to_num(statistic, nan=0.0, posinf=0.0)


#: Values of ``X`` per column block of :func:`univariate_f_statistic`.
F_STATISTIC_BLOCK_VALUES = 2**22


def _f_statistic(X, y, classification):
    if not sparse.issparse(X):
        X = np.where(np.isnan(X), np.nan_to_num(np.nanmean(X, axis=0)), X)
    return (f_classif if classification else f_regression)(X, y)[0]


#: Columns whose largest magnitude has a binary exponent beyond this are
#: rescaled (:func:`extreme_column_shifts`): 2**40 is about 1.1e12, so
#: squares and float32 casts of every other column stay finite.
SAFE_EXPONENT = 40


def extreme_column_shifts(X):
    """Binary exponent shifts that bring extreme columns of ``X`` to [0.5, 1).

    A column's shift is 0 when its largest magnitude has a binary exponent
    within ``SAFE_EXPONENT`` (or it is all zeros or missing); otherwise it
    is minus that exponent. Object arrays (categorical input) get no shift.
    """
    if X.dtype == object:
        return np.zeros(X.shape[1], dtype=int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns
        # Dense: no temporary of X's size (np.abs(X) would be one).
        largest = (
            abs(X).max(axis=0).toarray().ravel()
            if sparse.issparse(X)
            else np.fmax(
                np.abs(np.nanmax(X, axis=0).astype(np.float64)),
                np.abs(np.nanmin(X, axis=0).astype(np.float64)),
            )
        )
    exponent = np.frexp(np.nan_to_num(largest))[1]
    return np.where(np.abs(exponent) > SAFE_EXPONENT, -exponent, 0)


def scale_extreme_columns(X, shifts):
    """``X`` with each column multiplied by ``2 ** shifts``; ``X`` itself if none.

    Multiplying by a power of two is exact, so the columns keep every
    relation between their values; the input is never modified.
    """
    if not np.any(shifts):
        return X
    if sparse.issparse(X):
        return (X @ sparse.diags(np.ldexp(1.0, shifts))).asformat(X.format)
    return np.ldexp(X, shifts).astype(X.dtype, copy=False)


def check_cv_fits(cv, y, *, classifier):
    """:func:`sklearn.model_selection.check_cv`, refusing folds y cannot fill.

    Raises a ValueError naming ``cv`` when a training fold would miss a
    class (a class of one row, for stratified folds) or the folds cannot be
    filled at all, instead of an error from deep inside the fit: a training
    fold without some class breaks boosted models that expect every class.
    A class with fewer rows than folds but at least two is left to
    :class:`~sklearn.model_selection.StratifiedKFold`, which warns, as
    :class:`~sklearn.feature_selection.RFECV` does: each of its rows is held
    out once, so every training fold keeps all but one of them.
    """
    cv = check_cv(cv, y, classifier=classifier)
    try:
        n_splits = cv.get_n_splits()
    except (TypeError, ValueError):  # a splitter that needs the data
        return cv
    if n_splits is None:
        return cv
    if isinstance(cv, StratifiedKFold):
        labels, counts = np.unique(y, return_counts=True)
        if counts.max() < n_splits:
            raise ValueError(
                f"cv={n_splits} needs at least {n_splits} rows in one class, "
                f"but the largest class has {counts.max()} of {y.size} rows: "
                "lower cv or give more rows."
            )
        if counts.min() < 2:
            (label,) = labels[[counts.argmin()]].tolist()
            raise ValueError(
                f"cv={n_splits} leaves class {label!r}, which "
                "has 1 row, out of one training fold: give every class at "
                "least 2 rows or drop that class."
            )
    elif y.size < n_splits:
        raise ValueError(
            f"cv={n_splits} needs at least {n_splits} rows, but X has {y.size}: "
            "lower cv or give more rows."
        )
    return cv


def _check_columns(X):
    """Raise a ValueError for no columns, or naming repeated column names."""
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) == 2 and shape[1] == 0:
        # scikit-learn's own wording, which its estimator checks expect.
        raise ValueError(
            f"Found array with 0 feature(s) (shape={tuple(shape)}) while a "
            "minimum of 1 is required."
        )
    columns = getattr(X, "columns", None)
    if columns is None:
        return
    names = pd.Index(list(columns))
    repeated = names[names.duplicated()].unique()
    if repeated.size:
        raise ValueError(
            "X has repeated column names: "
            f"{', '.join(repr(str(name)) for name in repeated[:10])}; give "
            "every column a distinct name."
        )


def _warn_if_all_tied(selector, tie_break, uninformative, n_samples):
    """Warn when every feature scores the same: the ranking says nothing."""
    scores = selector.scores_
    if tie_break is not None:
        scores = scores + tie_break
    informative = scores[~uninformative]
    if scores.size > 1 and informative.size > 1 and np.ptp(informative) == 0:
        warnings.warn(
            f"{type(selector).__name__} gave all {informative.size} "
            f"non-constant features the same score ({informative[0]:g}) on "
            f"{n_samples} rows: the ranking falls back to column order. More "
            "rows are needed for a meaningful selection.",
            UserWarning,
            stacklevel=4,
        )


def _check_finite_columns(X, feature_names, allow_nan=False):
    """Raise a ValueError naming the columns of ``X`` that hold NaN or inf.

    With ``allow_nan``, only infinite values are refused.
    """
    if X.dtype == object:
        return
    data = X.data if sparse.issparse(X) else X
    if np.all(np.isfinite(data)) or (allow_nan and not np.isinf(data).any()):
        return
    dense = X.toarray() if sparse.issparse(X) else X
    messages = []
    kinds = [("infinity", np.isinf(dense))]
    if not allow_nan:
        kinds.insert(0, ("NaN", np.isnan(dense)))
    for kind, mask in kinds:
        columns = np.flatnonzero(mask.any(axis=0))
        if columns.size:
            names = [
                repr(str(feature_names[j])) if feature_names is not None else str(j)
                for j in columns[:10]
            ]
            more = f" and {columns.size - 10} more" if columns.size > 10 else ""
            messages.append(f"{kind} in column(s) {', '.join(names)}{more}")
    refused = "infinite" if allow_nan else "missing or infinite"
    raise ValueError(
        f"Input X contains {'; '.join(messages)}. This selector does not accept "
        f"{refused} values: impute or clip them first (for example with "
        "sklearn.impute.SimpleImputer)."
    )


def _constant_columns(X):
    """Boolean mask of the columns of ``X`` that hold a single value.

    Missing values do not count as a value. Object columns may hold
    unhashable values (lists, arrays): those are compared by their pickled
    bytes.
    """
    if X.dtype == object:
        return np.array([_single_value(X[:, j]) for j in range(X.shape[1])], bool)
    if sparse.issparse(X):
        X = X.tocsc()
        maxima = X.max(axis=0).toarray().ravel()
        minima = X.min(axis=0).toarray().ravel()
        return maxima == minima
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return ~(np.nanmax(X, axis=0) > np.nanmin(X, axis=0))


def _single_value(column):
    """Whether an object column holds at most one distinct non-missing value."""
    try:
        return pd.Series(column).nunique() <= 1
    except TypeError:
        present = [value for value in column if not _is_missing(value)]
        return len({pickle.dumps(value) for value in present}) <= 1


def _is_missing(value):
    missing = pd.isna(value)
    return isinstance(missing, bool | np.bool_) and bool(missing)


def _repeated_columns(X):
    """Boolean mask of the columns of ``X`` equal to an earlier column."""
    return _first_equal_columns(X) != np.arange(X.shape[1])


def refine_equal_columns(first_equal, X):
    """:func:`_first_equal_columns` over the rows behind ``first_equal`` and ``X``.

    Two columns are equal on all the rows when they are equal on the
    earlier rows (the same entry of ``first_equal``) and on ``X``: what a
    selector that learns from chunks of rows keeps to find repeated
    columns. All zeros stands for no rows yet.
    """
    pairs = np.column_stack([first_equal, _first_equal_columns(X)])
    _, first, inverse = np.unique(pairs, axis=0, return_index=True, return_inverse=True)
    return first[inverse.ravel()]


def _first_equal_columns(X):
    """Index of the first column of ``X`` equal to each column (its own if none).

    Columns are first grouped by a cheap vectorised fingerprint (equal
    columns have equal fingerprints); only columns that share a fingerprint
    are compared in full, so the cost stays one pass over ``X``.
    """
    if sparse.issparse(X):
        X = X.tocsc()
        X.sort_indices()
        fingerprints = np.column_stack(
            [
                np.diff(X.indptr),
                np.asarray(X.sum(axis=0)).ravel(),
                np.asarray(X.multiply(X).sum(axis=0)).ravel(),
            ]
        )

        def column(j):
            part = slice(X.indptr[j], X.indptr[j + 1])
            return X.indices[part], X.data[part]
    else:
        if X.dtype == object:
            fingerprints = [pickle.dumps(X[:, j]) for j in range(X.shape[1])]
        else:
            rows = X[[0, X.shape[0] // 2, -1]]
            fingerprints = np.vstack(
                [rows, X.sum(axis=0), np.einsum("ij,ij->j", X, X)]
            ).T

        def column(j):
            return (X[:, j],)

    def equal(a, b):
        return a.dtype == b.dtype and np.array_equal(
            a, b, equal_nan=a.dtype.kind == "f"
        )

    groups = {}
    first_equal = np.arange(X.shape[1])
    for j in range(X.shape[1]):
        key = fingerprints[j]
        key = key if isinstance(key, bytes) else np.ascontiguousarray(key).tobytes()
        earlier = groups.setdefault(key, [])
        first_equal[j] = next(
            (
                i
                for i in earlier
                if all(equal(a, b) for a, b in zip(column(i), column(j), strict=True))
            ),
            j,
        )
        if first_equal[j] == j:
            earlier.append(j)
    return first_equal


def draw_seeds(random_state, size=None):
    """Seeds for other generators (torch's, a model's, a splitter's).

    Drawn from the RandomState ``random_state``; ``size=None`` draws one
    seed as an int, otherwise an array of them. Every seed lies in
    ``[0, 2**31 - 1)``, which every library takes.
    """
    seeds = random_state.randint(np.iinfo(np.int32).max, size=size)
    return int(seeds) if size is None else seeds


def _held_out_split(y, validation_fraction, random_state, *, stratify):
    """Row indices of one random (train, held-out) split.

    ``validation_fraction`` of the rows are held out. With ``stratify`` (a
    classification target of class codes) the split keeps the class
    proportions when every class has 2 rows and fits in both parts;
    otherwise it is plain random.
    """
    n_samples = y.size
    if stratify:
        counts = np.bincount(y)
        n_held_out = math.ceil(validation_fraction * n_samples)
        stratify = counts.min() >= 2 and counts.size <= min(
            n_held_out, n_samples - n_held_out
        )
    return train_test_split(
        np.arange(n_samples),
        test_size=validation_fraction,
        random_state=random_state,
        stratify=y if stratify else None,
    )
