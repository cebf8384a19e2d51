"""The package as a user meets it: imports, extras and the command line."""

import subprocess
import sys

import pytest

import featsel
from featsel._optional import import_optional


def test_import_does_not_load_optional_dependencies():
    code = (
        "import sys, featsel; "
        "loaded = {'torch', 'kan', 'shap', 'xgboost', 'sentence_transformers', "
        "'dask'} & set(sys.modules); print(sorted(loaded))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]"


def test_missing_extra_is_named():
    with pytest.raises(ImportError, match=r'pip install "featsel\[nn\]"'):
        import_optional("a_module_that_does_not_exist", extra="nn")


def test_version():
    assert featsel.__version__.startswith("0.")
