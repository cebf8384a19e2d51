"""Plots of a study's results (matplotlib figures, no global pyplot state)."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from ._registry import NO_SELECTION, SELECTORS
from ._stats import critical_difference

#: Size of one panel in inches: readable at 100 % zoom with 14+ lines.
PANEL_WIDTH, PANEL_HEIGHT = 4.2, 3.2


def _panel_grid(datasets, models, title):
    """A figure with one panel per dataset (rows) and model (columns)."""
    n_rows, n_columns = len(datasets), len(models)
    figure = Figure(
        figsize=(PANEL_WIDTH * n_columns + 2.2, PANEL_HEIGHT * n_rows + 0.6),
        layout="constrained",
    )
    axes = figure.subplots(n_rows, n_columns, squeeze=False, sharey="row")
    figure.suptitle(title)
    return figure, axes


def _metric_label(data):
    metrics = data["metric"].dropna().unique() if "metric" in data else ()
    return ", ".join(map(str, metrics)) or "score"


def _styles(selectors):
    """A colour and marker per selector, stable across panels.

    Selectors keep the registry's order (new methods, then baselines).
    """
    order = [NO_SELECTION, *SELECTORS]
    selectors = sorted(
        selectors, key=lambda name: (order.index(name) if name in order else 99, name)
    )
    colors = _palette(len(selectors))
    markers = "osD^v<>ph*"
    return {
        name: {"color": colors[i], "marker": markers[i % len(markers)]}
        for i, name in enumerate(selectors)
    }


def _legend(figure, axes):
    """One legend for the whole figure, outside the panels at the top right.

    At the top, a reader of a tall figure (22 datasets make it 70 inches)
    meets the legend with the first panel, not halfway down.
    """
    handles, labels = {}, {}
    for ax in axes.ravel():
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
            labels.setdefault(label, label)
    figure.legend(
        list(handles.values()),
        list(labels.values()),
        loc="outside right upper",
        fontsize="small",
        title="selector",
    )


def _percent_axis(ax, label):
    ax.set_xlim(0, 105)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
    ax.set_xlabel(label)


#: Selectors drawn in colour, with error bars, in each retention panel: the
#: best by mean score there; the others are thin grey lines behind them.
HIGHLIGHTED = 4


def plot_retention(results, highlight=HIGHLIGHTED):
    """Score against retention level, one panel per dataset and model.

    In each panel the ``highlight`` selectors with the best mean score are
    lines in colour (mean over folds and seeds, bars: one standard
    deviation), each in the colour it has in every panel; the other
    selectors are thin grey lines without bars, so that 13 or more
    selectors stay readable. The no-selection reference is a dashed
    horizontal line. The x-axis has one evenly spaced place per retention
    level run, labelled by the share kept and the count it keeps (``0.43
    %`` and ``k = 10`` of 2,308 columns: never a rounded ``0 %``). The
    y-axis names each dataset's metric.
    """
    done = results[results["status"] == "done"]
    if done.empty:
        return None
    datasets = sorted(done["dataset"].unique())
    models = list(dict.fromkeys(done["model"]))
    selected = done[done["selector"] != NO_SELECTION]
    styles = _styles(sorted(set(selected["selector"])))
    # The highlighted lines sit side by side at each level, bars apart.
    offsets = np.linspace(-0.12, 0.12, highlight) if highlight > 1 else [0.0]
    figure, axes = _panel_grid(
        datasets,
        models,
        f"Test score against features kept\nbest {highlight} selectors of each "
        "panel in colour (mean ± sd over folds), others in grey",
    )
    for row, dataset in enumerate(datasets):
        # The levels run on this dataset, and the count each keeps of it.
        kept = (
            selected[selected["dataset"] == dataset]
            .groupby("level")["n_selected"]
            .median()
        )
        levels = list(kept.index)
        place = {level: i for i, level in enumerate(levels)}
        labels = [_level_label(level, kept[level]) for level in levels]
        for column, model in enumerate(models):
            ax = axes[row, column]
            data = done[(done["dataset"] == dataset) & (done["model"] == model)]
            reference = data[data["selector"] == NO_SELECTION]["score"]
            if not reference.empty:
                ax.axhline(
                    reference.mean(),
                    color="black",
                    linestyle="--",
                    label=f"{NO_SELECTION} (every feature)",
                )
            curves = data[data["selector"] != NO_SELECTION].groupby(
                ["selector", "level"]
            )["score"]
            means, stds = curves.mean(), curves.std().fillna(0)
            best = list(
                means.groupby(level="selector")
                .mean()
                .sort_values(ascending=False)
                .index[:highlight]
            )
            for selector in [name for name in styles if name in means.index]:
                x = [place[level] for level in means[selector].index]
                if selector not in best:
                    ax.plot(
                        x,
                        means[selector].to_numpy(),
                        color="0.8",
                        linewidth=0.8,
                        zorder=1,
                        label="other selectors",
                    )
                    continue
                ax.errorbar(
                    np.add(x, offsets[best.index(selector)]),
                    means[selector].to_numpy(),
                    yerr=stds[selector].to_numpy(),
                    capsize=2,
                    markersize=4,
                    linewidth=1.2,
                    elinewidth=0.7,
                    zorder=2,
                    label=selector,
                    **styles[selector],
                )
            _label_panel(ax, dataset, model, data, first=column == 0)
            ax.set_xticks(range(len(levels)), labels, fontsize="small")
            ax.set_xlim(-0.5, max(len(levels) - 0.5, 0.5))
            ax.set_xlabel("features kept")
    _legend(figure, axes)
    return figure


def _level_label(level, n_kept):
    """The tick label of a retention level: its share, and the median count kept.

    >>> _level_label(0.2, 462.0), _level_label(0.00433, 10.0)
    ('20 %\\nk = 462', '0.43 %\\nk = 10')
    """
    percent = level * 100
    share = f"{percent:.0f} %" if percent >= 1 else f"{percent:.2g} %"
    return f"{share}\nk = {n_kept:.0f}"


def _label_panel(ax, dataset, model, data, *, first):
    """Title and grid of one panel; the metric on the first of a row."""
    ax.set_title(f"{dataset}, {model} model", fontsize="medium")
    if first:
        ax.set_ylabel(f"{_metric_label(data)} on test folds")
    ax.grid(alpha=0.3)


def plot_shift(shifts):
    """Score against the fraction of shifted features, one line per selector.

    One panel per dataset and model, at the study's smallest retention
    level, for the random scenario (or the first cumulative one when random
    was not run); scores are averaged over folds, seeds and draws.
    """
    if shifts.empty:
        return None
    shifts = shifts[shifts["level"] == shifts["level"].min()]
    available = set(shifts["scenario"])
    scenario = next(
        (name for name in ("random", "most", "least") if name in available), None
    )
    if scenario is None:
        return None
    curves = shifts[shifts["scenario"].isin([scenario, "none"])].assign(
        fraction=lambda frame: frame["fraction"].round(2)
    )
    datasets = sorted(curves["dataset"].unique())
    models = list(dict.fromkeys(curves["model"]))
    styles = _styles(sorted(curves["selector"].unique()))
    level = shifts["level"].min()
    figure, axes = _panel_grid(
        datasets,
        models,
        f"Test score under feature shift ({scenario} scenario, "
        f"{level:.0%} of features kept; mean over folds and draws)",
    )
    for row, dataset in enumerate(datasets):
        for column, model in enumerate(models):
            ax = axes[row, column]
            data = curves[(curves["dataset"] == dataset) & (curves["model"] == model)]
            means = data.groupby(["selector", "fraction"])["score"].mean()
            drawn = set(means.index.get_level_values(0))
            for selector in [name for name in styles if name in drawn]:
                ax.plot(
                    means[selector].index * 100,
                    means[selector].to_numpy(),
                    markersize=4,
                    linewidth=1,
                    label=selector,
                    **styles[selector],
                )
            _label_panel(ax, dataset, model, data, first=column == 0)
            _percent_axis(ax, "selected features shifted")
    _legend(figure, axes)
    return figure


def plot_fit_times(results):
    """Selector fit times, one box per selector, on a log scale."""
    tasks = results.drop_duplicates("key")
    tasks = tasks[(tasks["status"] == "done") & (tasks["selector"] != NO_SELECTION)]
    if tasks.empty:
        return None
    order = tasks.groupby("selector")["fit_time"].median().sort_values().index
    figure = Figure(figsize=(7, 0.35 * len(order) + 1.5), layout="constrained")
    ax = figure.subplots()
    ax.boxplot(
        [tasks.loc[tasks["selector"] == name, "fit_time"] for name in order],
        orientation="horizontal",
        tick_labels=list(order),
    )
    ax.set_xscale("log")
    ax.set_xlabel("selector fit time per task (seconds, log scale)")
    ax.grid(alpha=0.3, axis="x")
    figure.suptitle(
        f"Selector fit times over {tasks['dataset'].nunique()} dataset(s) "
        "and every fold"
    )
    return figure


def plot_critical_difference(results, model=None, alpha=0.05):
    """Critical-difference diagram of the selectors over datasets.

    Average ranks (1 = best) on an axis; selectors joined by a thick bar are
    not significantly different by the Nemenyi test (Demsar, 2006). Needs at
    least two datasets and three methods.
    """
    comparison = critical_difference(results, model, alpha)
    ranks = comparison["average_ranks"]
    if comparison["n_datasets"] < 2 or ranks.size < 3:
        return None
    cd = comparison["critical_difference"]
    n_methods = ranks.size
    figure = Figure(figsize=(7, 1.6 + 0.25 * n_methods), layout="constrained")
    ax = figure.subplots()
    ax.set_xlim(-0.5, n_methods + 1.5)
    ax.set_ylim(-(math.ceil(n_methods / 2) * 0.6 + 0.6), 1.6)
    ax.axis("off")
    ax.hlines(0, 1, n_methods, color="black")
    for tick in range(1, n_methods + 1):
        ax.vlines(tick, 0, 0.15, color="black")
        ax.text(tick, 0.25, str(tick), ha="center", va="bottom")
    # The better half is labelled on the left, the worse half on the right.
    half = math.ceil(n_methods / 2)
    for position, (name, rank) in enumerate(ranks.items()):
        better = position < half
        y = -0.6 * ((position if better else n_methods - 1 - position) + 1)
        x_text = 0.5 if better else n_methods + 0.5
        ax.plot([rank, rank, x_text], [0, y, y], color="black", lw=0.8)
        ax.text(
            x_text - 0.05 if better else x_text + 0.05,
            y,
            f"{name} ({rank:.2f})",
            ha="right" if better else "left",
            va="center",
        )
    # Maximal groups of selectors whose ranks lie within the critical
    # difference of each other.
    values = ranks.to_numpy()
    groups = []
    for start in range(n_methods):
        end = np.searchsorted(values, values[start] + cd, side="right") - 1
        if end > start and not any(s <= start and end <= e for s, e in groups):
            groups.append((start, end))
    for level, (start, end) in enumerate(groups):
        y = -0.25 - 0.15 * level
        ax.hlines(y, values[start] - 0.03, values[end] + 0.03, lw=4, color="grey")
    ax.hlines(1.1, 1, 1 + cd, color="black", lw=1.5)
    ax.text(1 + cd / 2, 1.2, f"CD = {cd:.2f}", ha="center", va="bottom")
    p_value = comparison["friedman_p"]
    figure.suptitle(
        f"Average rank over {comparison['n_datasets']} datasets "
        f"({comparison['model']} model, 1 = best; Friedman p = {p_value:.3g})"
    )
    return figure


def _palette(n):
    """``n`` distinct colours: tab10's, then the dark shades of tab20b.

    Not tab20, whose pairs of a dark and a light shade of one hue read as
    one selector.
    """
    from matplotlib import colormaps

    dark = [colormaps["tab10"](i) for i in range(10)]
    dark += [colormaps["tab20b"](i) for i in range(0, 20, 4)]
    return [dark[i % len(dark)] for i in range(n)]
