"""No silent wrong results: every failure said, every row tied to what made it.

Each test here is one probe that once gave a wrong answer without a word
(or hid why it failed): a file edited while the study runs, a study in
which every task fails, a re-run after an upgrade, recovery run twice, a
store that cannot be opened, what the runner guesses from a file, Ctrl-C.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import featsel
from featsel import cli
from featsel.benchmark import Study, _tasks, load, run
from featsel.benchmark._registry import SELECTORS, SelectorSpec
from featsel.benchmark._store import STORE_NAME, StoreError
from featsel.benchmark._tasks import make_tasks

COLUMNS = ["dataset", "selector", "seed", "fold", "level", "model", "score"]


def _csv(path, n=60, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n, 4)), columns=["a", "b", "c", "d"])
    frame["y"] = (frame["a"] + 0.3 * rng.normal(size=n) > 0).astype(int)
    frame.to_csv(path, index=False)
    return str(path)


class EditingTheData(featsel.LassoSelector):
    """Permutes the target of the study's file during its first fit."""

    path = None
    done = True

    def _fit_scores(self, X, y, uninformative):
        frame = pd.read_csv(EditingTheData.path)
        if not EditingTheData.done:
            EditingTheData.done = True
            frame["y"] = frame["y"].to_numpy()[::-1]
            frame.to_csv(EditingTheData.path, index=False)
        return super()._fit_scores(X, y, uninformative)


def test_file_edited_during_the_run_never_enters_under_the_old_key(
    tmp_path, monkeypatch
):
    path = tmp_path / "data.csv"
    original = Path(_csv(path)).read_bytes()
    monkeypatch.setattr(featsel, "EditingTheData", EditingTheData, raising=False)
    monkeypatch.setitem(SELECTORS, "editing", SelectorSpec("EditingTheData"))
    monkeypatch.setattr(EditingTheData, "path", path)
    monkeypatch.setattr(EditingTheData, "done", False)
    _tasks._load.cache_clear()
    study = Study(
        datasets=(str(path),),
        target="y",
        selectors=("editing",),
        retention=(0.5,),
        models=("linear",),
        folds=2,
        seeds=(0, 1),
    )
    first = run(study, tmp_path / "out", progress=False).drop_duplicates("key")
    # The seed read before the edit finishes; every task that read the
    # edited bytes fails, saying why, instead of storing them as the study's.
    assert first["status"].value_counts().to_dict() == {"done": 2, "failed": 2}
    assert first["error"].dropna().str.contains("changed after the study").all()

    path.write_bytes(original)
    _tasks._load.cache_clear()
    resumed = run(study, tmp_path / "out", progress=False)
    assert (resumed["status"] == "done").all()
    monkeypatch.setattr(EditingTheData, "done", True)  # no edit this time
    whole = run(study, tmp_path / "whole", progress=False)
    pd.testing.assert_frame_equal(resumed[COLUMNS], whole[COLUMNS])


class Failing(featsel.LassoSelector):
    def _fit_scores(self, X, y, uninformative):
        raise RuntimeError(f"no fit on {X.shape[0]} rows")


def test_study_where_every_task_fails_says_why_and_exits_non_zero(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(featsel, "Failing", Failing, raising=False)
    monkeypatch.setitem(SELECTORS, "failing", SelectorSpec("Failing"))
    argv = ["bench", "--datasets", "wine", "--selectors", "failing"]
    argv += ["--models", "linear", "--folds", "3", "--retention", "0.5"]
    argv += ["--out", str(tmp_path / "out"), "--no-progress", "--n-jobs", "1"]
    assert cli.main(argv) == 1
    printed = capsys.readouterr()
    assert "3 of 3 task(s) failed" in printed.out
    # One line per reason (the row counts of the folds differ), with where.
    assert "1 task(s): RuntimeError: no fit on 118 rows" in printed.out
    assert "wine / failing / seed 0 / fold" in printed.out
    assert "Length of new names" not in printed.out + printed.err
    summary = featsel.benchmark.report(tmp_path / "out", plots=False)
    assert list(summary) == ["failures", "progress"]
    text = (tmp_path / "out" / "report" / "summary.md").read_text()
    assert "## Why tasks failed" in text and "no fit on 119 rows" in text


SMALL = Study(
    datasets=("wine",),
    selectors=("lasso",),
    retention=(0.5,),
    models=("linear",),
    folds=2,
)


def test_rows_of_other_featsel_code_are_never_reused(tmp_path, monkeypatch):
    run(SMALL, tmp_path, progress=False)
    monkeypatch.setattr(_tasks, "code_fingerprint", lambda: "9.9.9+upgraded")
    assert {task.key for task in make_tasks(SMALL)}.isdisjoint(
        key for key in load(tmp_path)["key"]
    )
    with pytest.raises(StoreError, match="featsel: '0.*' there, '9.9.9"):
        run(SMALL, tmp_path, progress=False)


def test_store_of_a_featsel_without_the_check_is_refused(tmp_path):
    run(SMALL, tmp_path, progress=False)
    with sqlite3.connect(tmp_path / STORE_NAME) as connection:
        connection.execute(
            "UPDATE studies SET config = json_remove(config, '$.featsel')"
        )
    with pytest.raises(StoreError, match="featsel: an older featsel there"):
        run(SMALL, tmp_path, progress=False)


class LassoWithOtherDefault(featsel.LassoSelector):
    def __init__(self, n_features_to_select=None, *, cv=3, **params):
        super().__init__(n_features_to_select, cv=cv, **params)


def test_a_changed_default_changes_the_task_key(monkeypatch):
    before = {task.key for task in make_tasks(SMALL)}
    # The same short name, the same user parameters, another default.
    monkeypatch.setattr(featsel, "LassoSelector", LassoWithOtherDefault)
    after = make_tasks(SMALL)
    assert before.isdisjoint(task.key for task in after)
    assert dict(after[0].resolved_params)["cv"] == "3"


def _damage(folder):
    path = folder / STORE_NAME
    with open(path, "r+b") as file:
        file.write(b"this is no database header")
    return path.read_bytes()


def test_recover_twice_keeps_every_damaged_copy(tmp_path, capsys):
    run(SMALL, tmp_path, progress=False)
    first = _damage(tmp_path)
    assert cli.main(["recover", str(tmp_path)]) == 0
    run(SMALL, tmp_path, progress=False)
    second = _damage(tmp_path)
    assert cli.main(["recover", str(tmp_path)]) == 0
    assert f"kept as {tmp_path / (STORE_NAME + '.damaged.1')}" in (
        capsys.readouterr().out
    )
    assert (tmp_path / (STORE_NAME + ".damaged")).read_bytes() == first
    assert (tmp_path / (STORE_NAME + ".damaged.1")).read_bytes() == second


def test_store_that_cannot_open_is_no_damage(tmp_path, capsys):
    (tmp_path / STORE_NAME).mkdir()
    with pytest.raises(SystemExit):
        cli.main(["bench", "--datasets", "wine", "--out", str(tmp_path)])
    error = capsys.readouterr().err
    assert "cannot open the results store" in error
    assert "it is a folder, not a results file" in error
    assert "damaged" not in error and "recover" not in error
    with pytest.raises(StoreError, match="it is a folder"):
        featsel.benchmark._store.recover(tmp_path)


def test_what_the_runner_guessed_is_said_and_reported(tmp_path, capsys):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    frame["y"] = (frame["a"] > 0).astype(float)
    path = tmp_path / "saved_with_index.csv"
    frame.to_csv(path)  # pandas' index becomes a first column, "Unnamed: 0"
    counts = tmp_path / "counts.csv"
    # 31 integer values, each on 2 rows: enough for 2 stratified folds.
    many = pd.DataFrame(rng.normal(size=(62, 3)), columns=["a", "b", "c"])
    many.assign(y=np.arange(62) // 2).to_csv(counts, index=False)
    out = tmp_path / "out"
    argv = ["bench", "--datasets", f"{path},{counts}", "--target", "y"]
    argv += ["--selectors", "none,lasso", "--models", "linear", "--folds", "2"]
    argv += ["--retention", "0.5", "--out", str(out), "--no-progress"]
    cli.main([*argv, "--n-jobs", "1"])
    said = capsys.readouterr().err.splitlines()
    assert said[:3] == [
        "Guessed: saved_with_index.csv: column 'Unnamed: 0' holds the row "
        "numbers (a saved pandas index) and is left out.",
        "Guessed: saved_with_index.csv: the float target 'y' has 2 values "
        "(0.0, 1.0) and is run as regression; give task classification "
        "(--task classification) if they are classes.",
        "Guessed: counts.csv: the integer target 'y' has 31 values and is run "
        "as classification; give task regression (--task regression) if it is "
        "a quantity.",
    ]
    results = load(out)
    assert all("Unnamed: 0" not in selected for selected in results["selected"])
    featsel.benchmark.report(out, plots=False)
    summary = (out / "report" / "summary.md").read_text().splitlines()
    assert summary[0] == said[0] + "  "


def test_a_column_of_row_numbers_with_a_name_is_kept_and_named(tmp_path):
    frame = pd.DataFrame({"id": range(1, 31), "a": np.arange(30) % 7, "y": [0, 1] * 15})
    frame.to_csv(tmp_path / "ids.csv", index=False)
    data = featsel.datasets.load_dataset(tmp_path / "ids.csv", target="y")
    assert list(data.X.columns) == ["id", "a"]
    assert data.notes == (
        "ids.csv: column 'id' holds the row numbers 1..30; it is kept as a "
        "feature, drop it if it is an index",
    )


INTERRUPTIBLE = """
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
from featsel import cli
sys.exit(cli.main(sys.argv[1:]))
"""


def test_ctrl_c_ends_in_one_line_with_the_resume_command(tmp_path):
    script = tmp_path / "interruptible.py"
    script.write_text(INTERRUPTIBLE)
    argv = ["bench", "--datasets", "breast_cancer", "--selectors", "none,rf,mi"]
    argv += ["--folds", "5", "--seeds", "0,1,2", "--n-jobs", "1", "--no-progress"]
    argv += ["--out", str(tmp_path / "out")]
    process = subprocess.Popen(
        [sys.executable, str(script), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # The featsel under test, whichever checkout the tests run from.
        env={**os.environ, "PYTHONPATH": str(Path(featsel.__file__).parents[1])},
    )
    deadline = time.monotonic() + 120
    store = tmp_path / "out" / STORE_NAME
    while not store.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)
    os.kill(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    lines = [line for line in err.splitlines() if "Warning" not in line]
    # What runs and how long it may take, up front; then the one line.
    assert [line.partition(":")[0] for line in lines[:-1]] == [
        "No --preset given",
        "Estimated time",
    ], lines
    assert lines[-1] == (
        "featsel bench: interrupted; finished tasks are kept, resume with: "
        f"featsel {' '.join(argv)}"
    )
    assert "Traceback" not in out + err


def test_lists_are_taken_where_tuples_are_expected():
    study = Study(datasets=["wine"], selectors=["lasso"], retention=[0.5])
    assert study.validate() == replace(
        study, datasets=("wine",), selectors=("lasso",), retention=(0.5,)
    )


def test_an_interrupted_study_reports_as_incomplete(tmp_path, capsys):
    study = replace(SMALL, selectors=("none", "lasso", "mi"), folds=5)
    run(study, tmp_path, progress=False)
    # As if killed: three of mi's five folds and the reference row of one
    # fold never finished.
    with sqlite3.connect(tmp_path / STORE_NAME) as connection:
        connection.execute(
            "DELETE FROM tasks WHERE (selector = 'mi' AND fold < 3) "
            "OR (selector = 'none' AND fold = 4)"
        )
    assert cli.main(["report", str(tmp_path), "--no-plots"]) == 1
    printed = capsys.readouterr()
    assert printed.out.startswith(
        "Incomplete study: 11 of 15 planned tasks done (0 failed, 4 not run; "
        "mi on wine (2/5), none on wine (4/5))"
    )
    assert "--partial" in printed.err
    summary = (tmp_path / "report" / "summary.md").read_text()
    assert summary.startswith("**Incomplete study: 11 of 15")
    assert cli.main(["report", str(tmp_path), "--no-plots", "--partial"]) == 0
