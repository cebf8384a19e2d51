"""Feature selection with Kolmogorov-Arnold networks (KAN-L1, L2, SI, KO)."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import _held_out_split, draw_seeds
from ._docstring import shared_docs
from ._optional import import_optional
from ._torch_base import BaseTorchSelector

#: Largest default number of hidden units: the paper's ``2 * n_features + 1``
#: is kept on narrow data.
MAX_DEFAULT_HIDDEN_UNITS = 64

#: Largest number of first-layer edges (inputs x hidden units) of the
#: default width: 64 hidden units up to 800 inputs, fewer beyond, so that
#: the first layer's multiply-adds per row stay constant on wider data (up
#: to 6,400 inputs, where the fewest units are reached; see
#: ``hidden_units``).
MAX_DEFAULT_FIRST_LAYER_EDGES = 64 * 800

#: Fewest hidden units of the default width, however wide the data.
MIN_DEFAULT_HIDDEN_UNITS = 8

#: ``lr="auto"``: Adam's learning rate up to ``AUTO_LR_FEATURES`` features,
#: scaled by ``sqrt(AUTO_LR_FEATURES / n_features)`` beyond (see ``lr``).
AUTO_LR = 0.01
AUTO_LR_FEATURES = 200

#: Folds of ``cv=None``: scikit-learn's default.
DEFAULT_CV = 5

#: The parameters passed on as they are to the training of the networks
#: (:func:`featsel._torch._kan_training.fit_folds`).
_TRAINING_PARAMETERS = (
    "method",
    "grid_size",
    "spline_order",
    "sparsity",
    "patience",
    "max_epochs",
    "batch_size",
    "validation_fraction",
    "backend",
    "device",
    "verbose",
)


@shared_docs
class KANSelector(BaseTorchSelector):
    """Select features with the splines of a Kolmogorov-Arnold network.

    A two-layer Kolmogorov-Arnold network (KAN) is trained on the task, and
    each input feature is scored by the learned functions on its edges into
    the hidden layer, or by the network's dependence on it, always measured
    on rows the network was not trained on. With ``cv=5`` the network is
    trained on four folds and scored on the fifth, five times, and the
    normalised scores are averaged.

    Parameters
    ----------
    n_features_to_select : int, float or None, default=None
        Number of features to select: an int is a count, a float in (0, 1] a
        fraction of the features (rounded up). None keeps half of the features
        (rounded up): the spline importances give a ranking but no count of
        their own. To choose the count from the data, wrap the selector in
        :class:`SelectorCV` (one fit per fold) or :class:`StabilitySelector`.

    method : {"l2", "l1", "si", "ko"}, default="l2"
        The score: "l1" and "l2" are the mean absolute and root mean square
        edge activations, "si" the sensitivity integral (input gradient) and
        "ko" the knock-out loss increase; see Notes.

    %(task)s

    hidden_units : int or None, default=None
        Number of hidden nodes. None uses the paper's ``2 * n_features + 1``,
        capped at 64, and above 800 features at ``51200 // n_features`` (at
        least 8): 32 hidden units at 1,600 features, 16 at 3,200, so that
        the first layer's multiply-adds stay constant on wider data, up to
        6,400 features (see Notes).

    grid_size : int, default=5
        Number of knot intervals of each spline over the range of its input.

    spline_order : int, default=3
        Polynomial order of the splines (3: cubic).

    sparsity : float, default=0.03
        Strength of the group-lasso penalty on each input's first-layer
        edges (see Notes): without it the edges of useless inputs keep their
        random initial size, which the L1 and L2 scores would read as
        importance.

    patience : int, default=20
        Epochs without a better early-stopping loss (on
        ``validation_fraction`` of the training rows) before training
        stops; the weights of the best epoch are restored.

    max_epochs : int, default=200
        Maximum number of passes over the training rows.

    lr : float or "auto", default=0.01
        Learning rate of the Adam optimiser. "auto" scales it with the
        number of features ``d``: ``0.01 * min(1, sqrt(200 / d))``. Adam
        moves every first-layer weight by about ``lr`` a step whatever its
        gradient, so the weights of useless inputs, which the penalty keeps
        near 0, jitter by about ``lr`` and add noise of order
        ``lr * sqrt(d)`` to each hidden unit; on wide data that noise slows
        the training (see Notes).

    batch_size : int or None, default=512
        Rows per gradient step; None, or at least the number of training
        rows, trains full-batch.

    cv : int, "holdout" or None, default=5
        Number of folds (stratified for classification where every class
        has that many rows): one network per fold, trained on the other
        folds and scored on its own; None means 5, as in scikit-learn.
        "holdout" trains a single network, scored on
        ``validation_fraction`` of the rows held out once: five times
        faster than 5 folds.

    validation_fraction : float, default=0.2
        Fraction of each network's training rows set aside to decide early
        stopping (stratified for classification where possible), so that
        the rows the network is scored on play no part in its training.
        With ``cv="holdout"`` the same fraction of all rows is first held
        out for scoring.

    backend : {"torch", "pykan"}, default="torch"
        "torch" uses featsel's own KAN; "pykan" computes the same scores on
        a ``kan.KAN`` from the pykan package (extra ``featsel[kan]``),
        trained by the same loop. Both need torch (extra ``featsel[nn]``).

    %(device)s

    %(n_jobs)s

    random_state : int, RandomState instance or None, default=None
        Seed of the folds, the initial weights and the mini-batches. The
        caller's global random state (torch, numpy, :mod:`random`) is left as
        it was.

    verbose : int, default=0
        0 is silent; ``k > 0`` prints each fold and the held-out loss every
        ``k`` epochs.

    Attributes
    ----------
    scores_ : ndarray of shape (n_features_in_,)
        Importance of each feature: the mean over folds of each fold's
        scores normalised to sum to 1, normalised again, so it sums to 1.

    ranking_ : ndarray of shape (n_features_in_,)
        Strict rank of each feature (1 is best, ties broken by column index).

    %(support_)s

    %(n_features_to_select_)s

    scores_per_fold_ : ndarray of shape (n_splits, n_features_in_)
        Raw (unnormalised) scores of each fold's network.

    networks_ : list of torch.nn.Module
        The trained network of each fold, on the CPU, so that a fitted
        selector pickles and loads without a GPU. Each takes inputs
        standardised with the statistics in its buffers ``input_mean`` and
        ``input_scale``. With ``backend="pykan"`` the ``kan.KAN`` is
        converted to the equivalent featsel network (pykan's models cannot
        be pickled).

    n_epochs_ : ndarray of shape (n_splits,)
        Number of epochs each network was trained for.

    hidden_units_ : int
        The number of hidden units used.

    lr_ : float
        The learning rate used: ``lr``, or the one ``lr="auto"`` chose.

    %(task_)s

    %(n_features_in_)s

    See Also
    --------
    LassoSelector : Sparse linear coefficients.
    RandomForestSelector : Permutation importance of a random forest.

    Notes
    -----
    Method of "Splines-Based Feature Importance in Kolmogorov-Arnold
    Networks: A Framework for Supervised Tabular Data Dimensionality
    Reduction" (arXiv 2509.23366). The network has widths
    ``[n_features, hidden_units, n_outputs]`` (one logit per class, or one
    output for regression) and every edge of the first layer computes

    ``phi[n, i, o] = w_base[i, o] * silu(x[n, i])
    + s[i, o] * sum_k c[i, o, k] * B_k(x[n, i])``

    with ``B_k`` the B-spline basis of order ``spline_order``. Inputs (and
    regression targets) are standardised with the training rows'
    statistics. With ``N`` held-out rows and ``H`` hidden nodes the scores
    of feature ``i`` are

    - KAN-L1: ``sum_{n,o} |phi[n, i, o]| / (N H)``;
    - KAN-L2: ``sqrt(sum_{n,o} phi[n, i, o]^2 / (N H))``;
    - KAN-SI: ``sum_n |d/dx[n, i] sum_o |f_o(x[n])|| / N``, ``f`` the
      network's outputs;
    - KAN-KO: ``max(0, L_i - L)``, where ``L`` is the held-out loss
      (cross-entropy or mean squared error) and ``L_i`` the same loss with
      every first-layer edge of feature ``i`` zeroed (no retraining).

    The training departs from the paper's reference code, which trains
    ``[d, 2d + 1, C]`` networks with 2 knot intervals of linear splines
    fixed on [-1, 1], Adam at learning rate 0.001 on mini-batches of 64
    rows for exactly 100 epochs, without penalty, and scores each network
    on the held-out rows of its fold. Each departure is deliberate:

    - The knots follow the data: they mix the training quantiles with an
      even spacing of the training range, where the reference's fixed
      knots leave the splines inert on standardised inputs beyond [-1, 1].
      The first layer's knots are set once (its input never changes); the
      hidden layer's are refitted to its moving input, keeping the learned
      functions, every 5 epochs up to epoch 50, as pykan's own training
      does (the pykan backend runs pykan's update on both layers).
    - ``grid_size=5`` and cubic splines (``spline_order=3``) instead of 2
      intervals of linear splines, so that one edge can bend more than
      once: with two oscillating effects (``sin(3 x)``, ``cos(3 x)``) among
      10 noise columns, the paper's grid found both on 2 of 5 seeds, the
      default on 5 of 5 (4 of 5 for KAN-KO).
    - A group-lasso penalty ``sparsity * sum_i ||theta_i||_2`` over the
      first-layer parameters ``theta_i`` of each input (base weights and
      scaled spline coefficients): without it the edges of useless inputs
      keep their random initial size, which KAN-L1 and KAN-L2 read as
      importance, and the network fits noise: without it the two columns
      of a pure interaction ranked first and second on 1 of 5 seeds (0 of
      5 for KAN-SI), with it on 5 of 5.
    - Adam at learning rate 0.01 on mini-batches of 512 rows, stopped when
      the loss on ``validation_fraction`` of the training rows has not
      improved for ``patience`` epochs (at most ``max_epochs``), the best
      weights restored: on 500 rows about 10 times fewer steps than 100
      epochs of 64-row batches (a fit about twice as fast in all), with as
      good a recall of planted features, and a training length that adapts
      to the data. The early-stopping rows are taken from the training
      rows, never from the scoring rows, so that the restored weights were
      not chosen for the rows that score them.
    - ``hidden_units`` defaults to the paper's ``2d + 1`` capped at 64, and
      at ``51200 // d`` (at least 8) above 800 features, so that the first
      layer's size stops growing with ``d`` on wide data (below).
    - With ``cv`` folds the scores of the ``cv`` networks are averaged, a
      steadier ranking than one network's.

    On wide data a fit's time is set by the first layer's matrix products
    and the number of epochs; both grow with ``d``. The default width
    bounds the first product: up to 800 features it has 64 hidden units,
    beyond it ``51200 // d`` (at least 8), so that its multiply-adds stay
    constant up to 6,400 features (the measured time of an epoch still
    grows, by 1.6 times from 800 to 3,200 features: a product with 16
    outputs does its multiply-adds at a lower rate than one with 64). In
    ``benchmarks/results/kan_wide.md`` (``make_classification(2000, d)``,
    KAN-L2, one thread) a fit took 17.3 s at ``d = 800`` and 58.9 s at
    ``d = 3200`` with 16 hidden units (growth exponent 0.88), against
    140.2 s with 64, with a recall of 0.8 of the 10 informative columns in
    the top 10 in all three; the five networks trained 462 epochs in all
    there, whose first-layer products alone take 30.5 s. With
    ``n_jobs=2`` the same fit took 30.8 s. On the two tables of
    the real-data suite wider than 800 columns the bounded width scored as
    64 units did, within 0.005 (``benchmarks/results/kan_width.md``).
    ``lr="auto"`` (0.0025 at ``d = 3200``) trains 344 epochs in 50.2 s
    there, with the same recall. On the real-data suite's tables of 314 to
    1,623 columns (``benchmarks/results/kan_auto_lr.md``, run with 64
    hidden units on every table) its mean scores differ from the default's
    by -0.022 (KAN-L2 on ``pd_speech``) to +0.032 (KAN-SI on
    ``permeability_qsar``, whose :math:`R^2` varies by 0.9 between folds),
    and it was not faster everywhere (KAN-SI on ``grants``: 18.9 s a fit
    against 9.4 s), so the default stays 0.01.

    With the torch backend, when every fold trains full-batch and the
    first-layer features of all folds fit in memory, the ``cv`` networks are
    trained side by side in one network whose every operation does the work
    of all of them; each keeps its own rows, early stopping and grid
    refits, and a network that stops leaves the others to train on alone.
    It is the computation of training them one by one, in another order of
    float32 rounding (on runs of a few hundred epochs the two can drift
    apart by an epoch of early stopping); on data of a few hundred rows a
    fit is up to twice as fast.

    If every score is 0 (KAN-KO on data without signal), the scores are
    uniform and a warning is raised. Features constant on the data, or
    exact copies of an earlier column, get score 0.

    Examples
    --------
    >>> import numpy as np
    >>> from featsel import KANSelector
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 6))
    >>> y = X[:, 0] + np.sin(2 * X[:, 1]) + 0.1 * rng.normal(size=300)
    >>> selector = KANSelector(2, method="si", cv="holdout", random_state=0)
    >>> np.flatnonzero(selector.fit(X, y).support_)
    array([0, 1])
    """

    _parameter_constraints: dict = {
        **BaseTorchSelector._parameter_constraints,
        "method": [StrOptions({"l1", "l2", "si", "ko"})],
        "hidden_units": [None, Interval(Integral, 1, None, closed="left")],
        "grid_size": [Interval(Integral, 1, None, closed="left")],
        "spline_order": [Interval(Integral, 0, None, closed="left")],
        "sparsity": [Interval(Real, 0, None, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "cv": [
            None,
            Interval(Integral, 2, None, closed="left"),
            StrOptions({"holdout"}),
        ],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "lr": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "backend": [StrOptions({"torch", "pykan"})],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        method="l2",
        task="auto",
        hidden_units=None,
        grid_size=5,
        spline_order=3,
        sparsity=0.03,
        patience=20,
        max_epochs=200,
        lr=0.01,
        batch_size=512,
        cv=5,
        validation_fraction=0.2,
        backend="torch",
        device="cpu",
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.n_features_to_select = n_features_to_select
        self.method = method
        self.task = task
        self.hidden_units = hidden_units
        self.grid_size = grid_size
        self.spline_order = spline_order
        self.sparsity = sparsity
        self.patience = patience
        self.max_epochs = max_epochs
        self.lr = lr
        self.batch_size = batch_size
        self.cv = cv
        self.validation_fraction = validation_fraction
        self.backend = backend
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _fit_scores(self, X, y, uninformative):
        if self.backend == "pykan":
            import_optional("kan", extra="kan")
        random_state = check_random_state(self.random_state)
        splits = self._splits(X, y, random_state)
        n_features = X.shape[1]
        self.hidden_units_ = (
            self.hidden_units
            if self.hidden_units is not None
            else default_hidden_units(n_features)
        )
        self.lr_ = (
            AUTO_LR * min(1.0, np.sqrt(AUTO_LR_FEATURES / n_features))
            if self.lr == "auto"
            else self.lr
        )
        seeds = self._draw_seeds(random_state, size=len(splits))
        from ._torch._kan_training import fit_folds

        fitted = fit_folds(
            X,
            y,
            splits,
            seeds,
            task=self.task_,
            n_outputs=self._n_outputs(),
            hidden_units=self.hidden_units_,
            n_threads=self._n_threads(),
            lr=self.lr_,
            **{name: getattr(self, name) for name in _TRAINING_PARAMETERS},
        )
        fold_scores, networks, n_epochs = zip(*fitted, strict=True)
        self.networks_ = list(networks)
        self.scores_per_fold_ = np.vstack(fold_scores)
        self.n_epochs_ = np.asarray(n_epochs)
        # The base class zeroes these columns' scores; zero them before
        # normalising so that scores_ still sums to 1.
        return self._combine(self.scores_per_fold_, uninformative)

    def _splits(self, X, y, random_state):
        """(train, held-out) row indices of each network."""
        n_samples = X.shape[0]
        classification = self.task_ == "classification"
        n_splits = DEFAULT_CV if self.cv is None else self.cv
        if n_splits != "holdout":
            if n_samples < n_splits:
                raise ValueError(
                    f"cv={n_splits} folds need at least {n_splits} samples, "
                    f"got {n_samples}; pass a smaller cv, or cv='holdout' for "
                    "one held-out split of validation_fraction of the rows."
                )
            stratify = classification and np.bincount(y).min() >= n_splits
            splitter = (StratifiedKFold if stratify else KFold)(
                n_splits=n_splits,
                shuffle=True,
                random_state=draw_seeds(random_state),
            )
            splits = list(splitter.split(X, y))
        else:
            train, held_out = _held_out_split(
                y,
                self.validation_fraction,
                draw_seeds(random_state),
                stratify=classification,
            )
            splits = [(np.sort(train), np.sort(held_out))]
        n_train = min(train.size for train, _ in splits)
        if n_train < 2:
            raise ValueError(
                f"A network needs at least 2 training rows, one of them for "
                f"early stopping; with {n_samples} samples and cv={n_splits!r} "
                f"a network gets {n_train}. Pass more samples"
                + ("." if n_splits == "holdout" else " or a smaller cv.")
            )
        return splits

    def _combine(self, fold_scores, uninformative):
        """Average the folds' normalised scores; the result sums to 1."""
        fold_scores = np.where(uninformative, 0.0, fold_scores)
        totals = fold_scores.sum(axis=1, keepdims=True)
        normalised = np.divide(
            fold_scores,
            totals,
            out=np.zeros_like(fold_scores),
            where=totals > 0,
        )
        scores = normalised.mean(axis=0)
        if scores.sum() > 0:
            return scores / scores.sum()
        warnings.warn(
            f"Every KAN-{self.method.upper()} score is 0: the network found "
            "no signal in the features; the scores are set uniform.",
            UserWarning,
            stacklevel=4,
        )
        # Spread over the columns that may carry signal (none if every
        # column is constant).
        candidates = (~uninformative).astype(np.float64)
        return candidates / max(candidates.sum(), 1.0)

    def plot_scores(self, ax=None):
        """Bar chart of the scores, best first, selected features highlighted.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Axes to draw on; None creates a new figure.

        Returns
        -------
        ax : matplotlib Axes
        """
        check_is_fitted(self)
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(max(4.0, 0.35 * self.n_features_in_), 3.5))
        names = getattr(
            self,
            "feature_names_in_",
            np.array([f"x{i}" for i in range(self.n_features_in_)], dtype=object),
        )
        order = np.argsort(self.ranking_)
        colors = np.where(self.support_[order], "tab:blue", "tab:gray")
        ax.bar(np.arange(order.size), self.scores_[order], color=colors)
        ax.set_xticks(np.arange(order.size), names[order], rotation=90)
        ax.set_ylabel("score")
        ax.set_title(f"KAN-{self.method.upper()} feature scores")
        return ax


def default_hidden_units(n_features):
    """The number of hidden units of ``hidden_units=None``.

    The paper's ``2 * n_features + 1``, at most
    :data:`MAX_DEFAULT_HIDDEN_UNITS`, and at most
    :data:`MAX_DEFAULT_FIRST_LAYER_EDGES` edges in the first layer (but never
    fewer than :data:`MIN_DEFAULT_HIDDEN_UNITS` units).
    """
    by_edges = max(
        MIN_DEFAULT_HIDDEN_UNITS, MAX_DEFAULT_FIRST_LAYER_EDGES // n_features
    )
    return min(2 * n_features + 1, MAX_DEFAULT_HIDDEN_UNITS, by_edges)
