"""Running a study: schedule its tasks, store each result as it arrives."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import sys
from datetime import datetime, timezone

from joblib import Parallel, delayed
from tqdm.auto import tqdm

from ._store import Store
from ._tasks import make_tasks, run_task, warning_kind

BACKENDS = ("joblib", "dask")


def run(
    study,
    out="bench-results",
    *,
    n_jobs=1,
    backend="joblib",
    scheduler=None,
    progress=True,
    announce=None,
):
    """Run a study, skipping the tasks already finished in ``out``.

    Parameters
    ----------
    study : Study
        What to compare (see :class:`featsel.benchmark.Study`).

    out : str or path, default="bench-results"
        Output folder; its SQLite store makes the run resumable: re-running
        the same study skips finished tasks, a killed run loses only the
        tasks that were running.

    n_jobs : int, default=1
        Parallel tasks with the joblib backend (-1: all cores). Numerical
        libraries inside each task are held to one thread.

    backend : {"joblib", "dask"}, default="joblib"
        Where tasks run: local processes, or a dask.distributed cluster.

    scheduler : str or dask.distributed.Client, default=None
        Address of the dask scheduler (``"tcp://host:8786"``) or a client;
        required with ``backend="dask"``.

    progress : bool, default=True
        Show a progress bar with tasks done and failed, and the ETA.

    announce : callable, default=None
        Called with the list of tasks still to run once the store has
        accepted the study, before the first of them starts (the command
        line prints what runs and an estimate of how long).

    Returns
    -------
    results : pandas.DataFrame
        One row per task x retention level x downstream model of this study
        (one row with its error for a failed task), see :func:`load`.

    Examples
    --------
    >>> from featsel.benchmark import Study, run
    >>> study = Study(datasets=("wine",), selectors=("none", "lasso"),
    ...               retention=(0.5,), models=("linear",), folds=2)
    >>> results = run(study, out=getfixture("tmp_path"), progress=False)
    >>> sorted(results["selector"].unique())
    ['lasso', 'none']
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose from {BACKENDS}")
    if backend == "dask" and scheduler is None:
        raise ValueError("backend='dask' needs a scheduler address or client")
    if backend != "dask" and scheduler is not None:
        raise ValueError(
            f"a scheduler is used by backend='dask' only, not by {backend!r}; "
            "drop the scheduler or choose the dask backend"
        )
    study.validate()
    tasks = make_tasks(study)
    with Store(out, writer=True) as store:
        store.record_study(
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
            {**study.to_dict(), "guesses": study.guesses()},
        )
        store.plan(tasks)
        finished = store.finished_keys()
        pending = [task for task in tasks if task.key not in finished]
        if announce is not None:
            announce(pending)
        results = (
            _run_dask(pending, scheduler)
            if backend == "dask"
            else _run_joblib(pending, n_jobs)
        )
        failed, warned = 0, set()
        with tqdm(
            total=len(tasks),
            initial=len(tasks) - len(pending),
            desc="featsel bench",
            unit="task",
            disable=not progress,
        ) as bar:
            for result in results:
                store.add(result)
                failed += result["status"] == "failed"
                for text in result.get("warnings", ()):
                    if warning_kind(text) in warned:
                        continue
                    warned.add(warning_kind(text))
                    bar.write(f"{result['task']['selector']}: {text}", file=sys.stderr)
                bar.set_postfix(failed=failed)
                bar.update()
        return store.results(keys={task.key for task in tasks})


def load(out):
    """Load the results stored in a study's output folder.

    Parameters
    ----------
    out : str or path
        The folder given to :func:`run`.

    Returns
    -------
    results : pandas.DataFrame
        One row per task x retention level x downstream model: dataset,
        selector, fold, seed, status, error, fit_time (selector), model_time,
        wall_time, max_rss_mb (peak resident memory of the worker process),
        n_features, task_type, level, model, n_selected, score, selected
        (column names), recall and precision (synthetic data only).
    """
    with Store(out) as store:
        return store.results()


def load_shifts(out):
    """Load the feature-shift evaluations of a study run with ``shift``.

    Returns
    -------
    shifts : pandas.DataFrame
        One row per shifted test set: dataset, selector, fold, seed, key,
        level, model, scenario, shifted (column names), n_shifted, fraction
        (of the model's features), score and drop (from the unshifted score).
    """
    with Store(out) as store:
        return store.shifts()


def load_tasks(out):
    """Load one row per task, with each selector's scores per feature."""
    with Store(out) as store:
        return store.tasks()


def _run_joblib(tasks, n_jobs):
    return Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
        delayed(run_task)(task) for task in tasks
    )


def _run_dask(tasks, scheduler):
    from .._optional import import_optional

    distributed = import_optional("dask.distributed", extra="dask")
    client = (
        scheduler
        if isinstance(scheduler, distributed.Client)
        else distributed.Client(scheduler)
    )
    try:
        # Higher priority for earlier tasks: the longest run first.
        futures = [
            client.submit(run_task, task, pure=False, priority=len(tasks) - i)
            for i, task in enumerate(tasks)
        ]
        for future in distributed.as_completed(futures):
            yield future.result()
    finally:
        if client is not scheduler:
            client.close()
