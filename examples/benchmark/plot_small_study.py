"""
======================================
A small benchmark study and its report
======================================

:func:`featsel.benchmark.run` compares selectors over datasets and retention
levels with a leak-free protocol (each selector is fitted on training folds
only) and stores every task in an SQLite file, so a study can be resumed;
:func:`featsel.benchmark.report` turns the stored results into tables and
plots. This example runs a study small enough for a documentation build:
the four classical baselines on four embedded datasets.
"""

# %%
# Run the study
# -------------
import tempfile
from pathlib import Path

import matplotlib.image as mpimg
import matplotlib.pyplot as plt

from featsel.benchmark import Study, report, run

study = Study(
    datasets=("breast_cancer", "wine", "diabetes", "friedman1"),
    selectors=("none", "lasso", "mi", "svm-rfe", "rf"),
    selector_params={"rf": {"n_estimators": 30, "n_repeats": 2}},
    retention=(0.2, 0.4, 0.6),
    models=("linear",),
    folds=3,
)
out = Path(tempfile.mkdtemp())
results = run(study, out, progress=False)
print(results[["dataset", "selector", "fold", "level", "n_selected", "score"]].head())

# %%
# The headline table
# ------------------
# The mean test score over the three retention levels, with its standard
# deviation across folds (the KAN paper's headline number, without its
# leak).
tables = report(out)
print(tables["headline"].to_string())

# %%
# The gap of each selector to the best classical baseline on each dataset
# (here the baselines compete with each other: the best one has gap 0),
# fold by fold, with its spread over folds.
print(tables["gap"].to_string())

# %%
# Stability of the selected sets across folds (Nogueira et al., 2018), with
# a 95 % confidence interval: 1 means identical sets in every fold.
print(tables["stability"].to_string())

# %%
# Plots
# -----
# The report also writes PNG and SVG plots: score against retention level
# per dataset and downstream model, and a critical-difference diagram of
# the selectors' average ranks over datasets.
for name in ("retention", "critical_difference"):
    fig, ax = plt.subplots(figsize=(10, 10 if name == "retention" else 4))
    ax.imshow(mpimg.imread(out / "report" / f"{name}.png"))
    ax.axis("off")
plt.show()
