"""
=====================================
The four KAN scores side by side
=====================================

:class:`~featsel.KANSelector` reads feature importance from a trained
Kolmogorov-Arnold network in four ways: the mean absolute (KAN-L1) and root
mean square (KAN-L2) activation of each feature's edges into the hidden
layer, the sensitivity of the output to the feature (KAN-SI), and the loss
increase when the feature is knocked out (KAN-KO). This example computes
all four on one dataset whose informative features, and the shape of their
effects, are known.
"""

# %%
# The data
# --------
# ``friedman1`` from :mod:`featsel.datasets` has 500 rows and 10 features,
# of which only the first five matter:
#
# .. math:: y = 10 \sin(\pi x_0 x_1) + 20 (x_2 - 0.5)^2 + 10 x_3 + 5 x_4
#    + \varepsilon
#
# with every :math:`x_j` uniform on :math:`[0, 1]`: an interaction
# (:math:`x_0 x_1`), a parabola (:math:`x_2`) and two linear effects, one
# twice as strong as the other.

import time

import matplotlib.pyplot as plt
import numpy as np

from featsel import KANSelector
from featsel.datasets import load_dataset

data = load_dataset("friedman1")
print(data.description)
print("informative:", data.informative)

# %%
# Four selectors
# --------------
# One fit computes one score, so we fit four selectors with the same
# settings and seed. With the default ``cv=5`` each trains five networks,
# each on four fifths of the rows and scored on the remaining fifth.

selectors = {}
for method in ["l1", "l2", "si", "ko"]:
    start = time.perf_counter()
    selector = KANSelector(5, method=method, random_state=0)
    selectors[method] = selector.fit(data.X, data.y)
    print(
        f"KAN-{method.upper()}: {time.perf_counter() - start:4.1f} s, "
        f"epochs per fold {selector.n_epochs_.tolist()}, "
        f"kept {list(selector.get_feature_names_out())}"
    )

# %%
# All four keep the five informative features. With the same seed the four
# selectors train the very same networks (the score does not enter
# training: see the identical epoch counts), so the differences below come
# from the scores alone. The first fit's time includes loading torch.
#
# ``plot_scores`` draws the scores of one selector, best first, the kept
# features in blue.

fig, axes = plt.subplots(1, 4, figsize=(12, 3.4), sharey=True)
for ax, selector in zip(axes, selectors.values(), strict=True):
    selector.plot_scores(ax=ax)
    ax.set_ylabel("")
axes[0].set_ylabel("score (sums to 1)")
fig.tight_layout()

# %%
# Side by side
# ------------
# In column order, with the spread over the five folds: each fold's raw
# scores (``scores_per_fold_``) normalised to sum to 1, as they are before
# they are averaged into ``scores_``. The bars are the mean, the error bars
# one standard deviation over the folds. The shaded columns are the
# informative ones.

n_features = data.X.shape[1]
positions = np.arange(n_features)
width = 0.2
fig, ax = plt.subplots(figsize=(9, 3.8))
ax.axvspan(-0.5, len(data.informative) - 0.5, color="tab:green", alpha=0.12)
for i, (method, selector) in enumerate(selectors.items()):
    per_fold = selector.scores_per_fold_
    per_fold = per_fold / per_fold.sum(axis=1, keepdims=True)
    ax.bar(
        positions + (i - 1.5) * width,
        per_fold.mean(axis=0),
        width,
        yerr=per_fold.std(axis=0),
        capsize=2,
        label=f"KAN-{method.upper()}",
    )
ax.set_xticks(positions, data.X.columns)
ax.set_ylabel("share of the total score")
ax.set_title("friedman1: the four KAN scores (informative shaded)")
ax.legend(ncols=4, loc="upper right")
fig.tight_layout()

# %%
# What the differences mean
# -------------------------
# The table lists each feature's share of the total score.

print("feature  " + "  ".join(f"KAN-{m.upper():2s}" for m in selectors))
for j, name in enumerate(data.X.columns):
    shares = "  ".join(f"{s.scores_[j]:6.3f}" for s in selectors.values())
    print(f"{name:7s}  {shares}")

# %%
# - **The noise features** get a small share from KAN-L1, KAN-L2 and KAN-SI,
#   about 0.01 each: the training penalty shrinks their edges but does not
#   remove them. KAN-KO gives them almost nothing (below 0.001, and exactly
#   0 in some folds): knocking out an edge the network barely uses hardly
#   raises the held-out loss, and a loss that does not rise scores 0.
# - **The parabola** :math:`x_2` and the linear :math:`x_4` add about the
#   same variance to :math:`y`, and KAN-L1 and KAN-L2 give them about the
#   same share. KAN-SI gives :math:`x_2` almost twice the share of
#   :math:`x_4`: it averages the absolute slope of the output, and the
#   slope of :math:`20 (x_2 - 0.5)^2`, :math:`40 |x_2 - 0.5|`, averages 10
#   over the range, against the constant 5 of :math:`5 x_4`.
# - **KAN-KO** gives the largest shares to the features whose loss hurts
#   the network most (:math:`x_0`, :math:`x_1` and :math:`x_3`) and the
#   smallest informative shares to :math:`x_2` and :math:`x_4`. Its shares
#   of :math:`x_0` and :math:`x_1` also vary most between folds: a
#   difference of two held-out losses is noisier than an average of
#   activations.
# - **KAN-L1 and KAN-L2** agree closely: both average the size of the edge
#   activations, and differ only in how they weigh large values.
#
# On this dataset the four scores choose the same five features, so they
# would give the same downstream model. They disagree on the order, which
# matters when fewer features are kept. The :ref:`kan` page of the user
# guide gives the formulas.
