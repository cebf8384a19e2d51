"""scikit-learn's estimator checks on every selector that featsel exports."""

import pytest
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_global_output_transform_pandas,
    check_set_output_transform_pandas,
    check_transformer_get_feature_names_out_pandas,
    parametrize_with_checks,
)

from .conftest import SELECTORS, make_selector

INSTANCES = [make_selector(cls, random_state=0) for cls in SELECTORS]


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
