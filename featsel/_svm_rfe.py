"""Recursive feature elimination with a linear SVM."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from numbers import Integral, Real

import numpy as np
from sklearn.svm import LinearSVC, LinearSVR
from sklearn.utils._param_validation import Interval

from ._base import BaseSelector
from ._docstring import shared_docs
from ._linear import coef_importance, standardize


@shared_docs
class SVMRFESelector(BaseSelector):
    """Recursive feature elimination with a linear support vector machine.

    A linear SVM (:class:`~sklearn.svm.LinearSVC` for classification,
    :class:`~sklearn.svm.LinearSVR` for regression) is fitted on the
    standardised features, the features of smallest absolute weight are
    removed, and the process repeats down to a single feature. The order of
    elimination is the ranking: unlike :class:`~sklearn.feature_selection.RFE`,
    which gives every kept feature rank 1, and every feature removed in one
    step the same rank, features removed in the same step are ordered by
    their weight at that step, so ``ranking_`` is a strict order and the
    top-``k`` set can be cut from it for any ``k``.

    Parameters
    ----------
    n_features_to_select : int, float or None, default=None
        Number of features to select: an int is a count, a float in (0, 1] a
        fraction of the features (rounded up), None half of the features.

    %(task)s

    C : float, default=1.0
        Inverse regularisation strength of the SVM.

    step : int or float, default=0.1
        Features removed per iteration: an int is a count, a float in (0, 1)
        a fraction of the initial number of features (at least one).

    max_iter : int, default=5000
        Maximum number of iterations of the SVM solver.

    random_state : int, RandomState instance or None, default=None
        Seed of the SVM solver.

    Attributes
    ----------
    scores_ : ndarray of shape (n_features_in_,)
        ``(n_features_in_ - ranking_ + 1) / n_features_in_``: 1 for the
        feature that survived longest, decreasing with the elimination order.

    ranking_ : ndarray of shape (n_features_in_,)
        Strict rank of each feature (1 survived longest).

    %(support_)s

    %(n_features_to_select_)s

    %(task_)s

    n_iter_ : int
        Largest number of solver iterations over the elimination steps.

    %(n_features_in_)s

    See Also
    --------
    LassoSelector : One sparse linear fit instead of repeated elimination.
    sklearn.feature_selection.RFE : Generic recursive feature elimination.

    Notes
    -----
    Guyon, Weston, Barnhill and Vapnik (2002), "Gene selection for cancer
    classification using support vector machines". At each step the
    criterion of feature ``j`` is ``mean_c |w_cj|`` over the one-vs-rest
    weight vectors ``w_c`` of the SVM fitted on the surviving features.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from featsel import SVMRFESelector
    >>> X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    >>> selector = SVMRFESelector(n_features_to_select=2, random_state=0)
    >>> selector.fit(X, y).get_feature_names_out()
    array(['worst radius', 'worst area'], dtype=object)
    """

    _parameter_constraints: dict = {
        **BaseSelector._parameter_constraints,
        "C": [Interval(Real, 0, None, closed="neither")],
        "step": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="neither"),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        task="auto",
        C=1.0,
        step=0.1,
        max_iter=5000,
        random_state=None,
    ):
        self.n_features_to_select = n_features_to_select
        self.task = task
        self.C = C
        self.step = step
        self.max_iter = max_iter
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _fit_scores(self, X, y):
        X = standardize(X)
        n_features = X.shape[1]
        if isinstance(self.step, Integral):
            n_per_step = self.step
        else:
            n_per_step = max(1, math.floor(self.step * n_features))
        svm_class = LinearSVC if self.task_ == "classification" else LinearSVR
        svm = svm_class(
            C=self.C, max_iter=self.max_iter, random_state=self.random_state
        )

        surviving = np.arange(n_features)
        eliminated = []
        self.n_iter_ = 0
        while surviving.size > 1:
            svm.fit(X[:, surviving], y)
            self.n_iter_ = max(self.n_iter_, int(svm.n_iter_))
            weights = coef_importance(svm.coef_)
            n_removed = min(n_per_step, surviving.size - 1)
            # Stable sort: among equal weights the higher column index goes
            # first, so ties end up ranked by column index.
            worst = np.argsort(weights[::-1], kind="stable")[:n_removed]
            worst = surviving.size - 1 - worst
            eliminated.extend(surviving[worst])
            surviving = np.delete(surviving, worst)
        elimination_order = np.array([*eliminated, *surviving])
        scores = np.empty(n_features)
        scores[elimination_order] = np.arange(1, n_features + 1) / n_features
        return scores
