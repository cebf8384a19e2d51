"""Feature-shift robustness: scores when features go missing at test time.

Selecting fewer features is also a bet on which features will be there
tomorrow. Following TabFSBench (Cheng et al., "TabFSBench: Tabular Benchmark
for Feature Shifts in Open Environments"), a *shifted* feature is one that is
unavailable at test time and replaced by its training mean (numeric) or mode
(categorical); :func:`evaluate` scores a fitted model under four scenarios
of shift and :func:`summarize` condenses them into areas under the curve.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
from scipy.integrate import trapezoid
from sklearn.metrics import check_scoring
from sklearn.utils import check_random_state

SCENARIOS = ("single", "most", "least", "random")


def _is_categorical(column):
    return not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(
        column
    )


def fill_values(X_train):
    """Training mean of numeric columns, training mode of the others."""
    return {
        name: column.mode(dropna=True).iloc[0]
        if _is_categorical(column)
        else column.mean()
        for name, column in X_train.items()
    }


def target_correlation(X_train, y_train):
    """Absolute correlation of each column with the target, on training data.

    Numeric columns use Pearson's r; categorical columns are coded by the
    order of their categories. For a classification target with more than
    two classes, the largest ``|r|`` with a one-vs-rest indicator of a class is
    used, so the arbitrary order of class labels plays no role.
    """
    y = pd.Series(np.asarray(y_train))
    if pd.api.types.is_float_dtype(y) or y.nunique() <= 2:
        targets = [pd.factorize(y, sort=True)[0] if y.dtype.kind not in "fiu" else y]
    else:
        targets = [(y == label).astype(float) for label in np.unique(y)]
    correlations = {}
    for name, column in X_train.items():
        values = (
            pd.Series(pd.factorize(column, sort=True)[0], dtype=float)
            if _is_categorical(column)
            else pd.Series(column.to_numpy(dtype=float))
        )
        if values.std() == 0:
            correlations[name] = 0.0
            continue
        correlations[name] = max(
            abs(np.corrcoef(values, np.asarray(target, dtype=float))[0, 1])
            for target in targets
        )
    return pd.Series(correlations).fillna(0.0)


def evaluate(
    estimator,
    X_train,
    y_train,
    X_test,
    y_test,
    *,
    scenarios=SCENARIOS,
    features=None,
    random_fractions=(0.1, 0.2, 0.3, 0.4, 0.5),
    n_draws=5,
    scoring=None,
    random_state=None,
):
    """Score a fitted estimator on test data with some features shifted.

    Parameters
    ----------
    estimator : estimator
        A fitted estimator (typically a pipeline: selector, then model) that
        takes the columns of ``X_test``.

    X_train : pandas.DataFrame
        The training data: it gives the fill values and the ranking of
        features by their correlation with the target.

    y_train : array-like of shape (n_train,)
        Training target.

    X_test : pandas.DataFrame
        Test data; never modified: every shifted test set is a fresh copy.

    y_test : array-like of shape (n_test,)
        Test target.

    scenarios : iterable of {"single", "most", "least", "random"}
        ``"single"``: each feature shifted alone. ``"most"``: the 1, 2, ...
        most target-correlated features shifted cumulatively. ``"least"``:
        the same, from the least correlated. ``"random"``: random subsets of
        each size in ``random_fractions``, ``n_draws`` times.

    features : list of str, default=None
        The columns that may shift; None means all columns of ``X_test``.
        For a pipeline that starts with a selector, pass the selected
        columns: shifting a column the model never reads changes nothing.

    random_fractions : tuple of float, default=(0.1, 0.2, 0.3, 0.4, 0.5)
        Fractions of ``features`` shifted in the random scenario (at least
        one feature each).

    n_draws : int, default=5
        Random subsets drawn per fraction.

    scoring : str or callable, default=None
        A scikit-learn scorer; None uses the estimator's ``score``.

    random_state : int, RandomState instance or None, default=None
        Seed of the random subsets.

    Returns
    -------
    shifts : pandas.DataFrame
        One row per shifted test set, after a first row for the unshifted
        test set (scenario ``"none"``): ``scenario``, ``shifted`` (tuple of
        column names), ``n_shifted``, ``fraction`` (of ``features``),
        ``score`` and ``drop`` (unshifted score minus score).

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from featsel.shift import evaluate
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)
    >>> model = Ridge().fit(X[:300], y[:300])
    >>> shifts = evaluate(model, X[:300], y[:300], X[300:], y[300:],
    ...                   scenarios=["most"])
    >>> shifts[["scenario", "n_shifted"]].head(3)
      scenario  n_shifted
    0     none          0
    1     most          1
    2     most          2
    >>> bool(shifts["drop"].iloc[-1] > shifts["drop"].iloc[1])
    True
    """
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        raise ValueError(
            f"unknown shift scenario(s) {sorted(unknown)}; choose from {SCENARIOS}"
        )
    if not isinstance(X_test, pd.DataFrame) or not isinstance(X_train, pd.DataFrame):
        raise TypeError(
            "X_train and X_test must be pandas DataFrames with named columns"
        )
    features = list(X_test.columns if features is None else features)
    missing = [name for name in features if name not in X_test.columns]
    if missing:
        raise ValueError(f"features not in X_test: {', '.join(map(str, missing))}")
    scorer = check_scoring(estimator, scoring=scoring)
    fills = fill_values(X_train[features])
    baseline = scorer(estimator, X_test, y_test)

    subsets = [("none", ())]
    if {"most", "least"} & set(scenarios):
        correlation = target_correlation(X_train[features], y_train)
        # Stable sort, so ties keep the column order.
        by_correlation = list(
            correlation.sort_values(ascending=False, kind="stable").index
        )
    for scenario in scenarios:
        if scenario == "single":
            subsets += [("single", (name,)) for name in features]
        elif scenario in ("most", "least"):
            order = by_correlation if scenario == "most" else by_correlation[::-1]
            subsets += [(scenario, tuple(order[:n])) for n in range(1, len(order) + 1)]
        else:
            rng = check_random_state(random_state)
            for fraction in random_fractions:
                size = max(1, round(fraction * len(features)))
                subsets += [
                    ("random", tuple(rng.choice(features, size, replace=False)))
                    for _ in range(n_draws)
                ]

    rows = []
    for scenario, shifted in subsets:
        score = (
            baseline
            if not shifted
            else scorer(estimator, _shifted_copy(X_test, shifted, fills), y_test)
        )
        rows.append(
            {
                "scenario": scenario,
                "shifted": shifted,
                "n_shifted": len(shifted),
                "fraction": len(shifted) / len(features),
                "score": float(score),
                "drop": float(baseline - score),
            }
        )
    return pd.DataFrame(rows)


def _shifted_copy(X, shifted, fills):
    """A new DataFrame with the shifted columns set to their fill values."""
    X_shifted = X.copy()
    for name in shifted:
        X_shifted[name] = pd.Series(fills[name], index=X.index, dtype=X[name].dtype)
    return X_shifted


def summarize(shifts):
    """Area under the score curve of each scenario (cumulative and random).

    The curve runs from the unshifted score (fraction 0) through the mean
    score at each shifted fraction; its area is divided by the width of the
    fraction range covered, so it reads as an average score under shift.

    Parameters
    ----------
    shifts : pandas.DataFrame
        Output of :func:`evaluate`.

    Returns
    -------
    summary : pandas.DataFrame
        One row per scenario: ``auc``, ``mean_drop`` and ``max_drop``.

    Examples
    --------
    >>> import pandas as pd
    >>> from featsel.shift import summarize
    >>> shifts = pd.DataFrame({
    ...     "scenario": ["none", "most", "most"], "fraction": [0, 0.5, 1.0],
    ...     "score": [1.0, 0.5, 0.0], "drop": [0, 0.5, 1.0]})
    >>> summarize(shifts)["auc"].round(3).tolist()
    [0.5]
    """
    baseline = shifts.loc[shifts["scenario"] == "none", "score"].iloc[0]
    rows = []
    for scenario, group in shifts[shifts["scenario"] != "none"].groupby("scenario"):
        curve = group.groupby("fraction")["score"].mean()
        fractions = np.concatenate([[0.0], curve.index.to_numpy()])
        scores = np.concatenate([[baseline], curve.to_numpy()])
        width = fractions[-1] - fractions[0]
        auc = trapezoid(scores, fractions) / width if width > 0 else scores[-1]
        rows.append(
            {
                "scenario": scenario,
                "auc": float(auc),
                "mean_drop": float(group["drop"].mean()),
                "max_drop": float(group["drop"].max()),
            }
        )
    return pd.DataFrame(rows)
