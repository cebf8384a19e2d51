"""Forward selection among the features a model's Shapley values rank first."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from contextlib import nullcontext
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ._base import (
    BaseSelector,
    SelectionResult,
    check_cv_fits,
    draw_seeds,
    univariate_f_statistic,
)
from ._docstring import shared_docs
from ._optional import import_optional

#: Background rows of the model-agnostic (permutation) explainer: its cost
#: grows linearly with them, and 50 rows estimate a mean prediction well.
BACKGROUND_SIZE = 50

#: Permutations per explained row for the model-agnostic explainer.
N_PERMUTATIONS = 2

#: Candidates of a step have at least this fraction of the largest mean
#: absolute SHAP value among the units left.
CANDIDATE_IMPORTANCE_RATIO = 0.25

#: With ``tol="auto"`` a step must gain more than this many standard errors
#: of its per-fold gains. Measured on planted problems (5 informative of 100
#: features, 300 rows, 5 folds, 8 seeds): 0 (any gain) and 0.5 gave the same
#: held-out accuracy (0.863) with 1.0 and 0.7 noise features selected; 1.0
#: lost 0.019 accuracy by dropping weak informative features.
AUTO_TOL_STANDARD_ERRORS = 0.5


#: Settings of the default XGBoost model, slower-learning and with larger
#: leaves than XGBoost's own (learning rate 0.3, minimum child weight 1),
#: which memorise the noise of one or two columns on small data: on diabetes
#: (282 training rows) its cross-validated R^2 with ``bmi`` alone was -0.005,
#: against 0.22 with these. Trees keep XGBoost's depth 6: depth 2 missed a
#: pure interaction, which greedy splits find only with deeper trees.
#: Histograms of 64 bins instead of XGBoost's 256 make each boosting round
#: cheaper, most of all with many rows and columns (see the class's Notes).
BOOSTER_PARAMS = {"learning_rate": 0.1, "min_child_weight": 5, "max_bin": 64}


@shared_docs
class SHAPForwardSelector(BaseSelector):
    """Forward selection among the features ranked first by Shapley values.

    A model is fitted on every feature and explained once with Shapley
    values (SHAP). At each step the ``n_candidates`` features not yet
    selected with the largest mean absolute SHAP value are tried, each added
    in turn to the selected set, and the one that gives the best
    cross-validated score enters. Trying only the few features the model
    relies on most makes each step cost ``n_candidates`` cross-validations
    instead of one per remaining feature, as plain forward selection needs.

    Correlated features can share or swap their Shapley values, which
    blurs a ranking; ``feature_groups`` merges such columns (the left and
    right volume of one brain structure, say) into one unit whose Shapley
    values are summed and which enters as a whole.

    Parameters
    ----------
    n_features_to_select : int, float or None, default=None
        Number of features to select: an int is a count, a float in (0, 1] a
        fraction of the features (rounded up). None keeps the features that
        entered before the stopping rule (``tol``) ended the search, each
        step confirmed on folds of its own, and that the final set cannot do
        without (see Notes). When the search stops before a count, the count
        is filled with the features of largest SHAP value (not with groups:
        see ``feature_groups``).

    %(task)s

    estimator : estimator or None, default=None
        The model that is explained and cross-validated. None uses XGBoost
        (``XGBClassifier`` or ``XGBRegressor``) with a learning rate of 0.1,
        a minimum child weight of 5 and histograms of 64 bins, see Notes. Tree
        models are explained exactly with TreeSHAP; any other model with the
        model-agnostic permutation explainer, which is much slower.

    n_candidates : int, default=5
        Number of top SHAP-ranked features (or groups) tried at each step.

    cv : int, cross-validation generator or iterable, default=5
        Cross-validation splitting that scores each candidate set.

    scoring : str, callable or None, default=None
        Score maximised by the search; None uses the estimator's ``score``
        (accuracy or R^2).

    tol : "auto", float or None, default="auto"
        When a step is worth taking. "auto": the best candidate's mean gain
        in cross-validated score over the folds must exceed half the
        standard error of its per-fold gains, so that a gain the spread of
        the folds could produce does not admit a feature. A float: the gain
        must reach ``tol``. None: no stopping rule; the search stops only at
        ``n_features_to_select``, or, when that is None too, as soon as no
        candidate improves the score. The first feature always enters. With
        ``n_features_to_select=None`` and a rule, a step must also pass it
        on a second, shuffled set of folds, and the entered features leave
        again if the final set loses too little without them (see Notes).

    feature_groups : dict or None, default=None
        Map from column (name for a DataFrame, else index) to group name.
        The columns of a group are ranked by their summed Shapley values and
        enter together; a group larger than the room left under
        ``n_features_to_select`` is not tried, and only the features that
        entered are selected (possibly fewer than requested). Other columns
        stand alone. Give the one-hot columns of each categorical feature
        one group: apart, each carries a share of the feature's effect, and
        the boosted model's splits favour continuous columns (on a planted
        table of three informative 8-level categoricals and 12 continuous
        noise columns, stability selection over this selector kept the
        noise columns: ``benchmarks/results/how_many_wrappers.md``).

    max_samples : int, default=500
        Number of rows, drawn at random, whose Shapley values rank the
        candidates.

    n_jobs : int or None, default=None
        Number of parallel jobs of the cross-validation. The default XGBoost
        model uses one thread per fit, and while the selector fits with it
        OpenMP's thread pools are held to one thread, so that with the
        default ``n_jobs`` other work on the cores does not slow it down.

    random_state : int, RandomState instance or None, default=None
        Seed of the default model, of the rows explained and of the
        permutation explainer.

    Attributes
    ----------
    scores_ : ndarray of shape (n_features_in_,)
        Position-based score that encodes the order of entry: 1 for the
        first feature, then lower by ``1 / n_features_in_`` per position;
        features that did not enter follow by their mean absolute SHAP value.
        With ``n_features_to_select=None``, the features the backward pass
        left out follow the kept ones, ahead of those that never entered.
        An encoding of the order, not an importance
        (``scores_kind = "order"``).

    ranking_ : ndarray of shape (n_features_in_,)
        Strict rank of each feature (1 is best, ties broken by column index).

    %(support_)s

    n_features_to_select_ : int
        Number of selected features: the requested number, or, when none
        was requested or with ``feature_groups``, the number that entered.

    %(task_)s

    scores_path_ : ndarray of shape (n_steps + 1,)
        Cross-validated score with no feature (a model predicting the class
        prior or the mean), then after each step.

    selection_order_ : ndarray of shape (n_entered,)
        Column indices of the features that entered, in their order of
        entry (the columns of a group or pair that entered together in
        column order). Named ``step_features_`` (one array per step) before.

    n_features_path_ : ndarray of shape (n_steps + 1,)
        Number of features after each step, 0 first: the abscissa of
        ``scores_path_``.

    step_names_ : list of str
        Name of the feature or group that entered at each step; a pair that
        entered together (own choice, see Notes) is named ``"a + b"``.

    shap_importance_ : ndarray of shape (n_features_in_,)
        Mean absolute SHAP value of each feature in the model fitted on all
        features, which ranks the candidates of every step.

    %(n_features_in_)s

    See Also
    --------
    sklearn.feature_selection.SequentialFeatureSelector : Forward selection
        that tries every remaining feature at each step.
    RandomForestSelector : Importance from one model, without search.

    Notes
    -----
    After Bloch et al., "Machine Learning Workflow to Explain Black-box Models
    for Early Alzheimer's Disease Classification Evaluated for Multiple
    Datasets" (forward selection and aspect consolidation on Shapley values);
    Lundberg and Lee (2017), "A unified approach to interpreting model
    predictions" (SHAP).

    With ``U`` the units (features or groups), ``phi_u(x)`` the summed SHAP
    values of unit ``u`` for row ``x`` of a model fitted on every column,
    ``S`` the selected units and ``CV_f(T)`` the score of the model on the
    columns ``T`` in fold ``f``, each step computes::

        C  = the n_candidates units u not in S with the largest m_u = mean_x |phi_u(x)|,
             among those with m_u >= 0.25 * max_{v not in S} m_v
        r* = argmax_{r in C} mean_f CV_f(S + r)
        g_f = CV_f(S + r*) - CV_f(S)

    and adds ``r*`` unless ``mean_f g_f <= 0.5 * std_f(g_f) / sqrt(n_folds)``
    (``tol="auto"``). A step costs ``n_candidates * cv`` fits on
    ``|S| + 1`` units, whatever the number of remaining columns, after one
    fit with its explanation; plain forward selection costs ``|R| * cv``
    fits per step.

    Departures from Bloch et al., each measured:

    - **One explanation, not one per step.** A model refitted on the
      features not yet selected, as an earlier version did, cannot see an
      interaction with a selected feature: on ``y = sign(x0 * x1)`` among 20
      noise columns, once ``x0`` had entered ``x1`` ranked 19th of 21 in the
      refitted model (1st in the model on every column), so the search added
      noise (0.56 random-forest accuracy downstream against 0.78 now, in the
      quick benchmark preset). A model on every column keeps ``x1`` on top,
      and one explanation makes a step's cost independent of the remaining
      columns.
    - **The stopping rule** counts the spread of the folds. Any positive
      gain, as before, admitted features for gains of a few thousandths. On
      planted problems (5 informative of 100 features, 300 rows, 5 folds, 8
      seeds) a threshold of half a standard error kept the held-out accuracy
      of any positive gain (0.863) with 0.7 noise features selected instead
      of 1.0; a full standard error lost 0.019 accuracy.
    - **The first step**, when no candidate's gain passes the rule (either
      column of a pure interaction alone predicts nothing), takes the unit
      of largest SHAP value: cross-validation cannot tell the candidates
      apart there.
    - **Candidates need a quarter of the largest SHAP value left.** A noise
      column's chance correlation with ``y`` can beat either column of a
      pure interaction by a few hundredths of accuracy when each is tried
      alone. On 10 seeds of the ``interaction`` dataset the pair ranked
      first and second on 5 seeds without this floor and on 9 with it; on
      the planted problems above it changed nothing (0.863 accuracy).
    - **The default model learns slower** (learning rate 0.1 and minimum
      child weight 5, XGBoost's other defaults). With XGBoost's own defaults
      (0.3 and 1) a model on one or two columns of a small data set fits
      their noise, so the early steps' cross-validated scores do not rank
      the candidates: on diabetes (5 outer folds, 5 inner) ``bmi`` alone
      scored an R^2 of -0.005 (0.22 now), the first feature entered was
      ``bp`` or, by the first-step rule, ``s5`` after scores below the
      mean's, and SHAP forward trailed LASSO by 0.026 in the quality
      benchmark. Shallower trees (depth 2) also ranked ``bmi`` first but
      missed a pure interaction. Its histograms have 64 bins instead of
      256: on 2,000 rows a selection among 3,200 columns took 20.2 s and
      among 200 columns 12.4 s in ``benchmarks/results/speed.md`` as run
      at commit 9c32d12 (23.3 s and 12.7 s in its next run), against
      49.4 to 59.2 s and 25.0 to 25.3 s with 256 bins in that file's two
      runs before (commits 9e655ab and 92ce206, on two states of the
      same machine), and in the quality benchmark no dataset's mean score
      moved by more than 0.004 (``quality.md``).
    - **A count is a count.** When the search stops before
      ``n_features_to_select``, the features of largest SHAP value fill it,
      so the selection for ``k`` is the top ``k`` of one ranking and one fit
      serves every ``k`` (``selection_depends_on_k`` is False), unless
      ``feature_groups`` is given (a group too large for the room left is
      skipped) or ``tol=None`` (the search then never stops before a
      count).

    The own choice (``n_features_to_select=None`` with ``tol`` "auto" or a
    float) adds three things to the search above; with a count none of
    them runs, and the selection is the one described.

    - **Each step is confirmed on folds of its own.** The winner of a step
      is the best of ``n_candidates`` gains on the same folds, so a noise
      column's gain is the largest of several chance gains and passed the
      rule on 6 of 10 seeds of the ``interaction`` dataset (1 or 2 noise
      columns after the pair). A step is now taken only if its gain also
      passes the rule on shuffled folds (as many as ``cv``'s, seeded by
      ``random_state``), on which it was not chosen: noise was kept on 3 of
      10 seeds, and on the planted problem of
      ``benchmarks/bench_own_choice.py`` (5 informative columns of 30, 300
      rows, 10 seeds) recall went from 0.86 to 0.90 and the noise columns
      kept from 1.0 to 0.3 on average.
    - **An interacting pair enters together.** When no single candidate
      passes, the two of largest SHAP value are tried as a pair, confirmed
      like a single step. On seed 8 of ``interaction`` a noise column
      entered first by a chance gain, neither column of the pair gained
      after it, and the search stopped with the noise column alone. Pairs
      also bring back weak informative columns that fail the confirmation
      alone: without them the planted recall above fell to 0.74.
    - **A backward pass** with the same rule leaves out, one at a time, the
      entered unit the final set loses least without, while that loss would
      not pass the rule as a gain: the noise column of seed 8 leaves once
      the pair is in. The last unit to enter passed the rule against the
      set without it, so only units made redundant by later ones leave.

    Together: the pair kept on 10 of 10 seeds of ``interaction`` (9 before)
    at about 1.5 times the fit time (``python
    benchmarks/bench_own_choice.py --parts shap``). A chance gain that
    passes the rule on both sets of folds still admits a noise column:
    cross-validation on one sample cannot tell it from a weak signal.

    The model-agnostic explainer uses a background of 50 random rows and 2
    permutations per explained row; it saves and restores NumPy's global
    random state, which the ``shap`` package reseeds.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from featsel import SHAPForwardSelector
    >>> X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    >>> selector = SHAPForwardSelector(n_features_to_select=3, cv=3, random_state=0)
    >>> selector.fit(X, y).step_names_
    ['worst concave points', 'area error']
    >>> selector.scores_path_.round(3)
    array([0.627, 0.909, 0.944])

    The search stopped after two steps; the largest SHAP value left fills
    the count:

    >>> selector.get_feature_names_out().tolist()
    ['area error', 'worst area', 'worst concave points']
    """

    _parameter_constraints: dict = {
        **BaseSelector._parameter_constraints,
        "estimator": [None, HasMethods(["fit"])],
        "n_candidates": [Interval(Integral, 1, None, closed="left")],
        "cv": ["cv_object"],
        "scoring": [None, StrOptions(set(get_scorer_names())), callable],
        "tol": [None, StrOptions({"auto"}), Real],
        "feature_groups": [None, dict],
        "max_samples": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
    }
    own_choice = "the features that entered before the stopping rule (``tol``)"

    scores_kind = "order"

    def __init__(
        self,
        n_features_to_select=None,
        *,
        task="auto",
        estimator=None,
        n_candidates=5,
        cv=5,
        scoring=None,
        tol="auto",
        feature_groups=None,
        max_samples=500,
        n_jobs=None,
        random_state=None,
    ):
        self.n_features_to_select = n_features_to_select
        self.task = task
        self.estimator = estimator
        self.n_candidates = n_candidates
        self.cv = cv
        self.scoring = scoring
        self.tol = tol
        self.feature_groups = feature_groups
        self.max_samples = max_samples
        self.n_jobs = n_jobs
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # XGBoost routes missing values down a learned branch; another model
        # accepts them only if it says so.
        tags.input_tags.allow_nan = (
            self.estimator is None or get_tags(self.estimator).input_tags.allow_nan
        )
        return tags

    @property
    def selection_depends_on_k(self):
        """Whether the selection for ``k`` features needs a fit of its own.

        Without ``feature_groups`` and with a stopping rule (``tol`` not
        None), ``n_features_to_select`` only says where the path is cut: the
        selection for ``k`` is the top ``k`` of one ranking, so a single fit
        serves every ``k``. A group too large for the room left is skipped,
        and ``tol=None`` with a count never stops, so either makes the
        selection depend on ``k``.
        """
        return bool(self.feature_groups) or self.tol is None

    def _fit_scores(self, X, y, uninformative):
        # The default model trains on one thread, yet the rest of a fit
        # still ran OpenMP code over every core: with another job on one of
        # 2 cores a selection took 1.6 to 1.7 times its quiet time
        # (benchmarks/results/speed.md as run at commit 9c32d12, table 2b),
        # and with OpenMP held to one thread 0.95 to 1.05 times (the same
        # table's next run, and benchmarks/results/threads.md).
        one_thread = (
            threadpool_limits(limits=1, user_api="openmp")
            if self.estimator is None
            else nullcontext()
        )
        with one_thread:
            return self._search(X, y, uninformative)

    def _search(self, X, y, uninformative):
        """The SHAP ranking and the forward search: what ``fit`` computes."""
        random_state = check_random_state(self.random_state)
        classification = self.task_ == "classification"
        estimator = self._make_estimator(random_state)
        cv = check_cv_fits(self.cv, y, classifier=classification)
        scorer = check_scoring(estimator, scoring=self.scoring)
        units, unit_names = self._units()
        sizes = np.array([unit.size for unit in units])
        unit_importance = self._shap_unit_importance(
            estimator, X, y, units, random_state
        )
        # One ranking serves every step: most important first; equal
        # importance (most often 0, units no tree split on) by the strength
        # of the unit's univariate association with y, then column order.
        statistic = univariate_f_statistic(X, y, classification=classification)
        association = np.array([statistic[unit].max() for unit in units])
        by_importance = sorted(
            range(len(units)),
            key=lambda unit: (-unit_importance[unit], -association[unit], unit),
        )
        n_zero = int(np.sum(unit_importance == 0))
        if n_zero > max(1, len(units) // 2):
            warnings.warn(
                f"SHAP importance is 0 for {n_zero} of {len(units)} features "
                f"on {X.shape[0]} rows (the boosted model made no split on "
                "them); they are ranked by their univariate F statistic. More "
                "rows give a measured ranking.",
                UserWarning,
                stacklevel=4,
            )
        dummy = DummyClassifier() if classification else DummyRegressor()
        fold_path = [self._cv_scores(dummy, X, y, [0], cv, scorer)]
        limit = self.n_features_to_select_
        # The own choice confirms each step on folds of its own (see Notes).
        confirm_cv = (
            self._confirmation_cv(cv, y, classification, random_state)
            if limit is None and self.tol is not None
            else None
        )
        selected = []
        # The units that entered at each step: one, or a pair (own choice).
        entered = []
        while len(selected) < len(units):
            room = np.inf if limit is None else limit - sizes[selected].sum()
            open_units = [
                unit
                for unit in by_importance
                if unit not in selected and sizes[unit] <= room
            ]
            # Units the model barely uses are not tried against one it
            # relies on: cross-validation cannot credit either column of a
            # pure interaction alone, while a noise column's chance
            # correlation with y can win by a few hundredths.
            floor = CANDIDATE_IMPORTANCE_RATIO * unit_importance[open_units[:1]].max(
                initial=0.0
            )
            candidates = [
                unit for unit in open_units if unit_importance[unit] >= floor
            ][: self.n_candidates]
            if not candidates:
                break
            base = [j for unit in selected for j in units[unit]]
            best, candidate_scores = self._get_best_new_unit(
                estimator, X, y, base, [units[unit] for unit in candidates], cv, scorer
            )
            step = [candidates[best]]
            passes = not self._stops(candidate_scores[best] - fold_path[-1], limit)
            if confirm_cv is not None:
                passes = passes and self._confirmed(
                    estimator, X, y, base, units, step, confirm_cv, scorer
                )
                # Either column of an interaction gains nothing alone: the
                # two candidates of largest SHAP value enter together if,
                # as a pair, they pass the rule on both sets of folds.
                if not passes and len(candidates) > 1:
                    step = candidates[:2]
                    columns = [*base, *units[step[0]], *units[step[1]]]
                    pair_scores = self._cv_scores(
                        clone(estimator), X, y, columns, cv, scorer
                    )
                    passes = not self._stops(
                        pair_scores - fold_path[-1], None
                    ) and self._confirmed(
                        estimator, X, y, base, units, step, confirm_cv, scorer
                    )
                    if passes:
                        candidate_scores[best] = pair_scores
                    else:
                        step = [candidates[best]]
            if not passes:
                if selected:
                    break
                # The first unit always enters. When no candidate gains
                # beyond the folds' spread, their scores cannot tell them
                # apart (as for either column of a pure interaction), so the
                # unit the model relies on most enters.
                best, step = 0, [candidates[0]]
            selected.extend(step)
            fold_path.append(candidate_scores[best])
            entered.append(step)
            if limit is not None and sizes[selected].sum() >= limit:
                break

        self.scores_path_ = np.array([scores.mean() for scores in fold_path])
        step_features = [
            np.concatenate([units[unit] for unit in step]) for step in entered
        ]
        self.selection_order_ = np.concatenate(
            [np.empty(0, dtype=np.intp), *step_features]
        ).astype(np.intp)
        self.n_features_path_ = np.cumsum(
            [0, *(columns.size for columns in step_features)]
        )
        self.step_names_ = [
            " + ".join(unit_names[unit] for unit in step) for step in entered
        ]
        if confirm_cv is not None and len(selected) > 1:
            kept = self._prune(
                estimator, X, y, selected, units, fold_path[-1], cv, scorer
            )
            # The kept units first, in their order of entry; the pruned
            # ones next, ahead of the units that never entered.
            selected = kept + [unit for unit in selected if unit not in kept]
            n_entered = int(sizes[kept].sum())
        else:
            n_entered = int(sizes[selected].sum())
        rest = [unit for unit in by_importance if unit not in selected]
        order = np.concatenate([units[unit] for unit in [*selected, *rest]])
        n_features = X.shape[1]
        scores = np.empty(n_features)
        scores[order] = (n_features - np.arange(n_features)) / n_features
        # The base class keeps the top-ranked features: the ones that
        # entered, then, up to a requested count, the next by SHAP value. A
        # group may not be cut, so with groups only the entered ones count.
        return SelectionResult(
            scores,
            n_features_to_select=(
                n_entered if limit is None or self.feature_groups else None
            ),
        )

    def _confirmation_cv(self, cv, y, classification, random_state):
        """Shuffled folds, as many as ``cv``'s, that confirm the own choice's steps."""
        n_splits = cv.get_n_splits(np.zeros((y.size, 1)), y)
        splitter = StratifiedKFold if classification else KFold
        seed = draw_seeds(random_state)
        return check_cv_fits(
            splitter(n_splits, shuffle=True, random_state=seed),
            y,
            classifier=classification,
        )

    def _confirmed(self, estimator, X, y, base, units, step, cv, scorer):
        """Whether adding ``step``'s units to ``base`` passes the rule on ``cv``."""
        columns = [*base, *(j for unit in step for j in units[unit])]
        after = self._cv_scores(clone(estimator), X, y, columns, cv, scorer)
        if base:
            before = self._cv_scores(clone(estimator), X, y, base, cv, scorer)
        else:
            dummy = clone(self._dummy())
            before = self._cv_scores(dummy, X, y, [0], cv, scorer)
        return not self._stops(after - before, None)

    def _prune(self, estimator, X, y, selected, units, scores, cv, scorer):
        """The entered units that the final set cannot do without.

        A backward pass with the forward rule: while the unit whose absence
        costs the set least (per-fold losses ``scores - CV_f(S - u)``) would
        not pass the rule as a gain, it is left out. The last unit to enter
        passed the rule against the set without it, so only units made
        redundant by later ones leave.
        """
        kept = list(selected)
        while len(kept) > 1:
            rests = [
                self._cv_scores(
                    clone(estimator),
                    X,
                    y,
                    [j for other in kept if other != unit for j in units[other]],
                    cv,
                    scorer,
                )
                for unit in kept
            ]
            weakest = int(np.argmin([(scores - rest).mean() for rest in rests]))
            if not self._stops(scores - rests[weakest], None):
                break
            scores = rests[weakest]
            del kept[weakest]
        return kept

    def _dummy(self):
        if self.task_ == "classification":
            return DummyClassifier()
        return DummyRegressor()

    def _shap_unit_importance(self, estimator, X, y, units, random_state):
        """Mean absolute SHAP value of each unit in a model on every column.

        Sets ``shap_importance_``, the same per column. A unit's columns are
        summed per row (and output) before the absolute value, so that a
        group counts as one feature.
        """
        explained = np.sort(
            random_state.choice(
                X.shape[0], min(X.shape[0], self.max_samples), replace=False
            )
        )
        model = clone(estimator).fit(X, y)
        values = _shap_values(model, X, explained, random_state)
        self.shap_importance_ = np.abs(values).mean(
            axis=tuple(axis for axis in range(values.ndim) if axis != 1)
        )
        return np.array([np.abs(values[:, unit].sum(axis=1)).mean() for unit in units])

    def _get_best_new_unit(self, estimator, X, y, base, candidates, cv, scorer):
        """Index of the candidate whose addition to ``base`` scores best.

        Returns the index in ``candidates`` and the per-fold scores of every
        candidate. Equal mean scores (copies of one column, say) go to the
        earlier candidate.
        """
        fold_scores = [
            self._cv_scores(clone(estimator), X, y, [*base, *columns], cv, scorer)
            for columns in candidates
        ]
        return int(np.argmax([scores.mean() for scores in fold_scores])), fold_scores

    def _cv_scores(self, model, X, y, columns, cv, scorer):
        return cross_val_score(
            model,
            X[:, columns],
            y,
            cv=cv,
            scoring=scorer,
            n_jobs=self.n_jobs,
            error_score="raise",
        )

    def _stops(self, fold_gains, limit):
        """Whether a step with these per-fold gains is not worth taking."""
        gain = fold_gains.mean()
        if self.tol == "auto":
            # A gain within a fraction of its fold-to-fold standard error is
            # one the spread of the folds alone could produce.
            standard_error = fold_gains.std(ddof=1) / np.sqrt(fold_gains.size)
            return gain <= AUTO_TOL_STANDARD_ERRORS * standard_error
        if self.tol is not None:
            return gain < self.tol
        # Without tol a count is the only stop; without either, a step must
        # improve the score.
        return limit is None and gain <= 0

    def _make_estimator(self, random_state):
        if self.estimator is not None:
            return clone(self.estimator)
        xgboost = import_optional("xgboost", extra="shap")
        model_class = (
            xgboost.XGBClassifier
            if self.task_ == "classification"
            else xgboost.XGBRegressor
        )
        # One thread per fit: parallelism comes from n_jobs over the folds,
        # and multi-threaded boosting of small data slows to a crawl when
        # the cores are shared.
        return model_class(
            **BOOSTER_PARAMS,
            n_jobs=1,
            random_state=draw_seeds(random_state),
        )

    def _units(self):
        """Column indices and name of each unit: a group, or a lone column."""
        names = getattr(self, "feature_names_in_", None)
        labels = (
            [str(name) for name in names]
            if names is not None
            else [f"x{j}" for j in range(self.n_features_in_)]
        )
        group_of = {}
        for column, group in (self.feature_groups or {}).items():
            group_of[self._column_index(column, names)] = group
        members = {}
        for j in range(self.n_features_in_):
            key = ("group", group_of[j]) if j in group_of else ("column", j)
            members.setdefault(key, []).append(j)
        units = [np.array(columns) for columns in members.values()]
        unit_names = [
            str(key[1]) if key[0] == "group" else labels[key[1]] for key in members
        ]
        return units, unit_names

    def _column_index(self, column, names):
        if names is not None and isinstance(column, str):
            matches = np.flatnonzero(names == column)
            if matches.size:
                return int(matches[0])
        elif isinstance(column, Integral) and 0 <= column < self.n_features_in_:
            return int(column)
        raise ValueError(
            f"feature_groups names the column {column!r}, which is not in X "
            f"(columns are "
            f"{'named' if names is not None else 'numbered'} and there are "
            f"{self.n_features_in_} of them)."
        )

    @property
    def step_features_(self):
        raise AttributeError(
            "SHAPForwardSelector.step_features_ was renamed selection_order_: "
            "one array of the columns in their order of entry, as in the "
            "other selectors; n_features_path_ gives the count after each "
            "step."
        )

    def plot_path(self, ax=None):
        """Plot the cross-validated score against the number of features.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Axes to draw on; None creates a new figure.

        Returns
        -------
        ax : matplotlib Axes
            The axes with the score path, each point labelled with the
            feature or group that entered.
        """
        check_is_fitted(self)
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots()
        ax.plot(self.n_features_path_, self.scores_path_, marker="o")
        for count, score, name in zip(
            self.n_features_path_[1:],
            self.scores_path_[1:],
            self.step_names_,
            strict=True,
        ):
            ax.annotate(
                name,
                (count, score),
                textcoords="offset points",
                xytext=(4, -10),
                fontsize="small",
            )
        ax.set_xlabel("Number of selected features")
        scoring = self.scoring if isinstance(self.scoring, str) else "score"
        ax.set_ylabel(f"Cross-validated {scoring}")
        return ax


def _shap_values(model, X, explained, random_state):
    """SHAP values of the rows ``explained``: (n_rows, n_columns[, n_outputs])."""
    with warnings.catch_warnings():
        # shap's import warns about matplotlib deprecations of its own.
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        shap = import_optional("shap", extra="shap")
    try:
        explainer = shap.TreeExplainer(model)
    except ValueError:
        # shap's InvalidModelError (a ValueError): not a tree model.
        return _permutation_shap_values(shap, model, X, explained, random_state)
    values = explainer.shap_values(X[explained], check_additivity=False)
    if isinstance(values, list):
        values = np.stack(values, axis=-1)
    return np.asarray(values)


def _permutation_shap_values(shap, model, X, explained, random_state):
    background = X[
        np.sort(
            random_state.choice(
                X.shape[0], min(X.shape[0], BACKGROUND_SIZE), replace=False
            )
        )
    ]
    predict = next(
        getattr(model, method)
        for method in ("predict_proba", "decision_function", "predict")
        if hasattr(model, method)
    )
    seed = draw_seeds(random_state)
    # shap reseeds and draws from NumPy's global generator, which a library
    # must leave as it found it.
    global_state = np.random.get_state()  # noqa: NPY002
    try:
        explainer = shap.explainers.Permutation(
            predict, shap.maskers.Independent(background), seed=seed
        )
        explanation = explainer(
            X[explained],
            max_evals=N_PERMUTATIONS * (2 * X.shape[1] + 1),
            silent=True,
        )
    finally:
        np.random.set_state(global_state)  # noqa: NPY002
    return np.asarray(explanation.values)
