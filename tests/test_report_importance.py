"""The report pools only importances, never encodings of an order."""

import pandas as pd

from featsel.benchmark._report import importance_drop_table


def _study(selectors):
    """Tasks and shifted sets of one dataset: each selector keeps a, b, c."""
    tasks, shifts = [], []
    scores = {"a": 0.6, "b": 0.3, "c": 0.1, "d": 0.0}
    for selector in selectors:
        key = f"{selector}-task"
        tasks.append(
            {
                "key": key,
                "feature_names": list(scores),
                "feature_scores": [*scores.values()],
            }
        )
        sets = [("most", ["a", "b", "c"], 0.5)]
        sets += [("single", [name], 0.8 * scores[name]) for name in "abc"]
        sets += [("random", ["a", "c"], 0.45)]
        shifts += [
            {
                "key": key,
                "selector": selector,
                "dataset": "wine",
                "level": 0.4,
                "model": "linear",
                "scenario": scenario,
                "shifted": shifted,
                "drop": drop,
            }
            for scenario, shifted, drop in sets
        ]
    return pd.DataFrame(shifts), pd.DataFrame(tasks)


def test_importance_drop_table_leaves_out_scores_that_encode_an_order():
    table = importance_drop_table(*_study(["lasso", "svm-rfe", "lasso+stability"]))
    row = table.loc[("linear", "classical")]
    # SVM-RFE's scores_ are its elimination order: not pooled.
    assert row["selectors"] == "lasso, lasso+stability"
    assert row["shifted sets"] == 8
