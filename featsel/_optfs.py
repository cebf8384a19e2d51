"""OptFS: learnable feature gates trained by continuation."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import (
    SelectionResult,
    _has_strings,
    extreme_column_shifts,
    scale_extreme_columns,
)
from ._docstring import shared_docs
from ._preprocessing import Standardizer
from ._torch_base import BaseTorchSelector

#: The parameters passed on as they are to the training of the network
#: (:func:`featsel._torch._gated_embedding.fit_gates`).
_TRAINING_PARAMETERS = (
    "embedding_dim",
    "head",
    "hidden_units",
    "sparsity",
    "final_temperature",
    "max_epochs",
    "lr",
    "weight_decay",
    "batch_size",
    "device",
    "verbose",
)


@shared_docs
class OptFSSelector(BaseTorchSelector):
    """Select features with learnable gates trained by continuation.

    Every numeric column, and every category value of a categorical column,
    has a gate in front of its embedding in a small network trained on the
    task. A penalty on the relaxed gates (a category value's weighted by
    its share of the rows) closes the gates that do not pay for themselves,
    while the relaxation sharpens from a sigmoid to a step over the epochs
    (learning by continuation). A column is kept if its gate, or the gate
    of any of its categories, ends open; the open columns are ranked by the
    trained network's permutation importance.

    Categorical columns need no prior encoding: columns of a DataFrame with
    ``category``, ``object`` (holding strings) or ``string`` dtype, and
    object array columns holding strings, are categorical. Missing values
    are accepted: a missing category is a category of its own, a missing
    number is replaced by the column mean.

    Parameters
    ----------
    n_features_to_select : int, float or None, default=None
        Number of features to select: an int is a count, a float in (0, 1] a
        fraction of the features (rounded up). None keeps the columns with
        an open gate (at least one).

    %(task)s

    sparsity : float, default=0.003
        Weight ``lambda`` of the gate penalty ``sum w sigmoid(beta * m)``
        (see Notes), added to the mean task loss. The default suits tens of
        columns and hundreds to thousands of rows; see Notes to tune it.

    weight_decay : float, default=1e-3
        L2 penalty (Adam's weight decay) on the embeddings and the head, not
        on the gates. A gate multiplies its column's embedding: without the
        decay the network loses nothing by growing the embedding while the
        gate penalty shrinks the gate, and useful gates close as well.

    final_temperature : float, default=100.0
        Temperature ``beta`` of the last epoch; it grows geometrically from 1.

    head : {"mlp", "fm"}, default="mlp"
        The network on the gated field embeddings: an MLP with one hidden
        layer, or a factorization machine, whose pairwise terms are gated by
        the product of the two gates.

    embedding_dim : int, default=8
        Size of each field embedding.

    hidden_units : int, default=64
        Width of the MLP's hidden layer (unused with ``head="fm"``).

    max_epochs : int, default=100
        Passes over the data; the whole continuation runs (no early
        stopping).

    lr : float, default=0.01
        Learning rate of the Adam optimiser.

    batch_size : int or None, default=256
        Rows per gradient step; None trains full-batch.

    %(device)s

    %(n_jobs)s

    random_state : int, RandomState instance or None, default=None
        Seed of the initial weights and the mini-batches. The caller's
        global random state (torch, numpy, :mod:`random`) is left as it was.

    verbose : int, default=0
        0 is silent; ``k > 0`` prints the training loss every ``k`` epochs.

    Attributes
    ----------
    scores_ : ndarray of shape (n_features_in_,)
        Permutation importance of each column with an open gate: the mean
        increase of the training loss of the trained network over 20
        shuffles of the column among the rows (0 if negative); 0 for the
        columns whose gates closed.

    ranking_ : ndarray of shape (n_features_in_,)
        Strict rank of each feature (1 is best): the open columns by
        ``scores_``, then the others by gate logit (ties broken by column
        index).

    %(support_)s

    %(n_features_to_select_)s

    gate_logits_ : ndarray of shape (n_features_in_,)
        Final gate logit ``m`` of each column (the largest over its
        categories for a categorical column); above 0 means an open gate.

    category_gates_ : dict
        For each categorical column (by name, or index without names), a
        ``pandas.Series`` of the gate logits of its categories; ``NaN``
        indexes the missing category.

    categorical_ : ndarray of shape (n_features_in_,)
        Mask of the columns treated as categorical.

    network_ : torch.nn.Module
        The trained network, on the CPU.

    %(task_)s

    %(n_features_in_)s

    See Also
    --------
    SequentialAttentionSelector : Greedy selection by attention weights.
    FeatureGradientsSelector : Gradient search of a soft feature mask.
    LassoSelector : Sparse linear coefficients.

    Notes
    -----
    Lyu et al., "Optimizing Feature Set for Click-Through Rate Prediction",
    WWW 2023, adapted to tabular data. Each numeric column ``j`` contributes
    the field vector ``g_j x_j e_j``, each categorical column the vector
    ``g_v e_v`` of its value ``v``, with embeddings ``e`` and gates

    ``g = sigmoid(beta * m) / sigmoid(m_0)``,  ``m`` starting at ``m_0 = 0.5``.

    The loss is

    ``task loss + lambda * (sum_j sigmoid(beta * m_j)
    + sum_v p_v sigmoid(beta * m_v))``

    (cross-entropy, or squared error on the standardised target; ``j`` runs
    over the numeric columns, ``v`` over the category values, ``p_v`` the
    share of rows with value ``v``), and Adam decays the embeddings and the
    head by ``weight_decay``. The temperature follows
    ``beta_e = final_temperature^((e - 1) / (E - 1))`` over the ``E``
    epochs, so the gates end almost binary: the gate of ``m > 0`` is open,
    ``m < 0`` closed. With the factorization machine head the pairwise term
    ``<g_i e_i, g_j e_j>`` is gated by ``g_i g_j``: a closed gate removes
    the feature and all its interactions.

    Departures from the paper, whose data are click logs of categorical
    fields (numeric fields bucketised) with millions of rows and values:

    - Numeric columns are standardised and keep their values: one gate and
      one embedding per column, scaled by the value.
    - The penalty of a category value's gate is weighted by its share of
      the rows. A value's gate sees the loss of its own rows only, so at
      full weight the gates of an 8-level column each paid a whole
      column's penalty for an eighth of its rows: an informative 8-level
      column ended with every gate closed on 3 of 4 planted problems, while
      the same information as one numeric column stayed open. Weighted,
      the open gates of a column cost at most what one numeric gate costs.
    - ``weight_decay`` is 1e-3 where the paper's code decays
      the same weights (not the gates) by 1e-6 to 3e-5: with few rows the
      network otherwise compensates a shrinking gate by growing the weights
      behind it, and the penalty closed almost every gate (one column kept
      out of 50 on ``make_classification`` with 2,000 rows and 10
      informative columns).
    - ``sparsity`` is far larger than the paper's 1e-9 to 1e-8, which suit
      millions of gates and rows, and the continuation runs 100 epochs to
      a final temperature of 100 (the paper: 5 to 20 epochs, 100 to
      10,000) with learning rate 0.01 on batches of 256 rows (the paper:
      3e-4 to 3e-5 on 4,096).
    - The paper's second stage (retraining with the final gates) is not
      needed to select features and is not run.
    - The paper keeps the open gates and needs no order among them; to
      keep ``k`` columns when more gates are open, they are ranked by the
      trained network's permutation importance on the training rows, not
      by their logits. An open gate saturates as the temperature grows, so
      its logit stops moving early in the continuation and its rank
      reflects the first epochs. Ranked by logit, OptFS lost 0.046 to the
      best classical baseline on ``friedman1`` (the quadratic term ranked
      above the linear one) and 0.025 on ``wine`` in the quality benchmark
      (``benchmarks/results/quality.md``: 5 folds, 20, 40 and 60 percent
      kept); ranked by importance, 0.010 and 0.009. Shuffling a column
      changes only its field's share of the head's input, so each shuffle
      costs one field and the head, not a pass over the network.
    - The MLP's first layer is computed field by field: a numeric field
      adds ``g_j x_j (W_j e_j)``, with ``W_j`` its block of the layer's
      weight, so each embedding passes through its block once per step and
      the rows x fields x embedding tensor is never formed. It is the
      concatenated product of the paper in another order of summation: a
      default fit on 2,000 rows takes 16.9 to 18.7 s at 3,200 columns and
      3.1 to 4.9 s at 800 (``benchmarks/results/speed.md``, one thread, its
      last two runs), against 67.6 s and 12.7 s before (the same file as
      run at commit d5984e0).

    The default ``sparsity`` was 0.01 until 2026-12-07: on real tables
    the gates of correlated useful columns then closed together, and the
    own choice kept 1 to 2 columns where the model needed more (1.3 of 30
    on ``breast_cancer``, F1 0.843 against 0.975 with every column). At
    0.003 it keeps 8.3 (0.966). On 11 narrow real tables
    (``benchmarks/results/optfs_own.md``, 3 folds, linear model;
    ``chem_proc_yield`` aside, where the model on every column scores
    R^2 -21.7) the own choice is at most 0.010 below every column on 9
    (at 0.01: 4), with fewer columns on 5 of them; it misses on ``cells``
    (-0.014) and ``digits`` (-0.035). The price is at a given count:
    ranked after training with the smaller penalty, OptFS lost 0.104 and
    0.084 F1 at 20 percent kept on ``credit_data`` and ``wine``, and 0.008 on
    average over the 11 tables and three levels. On planted data it keeps
    more noise: on ``make_classification(1000, 50, n_informative=10)``
    (``random_state=0``, a test) all ten informative columns and a few of
    the 38 noise ones, where 0.01 kept only informative columns and their
    linear combinations. Wrapped in :class:`StabilitySelector`, it kept no
    noise column on any of the four planted generators of
    ``benchmarks/results/how_many.md``.

    Tuning ``sparsity``: what matters is its size next to the loss
    increase a useful column prevents. Raise it (by factors of 2 to 5) if
    too many columns stay open with ``n_features_to_select=None``, lower it
    if useful ones close; on few rows a flexible head fits noise columns
    too, so small data need a larger value. With ``n_features_to_select``
    set, the open columns are ranked by importance and the value matters
    less.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from featsel import OptFSSelector
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(400, 4)), columns=["a", "b", "c", "d"])
    >>> X["city"] = pd.Categorical(rng.choice(["Oslo", "Rome", "Lima"], 400))
    >>> y = X["a"] + 2 * (X["city"] == "Rome") + 0.1 * rng.normal(size=400)
    >>> selector = OptFSSelector(2, max_epochs=30, random_state=0).fit(X, y)
    >>> selector.get_feature_names_out()
    array(['a', 'city'], dtype=object)
    """

    _parameter_constraints: dict = {
        **BaseTorchSelector._parameter_constraints,
        "sparsity": [Interval(Real, 0, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "final_temperature": [Interval(Real, 1, None, closed="left")],
        "head": [StrOptions({"mlp", "fm"})],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden_units": [Interval(Integral, 1, None, closed="left")],
    }
    own_choice = "the columns whose gate stays open"

    def __init__(
        self,
        n_features_to_select=None,
        *,
        task="auto",
        sparsity=0.003,
        weight_decay=1e-3,
        final_temperature=100.0,
        head="mlp",
        embedding_dim=8,
        hidden_units=64,
        max_epochs=100,
        lr=0.01,
        batch_size=256,
        device="cpu",
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.n_features_to_select = n_features_to_select
        self.task = task
        self.sparsity = sparsity
        self.weight_decay = weight_decay
        self.final_temperature = final_temperature
        self.head = head
        self.embedding_dim = embedding_dim
        self.hidden_units = hidden_units
        self.max_epochs = max_epochs
        self.lr = lr
        self.batch_size = batch_size
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.allow_nan = True
        return tags

    def _validate_input(self, X, y):
        # The column dtypes say which columns are categorical; validation
        # turns a DataFrame into an array and loses them, so read them first.
        categorical = _categorical_columns(X)
        X, y = super()._validate_input(X, y)
        if categorical is None:
            categorical = np.array(
                [
                    X.dtype == object and _has_strings(X[:, j])
                    for j in range(X.shape[1])
                ],
                dtype=bool,
            )
        self.categorical_ = categorical
        return X, y

    def _fit_scores(self, X, y, uninformative):
        categorical = self.categorical_
        numeric = _numeric_block(X[:, ~categorical])
        codes, categories = _encode_categories(X[:, categorical])
        offsets = np.cumsum([0] + [c.size for c in categories])
        value_codes = codes + offsets[:-1]
        inputs = np.hstack([numeric, value_codes.astype(np.float32)])
        # Each value's gate is penalised in proportion to the rows it
        # gates: its loss gradient comes from those rows only, so at full
        # weight every value of a many-valued column would pay the penalty
        # of a whole numeric column for a fraction of its rows.
        value_weights = np.bincount(value_codes.ravel(), minlength=offsets[-1])
        value_weights = value_weights / X.shape[0]
        seed = self._draw_seeds()
        step_rows = min(X.shape[0], self.batch_size or X.shape[0])
        fields = np.empty(categorical.size, dtype=np.intp)
        fields[~categorical] = np.arange(numeric.shape[1])
        fields[categorical] = numeric.shape[1] + np.arange(codes.shape[1])

        def open_fields(numeric_logits, value_logits):
            self.gate_logits_, self.category_gates_ = self._gate_logits(
                numeric_logits, value_logits, categorical, offsets, categories
            )
            # The open gates' logits stop moving once the temperature
            # saturates them, early in the continuation: their order says
            # little, so the open columns are ranked by what the trained
            # network loses without each of them.
            return fields[self.gate_logits_ > 0]

        from ._torch._gated_embedding import fit_gates

        self.network_, importance = fit_gates(
            inputs.astype(np.float32),
            y,
            n_numeric=numeric.shape[1],
            value_weights=value_weights,
            open_fields=open_fields,
            task=self.task_,
            n_outputs=self._n_outputs(),
            # A step's first-layer multiply-adds: a numeric field enters as
            # one gated value, a categorical one as its embedding.
            work=step_rows
            * (numeric.shape[1] + codes.shape[1] * self.embedding_dim)
            * self.hidden_units,
            n_threads=self._n_threads(),
            seed=seed,
            **{name: getattr(self, name) for name in _TRAINING_PARAMETERS},
        )
        scores = np.zeros(categorical.size)
        scores[self.gate_logits_ > 0] = importance
        # Closed gates, and open ones the network does not use, score 0:
        # they follow in the order of their gate logits.
        return SelectionResult(np.maximum(scores, 0.0), tie_break=self.gate_logits_)

    def _gate_logits(
        self, numeric_logits, value_logits, categorical, offsets, categories
    ):
        """Each column's gate logit, and the logits of each category value."""
        gate_logits = np.empty(categorical.size)
        gate_logits[~categorical] = numeric_logits
        names = getattr(self, "feature_names_in_", np.arange(categorical.size))
        category_gates = {}
        for k, j in enumerate(np.flatnonzero(categorical)):
            logits = value_logits[offsets[k] : offsets[k + 1]]
            gate_logits[j] = logits.max()
            category_gates[names[j]] = pd.Series(logits, index=categories[k])
        return gate_logits, category_gates

    def _default_n_features_to_select(self, scores, uninformative):
        # A constant or repeated column can keep its gate open; it is not
        # kept for that.
        open_gates = (self.gate_logits_ > 0) & ~uninformative
        return max(1, int(np.count_nonzero(open_gates)))


def _categorical_columns(X):
    """Mask of the categorical columns of a DataFrame (None for other input)."""
    if not isinstance(X, pd.DataFrame):
        return None
    return np.array(
        [
            isinstance(dtype, pd.CategoricalDtype)
            or pd.api.types.is_string_dtype(dtype)
            and not pd.api.types.is_object_dtype(dtype)
            or pd.api.types.is_object_dtype(dtype)
            and _has_strings(X[name].to_numpy())
            for name, dtype in X.dtypes.items()
        ],
        dtype=bool,
    )


def _numeric_block(X):
    """Standardised float32 numeric columns; a missing value becomes 0 (the mean).

    Columns of extreme magnitude are first brought into range by a power of
    two (:func:`~featsel._base.scale_extreme_columns`): the object array of
    mixed input is not rescaled by the base class.
    """
    values = np.asarray(X, dtype=np.float64)
    values = scale_extreme_columns(values, extreme_column_shifts(values))
    if np.isinf(values).any():
        columns = np.flatnonzero(np.isinf(values).any(axis=0))
        raise ValueError(
            f"Input X contains infinity in numeric column(s) {columns.tolist()}; "
            "replace infinite values first."
        )
    if values.shape[1] == 0:
        return np.zeros((values.shape[0], 0), dtype=np.float32)
    with warnings.catch_warnings():
        # An all-missing column has no mean: it becomes a constant 0.
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nan_to_num(np.nanmean(values, axis=0))
        std = np.nan_to_num(np.nanstd(values, axis=0))
        largest = np.nan_to_num(np.nanmax(np.abs(values), axis=0))
    standardized = Standardizer.from_moments(mean, std, largest).transform(values)
    return np.nan_to_num(standardized, nan=0.0)


def _encode_categories(X):
    """Integer codes of each categorical column and the categories they index.

    Categories are sorted (by their text where types are mixed); a missing
    value gets the code after the last category, indexed by NaN.
    """
    codes = np.empty(X.shape, dtype=np.int64)
    categories = []
    for j in range(X.shape[1]):
        column = pd.Series(X[:, j], dtype=object)
        missing = column.isna().to_numpy()
        present = column[~missing]
        try:
            values = np.array(sorted(set(present)), dtype=object)
        except TypeError:
            values = np.array(sorted(set(present), key=str), dtype=object)
        lookup = {value: code for code, value in enumerate(values)}
        codes[:, j] = [lookup.get(value, values.size) for value in column]
        codes[missing, j] = values.size
        if missing.any():
            values = np.append(values, np.nan)
        categories.append(values)
    return codes, categories
