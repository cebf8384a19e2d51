"""Random-forest feature selection."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.inspection import permutation_importance
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseSelector, _held_out_split
from ._docstring import shared_docs


@shared_docs
class RandomForestSelector(BaseSelector):
    """Select features by the importance a random forest gives them.

    By default the importance is the permutation importance on held-out
    data: the forest is trained on part of the rows, and each feature is
    scored by how much shuffling it degrades the forest's score on the
    remaining rows. Impurity (mean decrease in impurity) importance, which is
    cheaper but biased towards high-cardinality features and measured on the
    training data, is available as an option.

    Parameters
    ----------
    n_features_to_select : int, float or None, default=None
        Number of features to select: an int is a count, a float in (0, 1] a
        fraction of the features (rounded up), None half of the features.

    %(task)s

    importance : {"permutation", "impurity"}, default="permutation"
        How feature importance is measured.

    n_estimators : int, default=100
        Number of trees.

    max_depth : int or None, default=None
        Maximum depth of the trees.

    validation_fraction : float, default=0.25
        Fraction of the rows held out (stratified for classification where
        possible) to measure permutation importance.

    n_repeats : int, default=5
        Number of shuffles per feature for permutation importance.

    n_jobs : int or None, default=None
        Number of parallel jobs for the forest and the permutations.

    random_state : int, RandomState instance or None, default=None
        Seed of the forest, the held-out split and the permutations.

    Attributes
    ----------
    scores_ : ndarray of shape (n_features_in_,)
        Importance of each feature (negative permutation importances, which
        mean no measurable effect, are clipped to 0).

    ranking_ : ndarray of shape (n_features_in_,)
        Strict rank of each feature (1 is best); features of equal
        permutation importance are ordered by impurity importance, then by
        column index.

    %(support_)s

    %(n_features_to_select_)s

    %(task_)s

    estimator_ : RandomForestClassifier or RandomForestRegressor
        The fitted forest.

    %(n_features_in_)s

    See Also
    --------
    MutualInfoSelector : Model-free univariate dependence.
    sklearn.inspection.permutation_importance : The importance measure.

    Notes
    -----
    Breiman (2001), "Random forests". The permutation importance of feature
    ``j`` is ``s - mean_r s_rj``, where ``s`` is the forest's held-out score
    (accuracy or R^2) and ``s_rj`` the score after the ``r``-th shuffle of
    column ``j``. Missing values are passed to the forest, which handles
    them natively.

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> from featsel import RandomForestSelector
    >>> X, y = load_wine(return_X_y=True, as_frame=True)
    >>> selector = RandomForestSelector(n_features_to_select=0.2, random_state=0)
    >>> selector.fit(X, y).get_feature_names_out()
    array(['alcohol', 'color_intensity', 'proline'], dtype=object)
    """

    _parameter_constraints: dict = {
        **BaseSelector._parameter_constraints,
        "importance": [StrOptions({"permutation", "impurity"})],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "max_depth": [None, Interval(Integral, 1, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_repeats": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        task="auto",
        importance="permutation",
        n_estimators=100,
        max_depth=None,
        validation_fraction=0.25,
        n_repeats=5,
        n_jobs=None,
        random_state=None,
    ):
        self.n_features_to_select = n_features_to_select
        self.task = task
        self.importance = importance
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.validation_fraction = validation_fraction
        self.n_repeats = n_repeats
        self.n_jobs = n_jobs
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _fit_scores(self, X, y):
        random_state = check_random_state(self.random_state)
        forest_class = (
            RandomForestClassifier
            if self.task_ == "classification"
            else RandomForestRegressor
        )
        self.estimator_ = forest_class(
            n_estimators=self.n_estimators,
            max_depth=self.max_depth,
            n_jobs=self.n_jobs,
            random_state=random_state.randint(np.iinfo(np.int32).max),
        )
        if self.importance == "impurity":
            self.estimator_.fit(X, y)
            return self.estimator_.feature_importances_

        train, held_out = _held_out_split(
            y,
            self.validation_fraction,
            random_state,
            stratify=self.task_ == "classification",
        )
        X_train, X_test, y_train, y_test = X[train], X[held_out], y[train], y[held_out]
        self.estimator_.fit(X_train, y_train)
        result = permutation_importance(
            self.estimator_,
            X_test,
            y_test,
            n_repeats=self.n_repeats,
            n_jobs=self.n_jobs,
            random_state=random_state,
        )
        scores = np.clip(result.importances_mean, 0.0, None)
        n_zero = int(np.sum(scores == 0))
        if n_zero > max(1, scores.size // 2):
            warnings.warn(
                f"Permutation importance is 0 for {n_zero} of {scores.size} "
                f"features on {y_test.size} held-out rows; they are ranked by "
                "impurity importance. More rows (or importance='impurity') "
                "give a measured ranking.",
                UserWarning,
                stacklevel=4,
            )
        return scores

    def _tie_break_scores(self):
        # Permutation importance ties at 0 whenever too few held-out rows
        # react to a shuffle; the forest's impurity importance still orders
        # those features by how much the trees used them.
        return self.estimator_.feature_importances_
