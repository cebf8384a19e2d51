"""Feature Gradients: gradient search of a soft feature mask."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets

from ._base import (
    extreme_column_shifts,
    refine_equal_columns,
    scale_extreme_columns,
)
from ._docstring import shared_docs
from ._preprocessing import Standardizer
from ._torch_base import BaseTorchSelector

#: Rows standardised at a time when the statistics of a large ``X`` are
#: computed: bounds the float64 temporaries to a few tens of megabytes.
STATISTICS_BLOCK_ROWS = 8192

#: Rows on which the largest eigenvalue of the feature covariance is
#: estimated (power iteration): enough for the bound of the Neumann series.
SPECTRUM_ROWS = 4096

#: The Neumann series is built on ``[0, SPECTRUM_MARGIN * largest
#: eigenvalue]``: a margin, since the power iteration approaches the
#: largest eigenvalue from below and directions beyond the bound would get
#: weights outside [0, 1].
SPECTRUM_MARGIN = 1.25

#: :attr:`visible_signal_` below which a fit warns that the learnability
#: estimate misses most of the linear signal: 5 of the 22 real-data suite
#: tables, among them the two where Feature Gradients loses most (see Notes).
VISIBLE_WARNING = 0.4

#: Fewest optimiser steps of :meth:`fit` before it may stop early: with
#: ``batch_size * accumulation_steps`` rows per step, small data sets run
#: their ``max_epochs`` in full, and large ones stop once the selection
#: stops changing.
MIN_STEPS = 100

#: Factor by which each optimiser step of the search for a count shrinks
#: ``1 - w``, the weight of the learnability term: ``w`` goes from 0.1 to
#: 0.5 in 43 steps and to 0.99 in 88.
SPARSITY_GROWTH = 0.95


@shared_docs
class FeatureGradientsSelector(BaseTorchSelector):
    """Select features by gradient descent on a relaxed feature subset.

    A soft mask ``s = sigmoid(2 x)`` weights the standardised features
    (``x`` starts at 0, so every ``s`` at 0.5). It is trained to minimise
    ``(1 - w) F(s) + w sum(s) / min(n_features, n_samples)``, where ``F``
    measures how badly a linear
    model could fit the target from the masked features, estimated on each
    mini-batch with the Kong-Valiant estimator of linear learnability. The
    estimator takes linear time and memory in both the rows and the
    features, and data can arrive in chunks through :meth:`partial_fit`.

    Parameters
    ----------
    n_features_to_select : int, float or None, default=None
        Number of features to select: an int is a count, a float in (0, 1] a
        fraction of the features (rounded up). None keeps the features whose
        mask ends at 0.5 or above (at least one).

    %(task)s

    sparsity : float, default=0.1
        Weight ``w`` in [0, 1) of the mask penalty against the learnability
        term: larger values keep fewer features when
        ``n_features_to_select=None``. With a count to keep, the weight
        from which the search for that count rises (see Notes).

    order : int, default=4
        Number of Kong-Valiant moments ``c^T S^j c`` (``j < order``) in the
        estimate; each costs one pass over the mini-batch. Higher orders
        account better for correlated features. At most 12 with
        ``objective="reference"``.

    objective : {"neumann", "reference"}, default="neumann"
        The learnability estimate (see Notes): "neumann" weighs each
        direction of the covariance by a Neumann polynomial and measures a
        classifier by the probit error rate; "reference" is the objective
        of the authors' implementation.

    max_epochs : int, default=100
        Most passes over the data in the training at the weight
        ``sparsity`` (see Notes). After ``MIN_STEPS`` (100)
        optimiser steps, the fit stops at the end of the first epoch that
        leaves the selection as it was (the objective is an estimate, not a
        loss on held-out rows, so there is nothing to hold out).

    lr : float, default=0.1
        Step of the gradient descent: the change of the mask logit whose
        gradient is largest (see Notes).

    batch_size : int, default=256
        Rows per mini-batch, on which one estimate of ``F`` is computed.

    accumulation_steps : int, default=4
        Mini-batches whose gradients are averaged into one step.

    shuffle : bool, default=True
        Draw the mini-batches of each pass (or chunk) in a random order;
        False takes the rows in order.

    %(device)s

    %(n_jobs)s

    random_state : int, RandomState instance or None, default=None
        Seed of the mini-batch order and of the spectrum estimate. The
        caller's global random state (torch, numpy, :mod:`random`) is left
        as it was.

    verbose : int, default=0
        0 is silent; any other value prints the training objective after
        each pass over the data.

    Attributes
    ----------
    scores_ : ndarray of shape (n_features_in_,)
        The final mask ``s`` of each feature, in (0, 1).

    ranking_ : ndarray of shape (n_features_in_,)
        Strict rank of each feature (1 is best, ties broken by column index).

    %(support_)s

    %(n_features_to_select_)s

    mask_ : ndarray of shape (n_features_in_,)
        The final soft mask (equal to ``scores_`` before constant and
        repeated columns are zeroed).

    mean_, var_ : ndarray of shape (n_features_in_,)
        Mean and variance of each feature over all rows seen.

    n_samples_seen_ : int
        Number of rows seen (summed over the :meth:`partial_fit` calls).

    n_epochs_ : int
        Passes over the data made by :meth:`fit`, the search for a count
        included.

    sparsity_ : float
        The sparsity weight of the final mask: ``sparsity``, or the one
        the search for ``n_features_to_select`` ended at (see Notes).

    spectrum_bound_ : float
        Bound ``L`` of the Neumann series, or the estimated largest
        eigenvalue with ``objective="reference"`` (see Notes).

    visible_signal_ : float
        Share, in [0, 1], of the linear signal in the features that the
        learnability estimate can see, measured on as many sampled rows as
        estimate the spectrum (at most 4,096; see Notes); below 0.4
        :meth:`fit` warns.

    n_steps_ : int
        Number of optimiser steps taken, the search for a count included.

    %(task_)s

    %(n_features_in_)s

    See Also
    --------
    SequentialAttentionSelector : Greedy selection by attention weights.
    OptFSSelector : Learnable feature gates with learning by continuation.
    LassoSelector : Sparse linear coefficients.

    Notes
    -----
    Sheth and Fusi, "Feature Gradients: Scalable Feature Selection via
    Discrete Relaxation", on Kong and Valiant, "Estimating Learnability in
    the Sublinear Data Regime" (NeurIPS 2018).

    With standardised features, masked features ``u = s * x``, target ``t``
    (the standardised target for regression, the standardised indicator of
    each class for classification), ``c = E[u t]`` and ``S = E[u u^T]``,
    the fraction of the variance of ``t`` that a linear function of ``u``
    explains is ``c^T S^{-1} c``. Kong and Valiant estimate the moments

    ``m_j = c^T S^j c = E[t_0 u_0^T (u_1 u_1^T) ... (u_j u_j^T) u_{j+1} t_{j+1}]``

    without bias by averaging over every increasing tuple of ``j + 2``
    distinct rows of a batch; running sums over the rows give each ``m_j``
    in ``O(batch * n_features)``, so ``F`` costs
    ``O(order * batch * n_features)`` and no ``batch x batch`` matrix is
    formed. The moments are combined as ``z = sum_j a_j m_j``, a
    polynomial ``p`` of ``S`` standing for ``S^{-1}``: a direction of the
    covariance with eigenvalue ``l`` counts with weight ``l p(l)`` (1 for
    the exact inverse).

    ``F = 1 - z`` for regression. For classification ``F`` is an error rate
    averaged over the one-vs-rest problems of each class (classes weigh
    equally, as in the reference by default). Gradients of
    ``accumulation_steps`` mini-batches are averaged, and each step moves
    the logit of largest gradient by ``lr`` and the others in proportion
    to their gradients. :meth:`fit` runs at least ``MIN_STEPS`` (100)
    steps, then stops at the end of the first epoch after which the
    selection (the top ``n_features_to_select`` masks, or the masks at 0.5
    or above) is the one of the epoch before, or after ``max_epochs``.

    With ``n_features_to_select=k`` given and more than ``k`` masks left at
    0.5 or above, :meth:`fit` searches a larger sparsity weight by
    continuation: one more training from masks at 0.5 in which every
    optimiser step shrinks ``1 - w`` by ``SPARSITY_GROWTH`` (0.95), so that
    the weakest features close first, until the end of the first epoch that
    leaves at most ``k`` masks open, or as many steps as the first training
    took (a count then costs at most twice a fit without one). When the
    first epoch of that training already leaves fewer than ``k`` open (the
    penalty outweighs every feature's gain while all masks are at 0.5, as
    on the Khan data), the closing order is that of the first gradients,
    and the top ``k`` of the masks trained at the weight ``sparsity`` are
    kept instead. At the
    default weight every mask with real signal saturates near 1, and the
    order among saturated masks is an accident of the optimisation, not of
    the signal: on the benchmark's ``regression`` set
    (``make_regression(500, 10, n_informative=5)``, 5 folds) the 2 kept of
    10 were not the two of largest coefficient on 2 of 5 folds (linear
    ``R^2`` 0.51 and 0.49 there, against 0.71 and 0.77 for the two
    strongest); a larger weight makes the weaker features give way first.
    The search replaces a bisection on the weight, up to 8 more trainings
    from masks at 0.5 (a count cost up to 9 fits without one). In
    ``benchmarks/results/feature_gradients_wide.md`` (k = 10, 5 folds) a
    count costs 1.03, 1.10 and 1.00 fits without one on the Khan, tissue
    and hepatic injury data, with macro-F1 0.991, 0.958 and 0.318 against
    0.991, 0.961 and 0.382 for the best of LASSO and SVM-RFE. The
    reference ranks its masks at one fixed weight.

    ``objective="reference"`` is the objective of the authors'
    implementation (microsoft/nni, ``gradient_selector``): a fitted
    polynomial for a largest eigenvalue of 1, rescaled to the estimated
    largest eigenvalue (the reference ships it as a table; here it is
    computed: among the ``p`` whose error ``|l - l^2 p(l)|`` stays within
    twice the smallest reachable on [0, 1], the one of smallest
    ``sum_j 2^j |a_j|``, a linear program that gives the table's zero
    coefficients and its ``l p(l)`` within 2e-4), the mask applied once
    per pair of rows (``x_i^T diag(s) x_j``, that is ``u = sqrt(s) * x``),
    binary classes as their 0/1 codes (the reference's binary path takes
    the labels as given), each class of more than two coded +1 against -1
    for the others, and the error rate ``(1 - sqrt(z)) / 2`` with
    ``z`` clipped to [0, 1] (the reference lets a gradient of 0.01 through
    outside that range; here none passes).
    ``objective="neumann"``, the default, departs from it in three ways:

    - ``p`` is the ``K``-term Neumann series of ``S^{-1}`` around ``L``
      (``K = order``, ``l p(l) = 1 - (1 - l / L)^K``), ``L`` 1.25 times the
      largest eigenvalue of the covariance of the unmasked standardised
      features (power iteration on at most 4096 rows): every weight stays
      in [0, 1] and grows with ``l``, so shrinking a mask weight never
      raises ``z``; the fitted polynomial overshoots 1 (``l p(l)`` is
      about 1.11 at ``l = 0.5`` for order 4).
    - The mask is applied to both rows of a pair (``u = s * x``).
    - For classification each class's target is its standardised
      indicator, and the error rate is that of the best linear classifier
      under Gaussian features and a probit link,
      ``arccos(sqrt(pi z / 2)) / pi``.

    Departures from the reference in both objectives, with their reasons:

    - The penalty is ``sum(s) / min(n_features, n_samples)``, the mean
      mask when there are fewer features than rows; the reference's mean
      charges each feature ``w / n_features``, which vanishes against the
      learnability gain of any weakly relevant feature once there are many
      more features than rows, although a linear model on ``n`` rows uses
      at most ``n``. In ``benchmarks/results/feature_gradients_wide.md``
      the own choice on the Khan data (83 x 2,308) keeps 16 genes (macro-F1
      0.991), where the mean kept 1,323 (the file's first version, commit
      f68b132).

    - The sparsity weight ``w`` is 0.1; the reference uses ``C / (C + 1)``
      with ``C = 1``, that is 0.5 (``sparsity=0.5`` reproduces it). With
      ``n_features_to_select=None``, on planted problems of 20 columns and
      4 informative ones (3 seeds each), 0.5 kept 19 of the 24 informative
      columns and no noise, 0.1 kept 23 and one noise column.
    - The mask is trained by max-normalised gradient descent, not by Adam
      (learning rate 0.1 in the reference). Adam scales each coordinate by
      its own gradient history, so every mask logit whose gradient keeps
      its sign moves at the same speed: when many features carry some
      signal, the order of the mask reflects the consistency of each
      gradient, not its size. On the Khan gene-expression data (83 x 2,308,
      4 classes, 5-fold CV, 10 genes, logistic regression downstream) the
      genes kept under Adam ranked about 1,600th of 2,308 by ANOVA F
      (accuracy 0.43); with the normalised steps they rank about 18th
      (accuracy 0.99, as LASSO), with either objective.
    - :meth:`fit` stops once the selection settles instead of running a
      fixed budget (the reference runs one epoch by default), so large data
      sets take a few epochs and small ones 100 steps.

    The default objective is chosen by the numbers: with the normalised
    steps both reach 0.99 on the Khan data; in the quality benchmark
    (5 folds, 20/40/60 %% kept, linear, random forest and XGBoost
    downstream), the mean gap to the best classical selector on the
    ``regression``, ``wine``, ``classification`` and ``breast_cancer``
    sets is +0.000, -0.015, -0.008 and -0.006 for "neumann" and -0.039,
    -0.013, -0.008 and -0.005 for "reference", which keeps a weaker pair
    of the KAN paper's regression set (``make_regression(500, 10,
    n_informative=5, noise=0.1)``) on 2 of 5 folds at 20 %%; on planted
    problems of 20 columns "reference" missed one of 4 informative columns
    on one of 7 cases.

    :meth:`partial_fit` makes one pass over each chunk, continuing the
    mask and the batch generator, with the standardisation statistics
    of all the rows seen so far; fed in chunks of a multiple of
    ``batch_size * accumulation_steps`` rows with ``shuffle=False``, it
    meets the same batches as ``fit`` with ``max_epochs=1``, and differs
    only through the statistics of the first chunks. There, columns
    constant over all rows seen score 0; repeated columns are detected by
    :meth:`fit` only, which sees every row at once.

    The linear estimator cannot see a pure interaction such as
    ``y = x_0 x_1`` (no linear function of the features explains it).

    Nor, at a low ``order``, signal that lies along directions of small
    variance: a direction of eigenvalue ``l`` counts with weight ``l p(l)``,
    about ``K l / L`` for small ``l``, so where the features are strongly
    collinear (a spectrum, or repeated measurements of one quantity) and
    the target depends on their differences, the estimate barely moves
    when those features are masked. ``visible_signal_`` measures it: on
    the sampled rows, with ``b_i`` the target's coefficient along the
    eigenvector of eigenvalue ``l_i`` in the ridge fit (ridge 0.01), it
    is ``sum_i w(l_i) c_i / sum_i c_i`` with
    ``c_i = b_i^2 (l_i + 0.01)`` the direction's share of the fit and
    ``w(l) = l p(l)`` its weight in the estimate, averaged over the
    classes' indicators. A larger ``order`` raises the weight of a small
    direction only in proportion, and adds noise to the estimate. In the
    real-data suite (``benchmarks/results/real.md``, mean over 20/40/60 %%
    kept and two models) the two tables where Feature Gradients trails
    the best classical selector most, ``meats`` (a 100-channel NIR
    spectrum, by 0.374) and ``leaf_id_flavia`` (0.114), and
    ``hepatic_injury_qsar`` (0.047) have visible shares of 0.10, 0.35 and
    0.11 (``benchmarks/results/feature_gradients_visible.md``); the
    diagnostic is no verdict, though: ``pd_speech`` (0.32), ``ad_data``
    (0.24), ``permeability_qsar`` (0.47) and ``grants`` (0.44) are within
    0.003 of the best, and ``concrete`` (0.81) and ``hpc_data`` (0.89)
    trail by about 0.05 for other reasons. :meth:`fit` warns below
    ``VISIBLE_WARNING`` (0.4).

    Examples
    --------
    >>> import numpy as np
    >>> from featsel import FeatureGradientsSelector
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(1000, 10))
    >>> y = X[:, 1] - 2 * X[:, 7] + 0.5 * rng.normal(size=1000)
    >>> selector = FeatureGradientsSelector(random_state=0).fit(X, y)
    >>> np.flatnonzero(selector.support_)
    array([1, 7])
    """

    _parameter_constraints: dict = {
        **BaseTorchSelector._parameter_constraints,
        "sparsity": [Interval(Real, 0, 1, closed="left")],
        "order": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 2, None, closed="left")],
        "accumulation_steps": [Interval(Integral, 1, None, closed="left")],
        "objective": [StrOptions({"neumann", "reference"})],
        "shuffle": ["boolean"],
    }
    selection_depends_on_k = True
    own_choice = "the features whose mask ends at 0.5 or above"

    def __init__(
        self,
        n_features_to_select=None,
        *,
        task="auto",
        sparsity=0.1,
        order=4,
        objective="neumann",
        max_epochs=100,
        lr=0.1,
        batch_size=256,
        accumulation_steps=4,
        shuffle=True,
        device="cpu",
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.n_features_to_select = n_features_to_select
        self.task = task
        self.sparsity = sparsity
        self.order = order
        self.objective = objective
        self.max_epochs = max_epochs
        self.lr = lr
        self.batch_size = batch_size
        self.accumulation_steps = accumulation_steps
        self.shuffle = shuffle
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _fit_scores(self, X, y, uninformative):
        from ._torch._learnability import REFERENCE_MAX_ORDER

        if self.objective == "reference" and self.order > REFERENCE_MAX_ORDER:
            raise ValueError(
                f"order={self.order} is not available with objective='reference': "
                f"the reference's coefficients go up to order {REFERENCE_MAX_ORDER}."
            )
        # The warnings of _start point at the caller of fit.
        self._start(X, y, stacklevel=5)
        initial_state = self._state
        self.n_epochs_ = 0
        self._train_until_settled(X, y)
        if self.n_features_to_select_ is not None:
            self._search_sparsity(X, y, self.n_features_to_select_, initial_state)
        return self.mask_.copy()

    def _search_sparsity(self, X, y, k, initial_state):
        """Raise the sparsity weight step by step until at most ``k`` masks stay open.

        One training afresh from ``initial_state`` (every mask at 0.5),
        since a mask trained into saturation moves back slowly whatever its
        signal: the weight rises at every step (``SPARSITY_GROWTH``), so the
        weakest features close first, before the others saturate. It stops
        at the end of the first epoch that leaves at most ``k`` masks open,
        or once it has taken as many steps as the first training.
        """
        if np.count_nonzero(self.mask_ >= 0.5) <= k:
            return
        budget = self.n_steps_
        trained = (self._state, self.mask_, self.sparsity_)
        self._state = initial_state
        self.mask_ = np.full_like(self.mask_, 0.5)
        first_epoch = True
        while np.count_nonzero(self.mask_ >= 0.5) > k and self.n_steps_ < 2 * budget:
            self._train(X, y, 1, growth=SPARSITY_GROWTH)
            self.n_epochs_ += 1
            if first_epoch and np.count_nonzero(self.mask_ >= 0.5) < k:
                # The penalty closed nearly every mask in the first epoch:
                # their order is the first gradients', and the masks trained
                # at the weight ``sparsity`` rank better.
                self._state, self.mask_, self.sparsity_ = trained
                return
            first_epoch = False

    def _train_until_settled(self, X, y):
        """Train for ``max_epochs``, or until the selection stops changing."""
        selected = None
        start_steps, start_epochs = self.n_steps_, self.n_epochs_
        while self.n_epochs_ - start_epochs < self.max_epochs:
            self._train(X, y, 1)
            self.n_epochs_ += 1
            previous, selected = selected, self._provisional_selection()
            if self.n_steps_ - start_steps >= MIN_STEPS and np.array_equal(
                selected, previous
            ):
                break

    def _provisional_selection(self):
        """The features the current mask would select, as a sorted array."""
        k = self.n_features_to_select_
        if k is None:
            return np.flatnonzero(self.mask_ >= 0.5)
        return np.sort(np.argsort(-self.mask_, kind="stable")[:k])

    def _default_n_features_to_select(self, scores, uninformative):
        return max(1, int(np.count_nonzero(scores >= 0.5)))

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Make one pass over a chunk of rows, continuing the optimisation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A chunk of training rows.

        y : array-like of shape (n_samples,)
            Their targets.

        classes : array-like of shape (n_classes,), default=None
            Every class label, needed on the first call for classification
            when the first chunk may lack some classes; ignored afterwards.

        Returns
        -------
        self : object
            The selector, with ``scores_``, ``ranking_`` and ``support_``
            updated.
        """
        first = not hasattr(self, "_state")
        # One row is a chunk too; the rows seen together decide the rest.
        X, y = self._check_X_y(X, y, reset=first, ensure_min_samples=1)
        if first:
            # Fixed by the first chunk (or by fit): every chunk is scaled
            # alike.
            self._input_shifts = extreme_column_shifts(X)
        X = scale_extreme_columns(X, self._input_shifts)
        y = self._partial_target(y, classes, first)
        self.n_features_to_select_ = self._requested_n_features_to_select()
        if first:
            self._start(X, y, stacklevel=4)
        else:
            self._update_statistics(X, y)
        self._train(X, y, 1)
        # Constant and repeated on every row seen, as fit's are on its rows.
        constant = self.var_ == 0
        repeated = self._first_equal_columns != np.arange(self.n_features_in_)
        self._finish_fit(
            self.mask_.copy(), constant, constant | repeated, self.n_samples_seen_
        )
        return self

    def _partial_target(self, y, classes, first):
        """Check and encode the targets of a chunk (class codes or floats)."""
        if first:
            if classes is None or self.task == "regression":
                return self._validate_target(y)
            self.task_ = "classification"
            self._set_classes(np.unique(classes), source="classes")
        if self.task_ == "regression":
            return self._check_regression_target(y)
        check_classification_targets(y)
        codes = np.searchsorted(self.classes_, y).clip(0, self.classes_.size - 1)
        unknown = self.classes_[codes] != y
        if np.any(unknown):
            raise ValueError(
                f"y has labels not seen in the first call: {np.unique(y[unknown])}; "
                "pass every label as `classes` on the first call to partial_fit."
            )
        return codes

    def _start(self, X, y, stacklevel):
        """Fresh statistics, mask, optimiser and generator from the first rows.

        ``stacklevel`` of a warning, counted from this method, that points
        at the user's call.
        """
        from ._torch._learnability import start_mask

        seed = self._draw_seeds()
        self.n_samples_seen_ = 0
        # Every column equal to the first on no rows yet.
        self._first_equal_columns = np.zeros(X.shape[1], dtype=np.intp)
        self.mean_ = np.zeros(X.shape[1])
        self.var_ = np.zeros(X.shape[1])
        self._max_abs = np.zeros(X.shape[1])
        self._target_sum = np.zeros(self._n_targets())
        self._target_sum_squares = np.zeros(self._n_targets())
        self._update_statistics(X, y)
        largest, self._state = start_mask(
            X,
            self._standardizer(),
            seed=seed,
            n_rows=SPECTRUM_ROWS,
            work=self._work(X),
            n_threads=self._n_threads(),
        )
        margin = SPECTRUM_MARGIN if self.objective == "neumann" else 1.0
        self.spectrum_bound_ = margin * largest
        self.visible_signal_ = self._visible_signal(X, y, seed)
        if self.visible_signal_ < VISIBLE_WARNING:
            warnings.warn(
                f"The learnability estimate of order {self.order} sees "
                f"{self.visible_signal_:.0%} of the linear signal in these "
                "features: the rest lies along directions of small variance "
                "(strongly collinear columns, such as a spectrum), which it "
                "weighs near 0, so Feature Gradients may rank the columns "
                "that carry it low: compare its selection with LassoSelector's "
                "or SVMRFESelector's, which do not have this limit (see the "
                "Notes of FeatureGradientsSelector).",
                UserWarning,
                stacklevel=stacklevel,
            )
        self.mask_ = np.full(X.shape[1], 0.5)
        self.sparsity_ = self.sparsity
        self.n_steps_ = 0

    def _visible_signal(self, X, y, seed):
        """:attr:`visible_signal_` on up to ``SPECTRUM_ROWS`` sampled rows."""
        from ._torch._learnability import visible_signal

        rows = np.random.default_rng(seed).permutation(X.shape[0])[:SPECTRUM_ROWS]
        rows = np.sort(rows)
        features = self._standardizer().transform(np.asarray(X[rows], np.float64))
        targets = self._raw_targets(y[rows])
        targets = targets - targets.mean(axis=0)
        return visible_signal(
            features,
            targets,
            objective=self.objective,
            order=self.order,
            bound=self.spectrum_bound_,
        )

    def _n_targets(self):
        if self.task_ == "regression" or self.classes_.size == 2:
            return 1
        return self.classes_.size

    def _work(self, X):
        """Multiply-adds of one step's learnability estimate."""
        rows = min(X.shape[0], self.batch_size)
        return rows * X.shape[1] * self.order * self._n_targets()

    def _update_statistics(self, X, y):
        """Merge the rows' feature and target statistics into the running ones."""
        self._first_equal_columns = refine_equal_columns(self._first_equal_columns, X)
        for start in range(0, X.shape[0], STATISTICS_BLOCK_ROWS):
            block = np.asarray(X[start : start + STATISTICS_BLOCK_ROWS], np.float64)
            n_old, n_new = self.n_samples_seen_, block.shape[0]
            total = n_old + n_new
            block_mean = block.mean(axis=0)
            block_var = block.var(axis=0)
            delta = block_mean - self.mean_
            # Chan et al.'s pairwise update of the mean and the variance.
            self.var_ = (
                n_old * self.var_ + n_new * block_var + delta**2 * n_old * n_new / total
            ) / total
            self.mean_ = self.mean_ + delta * n_new / total
            self._max_abs = np.maximum(self._max_abs, np.abs(block).max(axis=0))
            self.n_samples_seen_ = total
        targets = self._raw_targets(y)
        self._target_sum += targets.sum(axis=0)
        self._target_sum_squares += (targets**2).sum(axis=0)

    def _raw_targets(self, y):
        """Regression targets, or class indicators (one column if binary)."""
        if self.task_ == "regression":
            return np.asarray(y, dtype=np.float64)[:, None]
        indicators = (y[:, None] == np.arange(self.classes_.size)).astype(np.float64)
        return indicators[:, 1:] if self.classes_.size == 2 else indicators

    def _standardizer(self):
        return Standardizer.from_moments(self.mean_, np.sqrt(self.var_), self._max_abs)

    def _targets(self, y):
        """Standardised targets with the statistics of every row seen so far.

        The reference objective takes binary classes as their 0/1 codes and
        codes each class of more than two as +1 and the others as -1
        instead.
        """
        if self.objective == "reference" and self.task_ == "classification":
            if self.classes_.size == 2:
                return self._raw_targets(y).astype(np.float32)
            return (2 * self._raw_targets(y) - 1).astype(np.float32)
        n = self.n_samples_seen_
        mean = self._target_sum / n
        var = np.maximum(self._target_sum_squares / n - mean**2, 0.0)
        scale = np.where(var > 0, np.sqrt(var), 1.0)
        return ((self._raw_targets(y) - mean) / scale).astype(np.float32)

    def _train(self, X, y, epochs, growth=1.0):
        """Run ``epochs`` passes over the rows from the stored state.

        With ``growth < 1``, every optimiser step shrinks ``1 - sparsity_``
        by that factor.
        """
        from ._torch._learnability import train_mask

        self._state, logits, self.sparsity_ = train_mask(
            X,
            self._targets(y),
            self._state,
            standardizer=self._standardizer(),
            task=self.task_,
            objective=self.objective,
            order=self.order,
            spectrum_bound=self.spectrum_bound_,
            sparsity=self.sparsity_,
            lr=self.lr,
            batch_size=self.batch_size,
            epochs=epochs,
            accumulation_steps=self.accumulation_steps,
            shuffle=self.shuffle,
            work=self._work(X),
            n_threads=self._n_threads(),
            device=self.device,
            verbose=self.verbose,
            n_penalized=min(X.shape[1], self.n_samples_seen_),
            growth=growth,
        )
        n_batches = -(-X.shape[0] // self.batch_size)
        self.n_steps_ += epochs * -(-n_batches // self.accumulation_steps)
        # In float64: a float32 sigmoid is exactly 1 beyond a logit of
        # about 8, and saturated features would tie on the column index.
        self.mask_ = 1 / (1 + np.exp(-2 * logits))
