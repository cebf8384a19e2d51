"""The training of :class:`featsel.KANSelector`'s networks, fold by fold.

The selector hands over its folds, seeds and settings in one call,
:func:`fit_folds`; this module standardises each fold's rows, builds its
network (featsel's KAN or the pykan adapter), trains it with early stopping
on rows set aside from its training rows, alone or side by side with the
other folds' networks in one module, and scores it on its held-out rows.
Early stopping and side-by-side training are KAN's alone, so they live here
rather than in :mod:`._training`. The module imports torch: the selector
reaches it inside ``fit`` only.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from dataclasses import dataclass, field

import numpy as np

from .._base import _held_out_split
from .._preprocessing import Standardizer
from . import _kan_network, _layers, _pykan, _training
from ._kan_network import evaluate
from ._training import torch

#: The knots are refitted to the data every ``GRID_UPDATE_EVERY`` epochs up
#: to epoch ``GRID_UPDATE_UNTIL``, as pykan's own training does: the inputs
#: of the hidden layer move while the first layer learns.
GRID_UPDATE_EVERY = 5
GRID_UPDATE_UNTIL = 50

#: Training rows used to place the knots (quantiles need no more).
GRID_ROWS = 1024

#: Largest number of first-layer features (rows x inputs x (basis + 1))
#: precomputed for training; above it they are recomputed at every step, so
#: memory stays bounded on very large data.
MAX_CACHED_FEATURES = 2**27


def fit_folds(X, y, splits, seeds, **settings):
    """Train and score one network per fold.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The selector's validated input.

    y : ndarray of shape (n_samples,)
        Class codes, or the regression target.

    splits : list of (ndarray, ndarray)
        The (training, held-out) rows of each network.

    seeds : ndarray of int
        One seed per network.

    **settings
        The fields of :class:`KANTraining`: the selector's parameters
        (``method``, ``grid_size``, ``spline_order``, ``sparsity``,
        ``patience``, ``max_epochs``, ``lr``, ``batch_size``,
        ``validation_fraction``, ``backend``, ``device``, ``verbose``), its
        fitted ``task`` and ``hidden_units``, ``n_outputs`` and
        ``n_threads`` (see :func:`._training.session`).

    Returns
    -------
    fitted : list of (ndarray, torch.nn.Module, int)
        For each network: its raw scores on its held-out rows, the network
        itself on the CPU (a :class:`~featsel._torch._kan_network.KANNetwork`
        with the fold's input statistics in its buffers), and its number of
        epochs.
    """
    return KANTraining(**settings).fit(X, y, splits, seeds)


@dataclass
class KANTraining:
    """The settings of a KAN fit, and the training of its folds."""

    task: str
    n_outputs: int
    method: str
    hidden_units: int
    grid_size: int
    spline_order: int
    sparsity: float
    patience: int
    max_epochs: int
    lr: float
    batch_size: object
    validation_fraction: float
    backend: str
    device: str
    n_threads: int
    verbose: int

    def fit(self, X, y, splits, seeds):
        """See :func:`fit_folds`."""
        device = _training.resolve_device(self.device)
        n_samples, n_features = X.shape
        step_rows = min(
            max(train.size for train, _ in splits), self.batch_size or n_samples
        )
        work = step_rows * n_features * self.hidden_units * (self.grid_size + 4)
        if self._trains_side_by_side(splits, n_features):
            for fold in range(len(splits)):
                self._report_fold(splits, fold)
            # A step side by side does the work of every fold's step.
            with _training.session(seeds[0], work * len(splits), self.n_threads):
                return self._fit_folds_side_by_side(X, y, splits, seeds, device)
        fitted = []
        for fold, ((train, held_out), seed) in enumerate(
            zip(splits, seeds, strict=True)
        ):
            self._report_fold(splits, fold)
            with _training.session(seed, work, self.n_threads):
                fitted.append(self._fit_fold(X, y, train, held_out, int(seed), device))
        return fitted

    def _report_fold(self, splits, fold):
        """Print the row counts of a fold's network when verbose."""
        if not self.verbose:
            return
        train, held_out = splits[fold]
        # As many rows as train_test_split holds out of ``train``.
        n_stop = math.ceil(self.validation_fraction * train.size)
        print(
            f"[KANSelector] fold {fold + 1}/{len(splits)}: training on "
            f"{train.size - n_stop} rows, early stopping on {n_stop}, "
            f"scoring on {held_out.size}"
        )

    def _trains_side_by_side(self, splits, n_features):
        """Whether the folds' networks train together (see KANSelector's Notes).

        They do with the torch backend when every fold trains full-batch and
        the first-layer features of all folds fit in memory at once.
        """
        largest = max(train.size for train, _ in splits)
        n_fit = largest - math.ceil(self.validation_fraction * largest)
        features = n_features * (1 + self.grid_size + self.spline_order)
        return (
            self.backend == "torch"
            and len(splits) > 1
            and (self.batch_size is None or n_fit <= self.batch_size)
            and len(splits) * largest * features <= MAX_CACHED_FEATURES
        )

    def _fit_fold(self, X, y, train, held_out, seed, device):
        """Train one network on ``train``, score it on ``held_out``."""
        fold = self._prepare_fold(X, y, train, held_out, seed, device)
        result = train_with_early_stopping(
            fold.module,
            fold.loss_fn,
            fold.inputs_fit,
            fold.y_fit,
            fold.inputs_stop,
            fold.y_stop,
            optimizer=_training.Adam(fold.module.parameters(), lr=self.lr),
            max_epochs=self.max_epochs,
            generator=fold.generator,
            batch_size=self.batch_size,
            patience=self.patience,
            penalty=lambda: self.sparsity * fold.network.input_norms().sum(),
            epoch_callback=fold.update_grids,
            verbose=self.verbose,
        )
        return self._score_fold(fold, result.n_epochs)

    def _fit_folds_side_by_side(self, X, y, splits, seeds, device):
        """Train the folds' networks side by side in one module, score each.

        Each network has its own rows, early stopping and grid refits, as
        in :meth:`_fit_fold`; the networks are held in one
        :class:`~featsel._torch._kan_network.KANNetwork` so that each
        operation of a training step does the work of all of them. Rows a
        fold does not have are padding that its loss and grid refits leave
        out.
        """
        folds = [
            self._prepare_fold(X, y, train, held_out, int(seed), device)
            for (train, held_out), seed in zip(splits, seeds, strict=True)
        ]
        networks = [fold.network for fold in folds]
        combined = _kan_network.KANNetwork.side_by_side(networks)
        sizes = [
            max(fold.inputs_fit.shape[0] for fold in folds),
            max(fold.inputs_stop.shape[0] for fold in folds),
        ]
        inputs = _side_by_side_rows(
            [(fold.inputs_fit, fold.inputs_stop) for fold in folds], sizes, 0.0
        )
        missing_target = -1 if self.task == "classification" else torch.nan
        targets = _side_by_side_rows(
            [(fold.y_fit, fold.y_stop) for fold in folds], sizes, missing_target
        )
        grid_counts = torch.tensor([len(fold.grid_features) for fold in folds])
        grid_features = _side_by_side_rows(
            [(fold.grid_features,) for fold in folds], [int(grid_counts.max())], 0.0
        )
        grid_present = (torch.arange(grid_features.shape[1]) < grid_counts[:, None]).to(
            device
        )
        for fold in folds:
            # The rows now live in ``inputs`` and ``grid_features`` only.
            fold.inputs_fit = fold.inputs_stop = fold.grid_features = None

        def update_grids(epoch, running):
            if _grid_update_due(epoch):
                index = torch.as_tensor(running, device=device)
                combined.refit_hidden_grid(grid_features[index], grid_present[index])

        results, best_state = train_side_by_side(
            _kan_network.CachedFirstLayer(combined),
            _fold_losses(_layers.task_loss(self.task)),
            inputs,
            targets,
            sizes[0],
            max_epochs=self.max_epochs,
            lr=self.lr,
            patience=self.patience,
            penalty=lambda: self.sparsity * combined.input_norms().sum(),
            epoch_callback=update_grids,
            verbose=self.verbose,
        )
        # The state is CachedFirstLayer's: the network's, under "network.".
        network_state = {
            name.removeprefix("network."): value for name, value in best_state.items()
        }
        _kan_network.load_side_by_side(networks, network_state)
        return [
            self._score_fold(fold, result.n_epochs)
            for fold, result in zip(folds, results, strict=True)
        ]

    def _prepare_fold(self, X, y, train, held_out, seed, device):
        """The network of one fold and everything its training needs.

        Early stopping watches ``validation_fraction`` of the ``train``
        rows: had it watched ``held_out``, the restored weights would be
        those that suit the scoring rows best, and the scores (KAN-KO's
        held-out loss above all) would be biased by that choice.
        """
        generator = _training.make_generator(seed)
        fit, stop = _held_out_split(
            y[train],
            self.validation_fraction,
            seed,
            stratify=self.task == "classification",
        )
        fit, stop = train[np.sort(fit)], train[np.sort(stop)]
        standardizer = Standardizer.fit(X[fit])
        X_fit, X_stop, X_held_out = (
            _training.to_tensor(standardizer.transform(X[rows]), device)
            for rows in (fit, stop, held_out)
        )
        y_fit, y_stop, y_held_out = _training.target_tensors(
            y, self.task, device, fit, stop, held_out
        )
        grid_rows = X_fit[
            torch.randperm(X_fit.shape[0], generator=generator)[:GRID_ROWS].to(device)
        ]
        widths = [X.shape[1], self.hidden_units, self.n_outputs]
        build = self._torch_network if self.backend == "torch" else self._pykan_network
        network, module, inputs_fit, inputs_stop, grid_features, update_grids = build(
            widths, grid_rows, X_fit, X_stop, seed, generator, device
        )
        return _Fold(
            generator=generator,
            standardizer=standardizer,
            network=network,
            module=module,
            loss_fn=_layers.task_loss(self.task),
            inputs_fit=inputs_fit,
            inputs_stop=inputs_stop,
            y_fit=y_fit,
            y_stop=y_stop,
            X_held_out=X_held_out,
            y_held_out=y_held_out,
            grid_features=grid_features,
            update_grids=update_grids,
        )

    def _score_fold(self, fold, n_epochs):
        """The fold's scores on its held-out rows, and its network for later use."""
        scores = _kan_network.kan_scores(
            fold.network,
            self.method,
            fold.X_held_out,
            fold.y_held_out,
            fold.loss_fn,
            self.hidden_units,
        )
        mean = torch.as_tensor(fold.standardizer.mean, dtype=torch.float32)
        scale = torch.as_tensor(fold.standardizer.scale, dtype=torch.float32)
        if self.backend == "torch":
            network = fold.network.cpu()
            network.input_mean.copy_(mean)
            network.input_scale.copy_(scale)
        else:
            network = fold.network.to_network(mean, scale)
        return scores, network, n_epochs

    def _torch_network(self, widths, grid_rows, X_fit, X_stop, seed, generator, device):
        """featsel's KAN, with its first layer's features cached when they fit.

        Returns the network, the module to train, its training and
        early-stopping inputs, the first layer's features of the grid rows,
        and the epoch callback that refits the hidden layer's knots.
        """
        network = _kan_network.KANNetwork(
            *widths, self.grid_size, self.spline_order, generator
        ).to(device)
        network.refit_grids(grid_rows)
        first_layer = network.layers[0]
        with torch.no_grad():
            grid_features = first_layer.expand(grid_rows)
        n_rows = X_fit.shape[0] + X_stop.shape[0]
        if n_rows * grid_features.shape[1] <= MAX_CACHED_FEATURES:
            # The first layer's features are fixed from here on: compute
            # them once instead of at every step.
            module = _kan_network.CachedFirstLayer(network)
            with torch.no_grad():
                inputs_fit = first_layer.expand(X_fit)
                inputs_stop = first_layer.expand(X_stop)
        else:
            module = network
            inputs_fit, inputs_stop = X_fit, X_stop

        def update_grids(epoch):
            if _grid_update_due(epoch):
                network.refit_hidden_grid(grid_features)

        return network, module, inputs_fit, inputs_stop, grid_features, update_grids

    def _pykan_network(self, widths, grid_rows, X_fit, X_stop, seed, generator, device):
        """A ``kan.KAN`` behind the adapter, with pykan's own grid updates."""
        network = _pykan.build_pykan(
            widths, self.grid_size, self.spline_order, seed, device
        )
        network.refit_grids(grid_rows)

        def update_grids(epoch):
            if _grid_update_due(epoch):
                network.refit_grids(grid_rows)

        return network, network.model, X_fit, X_stop, None, update_grids


@dataclass
class _Fold:
    """One fold's network and the tensors of its training and scoring."""

    generator: object
    standardizer: object
    network: object
    module: object
    loss_fn: object
    inputs_fit: object
    inputs_stop: object
    y_fit: object
    y_stop: object
    X_held_out: object
    y_held_out: object
    grid_features: object
    update_grids: object


def _grid_update_due(epoch):
    """Whether the knots are refitted after ``epoch`` (pykan's schedule)."""
    return epoch % GRID_UPDATE_EVERY == 0 and epoch <= GRID_UPDATE_UNTIL


def _side_by_side_rows(row_blocks, sizes, fill):
    """Each network's blocks of rows, padded and stacked along a first dimension.

    ``row_blocks`` holds, for each network, tensors of shape (rows_j, ...)
    (its training rows, then its early-stopping rows, say); block ``j`` of
    every network is padded with ``fill`` to ``sizes[j]`` rows. Returns a
    tensor of shape (n_networks, sum(sizes), ...).
    """
    first = row_blocks[0][0]
    out = first.new_full((len(row_blocks), sum(sizes), *first.shape[1:]), fill)
    for network, blocks in enumerate(row_blocks):
        start = 0
        for block, size in zip(blocks, sizes, strict=True):
            out[network, start : start + block.shape[0]] = block
            start += size
    return out


def _fold_losses(loss_fn):
    """The task loss of each network side by side; padding rows left out.

    Outputs of shape (n_networks, n_rows, n_outputs); targets of shape
    (n_networks, n_rows) mark padding with -1 (class codes) or NaN
    (regression).
    """

    def losses(output, target):
        n_networks, n_rows = target.shape
        present = ~target.isnan() if target.is_floating_point() else target >= 0
        per_row = loss_fn(
            output.reshape(n_networks * n_rows, -1),
            target.where(present, 0).reshape(-1),
            reduction="none",
        ).view(n_networks, n_rows)
        return (per_row * present).sum(dim=1) / present.sum(dim=1)

    return losses


@dataclass
class TrainingResult:
    """What :func:`train_with_early_stopping` reports about one training run.

    Attributes
    ----------
    best_epoch : int
        Epoch (counted from 1) whose weights were restored; 0 if no epoch
        improved on the initial weights.
    n_epochs : int
        Number of epochs run before stopping.
    best_loss : float
        Held-out loss of the restored weights.
    history : list of float
        Held-out loss after each epoch.
    """

    best_epoch: int
    n_epochs: int
    best_loss: float
    history: list = field(default_factory=list)


def train_with_early_stopping(
    module,
    loss_fn,
    X_train,
    y_train,
    X_val,
    y_val,
    *,
    optimizer,
    max_epochs,
    generator,
    batch_size=None,
    patience=20,
    tol=1e-4,
    penalty=None,
    epoch_callback=None,
    verbose=0,
):
    """Train ``module`` with early stopping; restore the best weights.

    :func:`featsel._torch._training.train`, with the loss on ``(X_val,
    y_val)`` measured after every epoch; training stops when it has not
    improved by a relative ``tol`` for ``patience`` epochs, or is no longer
    finite, and the module gets back the weights (parameters and buffers)
    of its best epoch.

    Parameters
    ----------
    module, loss_fn, X_train, y_train, optimizer, max_epochs, generator, \
batch_size, penalty
        As in :func:`featsel._torch._training.train`; the held-out loss
        that drives early stopping does not include the penalty.

    X_val, y_val : torch.Tensor
        The early-stopping rows, on the module's device.

    patience : int, default=20
        Epochs without improvement before stopping.

    tol : float, default=1e-4
        Relative improvement of the held-out loss that counts as progress.

    epoch_callback : callable or None, default=None
        Called as ``epoch_callback(epoch)`` (counted from 1) after each
        epoch's updates and before its held-out loss is measured, for
        schedules such as refitting a spline grid.

    verbose : int, default=0
        Print the held-out loss every ``verbose`` epochs (0: silent).

    Returns
    -------
    result : TrainingResult
    """
    stopping = _EarlyStopping(module, 1, patience, tol)
    stopping.update(0, np.array([evaluate(module, loss_fn, X_val, y_val)]))

    def after_epoch(epoch):
        if epoch_callback is not None:
            epoch_callback(epoch)
        val_loss = evaluate(module, loss_fn, X_val, y_val)
        stopping.update(epoch, np.array([val_loss]))
        if verbose and epoch % verbose == 0:
            print(f"epoch {epoch:4d}  held-out loss {val_loss:.5f}")
        return stopping.all_stopped

    _training.train(
        module,
        loss_fn,
        X_train,
        y_train,
        optimizer=optimizer,
        max_epochs=max_epochs,
        generator=generator,
        batch_size=batch_size,
        penalty=penalty,
        epoch_callback=after_epoch,
    )
    module.load_state_dict(stopping.best_state)
    return stopping.results()[0]


def train_side_by_side(
    module,
    loss_fn,
    X,
    y,
    n_train_rows,
    *,
    max_epochs,
    lr,
    patience=20,
    tol=1e-4,
    penalty=None,
    epoch_callback=None,
    verbose=0,
):
    """Train networks held side by side in one module, each with early stopping.

    Full-batch Adam on each network's training rows, as
    :func:`train_with_early_stopping` with ``batch_size=None``, and the
    same early stopping per network: each stops when its own held-out
    loss has not improved by a relative ``tol`` for ``patience`` epochs
    (or is no longer finite), and its weights of its best epoch are
    returned. A network that stops is dropped from the module, so the
    others train on alone. The held-out rows go through the same forward
    pass as the training rows, so an epoch is one pass: its held-out loss
    is that of the weights the step starts from, the previous epoch's.

    Parameters
    ----------
    module : torch.nn.Module
        The networks side by side: the first dimension of every parameter
        and buffer holds one equal block per network, and
        ``module.keep_networks(index)`` keeps the blocks at positions
        ``index`` (as :class:`~featsel._torch._kan_network.KANNetwork`).
        ``module(X)`` has the networks along its first dimension.

    loss_fn : callable
        ``loss_fn(output[:, rows], y[:, rows])`` returns the mean loss of
        each network on those rows, a tensor of shape (n_networks,).

    X, y : torch.Tensor
        Of shape (n_networks, n_rows, ...) and (n_networks, n_rows): the
        first ``n_train_rows`` rows of each network are its training rows,
        the rest its held-out rows; rows a network does not have are
        padding that ``loss_fn`` leaves out.

    n_train_rows : int

    max_epochs, lr, patience, tol, penalty, verbose
        As in :func:`train_with_early_stopping`; ``penalty()`` is the sum
        of the networks' penalties.

    epoch_callback : callable or None, default=None
        Called as ``epoch_callback(epoch, networks)`` after each epoch's
        update, ``networks`` the positions (in ``X``) of the networks still
        in the module.

    Returns
    -------
    results : list of TrainingResult
        One per network.

    best_state : dict
        The state dict of all the networks side by side (as ``module``'s
        before any was dropped), each at its best epoch.
    """
    n_networks = X.shape[0]
    optimizer = _SideBySideAdam(module.parameters(), lr=lr)
    stopping = _EarlyStopping(module, n_networks, patience, tol)
    module.train()
    epoch = 0
    while True:
        output = module(X)
        with torch.no_grad():
            held_out = loss_fn(output[:, n_train_rows:], y[:, n_train_rows:])
        held_out = held_out.double().cpu().numpy()
        if verbose and epoch and epoch % verbose == 0:
            losses = ", ".join(
                f"network {network + 1}: {loss:.5f}"
                for network, loss in zip(stopping.members, held_out, strict=True)
            )
            print(f"epoch {epoch:4d}  held-out loss of {losses}")
        stopping.update(epoch, held_out)
        if stopping.all_stopped or epoch == max_epochs:
            break
        running = ~stopping.stopped[stopping.members]
        if not running.all():
            index = torch.as_tensor(np.flatnonzero(running), device=X.device)
            module.keep_networks(index)
            optimizer.keep_blocks(index, running.size, module.parameters())
            X, y = X[index], y[index]
            stopping.members = stopping.members[running]
            # The graph of the pass above holds the dropped networks' weights.
            output = module(X)
        epoch += 1
        optimizer.zero_grad(set_to_none=True)
        objective = loss_fn(output[:, :n_train_rows], y[:, :n_train_rows]).sum()
        if penalty is not None:
            objective = objective + penalty()
        objective.backward()
        optimizer.step()
        if epoch_callback is not None:
            epoch_callback(epoch, stopping.members)
    module.eval()
    return stopping.results(), stopping.best_state


class _EarlyStopping:
    """The best held-out loss, epoch and weights of each network in a module.

    Parameters
    ----------
    module : torch.nn.Module
        Holds ``n_networks`` networks along the first dimension of its
        parameters and buffers (one network: the module itself).

    n_networks, patience, tol
        As in :func:`train_side_by_side`.

    Attributes
    ----------
    members : ndarray of int
        The networks the module holds now, in its order (networks that
        stopped may be dropped from it).
    """

    def __init__(self, module, n_networks, patience, tol):
        self.module = module
        self.n_networks = n_networks
        self.patience, self.tol = patience, tol
        self.members = np.arange(n_networks)
        self.best_loss = np.full(n_networks, np.inf)
        self.best_epoch = np.zeros(n_networks, dtype=int)
        self.n_epochs = np.zeros(n_networks, dtype=int)
        self.stopped = np.zeros(n_networks, dtype=bool)
        self.history = [[] for _ in range(n_networks)]
        self.best_state = None

    @property
    def all_stopped(self):
        return bool(self.stopped.all())

    def update(self, epoch, losses):
        """Record the held-out losses of ``epoch`` (0: the initial weights).

        ``losses`` holds one loss per network of :attr:`members`.
        """
        if epoch == 0:
            self.best_loss[self.members] = losses
            self.best_state = _copy_state(self.module)
            return
        everyone = np.full(self.n_networks, np.nan)
        everyone[self.members] = losses
        active = ~self.stopped
        for network in np.flatnonzero(active):
            self.history[network].append(float(everyone[network]))
        self.n_epochs[active] = epoch
        with np.errstate(invalid="ignore"):
            improved = active & (
                everyone < self.best_loss - self.tol * np.abs(self.best_loss)
            )
        self.best_loss[improved] = everyone[improved]
        self.best_epoch[improved] = epoch
        if improved.any():
            self._keep_state(improved)
        patience_over = epoch - self.best_epoch >= self.patience
        self.stopped |= active & (~np.isfinite(everyone) | (~improved & patience_over))

    def _keep_state(self, improved):
        if improved.all():
            self.best_state = _copy_state(self.module)
            return
        positions = np.flatnonzero(improved[self.members])
        networks = self.members[positions]
        for name, value in self.module.state_dict().items():
            blocks = value.detach().view(self.members.size, -1)
            best = self.best_state[name].view(self.n_networks, -1)
            best[torch.as_tensor(networks, device=best.device)] = blocks[
                torch.as_tensor(positions, device=blocks.device)
            ]

    def results(self):
        return [
            TrainingResult(
                best_epoch=int(self.best_epoch[network]),
                n_epochs=int(self.n_epochs[network]),
                best_loss=float(self.best_loss[network]),
                history=self.history[network],
            )
            for network in range(self.n_networks)
        ]


def _copy_state(module):
    return {name: value.detach().clone() for name, value in module.state_dict().items()}


class _SideBySideAdam(_training.Adam):
    """Adam over networks side by side, which can drop some of them."""

    def keep_blocks(self, index, n_blocks, params):
        """Go on with ``params``, blocks ``index`` of ``n_blocks`` of the old ones.

        For parameters that hold ``n_blocks`` networks side by side along
        their first dimension, after the module dropped the others (see
        :func:`train_side_by_side`): the moments keep the same blocks.
        """
        self.params = list(params)
        self.moments = [
            tuple(
                moment.view(n_blocks, -1)[index].reshape(-1, *moment.shape[1:])
                for moment in pair
            )
            for pair in self.moments
        ]
