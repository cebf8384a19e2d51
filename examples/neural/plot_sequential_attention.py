"""
=====================================================
Sequential Attention against greedy forward selection
=====================================================

Greedy forward selection adds, one at a time, the feature that most improves
a model given the features already chosen. scikit-learn's
:class:`~sklearn.feature_selection.SequentialFeatureSelector` does it
literally: at every step it cross-validates the model once per remaining
feature. :class:`~featsel.SequentialAttentionSelector` does it inside a
single training run of a small network, picking each feature by a learned
attention weight. This example compares the two in time and in the quality
of what they select, first on a linear problem, then on one where the
features matter only together.
"""

# %%
# A linear problem
# ----------------
# 60 features, 10 of them informative, 1000 rows to select on and 1000 to
# test on. Forward selection wraps a ridge regression, the cheapest sensible
# model, with 5-fold cross-validation: for 10 features it evaluates
# 60 + 59 + ... + 51 = 555 candidate sets, five fits each. Sequential
# Attention trains its default network (one hidden layer of 64 units, 100
# epochs) once.

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_regression
from sklearn.feature_selection import SequentialFeatureSelector
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from featsel import SequentialAttentionSelector
from featsel.datasets import load_dataset

X, y, coef = make_regression(
    2000, 60, n_informative=10, noise=10.0, coef=True, random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0)
informative = set(np.flatnonzero(coef))
ridge = make_pipeline(StandardScaler(), Ridge())


def timed_fit(selector, X, y):
    """Fit ``selector`` and return it with its fit time in seconds."""
    start = time.perf_counter()
    selector.fit(X, y)
    return selector, time.perf_counter() - start


# Load torch before timing, so that the first fit is not charged for it.
SequentialAttentionSelector(1, max_epochs=1).fit(X[:50, :3], y[:50])

attention, attention_time = timed_fit(
    SequentialAttentionSelector(10, random_state=0), X_train, y_train
)
forward, forward_time = timed_fit(
    SequentialFeatureSelector(ridge, n_features_to_select=10, cv=5),
    X_train,
    y_train,
)

linear_results = {}
for name, support, seconds in [
    ("Sequential Attention", attention.get_support(), attention_time),
    ("forward selection (Ridge)", forward.get_support(), forward_time),
]:
    found = len(informative & set(np.flatnonzero(support)))
    r2 = ridge.fit(X_train[:, support], y_train).score(X_test[:, support], y_test)
    linear_results[name] = seconds
    print(
        f"{name:26s} {seconds:5.1f} s   informative found: {found}/10   "
        f"test R^2 (Ridge): {r2:.3f}"
    )
print(f"speed-up: {forward_time / attention_time:.0f}x")

# %%
# Both find the ten informative features, so the ridge regressions on their
# selections are the same model; Sequential Attention gets there many times
# faster. The gap grows with the number of features and of selected
# features, since forward selection's work grows with their product while
# the network trains for the same number of epochs whatever ``k`` is (the
# phases share them). With a model more expensive than a ridge regression
# (an MLP like the selector's own network, say) the gap is far larger:
# :ref:`benchmarks` measures both.

fig, ax = plt.subplots(figsize=(6.4, 2.6))
ax.barh(list(linear_results), list(linear_results.values()), color="tab:blue")
ax.set_xlabel("fit time (s)")
ax.set_title("Selecting 10 of 60 features, 1000 rows")
fig.tight_layout()

# %%
# Features that matter only together
# ----------------------------------
# In the ``interaction`` dataset of :mod:`featsel.datasets`,
# :math:`y = \operatorname{sign}(x_0 x_1 + \varepsilon)` and 20 further
# columns are noise. Neither :math:`x_0` nor :math:`x_1` says anything about
# :math:`y` on its own, so the first step of forward selection, which scores
# each feature alone, has nothing to go on, whatever the model.
#
# Sequential Attention starts differently: during a warm-up its network
# trains on all the features, and its first pick comes from attention
# learned on that network, which already uses :math:`x_0` and :math:`x_1`
# together. We select two features on five draws of the data, with forward
# selection around a logistic regression (which cannot represent the
# product) and around a 5-nearest-neighbours classifier (which can), and
# score each selection with the nearest-neighbours classifier.

knn = make_pipeline(StandardScaler(), KNeighborsClassifier())
logistic = make_pipeline(StandardScaler(), LogisticRegression())
methods = {
    "Sequential Attention": lambda seed: SequentialAttentionSelector(
        2, random_state=seed
    ),
    "forward (logistic)": lambda seed: SequentialFeatureSelector(
        logistic, n_features_to_select=2, cv=5
    ),
    "forward (5-NN)": lambda seed: SequentialFeatureSelector(
        knn, n_features_to_select=2, cv=5
    ),
}
seeds = range(5)
print(f"{'':22s}{'found both':>11s}{'time (s)':>10s}{'5-NN accuracy':>15s}")
for name, make in methods.items():
    found, seconds, accuracy = 0, 0.0, []
    for seed in seeds:
        data = load_dataset("interaction", random_state=seed)
        X_int, y_int = data.X.to_numpy(), data.y.to_numpy()
        selector, elapsed = timed_fit(make(seed), X_int, y_int)
        support = selector.get_support()
        found += set(data.X.columns[support]) == set(data.informative)
        seconds += elapsed
        accuracy.append(cross_val_score(knn, X_int[:, support], y_int, cv=5).mean())
    print(
        f"{name:22s}{found:>7d} of {len(seeds)}{seconds / len(seeds):10.2f}"
        f"{np.mean(accuracy):15.3f}"
    )

# %%
# Sequential Attention finds :math:`x_0` and :math:`x_1` on every draw.
# Forward selection picks its first feature among equally useless ones, so
# it finds the pair only by chance, even around a model that could use it,
# and its selections without the pair score near chance (0.5).
#
# What the attention saw
# ----------------------
# ``attention_history_`` holds the attention weights at the end of each
# phase; the weights of the features still open sum to 1. We refit the
# selector on the first draw of the data.

data = load_dataset("interaction", random_state=0)
selector = SequentialAttentionSelector(2, random_state=0).fit(data.X, data.y)
history = selector.attention_history_
print("selection order:", list(data.X.columns[selector.selection_order_]))

# sphinx_gallery_thumbnail_number = 2
fig, axes = plt.subplots(1, 2, figsize=(10, 3), sharey=True)
colors = [
    "tab:red" if name in data.informative else "tab:gray" for name in data.X.columns
]
for phase, ax in enumerate(axes):
    ax.bar(np.arange(history.shape[1]), history[phase], color=colors)
    ax.set_title(f"end of phase {phase + 1}")
    ax.set_xlabel("feature")
axes[0].set_ylabel("attention weight")
fig.suptitle("Sequential Attention on interaction: x0 and x1 in red")
fig.tight_layout()

# %%
# At the end of the first phase :math:`x_0` and :math:`x_1` each hold about
# six times the weight of any noise feature. In the second phase the first
# pick passes with weight 1 (its attention shows as 0), and its partner
# still has the largest weight among the open features, about twice that
# of any noise feature: the network needs it to use the feature already
# selected. The :ref:`neural` page of the user guide describes the method
# and its cost.
