"""Random-forest feature selection."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseSelector, SelectionResult, _held_out_split, draw_seeds
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
        fraction of the features (rounded up). None keeps half of the features
        (rounded up): the permutation importances give a ranking but no count of
        their own. To choose the count from the data, wrap the selector in
        :class:`SelectorCV` (one fit per fold) or :class:`StabilitySelector`.

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
        Number of parallel jobs to train the forest.

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
    column ``j``; the shuffles are those of
    :func:`sklearn.inspection.permutation_importance`, and so are the
    numbers. A column that no tree splits on has importance exactly 0 and is
    not shuffled, and a shuffled column is evaluated again only by the trees
    that split on it, so the cost follows the columns the forest uses, not
    all columns of wide data. Missing values are passed to the forest,
    which handles them natively.

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

    def _fit_scores(self, X, y, uninformative):
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
            random_state=draw_seeds(random_state),
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
        self.estimator_.fit(X[train], y[train])
        importances = self._permutation_importances(
            X[held_out], y[held_out], random_state
        )
        scores = np.clip(importances, 0.0, None)
        n_zero = int(np.sum(scores == 0))
        if n_zero > max(1, scores.size // 2):
            warnings.warn(
                f"Permutation importance is 0 for {n_zero} of {scores.size} "
                f"features on {held_out.size} held-out rows; they are ranked by "
                "impurity importance. More rows (or importance='impurity') "
                "give a measured ranking.",
                UserWarning,
                stacklevel=4,
            )
        # Permutation importance ties at 0 whenever too few held-out rows
        # react to a shuffle; the forest's impurity importance still orders
        # those features by how much the trees used them.
        return SelectionResult(scores, tie_break=self.estimator_.feature_importances_)

    def _permutation_importances(self, X, y, random_state):
        """Mean drop of the forest's held-out score when each column is shuffled.

        The same numbers as :func:`sklearn.inspection.permutation_importance`
        (same shuffles, drawn from the same seed), computed in time that
        does not grow with the columns no tree uses: their importance is
        exactly 0, since shuffling them changes no prediction. For a used
        column only the trees that split on it are evaluated again; the
        other trees' predictions are summed once.
        """
        forest = self.estimator_
        classification = self.task_ == "classification"
        X = np.ascontiguousarray(X, dtype=np.float32)
        trees = forest.estimators_

        def predict(tree, rows):
            if classification:
                return tree.predict_proba(rows, check_input=False)
            return tree.predict(rows, check_input=False)

        # The forest's own score (accuracy or R^2) of summed tree outputs,
        # without sklearn's input validation at every call.
        total_squares = np.sum((y - y.mean()) ** 2) if not classification else 0.0

        def score(total):
            if classification:
                return np.mean(forest.classes_.take(total.argmax(axis=1)) == y)
            residual_squares = np.sum((y - total / len(trees)) ** 2)
            if total_squares == 0:
                return 1.0 if residual_squares == 0 else 0.0
            return 1 - residual_squares / total_squares

        predictions = [predict(tree, X) for tree in trees]
        total = np.sum(predictions, axis=0)
        baseline = score(total)
        # permutation_importance shuffles every column with the same
        # sequence: one seed, each repeat shuffling the previous order.
        seed = random_state.randint(np.iinfo(np.int32).max + 1)
        shuffler = check_random_state(seed)
        shuffle, orders = np.arange(X.shape[0]), []
        for _ in range(self.n_repeats):
            shuffler.shuffle(shuffle)
            orders.append((orders[-1] if orders else np.arange(X.shape[0]))[shuffle])

        trees_using = {}
        for index, tree in enumerate(trees):
            for column in np.unique(tree.tree_.feature[tree.tree_.feature >= 0]):
                trees_using.setdefault(column, []).append(index)
        importances = np.zeros(X.shape[1])
        permuted = X.copy()
        for column, splitting in trees_using.items():
            unchanged = total - np.sum([predictions[t] for t in splitting], axis=0)
            drops = []
            for order in orders:
                permuted[:, column] = X[order, column]
                changed = np.sum(
                    [predict(trees[t], permuted) for t in splitting], axis=0
                )
                drops.append(baseline - score(unchanged + changed))
            permuted[:, column] = X[:, column]
            importances[column] = np.mean(drops)
        return importances
