"""Feature-shift robustness of each selector's chosen features.

For every embedded dataset, selector, retention level and outer fold, the
downstream model trained on the selected features is scored on the test
fold with features shifted (replaced by their training mean or mode) under
TabFSBench's four scenarios. Reported:

- robustness per selector: the area under the score curve of each scenario
  (an average score under shift) and the mean drop, averaged over datasets,
  levels and folds;
- TabFSBench's observation that the drop grows about linearly with the
  summed importance of the shifted features, using each selector's own
  ``scores_`` (normalised over its selected features): Pearson r between
  importance and drop over the single and random scenarios.

Usage::

    python benchmarks/bench_shift.py [--selectors lasso,rf,mi,svm-rfe] \
        [--folds 3] [--models linear] [--output benchmarks/results/shift.md]
"""

import argparse
import os
import platform
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from featsel.benchmark import Study, load_shifts, load_tasks, run
from featsel.benchmark._report import robustness_table, to_markdown
from featsel.benchmark._study import EMBEDDED_DATASETS


def shifted_importance(shifts, tasks):
    """Share of the selector's importance (over its selected features) shifted."""
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--selectors", default="lasso,rf,mi,svm-rfe")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--models", default="linear")
    parser.add_argument("--output", default="benchmarks/results/shift.md")
    args = parser.parse_args()

    study = Study(
        datasets=EMBEDDED_DATASETS,
        selectors=("all", *args.selectors.split(",")),
        models=tuple(args.models.split(",")),
        folds=args.folds,
        shift=("single", "most", "least", "random"),
    )
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        run(study, out, n_jobs=2, progress=False)
        shifts, tasks = load_shifts(out), load_tasks(out)
    elapsed = time.perf_counter() - start

    table = robustness_table(shifts).reset_index()
    auc_columns = [c for c in table.columns if c.endswith(" auc")]
    drop_columns = [c for c in table.columns if c.endswith(" mean_drop")]
    per_selector = (
        table[table["selector"] != "all"]
        .groupby(["model", "selector"])[auc_columns + drop_columns]
        .mean()
        .round(3)
        .reset_index()
    )

    shifts = shifts.assign(importance=shifted_importance(shifts, tasks))
    rows = []
    for (model, selector), group in shifts[
        shifts["scenario"].isin(["single", "random"])
    ].groupby(["model", "selector"]):
        group = group.dropna(subset=["importance"])
        if selector == "all" or len(group) < 3:
            continue
        fit = stats.linregress(group["importance"], group["drop"])
        per_dataset = [
            stats.pearsonr(part["importance"], part["drop"]).statistic
            for _, part in group.groupby("dataset")
            if len(part) >= 3 and part["importance"].std() > 0
        ]
        rows.append(
            {
                "model": model,
                "selector": selector,
                "shifted sets": len(group),
                "Pearson r (pooled)": round(fit.rvalue, 3),
                "median r per dataset": round(float(np.median(per_dataset)), 3),
                "slope (drop per unit importance)": round(fit.slope, 3),
            }
        )
    linearity = pd.DataFrame(rows)

    lines = [
        "# Feature-shift robustness of selected feature sets",
        "",
        f"Command: `python benchmarks/bench_shift.py --selectors {args.selectors} "
        f"--folds {args.folds} --models {args.models}`  ",
        f"Machine: {os.cpu_count()} CPU cores ({platform.processor() or 'x86_64'}), "
        "no GPU, run with 2 parallel tasks  ",
        f"Date: {date.today().isoformat()}; wall time {elapsed:.0f} s",
        "",
        f"Datasets: {', '.join(study.datasets)}; retention {list(study.retention)}; "
        f"{study.folds}-fold; scenarios single, most, least, random (fractions "
        "0.1-0.5 of the selected features, 5 draws each). A shifted feature is "
        "replaced by its training mean (mode for categorical columns).",
        "",
        "## Robustness per selector (mean over datasets, levels and folds)",
        "",
        "`auc`: area under score against shifted fraction, divided by the "
        "fraction range (an average score under shift); `mean_drop`: mean "
        "loss from the unshifted score. Higher auc and lower drop are more "
        "robust.",
        "",
        to_markdown(per_selector),
        "## Does the drop grow linearly with the shifted importance?",
        "",
        "Importance of a shifted set: the sum of the selector's `scores_` over "
        "the shifted features, divided by their sum over all selected "
        "features. Pearson r between that share and the score drop, over every "
        "single and random shifted set of every dataset, level and fold.",
        "",
        to_markdown(linearity),
        "## Per dataset",
        "",
        to_markdown(table),
    ]
    Path(args.output).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
