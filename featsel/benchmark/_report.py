"""Tables and plots of a finished (or partly finished) study."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import os
from dataclasses import dataclass
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
from ._stats import critical_difference, nogueira_stability
from ._store import STORE_NAME, Store, _differences

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
    data_only = {row.key: _data_only(row.config) for row in tasks.itertuples()}
    return results.assign(
        dataset=results["dataset"].map(dataset_label),
        metric=results["key"].map(metrics),
        data_only=results["key"].map(data_only).eq(True),
    )


#: The selector that is plain mRMR without a description of the target.
STS_MRMR = "sts-mrmr"


def _data_only(config):
    """Whether a task's STS-mRMR ran without its text terms: plain mRMR.

    Its semantic terms need a ``target_description`` and a positive
    ``alpha_sts``; the runner passes neither unless the study's
    ``selector_params`` do.
    """
    if config["selector"] != STS_MRMR:
        return False
    params = dict(config["resolved_params"])
    return params.get("target_description") == "None" or params.get("alpha_sts") in (
        "0",
        "0.0",
    )


def data_only_note(results):
    """A footnote naming the datasets where ``sts-mrmr`` is plain mRMR, or None.

    ``results`` are annotated (:func:`annotate`).
    """
    if "data_only" not in results:
        return None
    datasets = results.loc[results["data_only"], "dataset"].unique()
    if not datasets.size:
        return None
    return (
        f"{STS_MRMR}: data only, no feature descriptions (no target_description "
        f"given): plain mRMR on {', '.join(map(dataset_label, datasets))}"
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


@dataclass(frozen=True)
class MeanSD:
    """A mean over folds (and seeds) with its standard deviation: one cell.

    Text tables show ``0.820 ± 0.025`` (``+0.010 ± 0.020`` when ``signed``),
    with the folds it stands on when they are fewer than planned, or
    ``failed`` when none finished; CSV files get the numbers, one column
    each (see :func:`numeric_columns`).
    """

    mean: float
    sd: float
    signed: bool = False
    done: int | None = None
    planned: int | None = None

    def __str__(self):
        folds = f" ({self.done}/{self.planned} folds)" if self.planned else ""
        if self.done == 0:
            return f"failed{folds}"
        sign = "+" if self.signed else ""
        text = f"{self.mean:{sign}.3f} ± {self.sd:.3f}"
        return (
            text + folds if self.done is not None and self.done < self.planned else text
        )

    def numbers(self, name):
        columns = {f"{name} mean": self.mean, f"{name} sd": self.sd}
        if self.planned is not None:
            columns |= {f"{name} folds done": self.done, f"{name} folds": self.planned}
        return columns


@dataclass(frozen=True)
class Interval:
    """An estimate with its confidence interval: ``0.820 [0.700, 0.900]``."""

    value: float
    low: float
    high: float

    def __str__(self):
        return f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}]"

    def numbers(self, name):
        return {name: self.value, f"{name} low": self.low, f"{name} high": self.high}


@dataclass(frozen=True)
class Signed:
    """A difference, shown with its sign in text (``+0.004``)."""

    value: float

    def __str__(self):
        return f"{self.value:+.3f}"

    def numbers(self, name):
        return {name: self.value}


_CELLS = (MeanSD, Interval, Signed)


def numeric_columns(flat):
    """A flat table with each cell of :class:`MeanSD`, ... spread into numbers.

    A column holding such cells becomes the columns of their numbers (``X
    mean``, ``X sd``, ...), so that a CSV file holds numbers, not text; an
    empty cell gives missing values.
    """
    columns = {}
    for name, values in flat.items():
        cells = [value for value in values if isinstance(value, _CELLS)]
        if not cells:
            columns[name] = values
            continue
        # Every cell of a column gets the columns of the widest one.
        template = max((cell.numbers(name) for cell in cells), key=len)
        for column in template:
            columns[column] = [
                value.numbers(name).get(column, np.nan)
                if isinstance(value, _CELLS)
                else np.nan
                for value in values
            ]
    return pd.DataFrame(columns, index=flat.index)


def _mean_sd(values, **kwargs):
    return MeanSD(
        float(values.mean()),
        float(values.std(ddof=1)) if values.size > 1 else 0.0,
        **kwargs,
    )


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
    finished = grouped.size()
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
            cells[key] = (
                _mean_sd(per_fold.loc[key], done=n_done, planned=int(n_folds))
                if n_done
                else MeanSD(np.nan, np.nan, done=0, planned=int(n_folds))
            )
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
    per_fold = _paired_gaps(results)
    summary = per_fold.groupby(["dataset", "selector"], sort=False).agg(
        best=("best", "first"),
        gap=("gap", "mean"),
        spread=("gap", lambda values: values.std(ddof=1) if values.size > 1 else 0.0),
    )
    return summary.reset_index()[["dataset", "selector", "best", "gap", "spread"]]


def _paired_gaps(results):
    """The fold-by-fold gaps of :func:`gaps`, one row per fold and seed."""
    per_fold = (
        _done(results)
        .groupby(["dataset", "selector", "seed", "fold"])["score"]
        .mean()
        .unstack("selector")
    )
    parts = []
    for _, frame in per_fold.groupby(level="dataset"):
        baselines = [name for name in BASELINES if name in frame.columns]
        if not baselines:
            continue
        best = frame[baselines].mean().idxmax()
        difference = frame.sub(frame[best], axis=0).melt(
            value_name="gap", ignore_index=False
        )
        difference = difference.dropna(subset=["gap"]).reset_index()
        part = difference[["dataset", "selector", "gap"]]
        parts.append(part.assign(best=best))
    if not parts:
        return pd.DataFrame(columns=["dataset", "selector", "gap", "best"])
    return pd.concat(parts, ignore_index=True)


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
    long["cell"] = [
        MeanSD(row.gap, row.spread, signed=True) for row in long.itertuples()
    ]
    table = long.pivot(index="selector", columns="column", values="cell")
    table = table[list(dict.fromkeys(long["column"]))]
    table["worst"] = long.groupby("selector")["gap"].min().map(Signed)
    table.index.name = "selector"
    table.columns.name = None
    return table.reindex(_selector_order(table.index))


#: Two-sided significance level of the per-dataset paired test of
#: :func:`wins_table`.
WIN_ALPHA = 0.05


def wins_table(results, alpha=WIN_ALPHA):
    """Wins, ties and losses against the best classical baseline, per selector.

    On each dataset the fold-by-fold gaps of :func:`gaps` are tested against
    0 with a one-sample t-test (a paired t-test over folds and seeds): a win
    or a loss is a mean gap of that sign with a two-sided p-value below
    ``alpha``, anything else a tie. With one gap, or a selector that is the
    best baseline itself, the dataset is a tie. ``median gap`` is the median
    over datasets of the mean gaps, and ``wilcoxon p`` the two-sided
    Wilcoxon signed-rank test of those mean gaps over datasets (Demsar,
    2006): whether the selector trails (or leads) the best baseline across
    the suite even where no single dataset is conclusive.
    """
    per_fold = _paired_gaps(results)
    rows = []
    for selector, frame in per_fold.groupby("selector", sort=False):
        per_dataset = [group.to_numpy() for _, group in frame.groupby("dataset")["gap"]]
        outcomes = [_outcome(gap, alpha) for gap in per_dataset]
        means = np.array([gap.mean() for gap in per_dataset])
        nonzero = means[means != 0]
        rows.append(
            {
                "selector": selector,
                "wins": outcomes.count("win"),
                "ties": outcomes.count("tie"),
                "losses": outcomes.count("loss"),
                "datasets": len(outcomes),
                "median gap": Signed(float(np.median(means))),
                # A baseline's mean gap is never positive, as the best
                # baseline is chosen by it: no test is needed to say so.
                "wilcoxon p": (
                    stats.wilcoxon(nonzero).pvalue
                    if nonzero.size >= 2 and selector not in BASELINES
                    else np.nan
                ),
            }
        )
    if not rows:
        return pd.DataFrame()
    table = pd.DataFrame(rows).set_index("selector")
    return table.reindex(_selector_order(table.index))


def _outcome(gap, alpha):
    if gap.size < 2 or not np.any(gap):
        return "tie"
    if np.ptp(gap) == 0:
        # Every fold moved by the same amount: no noise to test against.
        return "win" if gap[0] > 0 else "loss"
    if stats.ttest_1samp(gap, 0.0).pvalue >= alpha:
        return "tie"
    return "win" if gap.mean() > 0 else "loss"


def rank_table(results, alpha=0.05):
    """Average rank of each selector over datasets, per downstream model.

    A dataset's score is the mean over folds, seeds and retention levels; the
    selectors are ranked on each dataset (1 = best) and the ranks averaged
    (:func:`featsel.benchmark._stats.critical_difference`, which the
    critical-difference plot draws). ``within CD`` says
    whether a selector's average rank is within the Nemenyi critical
    difference of the best one, i.e. not significantly worse. Datasets on
    which a selector has no finished task are left out of that model's
    ranks; the footnote names them with the Friedman p-value and the
    critical difference.
    """
    columns, notes = {}, []
    for model in sorted(_done(results)["model"].unique()):
        comparison = critical_difference(results, model, alpha)
        ranks = comparison["average_ranks"]
        if comparison["n_datasets"] < 2 or ranks.size < 3:
            continue
        difference = comparison["critical_difference"]
        columns[f"rank, {model}"] = ranks
        columns[f"within CD, {model}"] = (ranks - ranks.min() <= difference).map(
            {True: "yes", False: "no"}
        )
        left_out = comparison["left_out"]
        notes.append(
            f"{model}: {comparison['n_datasets']} datasets, Friedman p = "
            f"{comparison['friedman_p']:.2g}, critical difference "
            f"{difference:.2f} (alpha {alpha})"
            + (f"; left out: {_names(left_out)}" if len(left_out) else "")
        )
    if not columns:
        return pd.DataFrame()
    table = pd.DataFrame(columns)
    table.index.name = "selector"
    table = table.sort_values(next(iter(columns)))
    table.attrs["footnote"] = "; ".join(notes)
    return table


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
    table = done.groupby([*keys, "level"])["score"].agg(_mean_sd).unstack("level")
    table.columns = [_level_name(level) for level in table.columns]
    finished = set(zip(done["selector"], done["dataset"], strict=True))
    failed = {
        pair
        for pair in zip(results["selector"], results["dataset"], strict=True)
        if pair not in finished
    }
    rows = {
        (*row, selector): [MeanSD(np.nan, np.nan, done=0)] * table.shape[1]
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
                "stability": Interval(stability, lower, upper),
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


#: Targets of a count (issue 21). With a known truth: a mean recall of at
#: least ``TARGET_RECALL`` with at most ``TARGET_NOISE_KEPT`` noise features
#: on average; without one: a mean score at most ``TARGET_GAP`` below keeping
#: every feature (as printed, to three decimals), with fewer features.
TARGET_RECALL = 0.9
TARGET_NOISE_KEPT = 1.0
TARGET_GAP = 0.01


def own_choice_table(results):
    """Each selector's own choice of count: how many, how good, how sure.

    One row per dataset x selector, numbers as numbers: the features kept
    (mean and standard deviation over folds and seeds) of all ``d``; the
    score (mean over downstream models, then over folds) and its paired gap
    to keeping every feature (``none``, fold by fold); with a known truth,
    the recall of the informative features and the noise features kept; the
    stability of the kept sets across folds (Nogueira); the selector's fit
    time; the tasks done of those planned; and whether the row meets the
    target of a count (``met`` or ``missed``, see :func:`count_target`).
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
            # An empty selection keeps no noise feature, though its
            # precision is undefined: leaving it out would average the
            # noise over the folds that kept something only.
            noise = (tasks["n_selected"] * (1 - tasks["precision"])).mask(
                (tasks["n_selected"] == 0) & tasks["recall"].notna(), 0.0
            )
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
            row["target"] = count_target(row)
        rows.append(row)
    table = pd.DataFrame(rows).set_index(keys)
    order = _selector_order(table.index.get_level_values("selector"))
    table = table.reindex(
        sorted(table.index, key=lambda row: (row[0], order.index(row[1])))
    )
    return table.dropna(axis=1, how="all").round(3)


def count_target(row):
    """``"met"`` or ``"missed"``: the target of a count, for one table row.

    With a known truth (a recall), the planted target: mean recall at least
    :data:`TARGET_RECALL` and mean noise features kept at most
    :data:`TARGET_NOISE_KEPT`. Without one, the real-data target: the gap to
    keeping every feature, rounded to three decimals, at least
    ``-TARGET_GAP``, with fewer features kept on average than there are.
    """
    if pd.notna(row["recall"]):
        met = row["recall"] >= TARGET_RECALL and row["noise kept"] <= TARGET_NOISE_KEPT
    elif pd.notna(row["vs all"]):
        met = round(row["vs all"], 3) >= -TARGET_GAP and row["kept"] < row["of"]
    else:
        return None
    return "met" if met else "missed"


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
    "wins": (
        "Wins, ties and losses against the best classical baseline",
        "Per selector, the datasets where its fold-by-fold gap to the best "
        "classical baseline (the table above) is positive (win) or negative "
        "(loss) by a paired t-test over folds and seeds at the 5 % level, "
        "and the rest (tie); with 3 folds only a large, steady gap counts. "
        "`median gap`: median over datasets of the mean gaps; `wilcoxon p`: "
        "signed-rank test of those mean gaps over datasets (not for the "
        "baselines, whose mean gaps are never positive by construction). The "
        "best baseline is picked on the same folds, which favours it slightly.",
    ),
    "ranks": (
        "Rank summary over datasets",
        "Average rank of each selector (1 = best) over datasets, per "
        "downstream model, from each dataset's mean score over folds and "
        "retention levels; `within CD`: within the Nemenyi critical "
        "difference of the best average rank (Demsar, 2006), drawn in "
        "`critical_difference.png` for the first model.",
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
        "interval, the mean fit time, tasks done of planned, and `target`: "
        f"with a known truth, `met` for a mean recall of at least "
        f"{TARGET_RECALL} with at most {TARGET_NOISE_KEPT:g} noise feature(s) "
        "kept on average; without one, `met` for a gap to every feature of "
        f"{-TARGET_GAP:.3f} or better with fewer features.",
    ),
    "failures": ("Failed tasks", "Tasks whose selector or model raised."),
    "progress": (
        "Tasks done of planned",
        "Per dataset and selector: the tasks the study plans (folds x seeds, "
        "and a fit per level where the selection depends on it), those done "
        "and those failed.",
    ),
}


def _tables(stored):
    """Every non-empty table of a study's stored rows, by name."""
    tasks, results, shifts = stored.tasks, stored.results, stored.shifts
    if results.empty:
        raise ValueError(
            f"{', '.join(map(str, stored.folders))} holds no results; run "
            "`featsel bench` first"
        )
    results = annotate(results, tasks)
    found = {
        "failures": failure_table(results),
        "own_choice": own_choice_table(results),
    }
    retention = split_own_choice(results)[0]
    if not _done(retention).empty:
        found |= {
            "gap": gap_table(retention),
            "wins": wins_table(retention),
            "ranks": rank_table(retention),
            "headline": headline_table(retention),
            "overview": overview_table(retention),
            "levels": level_table(retention),
            "recall": recall_table(retention),
            "fit_time": time_table(retention),
            "stability": stability_table(retention),
        }
    if not shifts.empty:
        shifts = annotate(shifts, tasks)
        found["robustness_summary"] = robustness_summary(shifts)
        found["importance_drop"] = importance_drop_table(shifts, tasks)
        found["robustness"] = robustness_table(shifts)
    progress = _progress(stored.planned)
    if not progress.empty:
        found["progress"] = progress
    return {name: table for name, table in found.items() if not table.empty}, (
        results,
        shifts,
    )


@dataclass(frozen=True)
class _Stored:
    """The rows of one or more stores, each task once."""

    folders: tuple
    tasks: pd.DataFrame
    results: pd.DataFrame
    shifts: pd.DataFrame
    planned: pd.DataFrame
    guesses: list
    presets: list


def _read(folders):
    """The rows of the stores in ``folders``, after checking they combine.

    A task held by several stores (the same key: the same configuration) is
    read from one store, one that finished it if any did.
    """
    for folder in folders:
        if not (folder / STORE_NAME).is_file():
            raise ValueError(f"{folder} holds no featsel results ({STORE_NAME})")
    parts = []
    for folder in folders:
        with Store(folder) as store:
            parts.append(
                {
                    "studies": store.studies(),
                    "seeds": store.planned_seeds(),
                    "tasks": store.tasks(),
                    "results": store.results(),
                    "shifts": store.shifts(),
                    "planned": store.planned_tasks(),
                }
            )
    _check_combinable(folders, parts)

    def finished_first(frame):
        done_last = frame["status"] != "done"
        return frame.sort_values("status", key=lambda _: done_last, kind="stable")

    tasks = pd.concat(
        [part["tasks"].assign(store=i) for i, part in enumerate(parts)],
        ignore_index=True,
    )
    tasks = finished_first(tasks).drop_duplicates("key").sort_index()
    owner = dict(zip(tasks["key"], tasks["store"], strict=True))

    def owned(name):
        return pd.concat(
            [
                part[name][part[name]["key"].map(owner) == i]
                for i, part in enumerate(parts)
            ],
            ignore_index=True,
        )

    planned = pd.concat([part["planned"] for part in parts], ignore_index=True)
    studies = [study for part in parts for study in part["studies"]]
    return _Stored(
        folders=tuple(folders),
        tasks=tasks.drop(columns="store").reset_index(drop=True),
        results=owned("results"),
        shifts=owned("shifts"),
        planned=finished_first(planned).drop_duplicates("key").sort_index(),
        guesses=list(
            dict.fromkeys(
                line for study in studies for line in study.get("guesses", [])
            )
        ),
        presets=list(
            dict.fromkeys(
                part["studies"][-1].get("preset", "")
                for part in parts
                if part["studies"]
            )
        ),
    )


def _check_combinable(folders, parts):
    """Refuse stores whose rows would not compare, naming the difference.

    Stores combine when one study could have grown into their union (see
    :meth:`~featsel.benchmark._store.Store.record_study`: the same folds,
    models, levels, scoring, parameters, data and featsel code), and a
    dataset in several of them has the same seeds in each: the gaps are
    paired fold by fold.
    """
    for i, (first, part_a) in enumerate(zip(folders, parts, strict=True)):
        for second, part_b in zip(folders[i + 1 :], parts[i + 1 :], strict=True):
            names = (f"in {first}", f"in {second}")
            seeds_a, seeds_b = part_a["seeds"], part_b["seeds"]
            for a in part_a["studies"]:
                for b in part_b["studies"]:
                    differences = _differences(a, b, names) or _differences(
                        b, a, names[::-1]
                    )
                    if differences:
                        raise ValueError(
                            f"cannot combine {first} and {second} into one "
                            f"report: their studies differ ({'; '.join(differences)})"
                        )
            for dataset in sorted(set(seeds_a) & set(seeds_b)):
                if seeds_a[dataset] != seeds_b[dataset]:
                    raise ValueError(
                        f"cannot combine {first} and {second} into one report: "
                        f"dataset {dataset_label(dataset)!r} has seeds "
                        f"{seeds_a[dataset]} in {first} and {seeds_b[dataset]} "
                        f"in {second}; its selectors are compared fold by fold, "
                        "so give it the same seeds in both (re-run one with the "
                        "other's seeds)"
                    )


def _progress(planned):
    """Tasks planned, done and failed per dataset x selector (order of plan)."""
    if planned.empty:
        return pd.DataFrame()
    planned = planned.assign(dataset=planned["dataset"].map(dataset_label))
    grouped = planned.groupby(["dataset", "selector"], sort=False)["status"]
    return pd.DataFrame(
        {
            "planned": grouped.size(),
            "done": grouped.agg(lambda s: int((s == "done").sum())),
            "failed": grouped.agg(lambda s: int((s == "failed").sum())),
        }
    ).astype(int)


def report(out, *, plots=True, into=None):
    """Write the tables (Markdown, LaTeX, CSV, HTML) and plots of a study.

    Parameters
    ----------
    out : str, path or list of them
        The study's output folder (given to :func:`featsel.benchmark.run`),
        or several: their rows are combined into one report (each task
        once). Folders combine when one study could have grown into their
        union: the same folds, models, levels, scoring, selector
        parameters, data and featsel code, and the same seeds for a
        dataset in several of them; otherwise a ValueError names the
        difference.

    plots : bool, default=True
        Also write the plots (PNG and SVG): score against retention level,
        one panel per dataset and downstream model, a critical-difference
        diagram over datasets, the selectors' fit times and, with shift
        evaluations, score against the fraction of shifted features.

    into : str or path, default=None
        The folder the report is written to; by default ``out/report`` for
        one folder. Required for several.

    Returns
    -------
    tables : dict of str to pandas.DataFrame
        The non-empty tables by name, each also written to
        ``<into>/<name>.{md,tex,csv,html}``: ``gap`` (to the best
        classical baseline), ``headline``, ``overview``, ``levels``,
        ``recall`` (datasets with a known truth), ``fit_time``,
        ``stability``, ``failures``; with shift evaluations also
        ``robustness_summary``, ``importance_drop`` and ``robustness``; with
        the own-choice level ``own_choice``; and ``progress``, the tasks
        done of those planned. A table without rows is not written.
        ``<into>/summary.md`` gathers them with a sentence on what each
        shows.
    """
    folders = (
        [Path(out)] if isinstance(out, (str, os.PathLike)) else list(map(Path, out))
    )
    if not folders:
        raise ValueError("give at least one study folder to report on")
    if into is None and len(folders) > 1:
        raise ValueError(
            "a report of several folders needs a folder of its own to be "
            "written to (into=..., --out in `featsel report`)"
        )
    stored = _read(folders)
    found, (results, shifts) = _tables(stored)
    report_folder = Path(into) if into is not None else folders[0] / "report"
    report_folder.mkdir(parents=True, exist_ok=True)
    for name in DESCRIPTIONS:
        for suffix in TABLE_FORMATS:
            # A table of an earlier report that has no rows now goes.
            report_folder.joinpath(f"{name}.{suffix}").unlink(missing_ok=True)
    for name, table in found.items():
        _write_table(table, report_folder / name)
    (report_folder / "summary.md").write_text(
        summary_markdown(
            found,
            results,
            stored.guesses,
            presets=stored.presets,
            folders=folders if len(folders) > 1 else (),
        )
    )
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


#: What the report says of a study started from each preset.
PRESET_NOTES = {
    "quick": (
        "Preset: quick, the default of `featsel bench` (3 outer folds, "
        "selectors at lighter settings than their defaults); `--preset "
        "paper` or `--preset real` runs the full protocols.  "
    ),
}


def summary_markdown(found, results, guesses=(), presets=(), folders=()):
    """The tables of a report as one Markdown document, each explained.

    A line saying the study is incomplete, if it is, the ``folders`` a
    combined report reads, ``guesses`` (what the study guessed from the
    data, one line each) and the ``presets`` the study started from head
    the document, where a reader sees them before any number.
    """
    done = _done(results)
    metrics = dict(_metrics(results))
    missing = incomplete(found.get("progress"))
    lines = [f"**{missing}.**", ""] if missing else []
    if folders:
        lines.append(f"Combined from {', '.join(map(str, folders))}.  ")
    lines += [f"Guessed: {line}.  " for line in guesses]
    lines += [
        PRESET_NOTES.get(preset, f"Preset: {preset}.  ") for preset in presets if preset
    ]
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
    note = data_only_note(results)
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
        if table.attrs.get("footnote"):
            lines += [f"*{table.attrs['footnote']}.*", ""]
        if note and _names_sts_mrmr(table):
            lines += [f"*{note}.*", ""]
    return "\n".join(lines)


def _names_sts_mrmr(table):
    labels = [*table.index.to_flat_index(), *table.columns]
    if "selector" in table:
        labels += list(table["selector"])
    return any(STS_MRMR in str(label) for label in labels)


def _flat(table):
    flat = table.reset_index() if not isinstance(table.index, pd.RangeIndex) else table
    flat = flat.copy()
    flat.columns = [_column_name(column) for column in flat.columns]
    return flat


def _write_table(table, stem):
    flat = _flat(table)
    numeric_columns(flat).to_csv(stem.with_suffix(".csv"), index=False)
    stem.with_suffix(".md").write_text(to_markdown(flat))
    stem.with_suffix(".tex").write_text(to_latex(flat))
    stem.with_suffix(".html").write_text(flat.to_html(index=False, na_rep=""))


def _column_name(column):
    if isinstance(column, tuple):
        return " ".join(str(part) for part in column if part != "")
    return str(column)


def _cell(value):
    if isinstance(value, _CELLS):
        return str(value)
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
