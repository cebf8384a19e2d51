"""The torch training core shared by featsel's neural selectors.

What every torch selector's engine uses around its own network: resolving
the device, running a fit under a private seed and thread count without
touching the caller's global state, the encoded targets as tensors, the
optimizers outside ``torch.optim``, and the training loop (mini- or
full-batch, a penalty, a callback after each epoch). What one network
needs alone lives with it: KAN's early stopping and side-by-side training
in :mod:`._kan_training`. The module imports torch, so selectors reach it
inside ``fit`` only: ``import featsel`` must work without torch.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import math
import random
from numbers import Real

import numpy as np

from .._optional import import_optional
from .._preprocessing import Standardizer

torch = import_optional("torch", extra="nn")

#: Below this many multiply-adds per gradient step, one torch thread is
#: faster than several: the work is too small to split.
SINGLE_THREAD_WORK = 50_000_000

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


def session(seed, work, n_threads):
    """Context of a training run: a private seed and thread count.

    Parameters
    ----------
    seed : int
        Seed of the global torch, numpy and :mod:`random` generators
        inside the block; the caller's states are restored on exit.

    work : int
        Multiply-adds per gradient step: below :data:`SINGLE_THREAD_WORK`
        torch runs on one thread (faster on small problems), otherwise on
        ``n_threads``.

    n_threads : int
        Torch intra-op threads of a large enough step: the selector's
        ``n_jobs``, resolved (1 by default, since threads that wait on each
        other collapse when other work shares the cores).
    """
    return isolated_session(
        int(seed), n_threads=1 if work < SINGLE_THREAD_WORK else n_threads
    )


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


def target_tensors(y, task, device, *row_sets):
    """The encoded targets of each set of rows, as tensors on ``device``.

    Class codes for classification; for regression, the target
    standardised with the mean and standard deviation of the first set of
    rows (the training rows). Without ``row_sets``, all rows form one set.
    """
    row_sets = row_sets or (slice(None),)
    if task == "classification":
        return [to_tensor(y[rows], device) for rows in row_sets]
    standardizer = Standardizer.fit(y[row_sets[0], None])
    return [
        to_tensor(standardizer.transform(y[rows, None])[:, 0], device)
        for rows in row_sets
    ]


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
    *,
    optimizer,
    max_epochs,
    generator,
    batch_size=None,
    penalty=None,
    epoch_callback=None,
    verbose=0,
    accumulation_steps=1,
    shuffle=True,
):
    """Train ``module`` for ``max_epochs`` passes over the rows.

    The loop every torch selector runs: mini- or full-batch steps of the
    caller's optimizer, a penalty added to each step, and a callback after
    each epoch that may stop the training (KAN's early stopping, see
    :func:`featsel._torch._kan_training.train_with_early_stopping`).

    Parameters
    ----------
    module : torch.nn.Module
        The network, already on the device of the data.

    loss_fn : callable
        ``loss_fn(module(X), y)`` returns the mean loss of a batch.

    X_train, y_train : torch.Tensor
        The training rows, on the module's device.

    optimizer : Optimizer
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

    penalty : callable or None, default=None
        ``penalty()`` returns a scalar tensor added to the loss of every
        training step (a regulariser).

    epoch_callback : callable or None, default=None
        Called as ``epoch_callback(epoch)`` (counted from 1) after each
        epoch's updates, for schedules such as refitting a spline grid or
        annealing a temperature; a true return value stops the training.

    verbose : int, default=0
        Print the mean training loss every ``verbose`` epochs (0: silent).

    accumulation_steps : int, default=1
        Mini-batches whose gradients are averaged into one step; the last
        group of an epoch may hold fewer.

    shuffle : bool, default=True
        Draw the mini-batches in a random order from ``generator``; False
        takes the rows in order, so that data fed in chunks meets the same
        batches as the whole.

    Returns
    -------
    n_epochs : int
        Number of epochs run.
    """
    n_train = X_train.shape[0]
    full_batch = batch_size is None or batch_size >= n_train
    n_batches = 1 if full_batch else math.ceil(n_train / batch_size)
    if not full_batch and shuffle:
        # Each batch's rows are gathered into this one buffer: a fresh tensor
        # per batch is, on wide data, a fresh mapping of tens of MB whose page
        # faults cost several times the gather itself. Reusing it is safe
        # because each step's backward is done before the next gather.
        batch_buffer = X_train.new_empty((batch_size, *X_train.shape[1:]))
    module.train()
    epoch = 0
    for epoch in range(1, max_epochs + 1):
        if full_batch:
            batches = [(X_train, y_train)]
        elif shuffle:
            order = torch.randperm(n_train, generator=generator).to(X_train.device)
            batches = (
                (
                    torch.index_select(
                        X_train, 0, index, out=batch_buffer[: index.numel()]
                    ),
                    y_train[index],
                )
                for index in order.split(batch_size)
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
            if verbose:
                train_loss += float(loss) / n_batches
            if step == group_start + group_size - 1:
                optimizer.step()
        stop = epoch_callback is not None and epoch_callback(epoch)
        if verbose and epoch % verbose == 0:
            print(f"epoch {epoch:4d}  training loss {train_loss:.5f}")
        if stop:
            break
    module.eval()
    return epoch
