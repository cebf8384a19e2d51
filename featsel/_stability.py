"""Complementary-pairs stability selection over any selector."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone
from sklearn.feature_selection import SelectorMixin
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from ._base import draw_seeds
from ._meta import (
    fit_selector,
    input_tags_of,
    strict_ranking,
    top_features,
    validate_wrapped_input,
)

#: Highest threshold on the selection frequency that the default number of
#: features per fit may need: the default ``q`` is the largest whose bound
#: is met at this threshold. Meinshausen and Buehlmann found the results
#: insensitive to the threshold between 0.6 and 0.9; a high one lets each
#: fit keep more features (a larger ``q``) for the same bound, and 0.95
#: still leaves one fit in twenty free to miss a feature (five of 100).
DEFAULT_THRESHOLD = 0.95

#: The assumptions under which the bound on the false selections holds.
ASSUMPTIONS = ("unimodal", "none")


class StabilitySelector(MetaEstimatorMixin, SelectorMixin, BaseEstimator):
    """Complementary-pairs stability selection over any selector.

    The rows are split ``n_pairs`` times at random into two disjoint halves
    (stratified by class for a classification target); a clone of
    ``selector`` is fitted on each half and keeps its top
    ``n_features_per_fit`` features. A feature's selection frequency is the
    share of the ``2 * n_pairs`` fits that kept it, and the features whose
    frequency reaches ``threshold`` are selected. The threshold is chosen
    so that the expected number of falsely selected features is at most
    ``max_false_selections`` (see Notes for the bound and its assumptions).

    Parameters
    ----------
    selector : estimator
        The selector fitted on every half-sample. A featsel selector is
        fitted with ``n_features_to_select=n_features_per_fit`` (its own
        value is ignored) and keeps its ``support_``; any other selector is
        fitted as given and keeps the top ``n_features_per_fit`` features of
        its ``ranking_`` (ties broken by the importance below), or of its
        ``scores_``, ``feature_importances_`` or mean absolute ``coef_``.

    n_pairs : int, default=50
        Number ``B`` of pairs of complementary half-samples: ``2 * B``
        selector fits. Shah and Samworth's working choice is 50.

    n_features_per_fit : int or None, default=None
        Number ``q`` of features each fit keeps. None: the largest ``q``
        whose bound on the false selections (see ``assumption``) is met at
        the given ``threshold``, or at 0.95 when the threshold is None (at
        least 1). At the defaults (50 pairs, a bound of 1, unimodal) that is
        9 of 20 features, 11 of 30, 20 of 100 and 65 of 1000; with
        ``assumption="none"``, 4, 5, 9 and 30.

    max_false_selections : float, default=1.0
        Bound on the expected number of falsely selected features ``E[V]``
        that sets the threshold (or ``n_features_per_fit``). Unused when
        both ``threshold`` and ``n_features_per_fit`` are given; then
        ``false_selection_bound_`` reports the bound they give.

    threshold : float in (0.5, 1] or None, default=None
        Selection frequency a feature needs to be selected. None: the
        smallest threshold that meets ``max_false_selections``: with
        ``assumption="none"``, ``0.5 + q^2 / (2 p max_false_selections)``;
        with ``"unimodal"``, the smallest multiple of ``1 / (2 n_pairs)``
        (the values a frequency takes) whose bound is met. A ValueError
        says what to change when no threshold up to 1 meets it.

    assumption : {"unimodal", "none"}, default="unimodal"
        Which bound sets ``q`` and the threshold (see Notes). "none": the
        bound of Meinshausen and Buehlmann, which holds for any
        distribution of the selection frequencies; "unimodal": Shah and
        Samworth's bound for unimodal frequencies of the noise features,
        three to five times tighter at thresholds of 0.9 to 0.95, so each fit may
        keep about twice as many features for the same bound. The default
        of the R package stabs (Hofner, Boccuto and Goeker, 2015).

    n_jobs : int or None, default=None
        Number of selector fits run in parallel (joblib). None means 1
        unless in a :obj:`joblib.parallel_backend` context; -1 uses every
        processor.

    random_state : int, RandomState instance or None, default=None
        Seed of the half-samples. As in
        :class:`~sklearn.ensemble.BaggingClassifier`, every ``random_state``
        parameter of ``selector`` is also set to a seed drawn from it,
        different for each fit, so that an int gives reproducible results.

    verbose : int, default=0
        Verbosity of joblib over the fits.

    Attributes
    ----------
    selection_frequencies_ : ndarray of shape (n_features_in_,)
        Share of the ``2 * n_pairs`` fits that kept each feature.

    scores_ : ndarray of shape (n_features_in_,)
        The selection frequencies, as the scores of a featsel selector.

    ranking_ : ndarray of shape (n_features_in_,)
        Strict rank of each feature (1 is best): by selection frequency,
        ties broken by the mean rank over the fits, then by column index.

    support_ : ndarray of shape (n_features_in_,)
        Mask of the selected features: ``selection_frequencies_ >=
        threshold_``.

    threshold_ : float
        The selection frequency threshold used.

    n_features_per_fit_ : int
        The number ``q`` of features each fit was asked to keep.

    false_selection_bound_ : float
        The bound on the expected number of false selections that the fits
        achieve under ``assumption``, with ``q_mean``, the mean number of
        features the fits kept, in place of ``q`` (at most ``q``; a
        selector may stop early).

    fit_rankings_ : ndarray of shape (2 * n_pairs, n_features_in_)
        Strict ranking of the features by each fit; rows ``2b`` and
        ``2b + 1`` are the two halves of pair ``b``.

    fit_supports_ : ndarray of shape (2 * n_pairs, n_features_in_)
        Mask of the features each fit kept.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    SelectorCV : How many features to keep, chosen by cross-validation.

    Notes
    -----
    Meinshausen and Buehlmann (2010), "Stability selection", JRSS-B; Shah
    and Samworth (2013), "Variable selection with error control: another
    look at stability selection", JRSS-B (complementary pairs).

    With ``p`` features, ``q`` features kept per fit and threshold
    ``pi_thr`` in (0.5, 1], the expected number ``V`` of selected noise
    features satisfies

    ``E[V] <= q^2 / ((2 pi_thr - 1) p)``  (``assumption="none"``).

    For complementary pairs this is Theorem 1 of Shah and Samworth with the
    assumptions of Meinshausen and Buehlmann: the noise features are
    exchangeable (each is as likely as any other to be kept by a fit) and
    the selector is not worse than random guessing (it keeps the signal
    features at least as often as a random choice of ``q`` would). Neither
    can be checked from the data; correlated noise features, or noise
    features the selector favours (many-valued categories, for some
    importances), break the first. This bound is conservative: the false
    selections are usually well below it, and few features are selected.

    If, in addition, the distribution of a noise feature's selection
    frequency over the half-samples is unimodal (``assumption=
    "unimodal"``, equation (8) of Shah and Samworth), then with ``B``
    pairs and ``theta = q / p``

    ``E[V] <= q^2 / p * 4 (1 - pi_thr + 1/(2B)) / (1 + 1/B)`` for
    ``pi_thr`` in (3/4, 1], and

    ``E[V] <= q^2 / p / (2 (2 pi_thr - 1 - 1/(2B)))`` for ``pi_thr`` in
    (1/2 + min(theta^2, 1/(2B) + 3 theta^2 / 4), 3/4],

    both for ``theta`` at most ``1 / sqrt(3)``. Outside that range (a ``q``
    above ``0.577 p``, as on tables of a few features), and wherever it is
    smaller, the general bound above is used: it holds under unimodality
    too.

    Shah and Samworth report unimodal frequencies for the noise variables
    in all their simulations; a tighter bound still, under r-concavity, is
    not used here.

    The threshold is chosen for the nominal ``q``; ``false_selection_bound_``
    reports the bound with the mean number of features the fits actually
    kept, which a selector that stops early (SHAP forward selection with
    feature groups) can make smaller.

    Cost: ``2 * n_pairs`` fits of ``selector`` on half the rows, spread over
    ``n_jobs`` processes.

    Examples
    --------
    Twenty columns, of which the first three decide the class:

    >>> import numpy as np
    >>> from featsel import LassoSelector, StabilitySelector
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 20))
    >>> y = (X[:, :3].sum(axis=1) + 0.5 * rng.normal(size=200) > 0).astype(int)
    >>> stability = StabilitySelector(
    ...     LassoSelector(), n_pairs=10, random_state=0).fit(X, y)
    >>> stability.n_features_per_fit_, round(stability.threshold_, 3)
    (7, 0.95)
    >>> stability.selection_frequencies_[:4]
    array([1. , 1. , 1. , 0.3])
    >>> stability.get_support(indices=True)
    array([0, 1, 2])
    """

    #: ``scores_`` are selection frequencies: a larger one is a more
    #: important feature (see :class:`BaseSelector`).
    scores_kind = "importance"

    _parameter_constraints: dict = {
        "selector": [HasMethods(["fit"])],
        "n_pairs": [Interval(Integral, 1, None, closed="left")],
        "n_features_per_fit": [None, Interval(Integral, 1, None, closed="left")],
        "max_false_selections": [Interval(Real, 0, None, closed="neither")],
        "threshold": [None, Interval(Real, 0.5, 1, closed="right")],
        "assumption": [StrOptions(set(ASSUMPTIONS))],
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        selector,
        *,
        n_pairs=50,
        n_features_per_fit=None,
        max_false_selections=1.0,
        threshold=None,
        assumption="unimodal",
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.selector = selector
        self.n_pairs = n_pairs
        self.n_features_per_fit = n_features_per_fit
        self.max_false_selections = max_false_selections
        self.threshold = threshold
        self.assumption = assumption
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return input_tags_of(tags, self.selector)

    @_fit_context(
        # StabilitySelector.selector is not validated yet.
        prefer_skip_nested_validation=False
    )
    def fit(self, X, y):
        """Fit the selector on every half-sample and select the stable features.

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
        X, y = validate_wrapped_input(self, X, y)
        if y.shape[0] < 4:
            raise ValueError(
                "StabilitySelector needs at least 4 rows (2 in each half), got "
                f"n_samples={y.shape[0]}."
            )
        p = self.n_features_in_
        self.n_features_per_fit_, self.threshold_ = self._resolve_q_threshold(p)
        random_state = check_random_state(self.random_state)
        halves = _complementary_halves(y, self.n_pairs, random_state)
        seeds = draw_seeds(random_state, len(halves))
        parallel = Parallel(n_jobs=self.n_jobs, verbose=self.verbose)
        fits = parallel(
            delayed(_fit_half)(
                self.selector, X, y, rows, self.n_features_per_fit_, seed
            )
            for rows, seed in zip(halves, seeds, strict=True)
        )
        self.fit_supports_ = np.array([support for support, _ in fits], dtype=bool)
        self.fit_rankings_ = np.array([ranking for _, ranking in fits], np.intp)
        self.selection_frequencies_ = self.fit_supports_.mean(axis=0)
        self.scores_ = self.selection_frequencies_
        mean_rank = self.fit_rankings_.mean(axis=0)
        order = np.lexsort((np.arange(p), mean_rank, -self.selection_frequencies_))
        self.ranking_ = np.empty(p, dtype=np.intp)
        self.ranking_[order] = np.arange(1, p + 1)
        # Frequencies are multiples of 1 / (2 n_pairs): compare with a
        # tolerance, so that a threshold of 0.9 admits 90 of 100 fits.
        self.support_ = self.selection_frequencies_ >= self.threshold_ - 1e-12
        q_mean = self.fit_supports_.sum(axis=1).mean()
        self.false_selection_bound_ = false_selection_bound(
            q_mean, p, self.threshold_, self.n_pairs, self.assumption
        )
        return self

    def _resolve_q_threshold(self, p):
        """The number of features per fit and the threshold, from the bound."""
        bound = self.max_false_selections
        q = self.n_features_per_fit
        if q is not None and q > p:
            raise ValueError(
                f"n_features_per_fit={q} is larger than the number of features ({p})."
            )

        def meets(q, threshold):
            return false_selection_bound(
                q, p, threshold, self.n_pairs, self.assumption
            ) <= bound * (1 + 1e-12)

        if q is None:
            level = DEFAULT_THRESHOLD if self.threshold is None else self.threshold
            feasible = [k for k in range(1, p + 1) if meets(k, level)]
            if not feasible and self.threshold is not None:
                raise ValueError(
                    f"threshold={self.threshold:g} with {p} features and "
                    f"n_pairs={self.n_pairs} meets max_false_selections="
                    f"{bound:g} for no n_features_per_fit (assumption="
                    f"{self.assumption!r}): raise the threshold or "
                    "max_false_selections."
                )
            q = max([1, *feasible])
        if self.threshold is not None:
            return int(q), float(self.threshold)
        if self.assumption == "none":
            candidates = [0.5 + q**2 / (2 * p * bound)]
        else:
            # A frequency is a multiple of 1 / (2 B): a threshold between
            # two of them selects what the next one selects, with a looser
            # bound.
            steps = 2 * self.n_pairs
            candidates = [j / steps for j in range(self.n_pairs + 1, steps + 1)]
        threshold = next((t for t in candidates if t <= 1 and meets(q, t)), None)
        if threshold is None:
            largest = max([0] + [k for k in range(1, p + 1) if meets(k, 1.0)])
            change = (
                f"lower n_features_per_fit to at most {largest}"
                if largest >= 1
                else "a bound of at least "
                f"{false_selection_bound(1, p, 1.0, self.n_pairs, self.assumption):.3g}"
                " is needed for n_features_per_fit=1"
            )
            raise ValueError(
                f"n_features_per_fit={q} and max_false_selections={bound:g} "
                f"with {p} features and n_pairs={self.n_pairs} need a "
                f"selection frequency threshold above 1 (assumption="
                f"{self.assumption!r}): {change}, or raise "
                "max_false_selections."
            )
        return int(q), float(threshold)

    def _get_support_mask(self):
        check_is_fitted(self)
        return self.support_

    def plot_stability_path(self, ax=None, *, n_labels=10):
        """Plot each feature's selection frequency against the features per fit.

        The frequency of a feature at ``k`` features per fit is the share of
        the fits that ranked it among their top ``k``, read from the same
        fits (for a selector whose choice depends on ``k``, from each fit's
        ranking, an approximation below ``n_features_per_fit_``).

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Axes to draw on; None creates a new figure.

        n_labels : int, default=10
            Number of features, by ``ranking_``, whose paths are labelled.

        Returns
        -------
        ax : matplotlib Axes
            The axes with one path per feature (the selected ones
            highlighted), the threshold (dashed) and ``n_features_per_fit_``
            (dotted).
        """
        check_is_fitted(self)
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots()
        ks = np.arange(1, self.n_features_per_fit_ + 1)
        path = np.array([(self.fit_rankings_ <= k).mean(axis=0) for k in ks])
        path[-1] = self.selection_frequencies_
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = np.array([f"x{j}" for j in range(self.n_features_in_)])
        for j in np.argsort(-self.ranking_):  # the best drawn last, on top
            selected = self.support_[j]
            ax.plot(
                ks,
                path[:, j],
                color="tab:red" if selected else "grey",
                alpha=1.0 if selected else 0.4,
                linewidth=1.8 if selected else 0.8,
                marker="o" if ks.size < 15 else None,
                markersize=3,
            )
        # One label per end point: features that end at the same frequency
        # share it, in the order of the ranking.
        labelled = np.argsort(self.ranking_)[:n_labels]
        ends = {}
        for j in labelled:
            ends.setdefault(round(float(path[-1, j]), 6), []).append(str(names[j]))
        for end, labels in ends.items():
            ax.annotate(
                ", ".join(labels),
                (ks[-1], end),
                textcoords="offset points",
                xytext=(4, 0),
                fontsize="small",
                va="center",
            )
        ax.axhline(
            self.threshold_,
            color="black",
            linestyle="--",
            label=f"threshold {self.threshold_:.2f}",
        )
        if ks.size <= 20:
            ax.set_xticks(ks)
        ax.set_xlim(0.8, ks[-1] * 1.3 + 0.5)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("Features kept per fit")
        ax.set_ylabel("Selection frequency")
        ax.legend(loc="center left")
        return ax


def false_selection_bound(q, p, threshold, n_pairs, assumption="unimodal"):
    """Bound on the expected number of falsely selected features.

    Parameters
    ----------
    q : float
        Number of features each fit keeps (on average).

    p : int
        Number of features.

    threshold : float in (0.5, 1]
        Selection frequency threshold ``pi_thr``.

    n_pairs : int
        Number ``B`` of complementary pairs of half-samples.

    assumption : {"unimodal", "none"}, default="unimodal"
        See :class:`StabilitySelector`; "none" does not use ``n_pairs``.

    Returns
    -------
    bound : float
        The bound on ``E[V]``. With ``assumption="unimodal"``, the smaller
        of the two bounds; where the unimodal one does not apply
        (``theta = q / p`` above ``1 / sqrt(3)``, or a threshold at most
        ``1/2 + min(theta^2, 1/(2B) + 3 theta^2 / 4)``), the general one.
    """
    base = q**2 / p
    general = float(base / (2 * threshold - 1))
    if assumption == "none":
        return general
    theta = q / p
    # Outside the range where Shah and Samworth state the unimodal bound
    # (fits that keep most of the features, or a threshold too close to
    # 1/2), the general bound, which holds under unimodality too.
    if theta > 1 / math.sqrt(3) or threshold <= 0.5 + min(
        theta**2, 1 / (2 * n_pairs) + 0.75 * theta**2
    ):
        return general
    if threshold > 0.75:
        unimodal = base * 4 * (1 - threshold + 1 / (2 * n_pairs)) / (1 + 1 / n_pairs)
    else:
        margin = 2 * threshold - 1 - 1 / (2 * n_pairs)
        unimodal = base / (2 * margin) if margin > 0 else math.inf
    return float(min(unimodal, general))


def _complementary_halves(y, n_pairs, random_state):
    """Row indices of ``2 * n_pairs`` half-samples, disjoint in pairs.

    For a classification target, the rows of each class are shuffled and
    dealt alternately to the two halves (one class after another), so each
    half has about half of every class; otherwise the rows are shuffled and
    cut in two. With an odd number of rows one row sits out of each pair.
    """
    n_samples = y.shape[0]
    half = n_samples // 2
    stratify = type_of_target(y) in ("binary", "multiclass")
    if stratify:
        _, codes = np.unique(y, return_inverse=True)
    halves = []
    for _ in range(n_pairs):
        if stratify:
            # Shuffle, then sort by class (stable): rows of a class are
            # contiguous and in random order, and alternate dealing
            # splits each class evenly.
            order = random_state.permutation(n_samples)
            order = order[np.argsort(codes[order], kind="stable")]
            first, second = order[0::2][:half], order[1::2][:half]
        else:
            order = random_state.permutation(n_samples)
            first, second = order[:half], order[half : 2 * half]
        halves.extend([np.sort(first), np.sort(second)])
    return halves


def _fit_half(selector, X, y, rows, n_features, seed):
    """Fit ``selector`` on ``rows``: (kept features, strict ranking)."""
    selector = _seeded(selector, seed)
    fitted = fit_selector(selector, _safe_indexing(X, rows), y[rows], n_features)
    return top_features(fitted, n_features), strict_ranking(fitted)


def _seeded(selector, seed):
    """``selector`` with every ``random_state`` parameter set from ``seed``."""
    params = {
        name: int(seed) + i
        for i, name in enumerate(sorted(selector.get_params(deep=True)))
        if name == "random_state" or name.endswith("__random_state")
    }
    return clone(selector).set_params(**params)
