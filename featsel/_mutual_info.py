"""Mutual-information feature selection."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral

import numpy as np
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression
from sklearn.utils._param_validation import Interval

from ._base import BaseSelector, SelectionResult, univariate_f_statistic
from ._docstring import shared_docs


@shared_docs
class MutualInfoSelector(BaseSelector):
    """Select the features of highest mutual information with the target.

    Each feature is scored on its own by a nearest-neighbour estimate of its
    mutual information with the target; the method is fast and model-free
    but sees neither interactions nor redundancy between features.

    Parameters
    ----------
    n_features_to_select : int, float or None, default=None
        Number of features to select: an int is a count, a float in (0, 1] a
        fraction of the features (rounded up). None keeps half of the features
        (rounded up): the mutual information gives a ranking but no count of its
        own. To choose the count from the data, wrap the selector in
        :class:`SelectorCV` (one fit per fold) or :class:`StabilitySelector`.

    %(task)s

    n_neighbors : int, default=3
        Number of neighbours of the mutual-information estimator.

    n_jobs : int or None, default=None
        Number of parallel jobs over features.

    random_state : int, RandomState instance or None, default=None
        Seed of the small noise the estimator adds to break ties.

    Attributes
    ----------
    scores_ : ndarray of shape (n_features_in_,)
        Estimated mutual information (in nats) of each feature with the
        target.

    ranking_ : ndarray of shape (n_features_in_,)
        Strict rank of each feature (1 is best, ties broken by column index).

    %(support_)s

    %(n_features_to_select_)s

    %(task_)s

    %(n_features_in_)s

    See Also
    --------
    RandomForestSelector : Model-based importance that sees interactions.
    sklearn.feature_selection.mutual_info_classif : The estimator used.

    Notes
    -----
    Kraskov, Stoegbauer and Grassberger (2004), "Estimating mutual
    information"; Ross (2014), "Mutual information between discrete and
    continuous data sets". ``I(X_j; y) = H(y) - H(y | X_j)``, estimated from
    the distances to the ``n_neighbors`` nearest neighbours.

    The estimate is clipped at 0, where features without a measurable
    dependence on the target tie; they are ordered by their univariate F
    statistic (not by column position), with a warning when more than half
    of the features tie there.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from featsel import MutualInfoSelector
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)
    >>> selector = MutualInfoSelector(n_features_to_select=2, random_state=0)
    >>> selector.fit(X, y).get_feature_names_out()
    array(['bmi', 's5'], dtype=object)
    """

    _parameter_constraints: dict = {
        **BaseSelector._parameter_constraints,
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        task="auto",
        n_neighbors=3,
        n_jobs=None,
        random_state=None,
    ):
        self.n_features_to_select = n_features_to_select
        self.task = task
        self.n_neighbors = n_neighbors
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _fit_scores(self, X, y, uninformative):
        # The estimators need neighbours: within a class, or among all rows.
        if self.task_ == "classification" and np.bincount(y).max() < 2:
            raise ValueError(
                f"MutualInfoSelector needs a class with at least 2 rows; each "
                f"of the {self.classes_.size} classes has 1 of {y.size} rows."
            )
        if self.task_ == "regression" and y.size <= self.n_neighbors:
            raise ValueError(
                f"MutualInfoSelector(n_neighbors={self.n_neighbors}) needs more "
                f"than {self.n_neighbors} rows, got {y.size}."
            )
        estimate = (
            mutual_info_classif
            if self.task_ == "classification"
            else mutual_info_regression
        )
        scores = estimate(
            X,
            y,
            discrete_features=False,
            n_neighbors=self.n_neighbors,
            n_jobs=self.n_jobs,
            random_state=self.random_state,
        )
        # The estimate is clipped at 0: features without a measurable
        # dependence tie there, and are ordered by their F statistic.
        f_statistic = univariate_f_statistic(
            X, y, classification=self.task_ == "classification"
        )
        n_zero = int(np.sum(scores == 0))
        if n_zero > max(1, scores.size // 2):
            warnings.warn(
                f"Mutual information is 0 for {n_zero} of {scores.size} "
                f"features on {y.size} rows; they are ranked by their "
                "univariate F statistic. More rows give a measured ranking.",
                UserWarning,
                stacklevel=4,
            )
        return SelectionResult(scores, tie_break=f_statistic)
