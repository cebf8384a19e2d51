"""
==========================================
Compare the four baselines on one dataset
==========================================

The four classical selectors of featsel score features in very different
ways: sparse linear coefficients (:class:`~featsel.LassoSelector`), the
permutation importance of a random forest
(:class:`~featsel.RandomForestSelector`), mutual information with the target
(:class:`~featsel.MutualInfoSelector`) and the elimination order of a linear
SVM (:class:`~featsel.SVMRFESelector`). This example puts their scores side
by side on data whose informative features are known, then compares how
good the features they keep are, at every number of kept features.
"""

# %%
# Scores on data with a known answer
# ----------------------------------
# ``friedman1`` from :mod:`featsel.datasets` has 10 features, of which only
# the first five matter:
#
# .. math:: y = 10 \sin(\pi x_0 x_1) + 20 (x_2 - 0.5)^2 + 10 x_3 + 5 x_4
#    + \varepsilon
#
# The effect of :math:`x_2` is a parabola centred in the range of
# :math:`x_2`: no straight line captures it.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from featsel import (
    LassoSelector,
    MutualInfoSelector,
    RandomForestSelector,
    SVMRFESelector,
)
from featsel.datasets import load_dataset

selectors = {
    "Lasso": LassoSelector(random_state=0),
    "Random forest": RandomForestSelector(random_state=0),
    "Mutual information": MutualInfoSelector(random_state=0),
    "SVM-RFE": SVMRFESelector(random_state=0),
}

data = load_dataset("friedman1")
print(data.description)
print("informative:", data.informative)

# %%
# Each method's scores have their own unit (a coefficient, a drop in
# :math:`R^2`, nats, a rank), so we divide them by their maximum. The shaded
# columns are the informative ones.

fig, axes = plt.subplots(1, 4, figsize=(11, 3.2), sharey=True)
positions = np.arange(data.X.shape[1])
informative = np.isin(data.X.columns, data.informative)
for ax, (name, selector) in zip(axes, selectors.items(), strict=True):
    scores = clone(selector).fit(data.X, data.y).scores_
    ax.axvspan(-0.5, informative.sum() - 0.5, color="tab:green", alpha=0.12)
    ax.bar(positions, scores / scores.max(), color="tab:blue")
    ax.set_xticks(positions, data.X.columns, rotation=90)
    ax.set_title(name)
axes[0].set_ylabel("score / max score")
fig.suptitle("friedman1: scores of the four baselines (informative shaded)")
fig.tight_layout()

# %%
# Mutual information and the random forest score all five informative
# features above every noise feature. The Lasso gives :math:`x_2` almost no
# weight: its parabola has no linear trend. SVM-RFE's scores are its ranks, so
# every feature gets a positive score; it ranks :math:`x_2` fifth, but only
# one place ahead of the noise feature :math:`x_9`.
#
# Retention curves
# ----------------
# Scores are only a means to an end: what matters is how well a model does
# on the features a selector keeps. A *retention curve* shows the
# cross-validated score of a model trained on the top :math:`k` features, for
# every :math:`k`.
#
# For each of the four baselines the selection of :math:`k` features is the
# top :math:`k` of one ranking (``selection_depends_on_k`` is ``False``), so a
# single fit per fold gives the whole curve: we cut ``ranking_ <= k``. The
# selectors are fitted on the training part of each fold only; the test part
# only scores the model. The wine data have 13 features and 3 classes.

wine = load_dataset("wine")
X, y = wine.X.to_numpy(), wine.y.to_numpy()
n_features = X.shape[1]
ks = np.arange(1, n_features + 1)
cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
model = make_pipeline(StandardScaler(), LogisticRegression(solver="newton-cholesky"))

accuracy = {name: np.zeros((cv.get_n_splits(), ks.size)) for name in selectors}
for fold, (train, test) in enumerate(cv.split(X, y)):
    for name, selector in selectors.items():
        ranking = clone(selector).fit(X[train], y[train]).ranking_
        for i, k in enumerate(ks):
            kept = ranking <= k
            fitted = clone(model).fit(X[train][:, kept], y[train])
            accuracy[name][fold, i] = fitted.score(X[test][:, kept], y[test])

all_features = np.mean(
    [
        clone(model).fit(X[train], y[train]).score(X[test], y[test])
        for train, test in cv.split(X, y)
    ]
)

# sphinx_gallery_thumbnail_number = 2
fig, ax = plt.subplots(figsize=(6.4, 4))
for name, scores in accuracy.items():
    ax.plot(ks, scores.mean(axis=0), marker="o", markersize=4, label=name)
ax.axhline(all_features, color="black", linestyle="--", label="all features")
ax.set_xlabel("number of kept features k (of 13)")
ax.set_ylabel("cross-validated accuracy")
ax.set_title("wine: logistic regression on the top-k features")
ax.legend(loc="lower right")
fig.tight_layout()

# %%
# The area under each curve summarises it in one number: the mean accuracy
# over all values of :math:`k`.

for name, scores in sorted(accuracy.items(), key=lambda item: -item[1].mean()):
    print(
        f"{name:20s} mean over k: {scores.mean():.3f}   "
        f"with 3 features: {scores[:, 2].mean():.3f}"
    )

# %%
# On this small, clean dataset the four methods need three to five features
# to come close to the accuracy with all features; they differ most for one
# and two features. The :ref:`benchmarks` page compares the selectors on more
# datasets and retention levels.
