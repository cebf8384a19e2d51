"""featsel: modern feature selection for scikit-learn.

Every selector is a scikit-learn transformer (a ``SelectorMixin``) that
drops into a ``Pipeline``; all share the contract of
:class:`featsel.BaseSelector`: ``n_features_to_select``, ``ranking_`` (a
strict order, 1 is best) and ``support_`` mean the same thing everywhere.
``scores_`` is one non-negative number per feature that sorts as
``ranking_`` does: an importance in the method's own unit, except for the
selectors that choose features one after another (SVM-RFE, SHAP forward,
STS-mRMR, Sequential Attention), whose ``scores_kind`` is ``"order"``:
their ``scores_`` encode the order of entry, which they give as
``selection_order_``.
"""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

from ._base import BaseSelector, SelectionResult
from ._feature_gradients import FeatureGradientsSelector
from ._kan import KANSelector
from ._lasso import LassoSelector
from ._mutual_info import MutualInfoSelector
from ._optfs import OptFSSelector
from ._random_forest import RandomForestSelector
from ._selector_cv import SelectorCV
from ._sequential_attention import SequentialAttentionSelector
from ._shap_forward import SHAPForwardSelector
from ._stability import StabilitySelector
from ._sts_mrmr import STSmRMRSelector
from ._svm_rfe import SVMRFESelector

__version__ = "0.1.0.dev0"

__all__ = [
    "BaseSelector",
    "FeatureGradientsSelector",
    "KANSelector",
    "LassoSelector",
    "MutualInfoSelector",
    "OptFSSelector",
    "RandomForestSelector",
    "SelectionResult",
    "SelectorCV",
    "SequentialAttentionSelector",
    "SHAPForwardSelector",
    "StabilitySelector",
    "STSmRMRSelector",
    "SVMRFESelector",
    "__version__",
]
