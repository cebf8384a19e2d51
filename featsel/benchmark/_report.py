"""Tables and plots of a finished (or partly finished) study."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..shift import summarize
from ._registry import (
    BASELINES,
    NO_SELECTION,
    OWN_CHOICE_LEVEL,
    SELECTORS,
    family,
    own_choice_only,
    parse_name,
    selector_class,
)
from ._run import load, load_shifts, load_tasks
from ._stats import nogueira_stability
from ._store import Store

TABLE_FORMATS = ("md", "tex", "csv", "html")


def annotate(results, tasks):
    """Results with readable dataset names and the metric of each row.

    A dataset given as a file keeps only its file name (``trial.csv``, not
    the path it was read from); ``metric`` is the scorer that scored the row
    (``f1_macro``, ``r2``, ...), from the task's configuration.
    """
    metrics = {
        row.key: dict(row.config["scoring"]).get(row.task_type)
        for row in tasks.itertuples()
    }
    return results.assign(
        dataset=results["dataset"].map(dataset_label),
        metric=results["key"].map(metrics),
    )


def dataset_label(name):
    """The name a report shows for a dataset: a file's name without its folder.

    >>> dataset_label("/home/me/data/trial.csv")
    'trial.csv'
    >>> dataset_label("wine")
    'wine'
    """
    return Path(str(name)).name


def _done(results):
    return results[results["status"] == "done"]


def _mean_std(values):
    return f"{values.mean():.3f} ± {values.std(ddof=1) if values.size > 1 else 0:.3f}"


def _level_names(levels):
    """The names of the retention levels run (not "all"), and the own choice."""
    names = [_level_name(p) for p in sorted(levels.dropna().unique()) if 0 < p < 1]
    return names + (["own choice"] if (levels == OWN_CHOICE_LEVEL).any() else [])


def _level_name(level):
    return f"{level:.0%}".replace("%", " %")


def _selector_order(names):
    """Selectors in the registry's order: the reference, new methods, baselines."""
    order = [NO_SELECTION, *SELECTORS]
    known = [name for name in order if name in set(names)]
    return known + sorted(set(names) - set(order))


def _metrics(results):
    """The metric of each dataset (``score`` where it is unknown)."""
    if "metric" not in results:
        return {}
    return results.dropna(subset=["metric"]).groupby("dataset")["metric"].first()


def _with_metric(dataset, metrics):
    metric = dict(metrics).get(dataset)
    return f"{dataset} ({metric})" if metric else dataset


def headline_table(results):
    """Mean score over retention levels per dataset x selector (per model).

    The score of a fold is its mean over retention levels (the KAN paper's
    headline number); the table gives the mean and standard deviation of
    that over folds and seeds. Each column names the dataset and its metric.
    A selector whose fit failed on some folds keeps its row: the cell says
    how many folds it stands on (``(3/5 folds)``), or ``failed (0/5
    folds)`` when none finished, so a failure never vanishes from the table.
    """
    done = _done(results)
    per_fold = done.groupby(["model", "selector", "dataset", "seed", "fold"])[
        "score"
    ].mean()
    grouped = per_fold.groupby(["model", "selector", "dataset"])
    scores, finished = grouped.agg(_mean_std), grouped.size()
    planned = (
        results.drop_duplicates(["selector", "dataset", "seed", "fold"])
        .groupby(["selector", "dataset"])
        .size()
    )
    cells = {}
    for model in done["model"].unique():
        for (selector, dataset), n_folds in planned.items():
            key = (model, selector, dataset)
            n_done = int(finished.get(key, 0))
            if n_done == 0:
                cells[key] = f"failed (0/{n_folds} folds)"
            elif n_done < n_folds:
                cells[key] = f"{scores[key]} ({n_done}/{n_folds} folds)"
            else:
                cells[key] = scores[key]
    table = pd.Series(cells).rename_axis(["model", "selector", "dataset"])
    table = table.unstack("dataset")
    metrics = _metrics(results)
    table.columns = [_with_metric(dataset, metrics) for dataset in table.columns]
    order = _selector_order(table.index.get_level_values("selector"))
    return table.reindex(
        sorted(table.index, key=lambda row: (row[0], order.index(row[1])))
    )


def gaps(results):
    """Each selector's score minus the best classical baseline's, per dataset.

    The score of a fold is the mean over downstream models and retention
    levels; the best baseline (of LASSO, random forest, mutual information
    and SVM-RFE) is the one with the highest mean over folds; the gap is
    taken fold by fold (paired) and its mean and standard deviation over
    folds and seeds are returned, one row per dataset x selector. Empty when
    the study runs no baseline.
    """
    per_fold = (
        _done(results)
        .groupby(["dataset", "selector", "seed", "fold"])["score"]
        .mean()
        .unstack("selector")
    )
    rows = []
    for dataset, frame in per_fold.groupby(level="dataset"):
        baselines = [name for name in BASELINES if name in frame.columns]
        if not baselines:
            continue
        best = frame[baselines].mean().idxmax()
        difference = frame.sub(frame[best], axis=0)
        for selector in frame.columns:
            values = difference[selector].dropna()
            if values.empty:
                continue
            rows.append(
                {
                    "dataset": dataset,
                    "selector": selector,
                    "best": best,
                    "gap": values.mean(),
                    "spread": values.std(ddof=1) if values.size > 1 else 0.0,
                }
            )
    return pd.DataFrame(rows, columns=["dataset", "selector", "best", "gap", "spread"])


def gap_table(results):
    """Gap to the best classical baseline: selectors x datasets, mean ± std.

    See :func:`gaps`; ``worst`` is the most negative mean gap over datasets.
    """
    long = gaps(results)
    if long.empty:
        return pd.DataFrame()
    metrics = _metrics(results)
    long["column"] = [
        f"{_with_metric(row.dataset, metrics)}, best: {row.best}"
        for row in long.itertuples()
    ]
    long["cell"] = [f"{row.gap:+.3f} ± {row.spread:.3f}" for row in long.itertuples()]
    table = long.pivot(index="selector", columns="column", values="cell")
    table = table[list(dict.fromkeys(long["column"]))]
    table["worst"] = long.groupby("selector")["gap"].min().map("{:+.3f}".format)
    table.index.name = "selector"
    table.columns.name = None
    return table.reindex(_selector_order(table.index))


def overview_table(results):
    """One row per dataset x selector: what a reader compares first.

    The mean score per downstream model (over folds and levels), the mean
    over models, its standard deviation over folds, the mean per retention
    level (over models), the gap to the best classical baseline and the mean
    selector fit time in seconds.
    """
    done = _done(results)
    if done.empty:
        return pd.DataFrame()
    keys = ["dataset", "selector"]
    per_model = done.groupby([*keys, "model"])["score"].mean().unstack("model")
    per_fold = done.groupby([*keys, "seed", "fold"])["score"].mean()
    per_level = done.groupby([*keys, "level"])["score"].mean().unstack("level")
    per_level.columns = [_level_name(level) for level in per_level.columns]
    table = per_model.assign(
        mean=per_fold.groupby(keys).mean(),
        **{"fold std": per_fold.groupby(keys).std(ddof=1)},
    ).join(per_level)
    long = gaps(results)
    if not long.empty:
        table["gap to best baseline"] = long.set_index(keys)["gap"]
    tasks = done[done["selector"] != NO_SELECTION].drop_duplicates("key")
    table["fit time (s)"] = tasks.groupby(keys)["fit_time"].mean()
    metrics = _metrics(results)
    metric_of = dict(metrics)
    table.insert(0, "metric", [metric_of.get(dataset) for dataset, _ in table.index])
    order = _selector_order(table.index.get_level_values("selector"))
    return table.reindex(
        sorted(table.index, key=lambda row: (row[0], order.index(row[1])))
    )


def level_table(results):
    """Score per retention level: mean ± std over folds and seeds.

    A selector that failed on every fold of a dataset keeps its rows, with
    ``failed`` in each level.
    """
    done = _done(results)
    if "metric" in done:
        done = done.fillna({"metric": "score"})
    keys = ["dataset", *(["metric"] if "metric" in done else []), "model", "selector"]
    table = done.groupby([*keys, "level"])["score"].agg(_mean_std).unstack("level")
    table.columns = [_level_name(level) for level in table.columns]
    finished = set(zip(done["selector"], done["dataset"], strict=True))
    failed = {
        pair
        for pair in zip(results["selector"], results["dataset"], strict=True)
        if pair not in finished
    }
    rows = {
        (*row, selector): ["failed"] * table.shape[1]
        for row in table.index.droplevel("selector").unique()
        for selector, dataset in failed
        if dataset == row[0]
    }
    if rows:
        failed_rows = pd.DataFrame.from_dict(
            rows, orient="index", columns=table.columns
        )
        failed_rows.index = pd.MultiIndex.from_tuples(failed_rows.index, names=keys)
        table = pd.concat([table, failed_rows])
    order = _selector_order(table.index.get_level_values("selector"))
    return table.reindex(
        sorted(table.index, key=lambda row: (*row[:-1], order.index(row[-1])))
    )


def stability_table(results):
    """Nogueira stability of the selected sets across folds, with a 95% CI."""
    done = _done(results)
    done = done[done["selector"] != NO_SELECTION]
    rows = []
    for (dataset, selector, level), group in done.groupby(
        ["dataset", "selector", "level"]
    ):
        stability, lower, upper = _stability(group)
        rows.append(
            {
                "dataset": dataset,
                "selector": selector,
                "level": _level_name(level),
                "stability": f"{stability:.3f} [{lower:.3f}, {upper:.3f}]",
            }
        )
    if not rows:
        return pd.DataFrame()
    return pd.DataFrame(rows).pivot(
        index=["dataset", "selector"], columns="level", values="stability"
    )


def _stability(group):
    """Nogueira stability (with its interval) of the selections of ``group``.

    One selection per task: the downstream models share it. The interval is
    clipped to [-1, 1], the range of the estimate.
    """
    selections = group.drop_duplicates("key")
    columns = sorted({name for chosen in selections["selected"] for name in chosen})
    universe = {name: j for j, name in enumerate(columns)}
    # One-hot columns differ between folds and seeds (the categories seen in
    # each training part): the features are all that any task could choose.
    n_features = max(int(selections["n_features"].max()), len(universe))
    masks = np.zeros((len(selections), n_features), dtype=bool)
    for row, chosen in enumerate(selections["selected"]):
        masks[row, [universe[name] for name in chosen]] = True
    stability, lower, upper = nogueira_stability(masks, n_features)
    return stability, max(lower, -1.0), min(upper, 1.0)


def split_own_choice(results):
    """The rows of the retention levels, and those of the own choice.

    The own-choice level (``"own"`` in a study's retention) is stored as
    level 0; a failed task has no level and goes with its selector's kind:
    the wrappers and imported selectors run at the own choice only.
    """
    own_only = results["selector"].map(
        lambda name: name != NO_SELECTION and own_choice_only(name)
    )
    own = (results["level"] == OWN_CHOICE_LEVEL) | (results["level"].isna() & own_only)
    return results[~own], results[own]


def own_choice_table(results):
    """Each selector's own choice of count: how many, how good, how sure.

    One row per dataset x selector, numbers as numbers: the features kept
    (mean and standard deviation over folds and seeds) of all ``d``; the
    score (mean over downstream models, then over folds) and its paired gap
    to keeping every feature (``none``, fold by fold); with a known truth,
    the recall of the informative features and the noise features kept; the
    stability of the kept sets across folds (Nogueira); the selector's fit
    time; and the tasks done of those planned.
    """
    retention, own = split_own_choice(results)
    if own.empty:
        return pd.DataFrame()
    keys = ["dataset", "selector"]
    done = _done(own)
    reference = (
        _done(retention[retention["selector"] == NO_SELECTION])
        .groupby(["dataset", "seed", "fold"])["score"]
        .mean()
    )
    rows = []
    for (dataset, selector), planned in own.groupby(keys, sort=False):
        group = done[(done["dataset"] == dataset) & (done["selector"] == selector)]
        row = {
            "dataset": dataset,
            "selector": selector,
            "tasks done": group["key"].nunique(),
            "tasks planned": planned["key"].nunique(),
        }
        if not group.empty:
            tasks = group.drop_duplicates("key")
            per_fold = group.groupby(["dataset", "seed", "fold"])["score"].mean()
            gap = (per_fold - reference).dropna()
            noise = tasks["n_selected"] * (1 - tasks["precision"])
            stability, lower, upper = _stability(group)
            row |= {
                "kept": tasks["n_selected"].mean(),
                "kept sd": tasks["n_selected"].std(ddof=1),
                "of": int(tasks["n_features"].iloc[0]),
                "score": per_fold.mean(),
                "score sd": per_fold.std(ddof=1),
                "vs all": gap.mean() if not gap.empty else np.nan,
                "vs all sd": gap.std(ddof=1) if gap.size > 1 else np.nan,
                "recall": tasks["recall"].mean(),
                "noise kept": noise.mean(),
                "stability": stability,
                "stability low": lower,
                "stability high": upper,
                "fit time (s)": tasks["fit_time"].mean(),
            }
        rows.append(row)
    table = pd.DataFrame(rows).set_index(keys)
    order = _selector_order(table.index.get_level_values("selector"))
    table = table.reindex(
        sorted(table.index, key=lambda row: (row[0], order.index(row[1])))
    )
    return table.dropna(axis=1, how="all").round(3)


def recall_table(results):
    """Recall of the truly informative features, where a dataset has a truth."""
    done = _done(results)
    done = done[done["recall"].notna() & (done["selector"] != NO_SELECTION)]
    done = done.drop_duplicates(["key", "level"])
    if done.empty:
        return pd.DataFrame()
    table = (
        done.groupby(["dataset", "selector", "level"])["recall"]
        .mean()
        .round(3)
        .unstack("level")
    )
    table.columns = [f"recall at {_level_name(level)}" for level in table.columns]
    return table


def time_table(results):
    """Selector fit time in seconds per dataset: mean over tasks."""
    tasks = _done(results).drop_duplicates("key")
    tasks = tasks[tasks["selector"] != NO_SELECTION]
    if tasks.empty:
        return pd.DataFrame()
    table = (
        tasks.groupby(["selector", "dataset"])["fit_time"]
        .mean()
        .round(3)
        .unstack("dataset")
    )
    table.columns = [f"{dataset} (s)" for dataset in table.columns]
    table["fits per fold"] = (
        tasks.groupby(["selector", "seed", "fold", "dataset"])
        .size()
        .groupby("selector")
        .max()
    )
    return table.reindex(_selector_order(table.index))


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
    table.index = table.index.set_levels(
        [_level_name(level) for level in table.index.levels[3]], level="level"
    )
    return table.sort_index(axis=1)


def robustness_summary(shifts):
    """Mean drop under each shift scenario per selector, over all datasets."""
    shifted = shifts[shifts["scenario"] != "none"]
    shifted = shifted.assign(family=shifted["selector"].map(family))
    table = (
        shifted.groupby(["model", "family", "selector", "scenario"])["drop"]
        .mean()
        .round(3)
        .unstack("scenario")
    )
    table.columns = [f"mean drop, {scenario}" for scenario in table.columns]
    return table


def shifted_importance(shifts, tasks):
    """Share of a selector's importance carried by each shifted set.

    The importance of a shifted set is the sum of the selector's ``scores_``
    over its shifted features divided by their sum over all the features
    the model used (NaN for the no-selection reference, which has no
    scores, and where that sum is 0).
    """
    scores = {
        row.key: dict(zip(row.feature_names, row.feature_scores, strict=True))
        for row in tasks.itertuples()
        if row.feature_scores is not None
    }
    selected = {}
    for row in shifts[shifts["scenario"] == "most"].itertuples():
        # The last cumulative set of "most" is every selected feature.
        key = (row.key, row.level, row.model)
        if len(row.shifted) > len(selected.get(key, ())):
            selected[key] = row.shifted

    def share(row):
        task_scores = scores.get(row.key)
        kept = selected.get((row.key, row.level, row.model))
        if task_scores is None or kept is None:
            return np.nan
        total = sum(task_scores[name] for name in kept)
        if total == 0:
            return np.nan
        return sum(task_scores[name] for name in row.shifted) / total

    return shifts.apply(share, axis=1)


def _scores_are_importances(name):
    """Whether the ``scores_`` a selector name stores are importances.

    ``SelectorCV`` passes its selector's scores on; ``StabilitySelector``'s
    are selection frequencies.
    """
    kind, base, wrapper = parse_name(name)
    if kind == "reference" or wrapper == "stability":
        return True
    cls = selector_class(name if kind == "import" else base)
    return getattr(cls, "scores_kind", "importance") == "importance"


def importance_drop_table(shifts, tasks):
    """TabFSBench's observation per selector family: drop against importance.

    Over every ``single`` and ``random`` shifted set, the Pearson correlation
    between the shifted share of the selector's importance (see
    :func:`shifted_importance`) and the score drop, pooled and as the median
    over datasets, with the slope of the least-squares line. Needs the
    ``most`` scenario (it names each model's features). Selectors whose
    ``scores_`` encode an order of entry (``scores_kind = "order"``) are
    left out: their shares measure no importance.
    """
    shifts = shifts[
        shifts["scenario"].isin(["single", "random", "most"])
        & shifts["selector"].map(_scores_are_importances)
    ]
    if shifts.empty or "most" not in set(shifts["scenario"]):
        return pd.DataFrame()
    shifts = shifts.assign(
        importance=shifted_importance(shifts, tasks),
        family=shifts["selector"].map(family),
    )
    shifts = shifts[shifts["scenario"].isin(["single", "random"])].dropna(
        subset=["importance"]
    )
    rows = []
    for (model, name), group in shifts.groupby(["model", "family"]):
        if len(group) < 3 or group["importance"].std() == 0:
            continue
        fit = stats.linregress(group["importance"], group["drop"])
        per_dataset = [
            stats.pearsonr(part["importance"], part["drop"]).statistic
            for _, part in group.groupby("dataset")
            if len(part) >= 3 and part["importance"].std() > 0 and part["drop"].std()
        ]
        rows.append(
            {
                "model": model,
                "family": name,
                "selectors": ", ".join(_selector_order(group["selector"].unique())),
                "shifted sets": len(group),
                "Pearson r (pooled)": round(fit.rvalue, 3),
                "median r per dataset": round(float(np.median(per_dataset)), 3)
                if per_dataset
                else np.nan,
                "slope (drop per unit importance)": round(fit.slope, 3),
            }
        )
    return pd.DataFrame(rows).set_index(["model", "family"]) if rows else pd.DataFrame()


def failure_table(results):
    failed = results[results["status"] == "failed"].drop_duplicates("key")
    return failed[["dataset", "selector", "seed", "fold", "error"]].reset_index(
        drop=True
    )


def failure_reasons(results):
    """The distinct reasons of the failed tasks, most frequent first.

    One row per error text: how many tasks it ended, and on which datasets
    and selectors, so that a thousand failures with one cause read as one.
    """
    failed = failure_table(results)
    if failed.empty:
        return pd.DataFrame(columns=["error", "tasks", "datasets", "selectors"])
    grouped = failed.groupby("error", sort=False)
    table = pd.DataFrame(
        {
            "tasks": grouped.size(),
            "datasets": grouped["dataset"].agg(_names),
            "selectors": grouped["selector"].agg(_names),
        }
    ).reset_index()
    return table.sort_values("tasks", ascending=False, kind="stable").reset_index(
        drop=True
    )


def _names(values):
    return ", ".join(dict.fromkeys(map(dataset_label, values)))


#: What each table shows, for the summary (in the order it lists them).
DESCRIPTIONS = {
    "gap": (
        "Gap to the best classical baseline",
        "Each selector's score minus that of the best of LASSO, random "
        "forest, mutual information and SVM-RFE on the dataset (named in "
        "the column), fold by fold; a fold's score is its mean over the "
        "downstream models and retention levels. Mean ± standard deviation "
        "over folds (and seeds); `worst`: the most negative mean gap.",
    ),
    "headline": (
        "Mean score per downstream model",
        "Mean over retention levels, then mean ± standard deviation over "
        "folds (and seeds); the metric follows each dataset's name.",
    ),
    "overview": (
        "Per dataset",
        "Mean score per downstream model and over models (`mean`, with its "
        "standard deviation over folds), per retention level (mean over "
        "models), the gap to the best classical baseline and the selector's "
        "mean fit time per task in seconds.",
    ),
    "levels": (
        "Score per retention level",
        "Mean ± standard deviation over folds (and seeds), per downstream model.",
    ),
    "recall": (
        "Recall of the truly informative features",
        "Share of the planted informative features among those kept, on the "
        "datasets whose truth is known; mean over folds (and seeds).",
    ),
    "fit_time": (
        "Selector fit time (seconds)",
        "Mean wall time of one selector fit (one task) per dataset; "
        "`fits per fold`: 1, or one fit per retention level for selectors "
        "whose choice depends on the number kept.",
    ),
    "stability": (
        "Stability of the selection",
        "Nogueira's stability of the selected sets across folds, with its "
        "95 % confidence interval (1: identical selections, 0: what random "
        "selections of the same sizes give).",
    ),
    "robustness_summary": (
        "Score drop under feature shift",
        "Mean loss from the unshifted score when selected features are "
        "replaced by their training mean, per TabFSBench scenario, over "
        "datasets, levels, folds and shifted fractions.",
    ),
    "importance_drop": (
        "Does the drop grow with the shifted importance? (per family)",
        "TabFSBench observes that the performance drop grows about linearly "
        "with the importance of the shifted features. Importance of a "
        "shifted set: the sum of the selector's `scores_` over it divided by "
        "their sum over the model's features; Pearson r between that share "
        "and the drop over every `single` and `random` shifted set. For "
        "selectors whose `scores_` encode the selection order (SVM-RFE, "
        "SHAP forward, STS-mRMR, Sequential Attention) the share is that of "
        "the order-based scores.",
    ),
    "robustness": (
        "Feature shift per dataset and level",
        "`auc`: area under score against shifted fraction divided by the "
        "fraction range (an average score under shift); `mean_drop`: mean "
        "loss from the unshifted score.",
    ),
    "own_choice": (
        "The selectors' own choice of count",
        "Each selector fitted with `n_features_to_select=None` (its own "
        "rule; `+cv`: cross-validated count, `+stability`: stability "
        "selection): features kept of `of`, the score (mean over models, "
        "then folds) and its paired gap to keeping every feature (`vs all`), "
        "with a known truth the recall and the noise features kept, the "
        "Nogueira stability of the kept sets across folds with its 95 % "
        "interval, the mean fit time, and tasks done of planned.",
    ),
    "failures": ("Failed tasks", "Tasks whose selector or model raised."),
    "progress": (
        "Tasks done of planned",
        "Per dataset and selector: the tasks the study plans (folds x seeds, "
        "and a fit per level where the selection depends on it), those done "
        "and those failed.",
    ),
}


def _tables(out):
    """Every non-empty table of the study stored in ``out``, by name."""
    out = Path(out)
    tasks = load_tasks(out)
    results = load(out)
    if results.empty:
        raise ValueError(f"{out} holds no results; run `featsel bench` first")
    results = annotate(results, tasks)
    found = {
        "failures": failure_table(results),
        "own_choice": own_choice_table(results),
    }
    retention = split_own_choice(results)[0]
    if not _done(retention).empty:
        found |= {
            "gap": gap_table(retention),
            "headline": headline_table(retention),
            "overview": overview_table(retention),
            "levels": level_table(retention),
            "recall": recall_table(retention),
            "fit_time": time_table(retention),
            "stability": stability_table(retention),
        }
    shifts = load_shifts(out)
    if not shifts.empty:
        shifts = annotate(shifts, tasks)
        found["robustness_summary"] = robustness_summary(shifts)
        found["importance_drop"] = importance_drop_table(shifts, tasks)
        found["robustness"] = robustness_table(shifts)
    return {name: table for name, table in found.items() if not table.empty}, (
        results,
        shifts,
    )


def report(out, *, plots=True):
    """Write the tables (Markdown, LaTeX, CSV, HTML) and plots of a study.

    Parameters
    ----------
    out : str or path
        The study's output folder (given to :func:`featsel.benchmark.run`).

    plots : bool, default=True
        Also write the plots (PNG and SVG): score against retention level,
        one panel per dataset and downstream model, a critical-difference
        diagram over datasets, the selectors' fit times and, with shift
        evaluations, score against the fraction of shifted features.

    Returns
    -------
    tables : dict of str to pandas.DataFrame
        The non-empty tables by name, each also written to
        ``out/report/<name>.{md,tex,csv,html}``: ``gap`` (to the best
        classical baseline), ``headline``, ``overview``, ``levels``,
        ``recall`` (datasets with a known truth), ``fit_time``,
        ``stability``, ``failures``; with shift evaluations also
        ``robustness_summary``, ``importance_drop`` and ``robustness``; with
        the own-choice level ``own_choice``; and ``progress``, the tasks
        done of those planned. A table without rows is not written.
        ``out/report/summary.md`` gathers them with a sentence on what each
        shows.
    """
    out = Path(out)
    found, (results, shifts) = _tables(out)
    report_folder = out / "report"
    report_folder.mkdir(exist_ok=True)
    for name in DESCRIPTIONS:
        for suffix in TABLE_FORMATS:
            # A table of an earlier report that has no rows now goes.
            report_folder.joinpath(f"{name}.{suffix}").unlink(missing_ok=True)
    for name, table in found.items():
        _write_table(table, report_folder / name)
    with Store(out) as store:
        guesses = store.study().get("guesses", [])
        progress = store.progress()
    if not progress.empty:
        progress["dataset"] = progress["dataset"].map(dataset_label)
        found["progress"] = progress.set_index(["dataset", "selector"]).astype(int)
        _write_table(found["progress"], report_folder / "progress")
    (report_folder / "summary.md").write_text(summary_markdown(found, results, guesses))
    if plots:
        _write_plots(split_own_choice(results)[0], shifts, report_folder)
    return found


def _write_plots(results, shifts, folder):
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
        for suffix in ("png", "svg"):
            folder.joinpath(f"{name}.{suffix}").unlink(missing_ok=True)
        finished = data if draw is plot_shift else _done(data)
        figure = None if finished.empty else draw(data)
        if figure is None:
            continue
        for suffix in ("png", "svg"):
            figure.savefig(folder / f"{name}.{suffix}", bbox_inches="tight", dpi=110)
        figure.clf()


def incomplete(progress):
    """One line saying how much of a study is missing; None when complete.

    ``progress`` is the ``progress`` table of a report (tasks planned, done
    and failed per dataset x selector).
    """
    if progress is None or progress.empty:
        return None
    planned, done = int(progress["planned"].sum()), int(progress["done"].sum())
    if done == planned:
        return None
    failed = int(progress["failed"].sum())
    short = progress[progress["done"] < progress["planned"]].reset_index()
    where = ", ".join(
        f"{row.selector} on {dataset_label(row.dataset)} ({row.done}/{row.planned})"
        for row in short.head(5).itertuples()
    )
    more = f" and {len(short) - 5} more" if len(short) > 5 else ""
    return (
        f"Incomplete study: {done} of {planned} planned tasks done ({failed} "
        f"failed, {planned - done - failed} not run; {where}{more}); every "
        "number stands on the finished tasks only, and gaps are taken on the "
        "folds a selector shares with the baseline"
    )


def summary_markdown(found, results, guesses=()):
    """The tables of a report as one Markdown document, each explained.

    A line saying the study is incomplete, if it is, and ``guesses`` (what
    the study guessed from the data, one line each) head the document, where
    a reader sees them before any number.
    """
    done = _done(results)
    metrics = dict(_metrics(results))
    missing = incomplete(found.get("progress"))
    lines = [f"**{missing}.**", ""] if missing else []
    lines += [f"Guessed: {line}.  " for line in guesses]
    lines += [
        "Datasets (metric): "
        + ", ".join(f"{name} ({metric})" for name, metric in sorted(metrics.items()))
        + ".  ",
        f"Selectors: {', '.join(_selector_order(results['selector'].unique()))}; "
        f"`{NO_SELECTION}` keeps every feature.  ",
        f"Downstream models: {', '.join(sorted(done['model'].dropna().unique()))}; "
        f"retention levels: {', '.join(_level_names(done['level']))}"
        f"; {done['fold'].nunique()} outer folds x {done['seed'].nunique()} seed(s); "
        f"{results['key'].nunique()} tasks, "
        f"{(results.drop_duplicates('key')['status'] == 'failed').sum()} failed; "
        f"{results.drop_duplicates('key')['wall_time'].sum() / 3600:.2f} h of "
        "task time.",
        "",
    ]
    reasons = failure_reasons(results)
    if not reasons.empty:
        lines += ["## Why tasks failed", "", to_markdown(reasons), ""]
    for name, (title, description) in DESCRIPTIONS.items():
        if name not in found:
            continue
        lines += [f"## {title}", "", description, ""]
        table = found[name]
        if name == "overview":
            for dataset, part in table.groupby(level="dataset", sort=False):
                metric = part["metric"].iloc[0]
                part = part.droplevel("dataset").drop(columns="metric")
                lines += [f"### {_with_metric(dataset, {dataset: metric})}", ""]
                lines += [to_markdown(_flat(part)), ""]
        else:
            lines += [to_markdown(_flat(table)), ""]
    return "\n".join(lines)


def _flat(table):
    flat = table.reset_index() if not isinstance(table.index, pd.RangeIndex) else table
    flat = flat.copy()
    flat.columns = [_column_name(column) for column in flat.columns]
    return flat


def _write_table(table, stem):
    flat = _flat(table)
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
    if value is None:
        return ""
    return str(value)


def to_markdown(frame):
    """A GitHub-flavoured Markdown table of a flat DataFrame."""
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * frame.shape[1]
    rows = [
        "| "
        + " | ".join(
            " ".join(_cell(value).split()).replace("|", "\\|") for value in row
        )
        + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *rows]) + "\n"


def to_latex(frame):
    """A LaTeX ``tabular`` of a flat DataFrame (booktabs rules)."""

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
