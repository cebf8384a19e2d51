"""The number of features to keep, chosen by cross-validation."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import (
    BaseEstimator,
    MetaEstimatorMixin,
    _fit_context,
    clone,
    is_classifier,
)
from sklearn.feature_selection import SelectorMixin
from sklearn.metrics import check_scoring
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import check_cv_fits
from ._meta import (
    fit_selector,
    input_tags_of,
    selects_per_k,
    strict_ranking,
    validate_wrapped_input,
)
from ._meta import top_features as _top_features

#: With ``n_features_grid=None``, every count up to this many features is
#: tried; beyond it, :data:`DEFAULT_GRID_SIZE` counts spaced geometrically.
FULL_GRID_MAX_FEATURES = 50

#: Number of counts of the default grid for more than
#: :data:`FULL_GRID_MAX_FEATURES` features.
DEFAULT_GRID_SIZE = 30


class SelectorCV(MetaEstimatorMixin, SelectorMixin, BaseEstimator):
    """Choose how many features a selector keeps by cross-validation.

    For each fold of ``cv``, a clone of ``selector`` is fitted on the
    training part, and a clone of ``estimator`` is trained on the top ``k``
    features of that fit and scored on the test part, for every ``k`` of
    ``n_features_grid``. The number of features is then chosen from the
    mean scores over the folds (by default the smallest ``k`` within one
    standard error of the best), and the selector is fitted once more, on
    all the data, for that number. This is
    :class:`~sklearn.feature_selection.RFECV` for any selector.

    A selector whose top-``k`` features are the top ``k`` of one ranking
    (every featsel selector with ``selection_depends_on_k=False``, and any
    other selector) is fitted once per fold, whatever the size of the grid:
    ``n_splits + 1`` selector fits in all. A selector whose choice depends
    on ``k`` (``selection_depends_on_k=True``) is fitted once per fold and
    ``k``.

    Parameters
    ----------
    selector : estimator
        The selector whose number of features is chosen. A featsel selector
        is fitted with ``n_features_to_select`` set by this wrapper (its own
        value is ignored). Any other fitted selector must expose
        ``ranking_`` (ties broken by the importance below, then by column
        index), ``scores_``, ``feature_importances_`` or ``coef_`` (on
        itself or its ``estimator_``); its top ``k`` features by that
        order are kept, whatever its own parameters select.

    estimator : estimator
        The downstream model, trained on the selected features of each fold
        and scored on the held-out part.

    n_features_grid : array-like of int or float, or None, default=None
        Numbers of features tried: an int is a count, a float in (0, 1] a
        fraction of the features (rounded up). None tries every count from 1
        to the number of features up to 50 features, and 30 counts spaced
        geometrically from 1 to the number of features beyond (the small
        counts, where the score changes most, are tried densely).

    rule : {"one_se", "best"}, default="one_se"
        How the number of features is chosen from the mean test scores.
        "one_se": the smallest ``k`` whose mean score is within one standard
        error of the best mean score (see Notes). "best": the ``k`` of the
        best mean score (the smallest, on ties).

    cv : int, cross-validation generator or iterable, default=None
        Cross-validation splitting. None is 5 folds; an int is that many
        folds, stratified when ``estimator`` is a classifier.

    scoring : str, callable or None, default=None
        Score of the downstream model on the test part (a scikit-learn
        scorer name or a ``scorer(estimator, X, y)`` callable); None uses
        the estimator's ``score`` method.

    n_jobs : int or None, default=None
        Number of folds fitted in parallel (joblib). None means 1 unless in
        a :obj:`joblib.parallel_backend` context; -1 uses every processor.

    verbose : int, default=0
        Verbosity of joblib over the folds.

    Attributes
    ----------
    n_features_ : int
        The chosen number of features.

    support_ : ndarray of shape (n_features_in_,)
        Mask of the selected features: those the final selector keeps.

    ranking_ : ndarray of shape (n_features_in_,)
        Strict rank of each feature by the final selector (1 is best).

    scores_ : ndarray of shape (n_features_in_,)
        The final selector's ``scores_``, where it has them; what they hold
        is ``scores_kind``.

    selector_ : estimator
        The selector fitted on all the data for ``n_features_`` features.

    cv_results_ : dict of ndarrays
        One entry per ``k`` of the grid, in increasing order:

        - ``n_features``: the number of features ``k``;
        - ``split{i}_test_score``: the score on fold ``i``;
        - ``mean_test_score``, ``std_test_score``: their mean and standard
          deviation over the folds;
        - ``sem_test_score``: the standard error of the mean,
          ``std (ddof=1) / sqrt(n_splits)``, used by the one-standard-error
          rule.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    StabilitySelector : How sure a selection is, with a bound on the false
        selections.
    sklearn.feature_selection.RFECV : The same choice for recursive feature
        elimination only.
    sklearn.feature_selection.SequentialFeatureSelector : Greedy selection
        with a cross-validated stopping rule.

    Notes
    -----
    The one-standard-error rule (Breiman, Friedman, Olshen and Stone, 1984,
    "Classification and Regression Trees"; Hastie, Tibshirani and Friedman,
    "The Elements of Statistical Learning", section 7.10) chooses the
    simplest model whose cross-validated score is within one standard error
    of the best. With ``s_i(k)`` the score of fold ``i`` of ``n`` at ``k``
    features, ``m(k)`` its mean and ``k* = argmax m(k)``, the chosen number
    is

    ``min {k : m(k) >= m(k*) - sd_i(s_i(k*)) / sqrt(n)}``

    (``sd`` with ``n - 1`` degrees of freedom). The mean score is nearly
    flat near its maximum on most data, where the best ``k`` itself is
    mostly chosen by the noise of the folds and tends to keep features that
    do not help; the rule keeps fewer at a score the folds cannot tell
    apart.

    The features are ranked on the training part of each fold only, so the
    test parts score a selection they took no part in.

    Examples
    --------
    Ten columns, of which the first three decide the class:

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from featsel import MutualInfoSelector, SelectorCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 10))
    >>> y = (X[:, :3].sum(axis=1) + 0.5 * rng.normal(size=200) > 0).astype(int)
    >>> search = SelectorCV(
    ...     MutualInfoSelector(random_state=0), LogisticRegression()
    ... ).fit(X, y)
    >>> search.n_features_
    3
    >>> search.get_support(indices=True)
    array([0, 1, 2])
    """

    _parameter_constraints: dict = {
        "selector": [HasMethods(["fit"])],
        "estimator": [HasMethods(["fit"])],
        "n_features_grid": ["array-like", None],
        "rule": [StrOptions({"one_se", "best"})],
        "cv": ["cv_object"],
        "scoring": [None, str, callable],
        "n_jobs": [None, Integral],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        selector,
        estimator,
        *,
        n_features_grid=None,
        rule="one_se",
        cv=None,
        scoring=None,
        n_jobs=None,
        verbose=0,
    ):
        self.selector = selector
        self.estimator = estimator
        self.n_features_grid = n_features_grid
        self.rule = rule
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return input_tags_of(tags, self.selector, self.estimator)

    @_fit_context(
        # SelectorCV.selector and SelectorCV.estimator are not validated yet.
        prefer_skip_nested_validation=False
    )
    def fit(self, X, y):
        """Choose the number of features by cross-validation, then select.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training input samples.

        y : array-like of shape (n_samples,)
            The target values.

        Returns
        -------
        self : object
            Fitted selector.
        """
        X, y = validate_wrapped_input(self, X, y, ensure_min_samples=2)
        grid = _resolve_grid(self.n_features_grid, self.n_features_in_)
        cv = check_cv_fits(self.cv, y, classifier=is_classifier(self.estimator))
        scorer = check_scoring(self.estimator, scoring=self.scoring)
        per_k = selects_per_k(self.selector)
        parallel = Parallel(n_jobs=self.n_jobs, verbose=self.verbose)
        fold_scores = parallel(
            delayed(_fit_and_score)(
                self.selector, self.estimator, X, y, train, test, grid, per_k, scorer
            )
            for train, test in cv.split(X, y)
        )
        fold_scores = np.asarray(fold_scores, dtype=np.float64)
        self.cv_results_ = _cv_results(grid, fold_scores)
        self.n_features_ = int(
            choose_n_features(
                grid,
                self.cv_results_["mean_test_score"],
                self.cv_results_["sem_test_score"],
                rule=self.rule,
            )
        )
        self.selector_ = fit_selector(self.selector, X, y, self.n_features_)
        self.support_ = _top_features(self.selector_, self.n_features_)
        self.ranking_ = strict_ranking(self.selector_)
        if hasattr(self.selector_, "scores_"):
            self.scores_ = np.asarray(self.selector_.scores_)
        return self

    @property
    def scores_kind(self):
        """What ``scores_`` holds: the wrapped selector's ``scores_kind``.

        ``"importance"``, or ``"order"`` for a selector whose scores encode
        its order of entry (see :class:`BaseSelector`).
        """
        return getattr(self.selector, "scores_kind", "importance")

    def _get_support_mask(self):
        check_is_fitted(self)
        return self.support_

    def plot_cv_results(self, ax=None):
        """Plot the mean test score (± one sd) against the number of features.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Axes to draw on; None creates a new figure.

        Returns
        -------
        ax : matplotlib Axes
            The axes with the curve, its band of one standard deviation over
            the folds, the best mean score minus one standard error (dotted)
            and the chosen number of features (dashed).
        """
        check_is_fitted(self)
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots()
        results = self.cv_results_
        n_features = results["n_features"]
        mean, std = results["mean_test_score"], results["std_test_score"]
        ax.fill_between(n_features, mean - std, mean + std, alpha=0.2)
        ax.plot(n_features, mean, marker="o", markersize=3, label="mean ± sd")
        best = np.argmax(mean)
        ax.axhline(
            mean[best] - results["sem_test_score"][best],
            color="grey",
            linestyle=":",
            label="best - 1 standard error",
        )
        ax.axvline(
            self.n_features_,
            color="black",
            linestyle="--",
            label=f"chosen: {self.n_features_}",
        )
        if n_features.size > 1 and n_features[-1] / n_features[0] > 50:
            ax.set_xscale("log")
        ax.set_xlabel("Number of features")
        scoring = self.scoring if isinstance(self.scoring, str) else "score"
        ax.set_ylabel(f"Cross-validated {scoring}")
        ax.legend()
        return ax


def choose_n_features(n_features, mean_score, sem_score, *, rule="one_se"):
    """The number of features a rule chooses from cross-validated scores.

    Parameters
    ----------
    n_features : array-like of shape (n_candidates,)
        The candidate numbers of features, in increasing order.

    mean_score : array-like of shape (n_candidates,)
        Mean test score at each candidate (higher is better).

    sem_score : array-like of shape (n_candidates,)
        Standard error of that mean.

    rule : {"one_se", "best"}, default="one_se"
        "one_se": the smallest number whose mean score is at least the best
        mean score minus its standard error. "best": the number of the best
        mean score (the smallest on ties).

    Returns
    -------
    n_features : int
        The chosen number.

    Examples
    --------
    >>> from featsel._selector_cv import choose_n_features
    >>> mean, sem = [0.70, 0.86, 0.88, 0.89], [0.02, 0.02, 0.02, 0.02]
    >>> choose_n_features([1, 2, 3, 4], mean, sem)
    3
    >>> choose_n_features([1, 2, 3, 4], mean, sem, rule="best")
    4
    """
    n_features = np.asarray(n_features)
    mean_score = np.asarray(mean_score, dtype=np.float64)
    if np.isnan(mean_score).all():
        raise ValueError(
            "Every cross-validated score is NaN: the downstream estimator "
            "could not be scored at any number of features."
        )
    best = int(np.nanargmax(mean_score))
    if rule == "best":
        return int(n_features[best])
    floor = mean_score[best] - np.asarray(sem_score, dtype=np.float64)[best]
    return int(n_features[np.flatnonzero(mean_score >= floor)[0]])


def _resolve_grid(n_features_grid, n_features_in):
    """The sorted distinct counts of ``n_features_grid`` for ``n_features_in``."""
    if n_features_grid is None:
        if n_features_in <= FULL_GRID_MAX_FEATURES:
            return np.arange(1, n_features_in + 1)
        grid = np.geomspace(1, n_features_in, DEFAULT_GRID_SIZE)
        return np.unique(np.round(grid).astype(np.intp))
    values = np.asarray(n_features_grid, dtype=object).ravel()
    if values.size == 0:
        raise ValueError("n_features_grid is empty; give at least one count.")
    counts = []
    for value in values:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
            raise ValueError(
                "n_features_grid must hold ints (counts) and floats in (0, 1] "
                f"(fractions); got {value!r}."
            )
        if isinstance(value, Integral):
            if not 1 <= value <= n_features_in:
                raise ValueError(
                    f"n_features_grid holds the count {value}, outside [1, "
                    f"{n_features_in}] (the number of features)."
                )
            counts.append(int(value))
        elif 0 < value <= 1:
            counts.append(math.ceil(value * n_features_in))
        else:
            raise ValueError(
                f"n_features_grid holds the fraction {value!r}, outside (0, 1]."
            )
    return np.unique(counts)


def _fit_and_score(selector, estimator, X, y, train, test, grid, per_k, scorer):
    """Scores of ``estimator`` on one fold at each count of ``grid``."""
    X_train, X_test = _safe_indexing(X, train), _safe_indexing(X, test)
    y_train, y_test = _safe_indexing(y, train), _safe_indexing(y, test)
    if not per_k:
        ranking = strict_ranking(fit_selector(selector, X_train, y_train, grid[-1]))
    scores = []
    for k in grid:
        if per_k:
            fitted = fit_selector(selector, X_train, y_train, k)
            kept = np.flatnonzero(_top_features(fitted, k))
        else:
            kept = np.flatnonzero(ranking <= k)
        model = clone(estimator).fit(_safe_indexing(X_train, kept, axis=1), y_train)
        scores.append(scorer(model, _safe_indexing(X_test, kept, axis=1), y_test))
    return scores


def _cv_results(grid, fold_scores):
    """``cv_results_`` from the (n_splits, n_candidates) fold scores."""
    n_splits = fold_scores.shape[0]
    results = {"n_features": np.asarray(grid)}
    for i, scores in enumerate(fold_scores):
        results[f"split{i}_test_score"] = scores
    results["mean_test_score"] = fold_scores.mean(axis=0)
    results["std_test_score"] = fold_scores.std(axis=0)
    if n_splits > 1:
        sem = fold_scores.std(axis=0, ddof=1) / np.sqrt(n_splits)
    else:
        sem = np.zeros(fold_scores.shape[1])
    results["sem_test_score"] = sem
    return results
