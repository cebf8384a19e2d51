"""The runner's own-choice level, its wrappers and third-party selectors."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import featsel
from featsel import cli
from featsel.benchmark import Study, _tasks, load, report, run
from featsel.benchmark._registry import parse_name
from featsel.benchmark._tasks import make_tasks

RFECV = "sklearn.feature_selection:RFECV"
LOGISTIC = {"class": "sklearn.linear_model:LogisticRegression", "max_iter": 2000}


def _study(**changes):
    settings = {
        "datasets": ("regression",),
        "selectors": ("none", "lasso", "lasso+cv"),
        "retention": (0.2, "own"),
        "models": ("linear",),
        "folds": 2,
    }
    return Study(**{**settings, **changes})


def test_own_choice_is_a_fit_of_its_own_with_the_count_it_chose(tmp_path):
    study = _study()
    tasks = make_tasks(study)
    levels = {(task.selector, task.levels) for task in tasks}
    assert levels == {
        ("none", (1.0,)),
        ("lasso", (0.2,)),
        ("lasso", (0.0,)),  # the own choice, stored as level 0
        ("lasso+cv", (0.0,)),  # a wrapper runs at the own choice only
    }
    results = run(study, tmp_path, progress=False)
    assert (results["status"] == "done").all()
    own = results[(results["selector"] == "lasso") & (results["level"] == 0.0)]
    # What LassoSelector keeps with n_features_to_select=None on that fold.
    data = featsel.datasets.load_dataset("regression")
    train = featsel.benchmark._tasks.split(data, tasks[0])[0]
    expected = featsel.LassoSelector(random_state=0).fit(
        data.X.iloc[train], data.y.iloc[train]
    )
    fold0 = own[own["fold"] == tasks[0].fold]
    assert fold0["n_selected"].iloc[0] == expected.support_.sum()

    tables = report(tmp_path, plots=False)
    table = tables["own_choice"]
    # The planted features, found by the cross-validated count.
    mi = table.loc[("regression", "lasso+cv")]
    assert mi["tasks done"] == mi["tasks planned"] == 2
    assert mi["recall"] == 1.0 and mi["noise kept"] == 0
    assert mi["target"] == "met"
    assert (
        "levels: 20 %, own choice;" in (tmp_path / "report" / "summary.md").read_text()
    )
    # The retention tables hold no own-choice rows.
    assert "lasso+cv" not in tables["headline"].index.get_level_values("selector")


def test_a_selection_of_no_feature_is_scored_as_the_prior(tmp_path):
    class NothingSelected(featsel.StabilitySelector):
        def fit(self, X, y):
            super().fit(X, y)
            self.support_ = np.zeros_like(self.support_)
            return self

    study = _study(selectors=("none", "lasso+stability"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(featsel, "StabilitySelector", NothingSelected)
        patch.setitem(
            featsel.benchmark._registry.WRAPPERS, "stability", "StabilitySelector"
        )
        results = run(
            study.__class__(
                **{
                    **study.__dict__,
                    "selector_params": {"lasso+stability": {"n_pairs": 2}},
                }
            ),
            tmp_path,
            progress=False,
        )
    stable = results[results["selector"] == "lasso+stability"]
    assert (stable["status"] == "done").all()
    assert (stable["n_selected"] == 0).all()
    assert (stable["score"] <= 0).all()  # R^2 of the training mean


def test_third_party_selector_runs_by_import_path_from_the_command_line(
    tmp_path, capsys
):
    argv = ["bench", "--datasets", "wine", "--selectors", f"none,{RFECV}"]
    argv += ["--selector-params", json.dumps({RFECV: {"estimator": LOGISTIC}})]
    argv += ["--retention", "own", "--models", "linear", "--folds", "2"]
    argv += ["--out", str(tmp_path), "--no-progress", "--n-jobs", "1"]
    assert cli.main(argv) == 0
    assert "Own choice of count" in capsys.readouterr().out
    rows = load(tmp_path)
    rfecv = rows[rows["selector"] == RFECV]
    assert len(rfecv) == 2 and (rfecv["n_selected"] >= 1).all()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"selectors": (RFECV,)},
            f"selector '{RFECV}' needs parameter(s) estimator",
        ),
        (
            {"selectors": ("lasso+cv",), "retention": (0.2,)},
            "lasso+cv choose their own number of features: add 'own'",
        ),
        (
            {"selectors": ("nosuchmodule:Selector",)},
            "cannot import 'nosuchmodule' for selector",
        ),
        (
            {"selectors": ("sklearn.feature_selection:NoSuch",)},
            "names no estimator class",
        ),
        (
            {"selectors": ("lasso+cv",), "selector_params": {"lasso+cv": {"k": 3}}},
            "selector 'lasso+cv' has no parameter(s) k",
        ),
        (
            {
                "selectors": ("kan-l1+stability",),
                "selector_params": {"kan-l1+stability": {"selector": {"method": "l2"}}},
            },
            "'kan-l1' sets method='l2', but 'kan-l1' means method='l1'",
        ),
        ({"retention": (0.2, "half")}, "retention levels must lie in (0, 1]"),
    ],
)
def test_bad_wrapper_or_import_is_refused_before_any_task(changes, message):
    with pytest.raises(ValueError) as error:
        _study(**changes).validate()
    assert message in str(error.value)


def test_names_parse_and_expand():
    assert parse_name("none") == ("reference", "none", None)
    assert parse_name("svm-rfe") == ("featsel", "svm-rfe", None)
    study = Study(selectors=("none", "all+stability"))
    assert "kan-l2+stability" in study.selectors or "lasso+stability" in study.selectors
    assert all(name.endswith("+stability") for name in study.selectors[1:])


def test_stability_counts_every_column_a_fold_could_encode():
    # One-hot columns differ between seeds: once an IndexError in the report.
    group = pd.DataFrame(
        {
            "key": ["a", "b", "c"],
            "n_features": [3, 4, 3],
            "selected": [["x", "c=1"], ["x", "c=2"], ["x", "c=3", "c=4"]],
        }
    )
    stability, lower, upper = featsel.benchmark._report._stability(group)
    assert -1 <= lower <= stability <= upper <= 1


def test_presentation_modules_exist_and_leave_the_fingerprint_alone(monkeypatch):
    root = Path(featsel.__file__).parent
    for name in _tasks.PRESENTATION_MODULES:
        assert (root / name).is_file(), name
    before = _tasks.code_fingerprint()
    _tasks.code_fingerprint.cache_clear()
    original = Path.read_bytes

    def edited(path):
        content = original(path)
        return content + b"\n# edited" if path.name == "_report.py" else content

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert _tasks.code_fingerprint() == before
    _tasks.code_fingerprint.cache_clear()


def test_cross_validated_count_uses_the_studys_metric():
    # On an imbalanced table accuracy is nearly flat in k while macro-F1 is
    # not: +cv must choose its count by the metric the study reports.
    from featsel.benchmark import build_selector

    selector = build_selector(
        "lasso+cv", {}, 0, task="classification", scoring="f1_macro"
    )
    assert selector.scoring == "f1_macro"
    given = build_selector(
        "lasso+cv",
        {"scoring": "accuracy"},
        0,
        task="classification",
        scoring="f1_macro",
    )
    assert given.scoring == "accuracy"
    assert build_selector("lasso+cv", {}, 0).scoring is None


def test_an_empty_selection_counts_as_no_noise(tmp_path):
    # A fold whose selector kept nothing has no precision; its noise kept is
    # 0, not missing, or the mean would cover the other folds only.
    from featsel.benchmark import own_choice_table

    study = _study(selectors=("none", "lasso"), retention=("own",))
    results = run(study, tmp_path, progress=False)
    own = results["selector"] == "lasso"
    rows = results.index[own & (results["fold"] == 0)]
    results.loc[rows, ["n_selected", "precision", "recall"]] = [0, np.nan, 0.0]
    rows = results.index[own & (results["fold"] == 1)]
    results.loc[rows, ["n_selected", "precision", "recall"]] = [4, 0.5, 0.4]
    table = own_choice_table(results)
    # Two noise features on one fold, none on the other.
    assert table.loc[("regression", "lasso"), "noise kept"] == 1.0


@pytest.mark.parametrize(
    "row, expected",
    [
        ({"recall": 0.9, "noise kept": 1.0}, "met"),
        ({"recall": 0.89, "noise kept": 0.0}, "missed"),
        ({"recall": 1.0, "noise kept": 1.05}, "missed"),
        ({"recall": np.nan, "vs all": -0.0104, "kept": 5, "of": 10}, "met"),
        ({"recall": np.nan, "vs all": -0.0106, "kept": 5, "of": 10}, "missed"),
        ({"recall": np.nan, "vs all": 0.02, "kept": 10, "of": 10}, "missed"),
        ({"recall": np.nan, "vs all": np.nan, "kept": 5, "of": 10}, None),
    ],
)
def test_count_target(row, expected):
    # The planted target on recall and noise; the real-data target on the
    # gap as printed (three decimals), with fewer features than all.
    from featsel.benchmark._report import count_target

    assert count_target(row) == expected
