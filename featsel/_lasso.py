"""LASSO feature selection."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.linear_model import Lasso, LassoCV, LogisticRegression, lasso_path
from sklearn.metrics import log_loss
from sklearn.model_selection import check_cv
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import Interval
from sklearn.utils.extmath import safe_sparse_dot

from ._base import BaseSelector, SelectionResult, univariate_f_statistic
from ._docstring import shared_docs
from ._linear import coef_importance, standardize

#: Values of ``C`` tried by cross-validation: from the smallest that keeps a
#: feature to 100 times it, on a log scale.
C_GRID_SIZE = 8
C_GRID_SPAN = 100.0

#: ``C`` that ranks the features when a number is requested and ``C=None``:
#: a weak penalty, so that nearly every feature has a non-zero coefficient.
RANKING_C = 1.0

#: ``LassoCV``'s grid: 100 penalties from the smallest that keeps no
#: feature down to 1e-3 of it.
LASSO_N_ALPHAS = 100
LASSO_EPS = 1e-3

#: ``LassoCV``'s default tolerance, which the tall regression's path keeps.
LASSO_CV_TOL = 1e-4

#: Share of the columns above which a working set is replaced by all of
#: them: refits to add a few columns then cost more than fitting the rest.
WORKING_SET_SHARE = 0.5

#: Rows scaled at a time while the column moments are accumulated, so that
#: no temporary the size of ``X`` is made.
MOMENT_ROWS = 8192


@shared_docs
class LassoSelector(BaseSelector):
    """Select features by the magnitude of L1-penalised linear coefficients.

    For classification, an L1-penalised logistic regression (one-vs-rest for
    more than two classes) is fitted on standardised features and each
    feature is scored by its mean absolute coefficient across classes; when
    the selector chooses the number of features, cross-validation chooses
    the penalty. For regression, the penalty is chosen on the path of
    :class:`~sklearn.linear_model.LassoCV` and the score is the absolute
    coefficient. Both tasks choose the penalty of their own selection by
    the one-standard-error rule (see Notes).

    Parameters
    ----------
    n_features_to_select : int, float or None, default=None
        Number of features to select: an int is a count, a float in (0, 1] a
        fraction of the features (rounded up). None keeps the features with a
        non-zero coefficient (at least one) at the penalty chosen by the
        one-standard-error rule, for classification and regression alike.

    %(task)s

    C : float or None, default=None
        Inverse of the L1 penalty strength of the logistic regression
        (classification only). None chooses it by cross-validation (log loss,
        ``cv`` folds) when the selector chooses the number of features
        (``n_features_to_select=None``), and uses 1.0 when a number is
        requested, so that the coefficients rank nearly every feature.

    cv : int, cross-validation generator or iterable, default=5
        Cross-validation splitting that chooses the penalty: always for
        regression (``LassoCV``), with ``C=None`` and no requested number
        for classification.

    max_iter : int, default=10000
        Maximum number of solver iterations.

    random_state : int, RandomState instance or None, default=None
        Seed of the solvers' coordinate shuffling.

    Attributes
    ----------
    scores_ : ndarray of shape (n_features_in_,)
        Mean absolute standardised coefficient of each feature.

    ranking_ : ndarray of shape (n_features_in_,)
        Strict rank of each feature (1 is best): by ``scores_``, ties (the
        zero coefficients, most often) broken by the univariate F statistic,
        then by column index.

    %(support_)s

    %(n_features_to_select_)s

    %(task_)s

    estimator_ : estimator
        The fitted linear model. For classification, the one-vs-rest
        logistic regression at ``C_``: on every feature when a number of
        features is requested; on the selected features only (like
        :class:`~sklearn.feature_selection.RFE`'s) when the selector chooses
        the number, their coefficients being the lasso's on every feature.
        For regression, the ``LassoCV`` when a number of features is
        requested, else the ``Lasso`` at ``alpha_`` refitted on the selected
        features.

    C_ : float
        Inverse penalty strength of the logistic regression (classification
        only).

    alpha_ : float
        Penalty of the regression lasso (regression only): LassoCV's
        minimum-error penalty when a number of features is requested, the
        one-standard-error penalty otherwise.

    n_iter_ : int
        Number of solver iterations of ``estimator_``'s fit (the largest
        over classes).

    %(n_features_in_)s

    See Also
    --------
    SVMRFESelector : Recursive elimination with a linear SVM.
    sklearn.feature_selection.SelectFromModel : Threshold any model's weights.

    Notes
    -----
    Tibshirani (1996), "Regression shrinkage and selection via the lasso".
    Classification minimises ``||w||_1 + C * sum_i log(1 + exp(-y_i x_i.w))``
    per class; regression minimises
    ``||y - Xw||^2 / (2 n) + alpha * ||w||_1``. The score of feature ``j`` is
    ``mean_c |w_cj|`` on standardised features.

    Departures from a plain lasso, each measured:

    - **The classification penalty of its own choice** (``C=None``,
      ``n_features_to_select=None``) is cross-validated, as the lasso's own
      selection needs: the fixed ``C=1`` kept 727 of 800 features of
      make_classification (n=2000, 10 informative) and 33 to 40 of 50 on a
      planted problem with 5 informative; the cross-validated ``C`` keeps 27
      and 24 to 29, every informative feature of the planted problem
      included. ``C`` is chosen among 8 values from the smallest that keeps
      a feature (``sklearn.svm.l1_min_c``) to 100 times it, by the
      one-standard-error rule on the log loss (the strongest penalty within
      one standard error of the best), which keeps fewer noise features than
      the best ``C`` itself (10 to 16 of 20 columns against 12 to 19 on the
      planted problem with 20). One ``C`` serves every one-vs-rest class.
      Cost: 40 L1 logistic fits along the penalty path (5 folds x 8
      values of ``C``), each by working sets: liblinear is fitted on the
      columns that can be non-zero (the previous penalty's solution and
      the columns whose gradient there exceeds the penalty), and refitted
      with any column that then breaks the optimality condition of a zero
      coefficient, which ends at the lasso on every column; once the set
      holds more than half the columns, all are fitted. liblinear copies
      its input into a format of its own at each fit, which cost more than
      the solve on tall data, and the standardised values are computed for
      the working set only: on 100,000 x 1,000 the own choice took 26.7 s
      and 1.76 GB of peak memory, data included, against 176 s and 4.8 GB
      for ``LogisticRegressionCV`` on every column
      (``benchmarks/bench_lasso_large.py``). The tests check the chosen
      ``C`` and selection against ``LogisticRegressionCV`` on every column
      (binary, square, multiclass and sparse data).
    - **The regression penalty of its own choice**
      (``n_features_to_select=None``) follows the same one-standard-error
      rule: the largest ``alpha`` of ``LassoCV``'s path whose mean squared
      error over the folds is within one standard error of the minimum, the
      lasso then refitted at it. On ``make_regression`` (300 rows, 50
      columns, 5 informative, noise 20, 10 seeds) the minimum-error
      ``alpha`` kept 7 to 19 columns, the rule 4 to 6, with 47 of the 50
      informative columns against 48 (``benchmarks/bench_own_choice.py
      --parts lasso``). A requested number is still ranked at the
      minimum-error ``alpha``. When the rows outnumber the columns the
      path comes from sufficient statistics instead of ``LassoCV`` on
      copies of the rows: each fold's lasso depends on its rows only
      through ``X'X`` and ``X'y``, and its held-out error through the
      same sums over the held-out rows, so nothing of ``X``'s size is
      copied. The solver is ``LassoCV``'s own on dense folds with more
      rows than columns (coordinate descent on the Gram matrix, its
      tolerance and warm starts); the tests check the choice against
      ``LassoCV`` (dense and sparse input, and splits that do not train
      on every other row). On 100,000 x 1,000 it took 5.8 s and 1.14 GB of
      peak memory, data included, against 19.7 s and 3.1 GB
      (``benchmarks/bench_lasso_large.py``).
    - **A requested number** is ranked at ``C=1``, a weak penalty under which
      nearly every feature has a non-zero coefficient, so that the ranking
      has few ties.
    - **Ties** (features of equal coefficient, most often 0) are ordered by
      their univariate F statistic with ``y`` (ANOVA for classification,
      regression otherwise), not by column index: the lasso gives them no
      order, and an order by index favours whichever columns happen to
      come first (on data generated with the informative columns first, a
      tied informative column was kept for its position). Permuting the
      columns permutes the ranking.
    - **max_iter** is 10 times scikit-learn's default: on a small real
      regression set (ISLR Hitters, 263 rows, standardised, 5 folds) 1000
      iterations left the coordinate descent unconverged on 4 of 5 folds,
      10000 on none, with the same penalties chosen.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from featsel import LassoSelector
    >>> X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    >>> selector = LassoSelector(n_features_to_select=3, random_state=0).fit(X, y)
    >>> selector.get_feature_names_out()
    array(['radius error', 'worst radius', 'worst area'], dtype=object)
    """

    _parameter_constraints: dict = {
        **BaseSelector._parameter_constraints,
        "C": [None, Interval(Real, 0, None, closed="neither")],
        "cv": ["cv_object"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }
    own_choice = "the non-zero coefficients at the one-standard-error penalty"

    def __init__(
        self,
        n_features_to_select=None,
        *,
        task="auto",
        C=None,
        cv=5,
        max_iter=10000,
        random_state=None,
    ):
        self.n_features_to_select = n_features_to_select
        self.task = task
        self.C = C
        self.cv = cv
        self.max_iter = max_iter
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _fit_scores(self, X, y, uninformative):
        # Zero coefficients tie; they are ordered by a measure that does not
        # depend on the column order (see Notes).
        classification = self.task_ == "classification"
        f_statistic = univariate_f_statistic(X, y, classification=classification)
        if self.n_features_to_select is not None:
            coef = self._fit_ranking(X, y)
        else:
            # Checked once: a one-shot iterable of splits is listed, so that
            # every one-vs-rest problem and fold reads the same splits.
            cv = check_cv(self.cv, y, classifier=classification)
            if classification:
                coef = self._fit_own_choice_classification(
                    _StandardizedDesign(X), y, cv, f_statistic
                )
            elif X.shape[0] > X.shape[1]:
                coef = self._fit_own_choice_tall_regression(
                    _StandardizedDesign(X), y, cv, f_statistic
                )
            else:
                coef = self._fit_own_choice_wide_regression(X, y, cv, f_statistic)
        return SelectionResult(coef_importance(coef), tie_break=f_statistic)

    def _fit_ranking(self, X, y):
        """Coefficients that rank every feature for a requested count."""
        X = standardize(X)
        if self.task_ == "classification":
            self.C_ = RANKING_C if self.C is None else self.C
            self.estimator_ = OneVsRestClassifier(
                self._logistic_regression(self.C_)
            ).fit(X, y)
            models = self.estimator_.estimators_
            self.n_iter_ = int(max(np.max(model.n_iter_) for model in models))
            return np.vstack([model.coef_ for model in models])
        self.estimator_ = LassoCV(
            cv=self.cv, max_iter=self.max_iter, random_state=self.random_state
        ).fit(X, y)
        self.alpha_ = float(self.estimator_.alpha_)
        self.n_iter_ = int(self.estimator_.n_iter_)
        return self.estimator_.coef_

    def _logistic_regression(self, C):
        return LogisticRegression(
            C=C,
            l1_ratio=1.0,
            solver="liblinear",
            max_iter=self.max_iter,
            random_state=self.random_state,
        )

    def _lasso(self):
        return Lasso(
            alpha=self.alpha_, max_iter=self.max_iter, random_state=self.random_state
        )

    def _fit_own_choice_classification(self, design, y, cv, f_statistic):
        """Coefficients of the classification's own choice, over all columns.

        The penalty's lasso is solved on a working set (``_fit_working_set``)
        for each one-vs-rest problem; ``estimator_`` is then refitted on the
        columns with a non-zero coefficient in any of them.
        """
        self.C_ = self.C if self.C is not None else self._penalty_C(design, y, cv)
        every_row = np.arange(y.size)
        nonzero = np.zeros(design.n_features, dtype=bool)
        for target in _one_vs_rest_targets(y):
            coef, *_ = self._fit_working_set(design, every_row, target, self.C_)
            nonzero |= coef != 0
        kept = _kept_columns(nonzero, f_statistic)
        self.estimator_ = OneVsRestClassifier(self._logistic_regression(self.C_)).fit(
            design.columns(every_row, kept), y
        )
        models = self.estimator_.estimators_
        coef = np.zeros((len(models), design.n_features))
        coef[:, kept] = np.vstack([model.coef_ for model in models])
        self.n_iter_ = int(max(np.max(model.n_iter_) for model in models))
        return coef

    def _fit_own_choice_wide_regression(self, X, y, cv, f_statistic):
        """Coefficients of the regression's own choice, by ``LassoCV``.

        The one-standard-error penalty of ``LassoCV``'s path; ``estimator_``
        is the ``Lasso`` at it, refitted on the columns with a non-zero
        coefficient.
        """
        X = standardize(X)
        lasso_cv = LassoCV(
            cv=cv, max_iter=self.max_iter, random_state=self.random_state
        ).fit(X, y)
        self.alpha_ = _one_standard_error_alpha(lasso_cv.alphas_, lasso_cv.mse_path_)
        kept = _kept_columns(self._lasso().fit(X, y).coef_ != 0, f_statistic)
        return self._refit_lasso(X[:, kept], y, kept, X.shape[1])

    def _fit_own_choice_tall_regression(self, design, y, cv, f_statistic):
        """Coefficients of the regression's own choice when rows outnumber columns.

        ``LassoCV``'s choice (its grid of 100 penalties, its folds, the
        one-standard-error rule) from sufficient statistics: the lasso
        depends on the centred training rows only through ``G = X'X`` and
        ``X'y``, and a fold's held-out squared error through the same sums
        over its rows, so no copy of the rows is made (``LassoCV`` copies
        each training fold next to the data and its standardised copy).
        Each fold's lasso is solved by :func:`sklearn.linear_model.lasso_path`
        on the Gram matrix with ``LassoCV``'s tolerance, as ``LassoCV``
        does on dense folds with more rows than columns; it is given the
        design of :meth:`_Moments.square_root`, whose squared error is the
        rows'. ``estimator_`` is the ``Lasso`` at ``alpha_`` refitted on the
        selected columns.
        """
        # The lasso with an intercept does not depend on y's offset; without
        # it the sums of squares would cancel digits when |mean| >> sd.
        centred = y - y.mean()
        folds = list(cv.split(design.X, y))
        held_out_moments = [design.moments(test, centred) for _, test in folds]
        tested = np.sort(np.concatenate([test for _, test in folds]))
        if np.array_equal(tested, np.arange(y.size)):
            every_row = sum(held_out_moments[1:], start=held_out_moments[0])
        else:
            every_row = design.moments(np.arange(y.size), centred)
        alphas = every_row.alpha_grid()
        mse_path = np.empty((alphas.size, len(folds)))
        for fold, (train, test) in enumerate(folds):
            held_out = held_out_moments[fold]
            # Most splitters train on every other row: then the training
            # sums are the whole's minus the held-out rows'.
            training = (
                every_row - held_out
                if train.size + test.size == y.size
                else design.moments(train, centred)
            )
            coefs = self._lasso_path(training, alphas)
            mse_path[:, fold] = held_out.squared_error(
                coefs, training.intercepts(coefs)
            )
        self.alpha_ = _one_standard_error_alpha(alphas, mse_path)
        at_alpha = self._lasso_path(every_row, [self.alpha_])[0]
        kept = _kept_columns(at_alpha != 0, f_statistic)
        selected = design.columns(np.arange(y.size), kept)
        return self._refit_lasso(selected, y, kept, design.n_features)

    def _refit_lasso(self, selected, y, kept, n_features):
        """``estimator_``: the ``Lasso`` at ``alpha_`` on the ``kept`` columns.

        Returns its coefficients placed over all ``n_features`` columns.
        """
        self.estimator_ = self._lasso().fit(selected, y)
        self.n_iter_ = int(self.estimator_.n_iter_)
        coef = np.zeros(n_features)
        coef[kept] = self.estimator_.coef_
        return coef

    def _lasso_path(self, moments, alphas):
        """Lasso coefficients (one row per penalty) from centred moments."""
        gram, xy = moments.centred()
        root, target = moments.square_root(gram, xy)
        # lasso_path scales the squared error by its own row count.
        _, coefs, _ = lasso_path(
            root,
            target,
            precompute=gram,
            Xy=xy,
            alphas=np.asarray(alphas) * moments.n_rows / root.shape[0],
            tol=LASSO_CV_TOL,
            max_iter=self.max_iter,
        )
        return coefs.T

    def _fit_working_set(self, design, rows, target, C, gradient=None, coef=None):
        """The L1 logistic regression at ``C`` on ``rows``, by working sets.

        liblinear copies its input into a format of its own (16 bytes a
        value) at every fit, which costs more than the solve when few
        coefficients are non-zero. So the model is fitted on the columns
        that can be non-zero: those of the previous penalty's solution
        (``coef``) and those whose gradient there (``gradient``, rescaled
        to ``C``) exceeds the penalty; then every column that breaks the
        optimality condition ``|C X_j'(p - y)| <= 1`` of a zero coefficient
        is added and the model refitted, until none does, or the set holds
        more than ``WORKING_SET_SHARE`` of the columns and all are fitted.
        The result is the lasso on every column (to liblinear's tolerance).

        Returns the coefficients over every column, the intercept and the
        gradient ``C X'(p - y)`` over ``rows``.
        """
        if gradient is None:
            residual = np.zeros(target.size)
            residual[rows] = target[rows].mean() - target[rows]
            gradient = C * design.correlations(residual)
            coef = np.zeros(design.n_features)
        working = np.flatnonzero((coef != 0) | (np.abs(gradient) > 1))
        if working.size == 0:
            working = np.array([np.argmax(np.abs(gradient))])
        while True:
            if working.size > WORKING_SET_SHARE * design.n_features:
                working = np.arange(design.n_features)
            block = design.columns(rows, working)
            model = self._logistic_regression(C).fit(block, target[rows])
            coef = np.zeros(design.n_features)
            coef[working] = model.coef_[0]
            intercept = float(model.intercept_[0])
            residual = np.zeros(target.size)
            residual[rows] = expit(block @ model.coef_[0] + intercept) - target[rows]
            gradient = C * design.correlations(residual)
            violated = np.abs(gradient) > 1
            violated[working] = False
            if not violated.any():
                return coef, intercept, gradient
            working = np.union1d(working, np.flatnonzero(violated))

    def _penalty_C(self, design, y, cv):
        """``C`` of the logistic regression, chosen by cross-validation.

        The choice is the smallest ``C`` (strongest penalty) whose mean log
        loss over the folds, summed over the one-vs-rest problems, is within
        one standard error of the best (the one-standard-error rule): the
        best ``C`` itself predicts best with many small noise coefficients.
        The grid runs from the smallest ``C`` that keeps a feature
        (:func:`sklearn.svm.l1_min_c`) to ``C_GRID_SPAN`` times it.
        """
        labels, counts = np.unique(y, return_counts=True)
        if labels.size == 2:
            labels, counts = labels[1:], np.minimum(counts[:1], counts[1])
        # A class with fewer rows than folds cannot be cross-validated; the
        # classes that can choose C for all.
        n_splits = cv.get_n_splits(design.X, y)
        problems = [y == label for label in labels[counts >= n_splits]]
        if not problems:
            return RANKING_C
        smallest = min(_smallest_C(design, target) for target in problems)
        if not np.isfinite(smallest):
            return RANKING_C
        Cs = smallest * np.logspace(0, np.log10(C_GRID_SPAN), C_GRID_SIZE)
        fold_scores = sum(
            self._path_log_loss(design, target, Cs, cv) for target in problems
        )
        mean = fold_scores.mean(axis=0)
        best = np.argmax(mean)
        within = mean >= mean[best] - _standard_error(fold_scores[:, best])
        return float(Cs[np.flatnonzero(within)[0]])

    def _path_log_loss(self, design, target, Cs, cv):
        """Negative held-out log loss of each fold (rows) and ``C`` (columns).

        Along the path each ``C`` starts its working set from the previous
        one's solution.
        """
        scores = []
        for train, test in cv.split(design.X, target):
            scores.append([])
            gradient = coef = None
            previous_C = Cs[0]
            for C in Cs:
                if gradient is not None:
                    gradient = gradient * (C / previous_C)
                coef, intercept, gradient = self._fit_working_set(
                    design, train, target, C, gradient, coef
                )
                previous_C = C
                probability = expit(design.decision(test, coef, intercept))
                scores[-1].append(
                    -log_loss(target[test], probability, labels=[False, True])
                )
        return np.array(scores)

    def _default_n_features_to_select(self, scores, uninformative):
        return max(1, int(np.count_nonzero(scores)))


def _one_standard_error_alpha(alphas, mse_path):
    """The largest penalty within one standard error of the best.

    ``mse_path`` holds the held-out mean squared error of each penalty
    (rows) and fold (columns), as ``LassoCV.mse_path_``. Among the penalties
    whose mean over the folds is at most the smallest mean plus the standard
    error of the folds' errors at that minimum, the largest (the sparsest
    model) is chosen.
    """
    mean = mse_path.mean(axis=1)
    best = np.argmin(mean)
    within = mean <= mean[best] + _standard_error(mse_path[best])
    return float(np.asarray(alphas)[within].max())


def _standard_error(fold_values):
    """Standard error of the mean over folds; 0 for a single fold."""
    if fold_values.size < 2:
        return 0.0
    return fold_values.std(ddof=1) / np.sqrt(fold_values.size)


def _one_vs_rest_targets(y):
    """The binary targets of the one-vs-rest problems: one for two classes."""
    labels = np.unique(y)
    return [y == label for label in (labels[1:] if labels.size == 2 else labels)]


def _kept_columns(nonzero, f_statistic):
    """Columns of non-zero coefficient; if none, the first of largest F."""
    kept = np.flatnonzero(nonzero)
    return kept if kept.size else np.array([np.argmax(f_statistic)])


class _Moments:
    """Sums over some rows of the standardised design and the target.

    ``gram = X'X``, ``column_sums = X'1``, ``xy = X'y``, ``y_sum``,
    ``y_squares = y'y`` and ``n_rows``: all a lasso and its squared error
    need. Moments of disjoint rows add; a fold's training moments are the
    whole's minus its held-out rows'.
    """

    def __init__(self, gram, column_sums, xy, y_sum, y_squares, n_rows):
        self.gram = gram
        self.column_sums = column_sums
        self.xy = xy
        self.y_sum = y_sum
        self.y_squares = y_squares
        self.n_rows = n_rows

    def _combine(self, other, sign):
        return _Moments(
            *(
                mine + sign * theirs
                for mine, theirs in zip(self._sums(), other._sums(), strict=True)
            )
        )

    def _sums(self):
        return (
            self.gram,
            self.column_sums,
            self.xy,
            self.y_sum,
            self.y_squares,
            self.n_rows,
        )

    def __add__(self, other):
        return self._combine(other, 1)

    def __sub__(self, other):
        return self._combine(other, -1)

    def centred(self):
        """``X'X`` and ``X'y`` of the rows centred at their own means."""
        mean = self.column_sums / self.n_rows
        gram = self.gram - self.n_rows * np.outer(mean, mean)
        return gram, self.xy - mean * self.y_sum

    def alpha_grid(self):
        """``LassoCV``'s 100 penalties: down to 1e-3 of the smallest that
        keeps no feature."""
        _, xy = self.centred()
        largest = np.abs(xy).max() / self.n_rows
        if largest <= np.finfo(float).resolution:
            return np.full(LASSO_N_ALPHAS, np.finfo(float).resolution)
        return np.geomspace(largest, largest * LASSO_EPS, num=LASSO_N_ALPHAS)

    def square_root(self, gram, xy):
        """A design ``(R, z)`` with the centred rows' squared error.

        ``gram`` and ``xy`` are :meth:`centred`'s, the centred ``X'X`` and
        ``X'y``; ``R'R`` equals ``gram``, ``R'z`` equals ``xy`` and ``z'z``
        the centred ``y'y``: the rows of ``R`` come from the
        eigendecomposition of ``X'X`` (a singular one too: ``X'y`` lies in
        its range), and a last row of zeros holds the part of ``y`` no
        column explains, so that ``|z - Rw|^2 = |y - Xw|^2`` for every
        ``w``.
        """
        values, vectors = np.linalg.eigh(gram)
        positive = values > values.max() * gram.shape[0] * np.finfo(float).eps
        roots = np.sqrt(values[positive])
        root = roots[:, None] * vectors[:, positive].T
        explained = (vectors[:, positive].T @ xy) / roots
        unexplained = max(self.centred_squares() - explained @ explained, 0.0)
        return (
            np.vstack([root, np.zeros(root.shape[1])]),
            np.append(explained, np.sqrt(unexplained)),
        )

    def centred_squares(self):
        """``y'y`` of the target centred at these rows' mean."""
        return self.y_squares - self.y_sum**2 / self.n_rows

    def intercepts(self, coefs):
        """Intercept fitted with each row of ``coefs`` on these rows."""
        return (self.y_sum - coefs @ self.column_sums) / self.n_rows

    def squared_error(self, coefs, intercepts):
        """Mean squared error on these rows of each model (row of ``coefs``)."""
        predictions_squared = np.einsum("ij,jk,ik->i", coefs, self.gram, coefs)
        cross = coefs @ self.xy + intercepts * self.y_sum
        errors = (
            self.y_squares
            - 2 * cross
            + predictions_squared
            + 2 * intercepts * (coefs @ self.column_sums)
            + self.n_rows * intercepts**2
        )
        return errors / self.n_rows


def _smallest_C(design, target):
    """:func:`sklearn.svm.l1_min_c` of the standardised design, for log loss.

    Computed from ``X'y`` of the ±1 target without a standardised copy;
    infinite where ``l1_min_c`` raises (every column and the intercept
    uncorrelated with the target).
    """
    signs = np.where(target, 1.0, -1.0)
    largest = max(np.abs(design.correlations(signs)).max(), abs(signs.sum()))
    return 2.0 / largest if largest > 0 else np.inf


class _StandardizedDesign:
    """``X`` with standardised columns, computed only where they are used.

    The own choice's penalty path needs ``X'r`` over every column and the
    values of a few columns; a standardised copy of ``X`` would double the
    memory of a large matrix (800 MB more at 100,000 x 1,000). The columns
    are ``(X - mean) / scale`` with the moments of :func:`standardize`
    (sparse input is not centred).
    """

    def __init__(self, X):
        # Rows are gathered: CSR slices them in time proportional to them.
        self.X = X.tocsr() if sparse.issparse(X) else X
        self.n_features = X.shape[1]
        scaler = StandardScaler(with_mean=not sparse.issparse(X))
        if sparse.issparse(X):
            scaler.fit(self.X)
        else:
            for start in range(0, X.shape[0], MOMENT_ROWS):
                scaler.partial_fit(X[start : start + MOMENT_ROWS])
        self.mean = scaler.mean_ if scaler.with_mean else np.zeros(self.n_features)
        self.scale = scaler.scale_

    def moments(self, rows, y):
        """The :class:`_Moments` of ``rows``, accumulated in row blocks."""
        n_features = self.n_features
        gram = np.zeros((n_features, n_features))
        column_sums = np.zeros(n_features)
        xy = np.zeros(n_features)
        every_feature = np.arange(n_features)
        for start in range(0, rows.size, MOMENT_ROWS):
            block_rows = rows[start : start + MOMENT_ROWS]
            block = self.columns(block_rows, every_feature)
            gram += np.asarray(
                (block.T @ block).todense()
                if sparse.issparse(block)
                else block.T @ block
            )
            column_sums += np.asarray(block.sum(axis=0)).ravel()
            xy += safe_sparse_dot(block.T, y[block_rows])
        target = y[rows].astype(np.float64)
        return _Moments(gram, column_sums, xy, target.sum(), target @ target, rows.size)

    def columns(self, rows, features):
        """The standardised ``features`` of ``rows``, as a new array."""
        if sparse.issparse(self.X):
            block = self.X[rows][:, features]
            return sparse.csr_matrix(block.multiply(1 / self.scale[features]))
        block = self.X[np.ix_(rows, features)].astype(np.float64, copy=False)
        block -= self.mean[features]
        block /= self.scale[features]
        return block

    def decision(self, rows, coef, intercept):
        """``X @ coef + intercept`` on the standardised columns of ``rows``."""
        nonzero = np.flatnonzero(coef)
        return self.columns(rows, nonzero) @ coef[nonzero] + intercept

    def correlations(self, residual):
        """``X'residual`` on the standardised columns."""
        if sparse.issparse(self.X):
            product = safe_sparse_dot(self.X.T, residual)
        else:
            # In row blocks: float32 input is cast to float64 a block at a
            # time, not as a whole.
            product = sum(
                self.X[start : start + MOMENT_ROWS].T
                @ residual[start : start + MOMENT_ROWS]
                for start in range(0, residual.size, MOMENT_ROWS)
            )
        return (product - self.mean * residual.sum()) / self.scale
