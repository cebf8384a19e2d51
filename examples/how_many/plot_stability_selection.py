"""
==========================================
Stability selection with a bound on errors
==========================================

:class:`~featsel.StabilitySelector` fits a selector on 50 pairs of disjoint
half-samples and keeps the features that at least a threshold share of the
100 fits selected. The threshold is set from a bound on the expected number
of falsely selected features (Meinshausen and Bühlmann 2010, Shah and
Samworth 2013). Here the selector is :class:`~featsel.LassoSelector`, on a
problem whose informative features are known.
"""

# %%
# A planted problem
# -----------------
# 400 rows and 40 columns; the class depends on the first six columns, with
# weights from strong to weak.

import matplotlib.pyplot as plt
import numpy as np

from featsel import LassoSelector, StabilitySelector

rng = np.random.default_rng(0)
X = rng.normal(size=(400, 40))
weights = np.array([1.5, -1.2, 1.0, -0.8, 0.6, 0.4])
y = (X[:, :6] @ weights + 0.5 * rng.normal(size=400) > 0).astype(int)

stability = StabilitySelector(
    LassoSelector(), max_false_selections=1.0, random_state=0
).fit(X, y)
print(f"features per fit q = {stability.n_features_per_fit_}")
print(f"threshold = {stability.threshold_:.3f}")
print(f"bound on expected false selections = {stability.false_selection_bound_:.2f}")
print("selected:", stability.get_support(indices=True))

# %%
# The stability path
# ------------------
# Each line is one feature's selection frequency when each fit keeps its
# top ``k`` features, for ``k`` up to ``q``, read from the same 100 fits.
# The selected features (red) reach the threshold at ``q``; the noise
# features stay far below it.

fig, ax = plt.subplots(figsize=(6.4, 4.2))
stability.plot_stability_path(ax=ax, n_labels=8)
ax.set_title("LASSO on half-samples: 6 informative of 40 columns")
fig.tight_layout()

# %%
# With a bound of 1 false selection and 40 columns, each fit keeps
# ``q = 13`` features (by Shah and Samworth's bound for unimodal selection
# frequencies, the default; 6 without that assumption) and a feature must
# be among them in 95 of the 100 fits. The five strong features are in all
# of them; the weakest informative feature (``x5``, weight 0.4) competes
# with noise for the last places and is kept in about three quarters. A
# looser bound lets each fit keep more features, at the same threshold:

loose = StabilitySelector(
    LassoSelector(), max_false_selections=4.0, random_state=0
).fit(X, y)
print(
    f"bound 4: q = {loose.n_features_per_fit_}, "
    f"threshold = {loose.threshold_:.3f}, "
    f"selected: {loose.get_support(indices=True)}, "
    f"frequency of x5: {loose.selection_frequencies_[5]:.2f}"
)

# %%
# Even with 26 features per fit, ``x5`` is kept in fewer than 95 of the
# 100 half-samples: with 200 rows its effect is too weak to be found
# reliably, and stability selection says so rather than keeping it.
#
# No signal at all
# ----------------
# When the class is independent of every column, every selected feature is
# a false selection. The bound holds in expectation over data sets; here no
# feature is frequent enough. The most frequent one is still kept by most
# fits: the half-samples share their rows with one data set, in which some
# noise column is correlated with the class by chance.

y_null = rng.integers(0, 2, size=400)
null = StabilitySelector(LassoSelector(), random_state=0).fit(X, y_null)
print("selected without signal:", null.get_support(indices=True))
print("largest frequency:", null.selection_frequencies_.max())
