"""Helpers shared by the selectors built on linear models."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy import sparse
from sklearn.preprocessing import StandardScaler


def standardize(X):
    """Scale the columns of ``X`` to unit variance (and zero mean when dense).

    Coefficient magnitudes are only comparable across features on a common
    scale. Sparse input keeps its sparsity (no centring); constant columns
    stay constant instead of dividing by zero. The output is an array even
    when the user set scikit-learn's global output to pandas.
    """
    scaler = StandardScaler(with_mean=not sparse.issparse(X))
    return scaler.set_output(transform="default").fit_transform(X)


def coef_importance(coef):
    """Mean absolute coefficient across classes (rows) for each feature."""
    return np.abs(np.atleast_2d(coef)).mean(axis=0)
