"""
=================================================
Choose the number of features by cross-validation
=================================================

:class:`~featsel.SelectorCV` fits a selector on the training part of each
fold, trains a model on the top ``k`` features for every ``k`` and scores it
on the held-out part; it keeps the smallest ``k`` whose mean score is within
one standard error of the best. Here the selector is
:class:`~featsel.LassoSelector` and the model a logistic regression, on the
30 columns of the breast cancer data.
"""

# %%
# The cross-validated curve
# -------------------------
# A LASSO ranks every feature in one fit, so each of the 5 folds costs one
# selector fit, whatever the number of counts tried (every ``k`` from 1 to
# 30 here), and one more fit on all the rows selects the chosen count.

import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from featsel import LassoSelector, SelectorCV

X, y = load_breast_cancer(return_X_y=True, as_frame=True)
model = make_pipeline(StandardScaler(), LogisticRegression())
cv = StratifiedKFold(5, shuffle=True, random_state=0)

search = SelectorCV(LassoSelector(random_state=0), model, cv=cv).fit(X, y)
print(f"chosen: {search.n_features_} of {X.shape[1]} features")
print(search.get_feature_names_out())

fig, ax = plt.subplots(figsize=(6.4, 4))
search.plot_cv_results(ax=ax)
ax.set_title("Breast cancer: LASSO ranking, logistic regression")
fig.tight_layout()

# %%
# The curve rises steeply over the first few features and is nearly flat
# after: past that point the folds cannot tell the counts apart. The
# one-standard-error rule keeps the smallest count on the plateau, where
# the best mean (``rule="best"``) is a count chosen by the noise of the
# folds.

best = SelectorCV(LassoSelector(random_state=0), model, cv=cv, rule="best")
print(f"rule='best' keeps {best.fit(X, y).n_features_} features")

# %%
# An honest estimate of the score
# -------------------------------
# The curve's maximum is optimistic: the count was chosen on the same folds.
# Cross-validating the whole search, as one step of a pipeline, scores the
# chosen count on rows that took no part in choosing it. Here it is within
# 0.01 of keeping every column, with about a third of them.

outer = StratifiedKFold(5, shuffle=True, random_state=1)
pipe = make_pipeline(search, model)
selected = cross_val_score(pipe, X, y, cv=outer)
every = cross_val_score(model, X, y, cv=outer)
print(f"accuracy with the chosen features: {selected.mean():.3f}")
print(f"accuracy with every feature:       {every.mean():.3f}")
