"""The results store: one SQLite file per study output folder."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import json
import sqlite3
from pathlib import Path

import pandas as pd

STORE_NAME = "results.sqlite"

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
"""


class Store:
    """Append-only store of finished tasks.

    Each task is written in one transaction, after it has finished, so a
    run killed at any moment loses only the tasks that were still running;
    write-ahead logging keeps readers and the writer out of each other's way.
    """

    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / STORE_NAME
        self._connection = sqlite3.connect(self.path)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.executescript(_SCHEMA)

    def close(self):
        self._connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def finished_keys(self):
        rows = self._connection.execute("SELECT key FROM tasks WHERE status='done'")
        return {key for (key,) in rows}

    def record_study(self, started, config):
        with self._connection:
            self._connection.execute(
                "INSERT INTO studies VALUES (?, ?)",
                (started, json.dumps(config, default=str)),
            )

    def add(self, result):
        """Write one task's result and its evaluations atomically."""
        task = result["task"]
        with self._connection:
            # A failed task is retried by the next run: replace its row.
            self._connection.execute(
                "DELETE FROM evaluations WHERE key=?", (result["key"],)
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

    def tasks(self):
        """One row per task (finished or failed), feature scores decoded."""
        frame = pd.read_sql_query("SELECT * FROM tasks", self._connection)
        for column in ("config", "feature_names", "feature_scores"):
            frame[column] = [json.loads(text) for text in frame[column]]
        return frame

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
