"""Statistics of a study: selection stability and rank comparisons."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy import stats


def nogueira_stability(selections, n_features, confidence=0.95):
    """Stability of repeated feature selections, with a confidence interval.

    Parameters
    ----------
    selections : array-like of shape (n_repeats, n_features)
        Boolean masks of the features selected in each repeat (fold).

    n_features : int
        Total number of features.

    confidence : float, default=0.95
        Level of the confidence interval.

    Returns
    -------
    stability, lower, upper : float
        The estimate and its asymptotic confidence interval.

    Notes
    -----
    Nogueira, Sechidis and Brown (2018), "On the stability of feature
    selection algorithms", JMLR 18(174). With ``p_f`` the frequency of
    feature ``f`` over ``M`` repeats, ``s_f^2 = M / (M - 1) p_f (1 - p_f)``
    and ``k`` the mean number of selected features,
    ``Phi = 1 - mean_f s_f^2 / (k/d (1 - k/d))``. 1 means identical
    selections, 0 what random selections of the same sizes give. The
    interval uses the paper's asymptotic variance
    ``4 / M^2 sum_i (Phi_i - mean Phi_i)^2``.

    Examples
    --------
    >>> import numpy as np
    >>> masks = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [1, 1, 0, 0]], dtype=bool)
    >>> float(nogueira_stability(masks, 4)[0])
    1.0
    """
    Z = np.asarray(selections, dtype=float)
    n_repeats = Z.shape[0]
    if n_repeats < 2:
        return np.nan, np.nan, np.nan
    d = n_features
    frequency = Z.mean(axis=0)
    sizes = Z.sum(axis=1)
    mean_size = sizes.mean()
    expected = mean_size / d * (1 - mean_size / d)
    if expected == 0:
        # Every repeat kept all features (or none): trivially identical.
        return 1.0, 1.0, 1.0
    variances = n_repeats / (n_repeats - 1) * frequency * (1 - frequency)
    stability = 1 - variances.mean() / expected
    per_repeat = (
        (Z @ frequency / d - sizes * mean_size / d**2)
        + stability / 2 * (2 * mean_size * sizes / d**2 - sizes / d - mean_size / d + 1)
    ) / expected
    variance = 4 / n_repeats**2 * np.sum((per_repeat - per_repeat.mean()) ** 2)
    half_width = stats.norm.ppf(0.5 + confidence / 2) * np.sqrt(variance)
    return stability, stability - half_width, stability + half_width


def rank_comparison(scores, alpha=0.05):
    """Friedman test over datasets, then the Nemenyi critical difference.

    Parameters
    ----------
    scores : pandas.DataFrame of shape (n_datasets, n_methods)
        One score per dataset and method, higher is better.

    alpha : float, default=0.05
        Significance level.

    Returns
    -------
    comparison : dict
        ``average_ranks`` (a Series, 1 = best), ``friedman_p`` (p-value of
        the Friedman test; NaN with fewer than 3 methods or 2 datasets) and
        ``critical_difference`` (two methods whose average ranks differ by
        more are significantly different by the Nemenyi test), and
        ``left_out``, the datasets dropped because a method has no score
        there.

    Notes
    -----
    Demsar (2006), "Statistical comparisons of classifiers over multiple
    data sets", JMLR 7. ``CD = q_alpha sqrt(k (k + 1) / (6 N))`` with ``k``
    methods, ``N`` datasets and ``q_alpha`` the studentized range quantile
    divided by sqrt(2).
    """
    left_out = scores.index[scores.isna().any(axis=1)]
    scores = scores.dropna(axis=0, how="any")
    n_datasets, n_methods = scores.shape
    ranks = scores.rank(axis=1, ascending=False)
    average_ranks = ranks.mean(axis=0).sort_values()
    if n_methods < 3 or n_datasets < 2:
        friedman_p = np.nan
    else:
        friedman_p = stats.friedmanchisquare(*scores.to_numpy().T).pvalue
    q_alpha = stats.studentized_range.ppf(1 - alpha, max(n_methods, 2), np.inf)
    difference = (
        q_alpha / np.sqrt(2) * np.sqrt(n_methods * (n_methods + 1) / (6 * n_datasets))
        if n_datasets
        else np.nan
    )
    return {
        "average_ranks": average_ranks,
        "friedman_p": friedman_p,
        "critical_difference": difference,
        "n_datasets": n_datasets,
        "left_out": list(left_out),
    }


def critical_difference(results, model=None, alpha=0.05):
    """Friedman test and Nemenyi critical difference of a study's selectors.

    Parameters
    ----------
    results : pandas.DataFrame
        Results of a study, as :func:`featsel.benchmark.load` returns them.

    model : str, default=None
        Downstream model whose scores are compared; default: the first one
        of the study.

    alpha : float, default=0.05
        Significance level.

    Returns
    -------
    comparison : dict
        :func:`rank_comparison` of each dataset's mean score over folds and
        retention levels, with the ``model`` it used.
    """
    done = results[results["status"] == "done"]
    model = model or done["model"].iloc[0]
    scores = (
        done[done["model"] == model]
        .groupby(["dataset", "selector"])["score"]
        .mean()
        .unstack("selector")
    )
    return rank_comparison(scores, alpha) | {"model": model}
