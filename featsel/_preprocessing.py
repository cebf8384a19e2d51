"""Column standardisation shared by the selectors that train a network."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

from dataclasses import dataclass

import numpy as np

#: A column whose standard deviation is at most this share of its largest
#: magnitude (or of 1) counts as constant: what is left is the rounding of
#: its mean, which standardising would blow up into noise.
CONSTANT_RELATIVE_STD = 1e-12


@dataclass
class Standardizer:
    """Centre and scale columns with statistics of the training rows only.

    Columns that are constant on the training rows keep a scale of 1, so
    they map to 0 instead of dividing by zero.

    Parameters
    ----------
    mean : ndarray of shape (n_columns,)
    scale : ndarray of shape (n_columns,)
    """

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, X):
        """Compute the column means and standard deviations of ``X``."""
        X = np.asarray(X, dtype=np.float64)
        return cls.from_moments(X.mean(axis=0), X.std(axis=0), np.abs(X).max(axis=0))

    @classmethod
    def from_moments(cls, mean, std, largest):
        """The standardiser of columns of these means, deviations and magnitudes.

        For statistics gathered otherwise: over chunks of rows, or ignoring
        missing values.
        """
        constant = ~(std > CONSTANT_RELATIVE_STD * np.maximum(1.0, largest))
        return cls(mean=mean, scale=np.where(constant, 1.0, std))

    def transform(self, X):
        """Standardise ``X`` and return it as a float32 array."""
        return ((np.asarray(X, dtype=np.float64) - self.mean) / self.scale).astype(
            np.float32
        )
