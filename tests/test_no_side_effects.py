"""No network, and no files outside --out: during fits and `featsel bench`."""

import os
import socket

import numpy as np
import pytest
from sklearn.datasets import make_classification

from featsel import KANSelector, STSmRMRSelector, cli
from featsel.benchmark import load

from .conftest import SELECTORS, make_selector


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def guarded(tmp_path, monkeypatch):
    """An empty working directory, and sockets that refuse to connect."""

    def refuse(*args, **kwargs):
        raise NetworkUsed(f"a network connection was attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    return workdir


def _written(workdir):
    return sorted(
        os.path.relpath(os.path.join(root, name), workdir)
        for root, dirs, files in os.walk(workdir)
        for name in [*dirs, *files]
    )


FITS = [
    *[(cls.__name__, cls, {}) for cls in SELECTORS],
    ("KANSelector-pykan", KANSelector, {"backend": "pykan", "max_epochs": 5}),
    ("STSmRMRSelector-encoder", STSmRMRSelector, {"target_description": "outcome"}),
]


@pytest.mark.parametrize(("name", "cls", "params"), FITS, ids=[f[0] for f in FITS])
def test_fit_opens_no_connection_and_writes_nothing(guarded, name, cls, params):
    if params.get("backend") == "pykan":
        pytest.importorskip("kan")
    if "target_description" in params:
        pytest.importorskip("sentence_transformers")
    X, y = make_classification(60, 5, n_informative=3, random_state=0)
    make_selector(cls, n_features_to_select=2, **params).fit(X, y)
    assert _written(guarded) == []


def test_bench_writes_only_into_out(guarded, tmp_path):
    out = tmp_path / "out"
    argv = ["bench", "--datasets", "wine", "--selectors", "lasso,mi"]
    argv += ["--models", "linear", "--folds", "2", "--retention", "0.5"]
    argv += ["--n-jobs", "1", "--no-progress", "--out", str(out)]
    assert cli.main(argv) == 0
    assert cli.main(["report", str(out), "--no-plots"]) == 0
    assert _written(guarded) == []
    assert np.isfinite(load(out)["score"]).all()
