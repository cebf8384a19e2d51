"""The package as a user meets it: imports, extras and the command line."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

import featsel
import featsel.benchmark
from featsel._optional import import_optional


def test_import_does_not_load_optional_dependencies():
    # Every module outside the torch subpackage, not just `featsel` itself:
    # the selectors import torch inside fit, never at module level.
    code = (
        "import importlib, pkgutil, sys\n"
        "packages = ['featsel']\n"
        "while packages:\n"
        "    package = importlib.import_module(packages.pop())\n"
        "    for module in pkgutil.iter_modules(package.__path__):\n"
        "        name = f'{package.__name__}.{module.name}'\n"
        "        if name == 'featsel._torch':\n"
        "            continue\n"
        "        if module.ispkg:\n"
        "            packages.append(name)\n"
        "        else:\n"
        "            importlib.import_module(name)\n"
        "loaded = {'torch', 'kan', 'shap', 'xgboost', 'sentence_transformers', "
        "'dask'} & set(sys.modules)\n"
        "print(sorted(loaded))"
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


def test_import_does_not_load_matplotlib():
    # The plots of the selectors and meta-selectors import it when called.
    code = "import sys, featsel; print('matplotlib' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "False"


def test_command_line_and_scripts_use_only_the_runners_public_names():
    # What they need is exported by featsel.benchmark; its private modules
    # may change without notice. bench_ground_truth.py still reaches into the
    # task's encoding helpers, which have no public form yet.
    root = Path(featsel.__file__).resolve().parents[1]
    sources = [root / "featsel" / "cli.py", *sorted(root.glob("benchmarks/*.py"))]
    private = re.compile(r"^\s*from (featsel)?\.benchmark\._\w+ import", re.MULTILINE)
    found = {
        path.name: private.findall(path.read_text())
        for path in sources
        if path.name != "bench_ground_truth.py"
    }
    assert {name: hits for name, hits in found.items() if hits} == {}
    for name in featsel.benchmark.__all__:
        assert hasattr(featsel.benchmark, name), name


def test_every_benchmark_script_writes_the_shared_provenance_header():
    # One header (command, commit, machine with its GPU, date) and one timer
    # for every script: none writes its own, none says "no GPU" unasked.
    root = Path(featsel.__file__).resolve().parents[1] / "benchmarks"
    for path in sorted(root.glob("bench_*.py")):
        text = path.read_text()
        assert "from _provenance import" in text, path.name
        assert "no GPU" not in text, path.name
        assert not re.search(r"^def (timed\w*)\(", text, re.MULTILINE), path.name
