import pytest

from featsel.utils import all_selectors

SELECTORS = [cls for _, cls in all_selectors()]


def make_selector(cls, **params):
    """An instance of ``cls`` with its small-but-real test settings."""
    return cls(**{**cls._test_params, **params})


@pytest.fixture(params=SELECTORS, ids=lambda cls: cls.__name__)
def selector_class(request):
    return request.param
