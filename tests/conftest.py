import pytest

from featsel.utils import all_selectors

from ._params import TEST_PARAMS

SELECTORS = [cls for _, cls in all_selectors()]


def make_selector(cls, **params):
    """An instance of ``cls`` with its small-but-real test settings."""
    return cls(**{**TEST_PARAMS.get(cls.__name__, {}), **params})


@pytest.fixture(params=SELECTORS, ids=lambda cls: cls.__name__)
def selector_class(request):
    return request.param
