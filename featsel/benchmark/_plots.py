"""Plots of a study's results (matplotlib figures, no global pyplot state)."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
from matplotlib.figure import Figure


def plot_retention(results, model=None):
    """Score against retention level, one panel per dataset.

    The "all features" reference is drawn as a dashed horizontal line.
    """
    done = results[results["status"] == "done"]
    if done.empty:
        return None
    model = model or done["model"].iloc[0]
    done = done[done["model"] == model]
    datasets = sorted(done["dataset"].unique())
    n_columns = min(4, len(datasets))
    n_rows = math.ceil(len(datasets) / n_columns)
    figure = Figure(figsize=(4 * n_columns, 3.2 * n_rows), layout="constrained")
    axes = np.atleast_1d(figure.subplots(n_rows, n_columns, squeeze=False)).ravel()
    selectors = sorted(set(done["selector"]) - {"all"})
    colors = dict(zip(selectors, _palette(len(selectors)), strict=True))
    for ax, dataset in zip(axes, datasets, strict=False):
        data = done[done["dataset"] == dataset]
        reference = data[data["selector"] == "all"]["score"]
        if not reference.empty:
            ax.axhline(reference.mean(), color="black", linestyle="--", label="all")
        curves = data[data["selector"] != "all"].groupby(["selector", "level"])["score"]
        means, stds = curves.mean(), curves.std().fillna(0)
        for selector in means.index.get_level_values(0).unique():
            levels = means[selector].index.to_numpy()
            ax.errorbar(
                levels * 100,
                means[selector].to_numpy(),
                yerr=stds[selector].to_numpy(),
                marker="o",
                capsize=2,
                label=selector,
                color=colors[selector],
            )
        ax.set_title(dataset)
        ax.set_xlabel("features kept (%)")
        ax.set_ylabel("test score")
    for ax in axes[len(datasets) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize="small")
    figure.suptitle(f"Test score against retention level ({model})")
    return figure


def plot_shift(shifts, model=None):
    """Score against the fraction of shifted features, one line per selector.

    One panel per dataset, at the study's smallest retention level, for the
    random scenario (or the first cumulative one when random was not run);
    scores are averaged over folds, seeds and draws.
    """
    if shifts.empty:
        return None
    model = model or shifts["model"].iloc[0]
    shifts = shifts[shifts["model"] == model]
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
    selectors = sorted(curves["selector"].unique())
    colors = dict(zip(selectors, _palette(len(selectors)), strict=True))
    figure = Figure(figsize=(4 * len(datasets), 3.2), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(datasets), squeeze=False)).ravel()
    for ax, dataset in zip(axes, datasets, strict=True):
        data = curves[curves["dataset"] == dataset]
        means = data.groupby(["selector", "fraction"])["score"].mean()
        for selector in means.index.get_level_values(0).unique():
            ax.plot(
                means[selector].index * 100,
                means[selector].to_numpy(),
                marker="o",
                label=selector,
                color=colors[selector],
            )
        ax.set_title(dataset)
        ax.set_xlabel("selected features shifted (%)")
        ax.set_ylabel("test score")
    axes[0].legend(fontsize="small")
    figure.suptitle(
        f"Score under feature shift ({scenario} scenario, {model}, "
        f"{shifts['level'].min():.0%} of features kept)"
    )
    return figure


def plot_fit_times(results):
    """Selector fit times, one box per selector, on a log scale."""
    tasks = results.drop_duplicates("key")
    tasks = tasks[(tasks["status"] == "done") & (tasks["selector"] != "all")]
    if tasks.empty:
        return None
    order = tasks.groupby("selector")["fit_time"].median().sort_values().index
    figure = Figure(figsize=(6, 0.4 * len(order) + 1.5), layout="constrained")
    ax = figure.subplots()
    ax.boxplot(
        [tasks.loc[tasks["selector"] == name, "fit_time"] for name in order],
        orientation="horizontal",
        tick_labels=list(order),
    )
    ax.set_xscale("log")
    ax.set_xlabel("selector fit time per task (s, log scale)")
    return figure


def plot_critical_difference(results, model=None, alpha=0.05):
    """Critical-difference diagram of the selectors over datasets.

    Average ranks (1 = best) on an axis; selectors joined by a thick bar are
    not significantly different by the Nemenyi test (Demsar, 2006). Needs at
    least two datasets and three methods.
    """
    from ._report import critical_difference

    comparison = critical_difference(results, model)
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
        f"({comparison['model']}; Friedman p = {p_value:.3g})"
    )
    return figure


def _palette(n):
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]
