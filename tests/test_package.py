"""The package as a user meets it: imports, extras and the command line."""

import subprocess
import sys

import pytest

import featsel
from featsel import cli
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


def test_cli_bench_prints_a_table(capsys):
    status = cli.main(
        [
            "bench",
            "--datasets",
            "wine",
            "--selectors",
            "LassoSelector",
            "--retention",
            "0.5",
            "--folds",
            "2",
        ]
    )
    table = capsys.readouterr().out
    assert status == 0
    assert "LassoSelector" in table
    assert "all features" in table


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bench", "--datasets", "nope"], "unknown dataset(s): nope"),
        (["bench", "--selectors", "Magic"], "unknown selector(s): Magic"),
        (["bench", "--retention", "1.5"], "retention levels must lie in (0, 1]"),
    ],
)
def test_cli_bad_input(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_lists(capsys):
    cli.main(["datasets"])
    assert "diabetes" in capsys.readouterr().out
    cli.main(["selectors"])
    assert "SVMRFESelector" in capsys.readouterr().out
