"""Tables and plots of a finished (or partly finished) study."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

from pathlib import Path

import numpy as np
import pandas as pd

from ..shift import summarize
from ._run import load, load_shifts
from ._stats import nogueira_stability, rank_comparison

TABLE_FORMATS = ("md", "tex", "csv", "html")


def _mean_std(values):
    return f"{values.mean():.3f} ± {values.std(ddof=1) if values.size > 1 else 0:.3f}"


def headline_table(results):
    """Mean score over retention levels per dataset x selector (per model).

    The score of a fold is its mean over retention levels (the KAN paper's
    headline number); the table gives the mean and standard deviation of
    that over folds and seeds.
    """
    done = results[results["status"] == "done"]
    per_fold = done.groupby(["model", "selector", "dataset", "seed", "fold"])[
        "score"
    ].mean()
    table = per_fold.groupby(["model", "selector", "dataset"]).agg(_mean_std)
    return table.unstack("dataset")


def level_table(results):
    """Score per retention level: mean ± std over folds and seeds."""
    done = results[results["status"] == "done"]
    table = done.groupby(["dataset", "model", "selector", "level"])["score"].agg(
        _mean_std
    )
    return table.unstack("level")


def stability_table(results):
    """Nogueira stability of the selected sets across folds, with a 95% CI."""
    done = results[(results["status"] == "done") & (results["selector"] != "all")]
    rows = []
    for (dataset, selector, level), group in done.groupby(
        ["dataset", "selector", "level"]
    ):
        # One selection per task (the models share it).
        selections = group.drop_duplicates("key")
        n_features = int(selections["n_features"].iloc[0])
        columns = sorted({name for chosen in selections["selected"] for name in chosen})
        universe = {name: j for j, name in enumerate(columns)}
        masks = np.zeros((len(selections), n_features), dtype=bool)
        for row, chosen in enumerate(selections["selected"]):
            masks[row, [universe[name] for name in chosen]] = True
        stability, lower, upper = nogueira_stability(masks, n_features)
        rows.append(
            {
                "dataset": dataset,
                "selector": selector,
                "level": level,
                "stability": f"{stability:.3f} [{lower:.3f}, {upper:.3f}]",
            }
        )
    if not rows:
        return pd.DataFrame()
    return pd.DataFrame(rows).pivot(
        index=["dataset", "selector"], columns="level", values="stability"
    )


def recall_table(results):
    """Recall of the truly informative features, on synthetic datasets."""
    done = results[(results["status"] == "done") & results["recall"].notna()]
    done = done[done["selector"] != "all"].drop_duplicates(["key", "level"])
    if done.empty:
        return pd.DataFrame()
    return (
        done.groupby(["dataset", "selector", "level"])["recall"]
        .mean()
        .round(3)
        .unstack("level")
    )


def time_table(results):
    """Selector fit time in seconds per dataset: mean over tasks."""
    tasks = results.drop_duplicates("key")
    tasks = tasks[(tasks["status"] == "done") & (tasks["selector"] != "all")]
    fits = tasks.groupby(["dataset", "selector"]).agg(
        fit_seconds=("fit_time", "mean"), fits=("key", "size")
    )
    table = fits["fit_seconds"].round(3).unstack("dataset")
    table["fits per fold"] = (
        tasks.groupby(["selector", "seed", "fold", "dataset"])
        .size()
        .groupby("selector")
        .max()
    )
    return table


def robustness_table(shifts):
    """Feature-shift robustness per dataset x model x selector x level.

    For each scenario: the area under the score curve (an average score
    under shift, see :func:`featsel.shift.summarize`) and the mean drop from
    the unshifted score, both averaged over folds and seeds.
    """
    summaries = []
    keys = ["dataset", "model", "selector", "level", "seed", "fold"]
    for group_key, group in shifts.groupby(keys):
        summary = summarize(group)
        for name, value in zip(keys, group_key, strict=True):
            summary[name] = value
        summaries.append(summary)
    summary = pd.concat(summaries, ignore_index=True)
    table = summary.groupby(["dataset", "model", "selector", "level", "scenario"])[
        ["auc", "mean_drop"]
    ].mean()
    table = table.round(3).unstack("scenario")
    table.columns = [f"{scenario} {metric}" for metric, scenario in table.columns]
    return table.sort_index(axis=1)


def robustness_summary(shifts):
    """Mean drop under each shift scenario per selector, over all datasets."""
    return (
        shifts[shifts["scenario"] != "none"]
        .groupby(["model", "selector", "scenario"])["drop"]
        .mean()
        .round(3)
        .unstack("scenario")
    )


def failure_table(results):
    failed = results[results["status"] == "failed"].drop_duplicates("key")
    return failed[["dataset", "selector", "seed", "fold", "error"]].reset_index(
        drop=True
    )


def report(out, *, plots=True):
    """Write the tables (Markdown, LaTeX, CSV, HTML) and plots of a study.

    Parameters
    ----------
    out : str or path
        The study's output folder (given to :func:`featsel.benchmark.run`).

    plots : bool, default=True
        Also write the plots (PNG and SVG): score against retention level per
        dataset, a critical-difference diagram over datasets, the selectors'
        fit times and, with shift evaluations, score against the fraction of
        shifted features.

    Returns
    -------
    tables : dict of str to pandas.DataFrame
        The tables by name: ``headline``, ``levels``, ``stability``,
        ``recall``, ``fit_time``, ``failures``; with shift evaluations also
        ``robustness`` and ``robustness_summary``.
    """
    out = Path(out)
    results = load(out)
    if results.empty:
        raise ValueError(f"{out} holds no results; run `featsel bench` first")
    tables = {
        "headline": headline_table(results),
        "levels": level_table(results),
        "stability": stability_table(results),
        "recall": recall_table(results),
        "fit_time": time_table(results),
        "failures": failure_table(results),
    }
    shifts = load_shifts(out)
    if not shifts.empty:
        tables["robustness"] = robustness_table(shifts)
        tables["robustness_summary"] = robustness_summary(shifts)
    report_folder = out / "report"
    report_folder.mkdir(exist_ok=True)
    for name, table in tables.items():
        _write_table(table, report_folder / name)
    if plots:
        from ._plots import (
            plot_critical_difference,
            plot_fit_times,
            plot_retention,
            plot_shift,
        )

        for name, draw, data in (
            ("retention", plot_retention, results),
            ("critical_difference", plot_critical_difference, results),
            ("fit_time", plot_fit_times, results),
            ("shift", plot_shift, shifts),
        ):
            figure = draw(data)
            if figure is None:
                continue
            for suffix in ("png", "svg"):
                figure.savefig(report_folder / f"{name}.{suffix}", bbox_inches="tight")
            figure.clf()
    return tables


def critical_difference(results, model=None):
    """Friedman test and Nemenyi critical difference over datasets.

    Uses each dataset's mean score over folds and retention levels, for
    ``model`` (default: the first model of the study).
    """
    done = results[results["status"] == "done"]
    model = model or done["model"].iloc[0]
    scores = (
        done[done["model"] == model]
        .groupby(["dataset", "selector"])["score"]
        .mean()
        .unstack("selector")
    )
    return rank_comparison(scores) | {"model": model}


def _write_table(table, stem):
    flat = table.reset_index() if not table.empty else table
    flat.columns = [_column_name(column) for column in flat.columns]
    flat.to_csv(stem.with_suffix(".csv"), index=False)
    stem.with_suffix(".md").write_text(to_markdown(flat))
    stem.with_suffix(".tex").write_text(to_latex(flat))
    stem.with_suffix(".html").write_text(flat.to_html(index=False, na_rep=""))


def _column_name(column):
    if isinstance(column, tuple):
        return " ".join(str(part) for part in column if part != "")
    return str(column)


def _cell(value):
    if isinstance(value, float):
        return "" if np.isnan(value) else f"{value:.3f}"
    return str(value)


def to_markdown(frame):
    """A GitHub-flavoured Markdown table of a flat DataFrame."""
    if frame.empty:
        return "(no rows)\n"
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * frame.shape[1]
    rows = [
        "| " + " | ".join(_cell(value).replace("|", "\\|") for value in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *rows]) + "\n"


def to_latex(frame):
    """A LaTeX ``tabular`` of a flat DataFrame (booktabs rules)."""
    if frame.empty:
        return "% no rows\n"

    def escape(text):
        for char, replacement in (
            ("\\", r"\textbackslash{}"),
            ("&", r"\&"),
            ("%", r"\%"),
            ("_", r"\_"),
            ("#", r"\#"),
            ("±", r"$\pm$"),
        ):
            text = text.replace(char, replacement)
        return text

    lines = [
        r"\begin{tabular}{" + "l" * frame.shape[1] + "}",
        r"\toprule",
        " & ".join(escape(str(column)) for column in frame.columns) + r" \\",
        r"\midrule",
        *[
            " & ".join(escape(_cell(value)) for value in row) + r" \\"
            for row in frame.itertuples(index=False)
        ],
        r"\bottomrule",
        r"\end{tabular}",
    ]
    return "\n".join(lines) + "\n"
