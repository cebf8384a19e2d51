"""scikit-learn's estimator checks on every selector that featsel exports."""

import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_global_output_transform_pandas,
    check_set_output_transform_pandas,
    check_transformer_get_feature_names_out_pandas,
    parametrize_with_checks,
)

from featsel import LassoSelector, SelectorCV, StabilitySelector

from .conftest import SELECTORS, make_selector

#: The meta-selectors, around a cheap selector (a requested count ranks the
#: LASSO at one penalty, with no cross-validation) and a cheap model.
META_INSTANCES = [
    SelectorCV(LassoSelector(random_state=0), LogisticRegression(), cv=3),
    StabilitySelector(LassoSelector(), n_pairs=5, random_state=0),
]

INSTANCES = [make_selector(cls, random_state=0) for cls in SELECTORS] + META_INSTANCES


@parametrize_with_checks(INSTANCES)
def test_sklearn_compatible(estimator, check):
    check(estimator)


PANDAS_CHECKS = [
    check_set_output_transform_pandas,
    check_global_output_transform_pandas,
    check_dataframe_column_names_consistency,
    check_transformer_get_feature_names_out_pandas,
]


@pytest.mark.parametrize("estimator", INSTANCES, ids=lambda est: type(est).__name__)
@pytest.mark.parametrize("check", PANDAS_CHECKS, ids=lambda check: check.__name__)
def test_pandas_output(estimator, check):
    check(type(estimator).__name__, estimator)
