"""The torch training core shared by featsel's neural selectors.

Everything a selector needs around its own network lives here: resolving the
device, running a fit under a private seed and thread count without touching
the caller's global state, standardising inputs on the training rows, and a
generic training loop (Adam, mini- or full-batch, early stopping on held-out
rows with the best weights restored). The module imports torch, so selectors
import it inside ``fit``: ``import featsel`` must work without torch.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import math
import random
from dataclasses import dataclass, field
from numbers import Real

import numpy as np

from .._optional import import_optional

torch = import_optional("torch", extra="nn")

#: Rows per forward pass when a network is only evaluated (no gradients):
#: large enough to keep the device busy, small enough to bound memory.
EVAL_BATCH_SIZE = 4096


def resolve_device(device):
    """Return the :class:`torch.device` named by ``device``.

    Parameters
    ----------
    device : str
        A torch device string such as ``"cpu"``, ``"cuda"`` or ``"cuda:1"``.

    Returns
    -------
    device : torch.device

    Raises
    ------
    ValueError
        If the string is not a device, or names a CUDA device that this
        machine does not have.
    """
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'cpu' or 'cuda'."
        ) from exc
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available on "
                "this machine (no GPU, or torch was built without CUDA); use "
                "device='cpu'."
            )
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} was requested but only "
                f"{torch.cuda.device_count()} CUDA device(s) exist."
            )
    elif resolved.type != "cpu":
        raise ValueError(f"device={device!r} is not supported; use 'cpu' or 'cuda'.")
    return resolved


@contextlib.contextmanager
def isolated_session(seed, *, n_threads=None):
    """Run a fit under its own seed and thread count, then restore both.

    Inside the block the global torch, numpy and :mod:`random` generators are
    seeded with ``seed`` (so third-party code that draws from them, such as
    pykan's constructor, is reproducible); on exit all three, and torch's
    intra-op thread count, are exactly as the caller left them. Code of our
    own should still draw from a local :func:`make_generator`.

    Parameters
    ----------
    seed : int
        Seed of the global generators inside the block.

    n_threads : int or None, default=None
        Number of torch intra-op threads inside the block; None keeps the
        current number.
    """
    # Fork every visible GPU's generator too: torch.manual_seed reseeds all
    # of them, and the caller's CUDA stream of random numbers must not move.
    cuda_devices = (
        list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    )
    # The legacy global numpy generator is exactly the state to protect.
    numpy_state = np.random.get_state()  # noqa: NPY002
    python_state = random.getstate()
    previous_threads = torch.get_num_threads()
    try:
        with torch.random.fork_rng(devices=cuda_devices):
            torch.manual_seed(seed)
            np.random.seed(seed)  # noqa: NPY002
            random.seed(seed)
            if n_threads is not None:
                torch.set_num_threads(n_threads)
            yield
    finally:
        torch.set_num_threads(previous_threads)
        np.random.set_state(numpy_state)  # noqa: NPY002
        random.setstate(python_state)


def make_generator(seed):
    """A CPU :class:`torch.Generator` seeded with ``seed``.

    Random tensors are drawn on the CPU from it and then moved, so a network
    starts from the same weights whatever the device.
    """
    return torch.Generator(device="cpu").manual_seed(int(seed))


def to_tensor(array, device):
    """A float32 (or int64, for integer arrays) tensor of ``array`` on ``device``."""
    array = np.asarray(array)
    dtype = torch.int64 if array.dtype.kind in "iub" else torch.float32
    return torch.as_tensor(array, dtype=dtype).to(device)


@dataclass
class TrainingResult:
    """What :func:`train` reports about one training run.

    Attributes
    ----------
    best_epoch : int
        Epoch (counted from 1) whose weights were restored; 0 if no epoch
        improved on the initial weights.
    n_epochs : int
        Number of epochs run before stopping.
    best_loss : float
        Held-out loss of the restored weights (NaN without held-out rows,
        when ``best_epoch`` is the last epoch).
    history : list of float
        Held-out loss after each epoch (empty without held-out rows).
    """

    best_epoch: int
    n_epochs: int
    best_loss: float
    history: list = field(default_factory=list)


def evaluate(module, loss_fn, X, y, *, batch_size=EVAL_BATCH_SIZE):
    """Mean of ``loss_fn`` over the rows of ``X``, without gradients.

    ``loss_fn`` must average over its rows (the torch default), so batches
    are weighted by their size.
    """
    was_training = module.training
    module.eval()
    total = 0.0
    with torch.no_grad():
        for start in range(0, X.shape[0], batch_size):
            stop = start + batch_size
            batch_loss = loss_fn(module(X[start:stop]), y[start:stop])
            total += float(batch_loss) * (min(stop, X.shape[0]) - start)
    module.train(was_training)
    return total / X.shape[0]


class Optimizer:
    """The optimizer interface :func:`train` uses, outside ``torch.optim``.

    Building any ``torch.optim`` optimizer imports ``torch._dynamo`` (one to
    five seconds, most of the first fit in a process); subclasses implement
    ``step``.
    """

    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def zero_grad(self, set_to_none=True):
        for param in self.params:
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad.zero_()


class Adam(Optimizer):
    """Adam with torch's default settings, outside ``torch.optim``.

    The update is
    ``torch.optim.Adam``'s single-tensor one, operation for operation (each
    applied to all parameters in one call), so the weights are the same.

    Parameters
    ----------
    params : iterable of torch.nn.Parameter

    lr : float
        Learning rate.

    betas : tuple of float, default=(0.9, 0.999)
        Decay rates of the first and second moment estimates.

    eps : float, default=1e-8
        Added to the root of the second moment.

    weight_decay : float or sequence of float, default=0.0
        L2 penalty: ``weight_decay * param`` is added to each gradient
        before the moments, as ``torch.optim.Adam``'s ``weight_decay`` does
        (not AdamW's decoupled decay). A sequence gives one value per
        parameter, in the order of ``params``.
    """

    def __init__(self, params, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        self.betas, self.eps = betas, eps
        if isinstance(weight_decay, Real):
            weight_decay = [weight_decay] * len(self.params)
        self.weight_decay = list(weight_decay)
        if len(self.weight_decay) != len(self.params):
            raise ValueError(
                f"weight_decay has {len(self.weight_decay)} values for "
                f"{len(self.params)} parameters."
            )
        self.n_steps = 0
        self.moments = [
            (torch.zeros_like(param), torch.zeros_like(param)) for param in self.params
        ]

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

    def reset(self):
        """Forget the moments and the step count, as a new optimizer would."""
        self.n_steps = 0
        for mean, square in self.moments:
            mean.zero_()
            square.zero_()

    @torch.no_grad()
    def step(self):
        beta1, beta2 = self.betas
        self.n_steps += 1
        step_size = self.lr / (1 - beta1**self.n_steps)
        correction = (1 - beta2**self.n_steps) ** 0.5
        updated = [
            (param, param.grad, decay, mean, square)
            for param, decay, (mean, square) in zip(
                self.params, self.weight_decay, self.moments, strict=True
            )
            if param.grad is not None
        ]
        if not updated:
            return
        params, grads, decays, means, squares = (
            list(group) for group in zip(*updated, strict=True)
        )
        grads = [
            grad if decay == 0 else grad.add(param, alpha=decay)
            for param, grad, decay in zip(params, grads, decays, strict=True)
        ]
        # torch.optim.Adam's single-tensor operations, one call per operation
        # for all tensors instead of one per tensor: small networks spend
        # more time dispatching operations than computing them.
        torch._foreach_lerp_(means, grads, 1 - beta1)
        torch._foreach_mul_(squares, beta2)
        torch._foreach_addcmul_(squares, grads, grads, value=1 - beta2)
        denominators = torch._foreach_sqrt(squares)
        torch._foreach_div_(denominators, correction)
        torch._foreach_add_(denominators, self.eps)
        torch._foreach_addcdiv_(params, means, denominators, value=-step_size)


def train(
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
    accumulation_steps=1,
    shuffle=True,
):
    """Train ``module`` with Adam and early stopping; restore the best weights.

    After every epoch the loss on ``(X_val, y_val)`` is measured; training
    stops when it has not improved by a relative ``tol`` for ``patience``
    epochs, or is no longer finite, and the module gets back the weights
    (parameters and buffers) of its best epoch. Without held-out rows
    (``X_val=None``) every epoch runs and the final weights are kept, for
    objectives that are not a per-row loss to hold out, or schedules that
    must run to their end.

    Parameters
    ----------
    module : torch.nn.Module
        The network, already on the device of the data.

    loss_fn : callable
        ``loss_fn(module(X), y)`` returns the mean loss of a batch.

    X_train, y_train, X_val, y_val : torch.Tensor
        Training and held-out rows, on the module's device. ``X_val`` and
        ``y_val`` may be None: no early stopping, no restore.

    optimizer : torch.optim.Optimizer or Adam
        The optimizer of ``module``'s parameters, made by the caller, who
        chooses its parameter groups and keeps its state (Adam's moments)
        between calls, as in ``partial_fit``.

    max_epochs : int
        Maximum number of passes over the training rows.

    generator : torch.Generator
        CPU generator that shuffles the mini-batches.

    batch_size : int or None, default=None
        Rows per gradient step; None, or a size at least the number of
        training rows, trains full-batch.

    patience : int, default=20
        Epochs without improvement before stopping.

    tol : float, default=1e-4
        Relative improvement of the held-out loss that counts as progress.

    penalty : callable or None, default=None
        ``penalty()`` returns a scalar tensor added to the loss of every
        training step (a regulariser); the held-out loss that drives early
        stopping does not include it.

    epoch_callback : callable or None, default=None
        Called as ``epoch_callback(epoch)`` (counted from 1) after each
        epoch's updates and before its held-out loss is measured, for
        schedules such as refitting a spline grid.

    verbose : int, default=0
        Print the held-out loss (the mean training loss without held-out
        rows) every ``verbose`` epochs (0: silent).

    accumulation_steps : int, default=1
        Mini-batches whose gradients are averaged into one step; the last
        group of an epoch may hold fewer.

    shuffle : bool, default=True
        Draw the mini-batches in a random order from ``generator``; False
        takes the rows in order, so that data fed in chunks meets the same
        batches as the whole.

    Returns
    -------
    result : TrainingResult
    """
    n_train = X_train.shape[0]
    full_batch = batch_size is None or batch_size >= n_train
    n_batches = 1 if full_batch else math.ceil(n_train / batch_size)
    held_out = X_val is not None
    if held_out:
        stopping = _EarlyStopping(module, 1, patience, tol)
        stopping.update(0, np.array([evaluate(module, loss_fn, X_val, y_val)]))
    module.train()
    epoch = 0
    for epoch in range(1, max_epochs + 1):
        if full_batch:
            batches = [(X_train, y_train)]
        elif shuffle:
            order = torch.randperm(n_train, generator=generator).to(X_train.device)
            batches = (
                (X_train[index], y_train[index]) for index in order.split(batch_size)
            )
        else:
            batches = zip(
                X_train.split(batch_size), y_train.split(batch_size), strict=True
            )
        train_loss = 0.0
        for step, (X_batch, y_batch) in enumerate(batches):
            group_start = step - step % accumulation_steps
            group_size = min(accumulation_steps, n_batches - group_start)
            if step == group_start:
                optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(module(X_batch), y_batch)
            objective = loss if penalty is None else loss + penalty()
            (objective / group_size).backward()
            if not held_out and verbose:
                train_loss += float(loss) / n_batches
            if step == group_start + group_size - 1:
                optimizer.step()
        if epoch_callback is not None:
            epoch_callback(epoch)
        if not held_out:
            if verbose and epoch % verbose == 0:
                print(f"epoch {epoch:4d}  training loss {train_loss:.5f}")
            continue
        val_loss = evaluate(module, loss_fn, X_val, y_val)
        stopping.update(epoch, np.array([val_loss]))
        if verbose and epoch % verbose == 0:
            print(f"epoch {epoch:4d}  held-out loss {val_loss:.5f}")
        if stopping.all_stopped:
            break
    module.eval()
    if not held_out:
        return TrainingResult(best_epoch=epoch, n_epochs=epoch, best_loss=math.nan)
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

    Full-batch Adam on each network's training rows, as :func:`train` with
    ``batch_size=None``, and the same early stopping per network: each
    stops when its own held-out loss has not improved by a relative ``tol``
    for ``patience`` epochs (or is no longer finite), and its weights of
    its best epoch are returned. A network that stops is dropped from the
    module, so the others train on alone. The held-out rows go through the
    same forward pass as the training rows, so an epoch is one pass: its
    held-out loss is that of the weights the step starts from, the previous
    epoch's.

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
        As in :func:`train`; ``penalty()`` is the sum of the networks'
        penalties.

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
    optimizer = Adam(module.parameters(), lr=lr)
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
