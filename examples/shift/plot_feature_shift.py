"""
===================================================
Same budget, two selectors: robust versus brittle
===================================================

Two selectors keep the same number of features from the same data. One
scores better on complete test data; the other loses far less when some of
its features go missing at test time. :func:`featsel.shift.evaluate`
measures both.

The data imitate a clinical table: a laboratory value measured three times
with noise (three strongly informative, redundant columns), four symptoms
that each carry a little independent information, and eight columns of
noise.
"""

# %%
# The data
# --------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from featsel import LassoSelector, MutualInfoSelector
from featsel.shift import evaluate, summarize

rng = np.random.default_rng(0)
n_samples = 1000
lab = rng.normal(size=n_samples)
X = pd.DataFrame(
    {
        "lab_value": lab + 0.3 * rng.normal(size=n_samples),
        "lab_value_repeat": lab + 0.3 * rng.normal(size=n_samples),
        "lab_value_alt": lab + 0.3 * rng.normal(size=n_samples),
    }
)
for j in range(4):
    X[f"symptom_{j}"] = rng.normal(size=n_samples)
for j in range(8):
    X[f"noise_{j}"] = rng.normal(size=n_samples)
logit = 2 * lab + 0.6 * X[[f"symptom_{j}" for j in range(4)]].sum(axis=1)
y = (logit + 0.5 * rng.normal(size=n_samples) > 0).astype(int)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.4, random_state=0, stratify=y
)

# %%
# Two selectors, four features each
# ---------------------------------
# LASSO sees that the three lab columns say the same thing and spends its
# budget on distinct information; mutual information scores every column on
# its own, so it keeps the three lab columns.
selectors = {
    "LASSO": LassoSelector(n_features_to_select=4, random_state=0),
    "Mutual information": MutualInfoSelector(n_features_to_select=4, random_state=0),
}
curves, summaries = {}, []
for name, selector in selectors.items():
    pipeline = make_pipeline(selector, StandardScaler(), LogisticRegression())
    pipeline.fit(X_train, y_train)
    kept = list(selector.get_feature_names_out())
    shifts = evaluate(
        pipeline,
        X_train,
        y_train,
        X_test,
        y_test,
        features=kept,
        scenarios=["single", "random"],
        random_fractions=(0.25, 0.5, 0.75),
        n_draws=20,
        scoring="f1_macro",
        random_state=0,
    )
    print(f"{name}: keeps {kept}")
    summaries.append(summarize(shifts).assign(selector=name))
    curves[name] = shifts

# %%
# Complete test data, then shifted test data
# ------------------------------------------
# The unshifted score is the first row of each evaluation; ``single``
# shifts one kept feature at a time, ``random`` a random share of them.
for name, shifts in curves.items():
    print(f"{name}: F1 on complete test data {shifts['score'].iloc[0]:.3f}")
print(pd.concat(summaries)[["selector", "scenario", "auc", "mean_drop", "max_drop"]])

# %%
# LASSO scores higher while every feature is there, but shifting the one lab
# column it relies on costs it much more; the redundant lab columns that
# mutual information kept stand in for each other.
fig, ax = plt.subplots(figsize=(6, 4))
for name, shifts in curves.items():
    random = shifts[shifts["scenario"].isin(["none", "random"])]
    curve = random.groupby("fraction")["score"].mean()
    ax.plot(curve.index * 100, curve.to_numpy(), marker="o", label=name)
ax.set_xlabel("kept features shifted at test time (%)")
ax.set_ylabel("test F1-macro (mean over 20 draws)")
ax.set_title("Score under random feature shift")
ax.legend()
plt.show()
