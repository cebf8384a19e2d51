"""The results store: one SQLite file per study output folder."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import functools
import json
import os
import sqlite3
from pathlib import Path

import pandas as pd

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, as before
    fcntl = None

STORE_NAME = "results.sqlite"
LOCK_NAME = "results.lock"
DAMAGED_SUFFIX = ".damaged"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    key TEXT PRIMARY KEY,
    dataset TEXT, selector TEXT, fold INTEGER, seed INTEGER,
    config TEXT, status TEXT, error TEXT,
    fit_time REAL, model_time REAL, wall_time REAL, max_rss_mb REAL,
    n_features INTEGER, task_type TEXT, feature_names TEXT, feature_scores TEXT
);
CREATE TABLE IF NOT EXISTS evaluations (
    key TEXT, level REAL, model TEXT, n_selected INTEGER, score REAL,
    selected TEXT, recall REAL, precision REAL,
    PRIMARY KEY (key, level, model)
);
CREATE TABLE IF NOT EXISTS shifts (
    key TEXT, level REAL, model TEXT, scenario TEXT, shifted TEXT,
    n_shifted INTEGER, fraction REAL, score REAL, drop_ REAL
);
CREATE INDEX IF NOT EXISTS shifts_key ON shifts (key);
CREATE TABLE IF NOT EXISTS studies (
    started TEXT, config TEXT
);
CREATE TABLE IF NOT EXISTS warnings (
    key TEXT, message TEXT
);
CREATE TABLE IF NOT EXISTS planned (
    key TEXT PRIMARY KEY, dataset TEXT, selector TEXT, seed INTEGER,
    fold INTEGER
);
"""


class StoreError(ValueError):
    """A results store that cannot be used as it is; the message says why."""


def _lock_folder(folder):
    """Hold the output folder's lock file, or refuse: another run writes."""
    if fcntl is None:  # pragma: no cover
        return None
    lock = open(Path(folder) / LOCK_NAME, "a+")  # noqa: SIM115 - held open
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.seek(0)
        holder = lock.read().strip() or "unknown"
        lock.close()
        raise StoreError(
            f"{folder} is in use by another featsel bench run (process "
            f"{holder}); wait for it to finish, or choose another --out"
        ) from None
    lock.truncate(0)
    lock.write(str(os.getpid()))
    lock.flush()
    return lock


def _damaged(path, exc):
    folder = path.parent
    return StoreError(
        f"{path} is damaged ({exc}); it was left untouched: run "
        f"`featsel recover {folder}` to keep every finished task that can "
        f"still be read (the damaged file is kept as {STORE_NAME}"
        f"{DAMAGED_SUFFIX}), then re-run to redo the rest"
    )


def _cannot_open(path, exc):
    """A store that SQLite cannot open: a path or permission problem."""
    if path.is_dir():
        reason = "it is a folder, not a results file: rename or remove it"
    elif not os.access(path.parent, os.W_OK | os.X_OK) or (
        path.exists() and not os.access(path, os.R_OK | os.W_OK)
    ):
        reason = "no permission to read and write it and its folder"
    else:
        reason = f"{exc}; check that its folder exists and is writable"
    return StoreError(
        f"cannot open the results store {path}: {reason} (or choose another "
        "--out folder)"
    )


def _translating_errors(method):
    """Turn SQLite's errors into one-line StoreErrors naming the file."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.DatabaseError, pd.errors.DatabaseError) as exc:
            if "unable to open" in str(exc):
                raise _cannot_open(self.path, exc) from exc
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreError(
                    f"{self.path} is locked by another process ({exc}); wait "
                    "for it to finish"
                ) from exc
            # pandas wraps SQLite's error; name SQLite's own.
            raise _damaged(self.path, exc.__cause__ or exc) from exc

    return wrapper


class Store:
    """Append-only store of finished tasks.

    Each task is written in one transaction, after it has finished, so a
    run killed at any moment loses only the tasks that were still running;
    write-ahead logging keeps readers and the writer out of each other's way.

    Parameters
    ----------
    folder : str or path
        The study's output folder.

    writer : bool, default=False
        Open for a run: take the folder's lock (a second run on the same
        folder is refused while the first holds it) and check that the
        study recorded there is the one being run.
    """

    def __init__(self, folder, *, writer=False):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / STORE_NAME
        self._lock = _lock_folder(self.folder) if writer else None
        try:
            self._open()
        except StoreError:
            self._release_lock()
            raise

    @_translating_errors
    def _open(self):
        self._connection = sqlite3.connect(self.path, timeout=30)
        try:
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA synchronous=NORMAL")
            self._connection.executescript(_SCHEMA)
            # Reading the whole task table finds a damaged page now, before
            # any work, rather than after the first task has run.
            self._connection.execute("SELECT COUNT(*) FROM tasks").fetchone()
        except sqlite3.DatabaseError:
            self._connection.close()
            raise

    def _release_lock(self):
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def close(self):
        self._connection.close()
        self._release_lock()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    @_translating_errors
    def finished_keys(self):
        rows = self._connection.execute("SELECT key FROM tasks WHERE status='done'")
        return {key for (key,) in rows}

    @_translating_errors
    def record_study(self, started, config):
        """Record a run of a study; refuse one that would mix protocols.

        A study may grow: a run may add datasets, selectors or seeds (or run
        a part of the study), since each task's key identifies its rows.
        Any other difference from a study recorded here (folds, models,
        levels, scoring, a selector's parameters, a data file's content,
        featsel's code) is refused: its rows would be merged into tables
        made under another protocol.
        """
        config = json.loads(json.dumps(config, default=str))
        for stored in self.studies():
            differences = _differences(stored, config)
            if differences:
                raise StoreError(
                    f"{self.folder} holds the results of a different study "
                    f"({'; '.join(differences)}); choose another --out folder "
                    "(or delete this one): rows made by other settings, data "
                    "or featsel code are never mixed with new ones (a study "
                    "may only add datasets, selectors or seeds)"
                )
        with self._connection:
            self._connection.execute(
                "INSERT INTO studies VALUES (?, ?)", (started, json.dumps(config))
            )

    @_translating_errors
    def study(self):
        """The settings of the study last run into this store (empty if none)."""
        row = self._connection.execute(
            "SELECT config FROM studies ORDER BY rowid DESC LIMIT 1"
        ).fetchone()
        return {} if row is None else json.loads(row[0])

    @_translating_errors
    def studies(self):
        """The settings of every run recorded in this store, oldest first."""
        rows = self._connection.execute("SELECT config FROM studies ORDER BY rowid")
        return [json.loads(text) for (text,) in rows]

    @_translating_errors
    def planned_seeds(self):
        """The seeds planned for each dataset, as sorted lists."""
        rows = self._connection.execute(
            "SELECT DISTINCT dataset, seed FROM planned ORDER BY dataset, seed"
        )
        seeds = {}
        for dataset, seed in rows:
            seeds.setdefault(dataset, []).append(seed)
        return seeds

    @_translating_errors
    def plan(self, tasks):
        """Record the tasks a run of the study sets out to do."""
        with self._connection:
            self._connection.executemany(
                "INSERT OR IGNORE INTO planned VALUES (?, ?, ?, ?, ?)",
                [
                    (task.key, task.dataset, task.selector, task.seed, task.fold)
                    for task in tasks
                ],
            )

    @_translating_errors
    def planned_tasks(self):
        """One row per planned task: key, dataset, selector and status.

        The status is ``done``, ``failed`` or missing (not run yet).
        """
        return pd.read_sql_query(
            "SELECT p.key, p.dataset, p.selector, t.status FROM planned p "
            "LEFT JOIN tasks t ON p.key = t.key ORDER BY p.rowid",
            self._connection,
        )

    @_translating_errors
    def warnings(self):
        """The distinct warnings raised inside tasks, with how many tasks."""
        return pd.read_sql_query(
            "SELECT message, COUNT(DISTINCT key) AS tasks FROM warnings "
            "GROUP BY message ORDER BY MIN(rowid)",
            self._connection,
        )

    @_translating_errors
    def add(self, result):
        """Write one task's result and its evaluations atomically."""
        task = result["task"]
        with self._connection:
            # A failed task is retried by the next run: replace its row.
            for table in ("evaluations", "shifts", "warnings"):
                self._connection.execute(
                    f"DELETE FROM {table} WHERE key=?", (result["key"],)
                )
            self._connection.execute(
                "INSERT OR REPLACE INTO tasks VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    result["key"],
                    task["dataset"],
                    task["selector"],
                    task["fold"],
                    task["seed"],
                    json.dumps(task, default=str),
                    result["status"],
                    result.get("error"),
                    result.get("fit_time"),
                    result.get("model_time"),
                    result.get("wall_time"),
                    result.get("max_rss_mb"),
                    result.get("n_features"),
                    result.get("task_type"),
                    json.dumps(result.get("feature_names")),
                    json.dumps(result.get("feature_scores")),
                ),
            )
            self._connection.executemany(
                "INSERT INTO evaluations VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        result["key"],
                        evaluation["level"],
                        evaluation["model"],
                        evaluation["n_selected"],
                        evaluation["score"],
                        json.dumps(evaluation["selected"]),
                        evaluation["recall"],
                        evaluation["precision"],
                    )
                    for evaluation in result["evaluations"]
                ],
            )

            self._connection.executemany(
                "INSERT INTO shifts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        result["key"],
                        row["level"],
                        row["model"],
                        row["scenario"],
                        json.dumps(list(row["shifted"])),
                        row["n_shifted"],
                        row["fraction"],
                        row["score"],
                        row["drop"],
                    )
                    for row in result.get("shifts", [])
                ],
            )
            self._connection.executemany(
                "INSERT INTO warnings VALUES (?, ?)",
                [(result["key"], text) for text in result.get("warnings", [])],
            )

    @_translating_errors
    def shifts(self):
        """One row per shifted test set, with the task's dataset and selector."""
        frame = pd.read_sql_query(
            "SELECT t.dataset, t.selector, t.fold, t.seed, s.key, s.level, "
            "s.model, s.scenario, s.shifted, s.n_shifted, s.fraction, s.score, "
            's.drop_ AS "drop" FROM shifts s JOIN tasks t ON s.key = t.key '
            "ORDER BY t.dataset, t.selector, t.seed, t.fold, s.level, s.model",
            self._connection,
        )
        frame["shifted"] = [json.loads(text) for text in frame["shifted"]]
        return frame

    @_translating_errors
    def tasks(self):
        """One row per task (finished or failed), feature scores decoded."""
        frame = pd.read_sql_query("SELECT * FROM tasks", self._connection)
        for column in ("config", "feature_names", "feature_scores"):
            frame[column] = [json.loads(text) for text in frame[column]]
        return frame

    @_translating_errors
    def results(self, keys=None):
        """One row per task x retention level x model, with the task's columns.

        Failed tasks appear once, with a missing score and their error.
        """
        frame = pd.read_sql_query(
            "SELECT t.key, t.dataset, t.selector, t.fold, t.seed, t.status, "
            "t.error, t.fit_time, t.model_time, t.wall_time, t.max_rss_mb, "
            "t.n_features, t.task_type, e.level, e.model, e.n_selected, e.score, "
            "e.selected, e.recall, e.precision "
            "FROM tasks t LEFT JOIN evaluations e ON t.key = e.key "
            "ORDER BY t.dataset, t.selector, t.seed, t.fold, e.level, e.model",
            self._connection,
        )
        if keys is not None:
            frame = frame[frame["key"].isin(keys)]
        frame["selected"] = [
            json.loads(text) if isinstance(text, str) else None
            for text in frame["selected"]
        ]
        return frame.reset_index(drop=True)


#: Recorded settings that name a study without changing any row.
_LABELS = {"preset", "guesses"}


#: Settings a study grows in: a run may add to them, or run a part of them.
_GROWS = {"datasets", "selectors", "seeds"}


def _differences(stored, current, names=("there", "now")):
    """The settings in which two recorded studies differ, as short texts.

    ``names`` name the two studies in the texts.

    Settings a study grows in (:data:`_GROWS`) and labels are no
    difference; parameters count for the selectors both studies run, data
    digests for the files both read. A setting recorded by only one of
    them is not a difference, except the featsel code that made the rows: a
    store without it was written by a featsel older than the check, whose
    rows cannot be vouched for.
    """
    differences = []
    for name in sorted((set(stored) & set(current)) - _LABELS - _GROWS):
        there, now = stored[name], current[name]
        if name == "selector_params":
            shared = set(stored.get("selectors", ())) & set(
                current.get("selectors", ())
            )
            there = {key: there.get(key, {}) for key in sorted(shared)}
            now = {key: now.get(key, {}) for key in sorted(shared)}
            there, now = _differing(there, now)
        elif name == "data_digests":
            there, now = _differing(there, now)
        if there != now:
            differences.append(f"{name}: {there!r} {names[0]}, {now!r} {names[1]}")
    if "featsel" in current and "featsel" not in stored:
        differences.append(
            f"featsel: an older featsel {names[0]}, {current['featsel']!r} {names[1]}"
        )
    return differences


def _differing(there, now):
    """The entries of two tables whose shared keys hold different values."""
    keys = [key for key in there if key in now and there[key] != now[key]]
    return {key: there[key] for key in keys}, {key: now[key] for key in keys}


def recover(folder):
    """Keep the readable finished tasks of a damaged results store.

    The damaged file is renamed to ``results.sqlite.damaged`` (or
    ``.damaged.1``, ``.damaged.2``, ... when an earlier recovery kept one:
    no damaged copy is ever overwritten); a new store receives every task
    that can still be read together with all of its evaluations (and shift
    and warning rows). A task whose rows cannot all be read is left out, so
    the next run redoes it.

    Returns
    -------
    n_kept, n_lost : int
        Finished tasks kept, and tasks recorded but not recoverable.

    damaged : pathlib.Path
        Where the damaged file was kept.
    """
    folder = Path(folder)
    path = folder / STORE_NAME
    if path.is_dir():
        raise _cannot_open(path, None)
    if not path.is_file():
        raise StoreError(f"{folder} holds no featsel results ({STORE_NAME})")
    lock = _lock_folder(folder)
    try:
        return _recover(folder, path)
    finally:
        if lock is not None:
            lock.close()


def _unused_name(path):
    """``path``, or the first of ``path.1``, ``path.2``, ... that is free.

    A second recovery keeps the first one's damaged file: the evidence is
    never overwritten.
    """
    candidate, number = path, 0
    while any(
        candidate.with_name(candidate.name + suffix).exists()
        for suffix in ("", "-wal", "-shm")
    ):
        number += 1
        candidate = path.with_name(f"{path.name}.{number}")
    return candidate


def _recover(folder, path):
    damaged = _unused_name(path.with_name(STORE_NAME + DAMAGED_SUFFIX))
    path.replace(damaged)
    for suffix in ("-wal", "-shm"):
        sidecar = path.with_name(STORE_NAME + suffix)
        if sidecar.exists():
            sidecar.replace(damaged.with_name(damaged.name + suffix))
    source = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
    try:
        tables = {
            table: _readable_rows(source, table)
            for table in ("tasks", "evaluations", "shifts", "warnings", "studies")
        }
    finally:
        source.close()
    by_key = {}
    for table in ("evaluations", "shifts", "warnings"):
        for row in tables[table]:
            by_key.setdefault((table, row[0]), []).append(row)
    kept = []
    for task in tables["tasks"]:
        key, config, status = task[0], json.loads(task[5]), task[6]
        evaluations = by_key.get(("evaluations", key), [])
        expected = len(config.get("levels", ())) * len(config.get("models", ()))
        shifts_missing = config.get("shift") and not by_key.get(("shifts", key))
        if status == "done" and (len(evaluations) != expected or shifts_missing):
            continue
        kept.append(task)
    with Store(folder) as store, store._connection as connection:
        connection.executemany("INSERT INTO studies VALUES (?, ?)", tables["studies"])
        for task in kept:
            connection.execute(
                "INSERT OR REPLACE INTO tasks VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                task,
            )
            for table, width in (("evaluations", 8), ("shifts", 9), ("warnings", 2)):
                connection.executemany(
                    f"INSERT OR REPLACE INTO {table} VALUES ({', '.join('?' * width)})",
                    by_key.get((table, task[0]), []),
                )
    n_done = sum(task[6] == "done" for task in kept)
    return n_done, len(tables["tasks"]) - len(kept), damaged


def _readable_rows(connection, table, max_gap=100_000):
    """Every row of ``table`` that can be read, skipping damaged pages."""
    try:
        connection.execute(f"SELECT * FROM {table} LIMIT 0")
    except sqlite3.DatabaseError:
        return []
    rows, last = [], 0
    misses = 0
    while misses < max_gap:
        try:
            cursor = connection.execute(
                f"SELECT rowid, * FROM {table} WHERE rowid > ? ORDER BY rowid",
                (last,),
            )
            for row in cursor:
                rows.append(row[1:])
                last = row[0]
                misses = 0
            return rows
        except sqlite3.DatabaseError:
            # A damaged page: step over the row ids it held.
            last += 1
            misses += 1
    return rows
