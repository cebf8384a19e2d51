"""LASSO feature selection."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
from sklearn.linear_model import LassoCV, LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.utils._param_validation import Interval

from ._base import BaseSelector
from ._docstring import shared_docs
from ._linear import coef_importance, standardize


@shared_docs
class LassoSelector(BaseSelector):
    """Select features by the magnitude of L1-penalised linear coefficients.

    For classification, an L1-penalised logistic regression (one-vs-rest for
    more than two classes) is fitted on standardised features and each
    feature is scored by its mean absolute coefficient across classes. For
    regression, :class:`~sklearn.linear_model.LassoCV` chooses the penalty by
    cross-validation and the score is the absolute coefficient.

    Parameters
    ----------
    n_features_to_select : int, float or None, default=None
        Number of features to select: an int is a count, a float in (0, 1] a
        fraction of the features (rounded up). None keeps the features with a
        non-zero coefficient (at least one).

    %(task)s

    C : float, default=1.0
        Inverse of the L1 penalty strength of the logistic regression
        (classification only).

    cv : int, cross-validation generator or iterable, default=5
        Cross-validation splitting used by ``LassoCV`` to choose the penalty
        (regression only).

    max_iter : int, default=1000
        Maximum number of solver iterations.

    random_state : int, RandomState instance or None, default=None
        Seed of the solvers' coordinate shuffling.

    Attributes
    ----------
    scores_ : ndarray of shape (n_features_in_,)
        Mean absolute standardised coefficient of each feature.

    ranking_ : ndarray of shape (n_features_in_,)
        Strict rank of each feature (1 is best, ties broken by column index).

    %(support_)s

    %(n_features_to_select_)s

    %(task_)s

    estimator_ : estimator
        The fitted linear model.

    n_iter_ : int
        Number of solver iterations (the largest over classes).

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
        "C": [Interval(Real, 0, None, closed="neither")],
        "cv": ["cv_object"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        task="auto",
        C=1.0,
        cv=5,
        max_iter=1000,
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

    def _fit_scores(self, X, y):
        X = standardize(X)
        if self.task_ == "classification":
            self.estimator_ = OneVsRestClassifier(
                LogisticRegression(
                    C=self.C,
                    l1_ratio=1.0,
                    solver="liblinear",
                    max_iter=self.max_iter,
                    random_state=self.random_state,
                )
            ).fit(X, y)
            models = self.estimator_.estimators_
            coef = np.vstack([model.coef_ for model in models])
            self.n_iter_ = int(max(np.max(model.n_iter_) for model in models))
        else:
            self.estimator_ = LassoCV(
                cv=self.cv, max_iter=self.max_iter, random_state=self.random_state
            ).fit(X, y)
            coef = self.estimator_.coef_
            self.n_iter_ = int(self.estimator_.n_iter_)
        return coef_importance(coef)

    def _default_n_features_to_select(self, scores):
        return max(1, int(np.count_nonzero(scores)))
