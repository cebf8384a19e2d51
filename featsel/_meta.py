"""Helpers shared by the meta-selectors, which wrap another selector."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.base import clone
from sklearn.utils import get_tags
from sklearn.utils.validation import validate_data

from ._base import BaseSelector


def selects_per_k(selector):
    """Whether ``selector``'s choice of ``k`` features needs a fit of its own.

    False for featsel selectors whose ``selection_depends_on_k`` is False
    (the top ``k`` of one ranking) and for any other selector, whose ranking
    or scores are cut at every ``k``.
    """
    return isinstance(selector, BaseSelector) and bool(
        getattr(selector, "selection_depends_on_k", False)
    )


def fit_selector(selector, X, y, n_features):
    """Fit a clone of ``selector``, asked for ``n_features`` when it can be.

    A featsel selector is asked for ``n_features`` (a count, so that it
    ranks every feature instead of choosing a count of its own); any other
    selector is fitted as given and its strict ranking is cut.
    """
    selector = clone(selector)
    if isinstance(selector, BaseSelector):
        selector.set_params(n_features_to_select=int(n_features))
    return selector.fit(X, y)


def top_features(selector, k):
    """Mask of the ``k`` features ``selector`` (fitted) ranks first.

    A featsel selector fitted for ``k`` features gives its own ``support_``
    (which holds fewer features when its method stops early); any other
    selector gives the top ``k`` of :func:`strict_ranking`.
    """
    if isinstance(selector, BaseSelector) and selector.n_features_to_select == k:
        return np.asarray(selector.support_, dtype=bool)
    return strict_ranking(selector) <= k


def strict_ranking(selector):
    """A strict ranking (1 is best) of the features of a fitted ``selector``.

    Read from ``ranking_`` where the selector has one, its ties (such as
    scikit-learn's RFE, whose kept features all rank 1) broken by the
    importance below, then by column index; otherwise from the importance
    alone: ``scores_``, ``feature_importances_`` or the mean absolute
    ``coef_`` of the selector, or of its fitted ``estimator_``.
    """
    importance = _importance(selector)
    ranking = getattr(selector, "ranking_", None)
    if ranking is None and importance is None:
        raise AttributeError(
            f"{type(selector).__name__} has none of ranking_, scores_, "
            "feature_importances_ or coef_ after fit; the meta-selectors need "
            "one of them to rank the features."
        )
    n_features = np.asarray(ranking if ranking is not None else importance).size
    keys = [np.arange(n_features)]
    if importance is not None:
        # Missing scores (SelectKBest gives NaN for a constant column) last.
        keys.append(-np.nan_to_num(importance, nan=-np.inf))
    if ranking is not None:
        keys.append(np.asarray(ranking))
    order = np.lexsort(keys)
    strict = np.empty(n_features, dtype=np.intp)
    strict[order] = np.arange(1, n_features + 1)
    return strict


def _importance(selector):
    """One importance per input feature of ``selector``, or None.

    An ``estimator_`` fitted on fewer features than the selector saw (the
    final model of scikit-learn's RFE) does not count.
    """
    n_features = getattr(selector, "n_features_in_", None)
    for owner in (selector, getattr(selector, "estimator_", None)):
        if owner is None:
            continue
        for name in ("scores_", "feature_importances_", "coef_"):
            value = getattr(owner, name, None)
            if value is None:
                continue
            value = np.asarray(value, dtype=np.float64)
            if name == "coef_":
                value = np.abs(value)
                if value.ndim == 2:
                    value = value.mean(axis=0)
            if n_features is None or value.shape == (n_features,):
                return value
    return None


def validate_wrapped_input(wrapper, X, y, **kwargs):
    """``validate_data`` for a wrapper: the input its input tags admit.

    Sparse, missing and categorical input pass exactly where
    :func:`input_tags_of` set the wrapper's tags; ``kwargs`` go to
    :func:`~sklearn.utils.validation.validate_data`.
    """
    tags = wrapper.__sklearn_tags__().input_tags
    return validate_data(
        wrapper,
        X,
        y,
        accept_sparse=["csr", "csc"] if tags.sparse else False,
        ensure_all_finite=not tags.allow_nan,
        dtype=None if tags.categorical else "numeric",
        **kwargs,
    )


def input_tags_of(tags, *estimators):
    """Set on ``tags`` (a wrapper's) the input every one of ``estimators`` takes.

    A wrapper passes its input to each of them (the selector, and for
    :class:`~featsel.SelectorCV` the downstream model too), so it takes
    sparse, missing, categorical or string input only where all of them do.
    """
    inner = [get_tags(estimator).input_tags for estimator in estimators]
    for name in ("sparse", "allow_nan", "categorical", "string"):
        setattr(tags.input_tags, name, all(getattr(each, name) for each in inner))
    return tags
