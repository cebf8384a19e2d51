"""`featsel bench` checks every option before the first task starts."""

import pandas as pd
import pytest

from featsel import cli
from featsel.benchmark import Study, load, load_study
from featsel.benchmark._tasks import data_digest
from featsel.datasets import file_digest, load_dataset, load_file

FAST = ["--selectors", "lasso", "--models", "linear", "--folds", "2"]


def _bench_error(capsys, tmp_path, argv):
    """Run `featsel bench` expecting a usage error; return its one line."""
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["bench", *argv, "--out", str(out), "--no-progress"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1, error
    assert not out.exists(), "no task may start"
    return error


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"a": range(12), "b": range(12), "y": [0, 1] * 6}).to_csv(
        "small.csv", index=False
    )
    pd.DataFrame({"a": [], "y": []}).to_csv("header_only.csv", index=False)
    pd.DataFrame(
        {"a": range(12), "b": [1.0] * 11 + [float("inf")], "y": [0, 1] * 6}
    ).to_csv("infinite.csv", index=False)
    (tmp_path / "empty.csv").write_text("")
    # A common class of 30 rows and a rare one of 11: the rare one bounds
    # the folds.
    pd.DataFrame({"a": range(41), "y": [0] * 30 + [1] * 11}).to_csv(
        "rare.csv", index=False
    )
    return tmp_path


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--datasets", "nope"], ["unknown dataset 'nope'", "wine"]),
        (["--selectors", "magic"], ["unknown selector(s): magic", "lasso"]),
        (["--selectors", "lasso,lasso"], ["selectors lists lasso more than once"]),
        (["--models", "svm"], ["unknown model(s): svm", "linear"]),
        (["--retention", "0.5,0.5"], ["retention lists 0.5 more than once"]),
        (["--retention", "0"], ["retention levels must lie in (0, 1]"]),
        (["--retention", "half"], ["'half' is not a comma-separated list"]),
        (["--folds", "1"], ["folds must be at least 2"]),
        (["--folds", "two"], ["--folds", "invalid int value: 'two'"]),
        (["--folds", "1000"], ["folds=1000 is more than dataset", "569 rows"]),
        (["--seeds", "0,0"], ["seeds lists 0 more than once"]),
        (["--n-jobs", "0"], ["--n-jobs 0 would run nothing"]),
        (["--shift", "foo"], ["unknown shift scenario(s): foo", "single"]),
        (["--task", "ranking"], ["invalid choice: 'ranking'", "regression"]),
        (["--scoring", "accuracyy"], ["unknown scorer 'accuracyy'"]),
        (["--preset", "huge"], ["invalid choice: 'huge'", "quick"]),
        (
            ["--dataset", "small.csv", "--target", "y", "--folds", "7"],
            ["folds=7 is more than dataset 'small.csv' allows", "has 6 rows"],
        ),
        (
            ["--dataset", "rare.csv", "--target", "y", "--folds", "20"],
            [
                "folds=20 is more than dataset 'rare.csv' allows: its smallest "
                "class, 1, has 11 rows; choose folds between 2 and 11"
            ],
        ),
        (
            ["--dataset", "header_only.csv", "--target", "y"],
            ["dataset 'header_only.csv'", "0 rows"],
        ),
        (["--dataset", "empty.csv", "--target", "y"], ["cannot read empty.csv"]),
        # Options under which every task would fail are refused up front.
        (
            ["--dataset", "infinite.csv", "--target", "y"],
            ["dataset 'infinite.csv' has infinite values in column(s) 'b'"],
        ),
        (["--seeds", "-1"], ["seed -1 is out of range", "4294967295"]),
        (["--seeds", "1099511627776"], ["seed 1099511627776 is out of range"]),
        (
            ["--datasets", "wine", "--scoring", "roc_auc"],
            ["scorer 'roc_auc' cannot score dataset 'wine' (3 classes)"],
        ),
        (["--selectors", ""], ["selectors is empty"]),
        (["--datasets", ""], ["datasets is empty"]),
        (["--models", ","], ["models is empty"]),
        (
            ["--scheduler", "tcp://127.0.0.1:8786"],
            ["a scheduler is used by backend='dask' only, not by 'joblib'"],
        ),
    ],
)
def test_bad_option_is_one_line_and_starts_nothing(
    files, capsys, tmp_path, argv, expected
):
    error = _bench_error(capsys, tmp_path, [*FAST, *argv])
    for text in expected:
        assert text in error


def _toml(tmp_path, text):
    path = tmp_path / "study.toml"
    path.write_text(
        'datasets = ["wine"]\nmodels = ["linear"]\nfolds = 2\n'
        'selectors = ["lasso", "rf"]\n' + text
    )
    return str(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("colour = 3\n", ["unknown key(s) colour", "known:", "retention"]),
        ("seeds = [0, '1']\n", ["seeds must be a list of int, got '1'"]),
        ("target = 3\n", ["target must be str, got 3"]),
        ("shift = 'foo'\n", ["unknown shift scenario(s): foo"]),
        (
            "retention = [true]\n",
            ["retention must be a list of number or 'own', got True"],
        ),
        (
            "[selector_params.rf]\nn_estimator = 5\n",
            ["selector 'rf' has no parameter(s) n_estimator", "n_estimators"],
        ),
        (
            "[selector_params.rf]\nn_estimators = 0\n",
            ["selector 'rf'", "'n_estimators' parameter", "Got 0"],
        ),
        (
            "[selector_params.rff]\nn_estimators = 5\n",
            ["unknown selector 'rff'", "rf"],
        ),
        ("selector_params = 3\n", ["selector_params must be table, got 3"]),
        # A short name means what it says: no parameter turns it into another.
        (
            "[selector_params.kan-l1]\nmethod = 'l2'\n",
            ["'kan-l1' sets method='l2', but 'kan-l1' means method='l1'", "'kan-l2'"],
        ),
        (
            "[selector_params.lasso]\ntask = 'regression'\n",
            ["'lasso' sets 'task', which the runner sets from the study's task"],
        ),
        (
            "[selector_params.rf]\nn_features_to_select = 3\n",
            ["'rf' sets 'n_features_to_select'", "the retention levels"],
        ),
        ("folds = [\n", ["study.toml is not valid TOML"]),
    ],
)
def test_bad_toml_is_one_line_and_starts_nothing(
    tmp_path, capsys, monkeypatch, text, expected
):
    monkeypatch.chdir(tmp_path)
    error = _bench_error(capsys, tmp_path, ["--config", _toml(tmp_path, text)])
    for part in expected:
        assert part in error


def test_toml_scalars_are_lists_of_one(tmp_path):
    path = tmp_path / "study.toml"
    path.write_text('datasets = "wine"\nretention = 0.5\nseeds = 3\nselectors = "mi"')
    study = load_study(path).validate()
    assert study.datasets == ("wine",)
    assert study.retention == (0.5,)
    assert study.seeds == (3,)
    assert study.selectors == ("mi",)


def test_task_regression_needs_numeric_target():
    frame_study = Study(datasets=("wine",), task="regression", scoring={})
    with pytest.raises(ValueError, match="scoring must map"):
        frame_study.validate()
    with pytest.raises(ValueError, match="unknown task 'ranking'"):
        Study(task="ranking").validate()


def test_regression_task_on_string_target_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"a": range(6), "y": list("ababab")}).to_csv("s.csv", index=False)
    argv = ["--dataset", "s.csv", "--target", "y", "--task", "regression"]
    error = _bench_error(capsys, tmp_path, [*FAST, *argv])
    assert "task 'regression' needs a numeric target" in error


def test_toml_study_starts_from_a_preset(tmp_path):
    path = tmp_path / "study.toml"
    path.write_text(
        'preset = "quick"\ndatasets = ["wine"]\nselectors = ["none", "kan-l1+cv"]\n'
        'retention = ["own"]\n[selector_params."kan-l1+cv"]\nrule = "best"\n'
    )
    study = load_study(path).validate()
    assert study.folds == 3  # the quick preset's
    # The wrapped selector takes the preset's settings of its short name.
    assert study.params_of("kan-l1+cv") == {
        "rule": "best",
        "selector": {"cv": "holdout", "max_epochs": 100},
    }


@pytest.mark.parametrize("suffix", [".csv.gz", ".parquet", ".pq"])
def test_compressed_csv_and_parquet_run_like_csv(tmp_path, suffix):
    # Each is a data file wherever a .csv is: loaded, digested, and run.
    # (An absolute path: the runner's worker processes outlive one test's
    # working directory.)
    pytest.importorskip("pyarrow")
    path = str(tmp_path / f"data{suffix}")
    frame = pd.DataFrame({"a": [3, 1, 2] * 4, "b": [0.5] * 12, "y": [0, 1] * 6})
    if suffix == ".csv.gz":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path)
    data = load_dataset(path, target="y")
    assert data.name == "data"
    assert data.X.shape == (12, 2)
    assert data.task == "classification"
    study = Study(datasets=(path,), selectors=("lasso",), folds=2, target="y")
    assert study.validate().to_dict()["data_digests"][path] == data_digest(path)
    assert data_digest(path) != ""
    out = tmp_path / "out"
    argv = ["--dataset", path, "--target", "y", "--retention", "0.5"]
    cli.main(["bench", *FAST, *argv, "--out", str(out), "--no-progress"])
    results = load(out)
    assert set(results["status"]) == {"done"}
    assert set(results["dataset"]) == {path}


def test_csv_gz_digest_is_of_the_compressed_bytes(tmp_path):
    # The bytes read once are the bytes checked: an edited file is refused.
    path = tmp_path / "d.csv.gz"
    pd.DataFrame({"a": range(6), "y": [0, 1] * 3}).to_csv(path, index=False)
    digest = file_digest(path.read_bytes())
    assert load_file(path, target="y", digest=digest).X.shape == (6, 1)
    pd.DataFrame({"a": range(7), "y": [0, 1, 0, 1, 0, 1, 0]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="changed after the study started"):
        load_file(path, target="y", digest=digest)
