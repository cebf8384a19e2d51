"""The runner never answers wrongly in silence: data edge cases and faults."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import featsel
from featsel import cli
from featsel.benchmark import Study, load, report, run
from featsel.benchmark._registry import SELECTORS, SelectorSpec
from featsel.benchmark._store import STORE_NAME, Store, StoreError, recover
from featsel.benchmark._tasks import make_tasks


def _csv(path, n=60, seed=0, missing=False, integer_target=False):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n, 4)), columns=["a", "b", "c", "d"])
    target = 3 * frame["a"] + rng.normal(scale=0.1, size=n)
    frame["y"] = np.round(10 * target).astype(int) if integer_target else target > 0
    frame["y"] = frame["y"].astype(int)
    if missing:
        frame.loc[rng.choice(n, size=n // 5, replace=False), "b"] = np.nan
        frame.loc[::7, "a"] = np.nan
    frame.to_csv(path, index=False)
    return str(path)


def test_missing_values_reach_no_downstream_model(tmp_path):
    # rf takes NaN itself; lasso gets imputed data; the models never see NaN.
    study = Study(
        datasets=(_csv(tmp_path / "gaps.csv", missing=True),),
        target="y",
        selectors=("none", "rf", "lasso"),
        selector_params={"rf": {"n_estimators": 10, "n_repeats": 2}},
        retention=(0.5,),
        models=("linear", "rf"),
        folds=2,
    )
    results = run(study, tmp_path / "out", progress=False)
    assert (results["status"] == "done").all(), results["error"].dropna().tolist()
    assert results["score"].notna().all()
    rf = results[results["selector"] == "rf"]
    assert all(selected[0] == "a" for selected in rf["selected"])


def test_missing_value_in_a_test_fold_only(tmp_path):
    path = tmp_path / "one_gap.csv"
    _csv(path)
    frame = pd.read_csv(path)
    frame.loc[0, "c"] = np.nan  # in one fold's test rows, not its training rows
    frame.to_csv(path, index=False)
    study = Study(
        datasets=(str(path),),
        target="y",
        selectors=("none", "lasso"),
        retention=(0.5,),
        models=("linear",),
        folds=2,
    )
    results = run(study, tmp_path / "out", progress=False)
    assert (results["status"] == "done").all(), results["error"].dropna().tolist()


def test_edited_data_file_is_new_data(tmp_path):
    path = tmp_path / "data.csv"
    study = Study(
        datasets=(_csv(path, seed=0),),
        target="y",
        selectors=("mi",),
        retention=(0.5,),
        models=("linear",),
        folds=2,
    )
    first_keys = {task.key for task in make_tasks(study)}
    run(study, tmp_path / "out", progress=False)
    _csv(path, seed=1)
    assert first_keys.isdisjoint(task.key for task in make_tasks(study))
    # The old results are not reused for the new content, nor merged with it.
    with pytest.raises(StoreError, match="different study.*data_digests"):
        run(study, tmp_path / "out", progress=False)
    fresh = run(study, tmp_path / "fresh", progress=False)
    assert (fresh["status"] == "done").all()


def test_integer_regression_target_with_task_option(tmp_path, capsys):
    path = _csv(tmp_path / "counts.csv", n=40, integer_target=True)
    out = tmp_path / "out"
    argv = ["bench", "--dataset", path, "--target", "y", "--task", "regression"]
    argv += ["--selectors", "none,lasso", "--models", "linear", "--folds", "2"]
    argv += ["--retention", "0.5", "--out", str(out), "--no-progress", "--n-jobs", "1"]
    assert cli.main(argv) == 0
    results = load(out)
    assert (results["status"] == "done").all()
    assert set(results["task_type"]) == {"regression"}
    assert (results["score"] > 0.9).all()  # R^2 of y = 30 a, not F1 of 40 classes


class Failing(featsel.LassoSelector):
    def _fit_scores(self, X, y, uninformative):
        raise RuntimeError("planted failure\nsecond line\n  third")


class Warning_(featsel.LassoSelector):
    calls = 0

    def _fit_scores(self, X, y, uninformative):
        # Twice per fit, and with a number that differs between fits.
        Warning_.calls += 1
        for _ in range(2):
            warnings.warn(
                f"planted warning {Warning_.calls}", UserWarning, stacklevel=1
            )
        return super()._fit_scores(X, y, uninformative)


@pytest.fixture
def planted(monkeypatch):
    for name, cls in (("failing", Failing), ("warning", Warning_)):
        monkeypatch.setattr(featsel, cls.__name__, cls, raising=False)
        monkeypatch.setitem(SELECTORS, name, SelectorSpec(cls.__name__))
    monkeypatch.setattr(Warning_, "calls", 0)


def test_failed_task_gives_non_zero_exit_and_one_line_errors(planted, tmp_path, capsys):
    argv = ["bench", "--datasets", "wine", "--selectors", "lasso,failing"]
    argv += ["--models", "linear", "--folds", "2", "--retention", "0.5"]
    argv += ["--out", str(tmp_path / "out"), "--no-progress", "--n-jobs", "1"]
    assert cli.main(argv) == 1
    printed = capsys.readouterr().out
    assert "2 of 4 task(s) failed" in printed
    assert "planted failure second line third" in printed
    errors = load(tmp_path / "out")["error"].dropna()
    assert set(errors) == {"RuntimeError: planted failure second line third"}


def test_task_warnings_reach_the_user_once_each(planted, tmp_path, capsys):
    study = Study(
        datasets=("wine",),
        selectors=("warning",),
        retention=(0.5,),
        models=("linear",),
        folds=2,
    )
    run(study, tmp_path, progress=False)
    assert (load(tmp_path)["status"] == "done").all()
    error = capsys.readouterr().err
    assert error.count("UserWarning: planted warning") == 1
    with Store(tmp_path) as store:
        stored = store.warnings()
    assert stored.to_dict("records") == [
        {"message": f"UserWarning: planted warning {i}", "tasks": 1} for i in (1, 2)
    ]


SMALL = Study(
    datasets=("wine",),
    selectors=("lasso", "mi"),
    retention=(0.5,),
    models=("linear",),
    folds=3,
)


def test_damaged_header_is_one_line_naming_the_file(tmp_path, capsys):
    run(SMALL, tmp_path, progress=False)
    path = tmp_path / STORE_NAME
    with open(path, "r+b") as file:
        file.write(b"this is no database header")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["bench", "--datasets", "wine", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert str(path) in error and f"featsel recover {tmp_path}" in error
    assert path.read_bytes().startswith(b"this is no database header")


def _fake_result(i):
    key = f"task{i:04d}"
    task = {
        "dataset": "wine",
        "selector": "mi",
        "fold": i,
        "seed": 0,
        "levels": [0.5, 1.0],
        "models": ["linear"],
        "shift": [],
    }
    return {
        "key": key,
        "task": task,
        "status": "done",
        "n_features": 13,
        "feature_names": [f"x{j}" for j in range(13)] * 20,
        "feature_scores": [0.5] * 260,
        "evaluations": [
            {
                "level": level,
                "model": "linear",
                "n_selected": 7,
                "score": 0.9,
                "selected": ["x0"] * 50,
                "recall": None,
                "precision": None,
            }
            for level in (0.5, 1.0)
        ],
    }


def test_malformed_page_keeps_every_readable_task(tmp_path, capsys):
    with Store(tmp_path) as store:
        for i in range(300):
            store.add(_fake_result(i))
        store._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = tmp_path / STORE_NAME
    page_size = 4096
    n_pages = path.stat().st_size // page_size
    with open(path, "r+b") as file:
        file.seek(page_size * (n_pages // 2))
        file.write(b"\xff" * page_size)
    with (
        pytest.raises(StoreError, match="is damaged .*featsel recover"),
        Store(tmp_path) as store,
    ):
        store.results()
    assert cli.main(["recover", str(tmp_path)]) == 0
    assert "could not be read" in capsys.readouterr().out
    assert (tmp_path / (STORE_NAME + ".damaged")).is_file()
    with Store(tmp_path) as store:
        kept = store.finished_keys()
        results = store.results()
    assert 0 < len(kept) < 300
    # Every kept task has all of its evaluations: none is half there.
    assert results.groupby("key").size().eq(2).all()
    assert set(results["key"]) == kept


def test_second_run_on_a_busy_folder_is_refused(tmp_path, capsys):
    with Store(tmp_path, writer=True), pytest.raises(SystemExit) as exit_info:
        cli.main(["bench", "--datasets", "wine", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "in use by another featsel bench run" in error
    assert f"process {os.getpid()}" in error and error.count("\n") == 1
    with Store(tmp_path, writer=True), pytest.raises(StoreError, match="in use"):
        recover(tmp_path)
    # The lock goes with its holder.
    with Store(tmp_path, writer=True):
        pass


def test_different_study_into_one_folder_is_refused(tmp_path):
    run(SMALL, tmp_path, progress=False)
    other = Study(**{**SMALL.__dict__, "retention": (0.3,)})
    with pytest.raises(StoreError, match=r"different study \(retention: \[0.5\]"):
        run(other, tmp_path, progress=False)
    # The same study again resumes.
    assert (run(SMALL, tmp_path, progress=False)["status"] == "done").all()


def test_a_study_grows_in_its_folder_by_selectors_datasets_and_seeds(tmp_path):
    first = run(SMALL, tmp_path, progress=False)
    grown = replace(
        SMALL,
        datasets=("wine", "diabetes"),
        selectors=("none", "lasso", "mi"),
        seeds=(0, 1),
    )
    results = run(grown, tmp_path, progress=False)
    # Only the new tasks ran: the first run's rows are kept as they were.
    kept = results.merge(first, on=["key", "level", "model"], suffixes=("", " first"))
    assert len(kept) == len(first)
    assert (kept["wall_time"] == kept["wall_time first"]).all()
    assert len(results) == len(make_tasks(grown))
    progress = report(tmp_path, plots=False)["progress"]
    assert progress["planned"].sum() == progress["done"].sum() == len(results)
    assert progress.loc[("diabetes", "none"), "planned"] == 2 * SMALL.folds
    # A part of the grown study runs from the same folder too.
    assert (run(SMALL, tmp_path, progress=False)["status"] == "done").all()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"folds": 2}, "folds: 3 there, 2 now"),
        ({"models": ("rf",)}, "models: ['linear'] there, ['rf'] now"),
        (
            {"selector_params": {"mi": {"n_neighbors": 5}}},
            "selector_params: {'mi': {}} there, {'mi': {'n_neighbors': 5}} now",
        ),
    ],
)
def test_a_grown_study_keeps_the_protocol(tmp_path, change, message):
    run(SMALL, tmp_path, progress=False)
    changed = replace(SMALL, selectors=("mi", "svm-rfe"), **change)
    with pytest.raises(StoreError) as caught:
        run(changed, tmp_path, progress=False)
    assert f"different study ({message})" in str(caught.value)
    assert "may only add datasets, selectors or seeds" in str(caught.value)


KILL_DURING_COMMIT = """
import sys, time
from pathlib import Path
from featsel import cli
from featsel.benchmark import _store

original_add = _store.Store.add
calls = []


class PausingBeforeCommit:
    # The transaction's statements have run; mark, then wait to be killed.
    def __init__(self, connection):
        self.inner = connection

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def __enter__(self):
        return self.inner.__enter__()

    def __exit__(self, *exc_info):
        Path(sys.argv[1]).write_text("in commit")
        time.sleep(60)
        return self.inner.__exit__(*exc_info)


def add(self, result):
    calls.append(result["key"])
    if len(calls) == 3:
        self._connection = PausingBeforeCommit(self._connection)
    return original_add(self, result)


_store.Store.add = add
cli.main(sys.argv[2:])
"""


def test_sigkill_during_a_commit_resumes_to_the_same_results(tmp_path):
    argv = ["bench", "--datasets", "wine", "--selectors", "lasso,mi"]
    argv += ["--models", "linear", "--folds", "3", "--retention", "0.5"]
    argv += ["--n-jobs", "1", "--no-progress"]
    marker = tmp_path / "marker"
    killed = tmp_path / "killed"
    script = tmp_path / "kill_during_commit.py"
    script.write_text(KILL_DURING_COMMIT)
    process = subprocess.Popen(
        [sys.executable, str(script), str(marker), *argv, "--out", str(killed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(featsel.__file__).parents[1],
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the third commit was never reached"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    with sqlite3.connect(killed / STORE_NAME) as connection:
        n_tasks = connection.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]
        n_evaluations = connection.execute(
            "SELECT COUNT(*) FROM evaluations"
        ).fetchone()[0]
    # The interrupted transaction left nothing: two whole tasks, no third half.
    assert (n_tasks, n_evaluations) == (2, 2)

    whole = tmp_path / "whole"
    for out in (killed, whole):
        assert cli.main([*argv, "--out", str(out)]) == 0
    columns = ["dataset", "selector", "fold", "level", "model", "score", "selected"]
    pd.testing.assert_frame_equal(load(killed)[columns], load(whole)[columns])


def test_study_record_is_json(tmp_path):
    run(SMALL, tmp_path, progress=False)
    with sqlite3.connect(tmp_path / STORE_NAME) as connection:
        (config,) = connection.execute("SELECT config FROM studies").fetchone()
    assert json.loads(config)["retention"] == [0.5]
