"""SHAP-guided forward selection against plain forward selection (issue 5).

SHAPForwardSelector against scikit-learn's SequentialFeatureSelector
(direction="forward"), both with the same XGBoost model (100 trees, one
thread per fit, fixed seed), the same 5-fold stratified cross-validation and
accuracy, selecting k=10 of d=100 features. The data come from
``make_classification`` (10 informative features, 5 linear combinations of
them, 85 noise features, 2% of the labels flipped), with ``n_samples``
training rows and 5,000 more rows held out.

Reported for each method: fit time, cross-validated accuracy of the selected
subset (the criterion both maximise, on the same folds), held-out accuracy of
the model refitted on the training rows, and how many of the selected
features carry signal (informative or combinations of them). The
SHAP-guided search is run for several ``n_candidates``.

Usage::

    python benchmarks/bench_shap_forward.py [--n-samples 1000] \
        [--n-features 100] [--k 10] [--candidates 3,5,10] [--n-jobs 1] \
        [--output benchmarks/results/shap_forward.md]
"""

import argparse

import numpy as np
import pandas as pd
from _provenance import header, timed
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.feature_selection import SequentialFeatureSelector
from sklearn.model_selection import StratifiedKFold, cross_val_score
from xgboost import XGBClassifier

from featsel import SHAPForwardSelector
from featsel.benchmark import to_markdown

N_TEST = 5000
N_SIGNAL = 15  # informative + redundant columns, first with shuffle=False


def data(n_samples, n_features):
    X, y = make_classification(
        n_samples=n_samples + N_TEST,
        n_features=n_features,
        n_informative=10,
        n_redundant=5,
        n_repeated=0,
        flip_y=0.02,
        shuffle=False,
        random_state=0,
    )
    # shuffle=False keeps the signal columns first but also sorts the rows by
    # class: shuffle the rows only.
    rows = np.random.default_rng(0).permutation(y.size)
    X, y = X[rows], y[rows]
    return X[:n_samples], y[:n_samples], X[n_samples:], y[n_samples:]


def evaluate(name, selector, model, cv, X, y, X_test, y_test):
    [seconds], _ = timed(lambda: selector.fit(X, y))
    support = selector.get_support()
    cv_accuracy = cross_val_score(
        clone(model), X[:, support], y, cv=cv, scoring="accuracy"
    ).mean()
    test_accuracy = clone(model).fit(X[:, support], y).score(X_test[:, support], y_test)
    print(f"{name}: {seconds:.1f} s, cv {cv_accuracy:.4f}", flush=True)
    return {
        "method": name,
        "fit time (s)": seconds,
        "CV accuracy": cv_accuracy,
        "test accuracy": test_accuracy,
        "signal features (of k)": int(support[:N_SIGNAL].sum()),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=1000)
    parser.add_argument("--n-features", type=int, default=100)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--candidates", default="3,5,10")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--output", default="benchmarks/results/shap_forward.md")
    args = parser.parse_args(argv)
    provenance = header("SHAP forward selection benchmark (issue 5)")

    X, y, X_test, y_test = data(args.n_samples, args.n_features)
    model = XGBClassifier(n_estimators=100, n_jobs=1, random_state=0)
    cv = StratifiedKFold(5)
    rows = [
        evaluate(
            "SequentialFeatureSelector",
            SequentialFeatureSelector(
                clone(model),
                n_features_to_select=args.k,
                direction="forward",
                scoring="accuracy",
                cv=cv,
                n_jobs=args.n_jobs,
            ),
            model,
            cv,
            X,
            y,
            X_test,
            y_test,
        )
    ]
    for n_candidates in map(int, args.candidates.split(",")):
        rows.append(
            evaluate(
                f"SHAPForwardSelector(n_candidates={n_candidates})",
                SHAPForwardSelector(
                    args.k,
                    estimator=clone(model),
                    n_candidates=n_candidates,
                    cv=cv,
                    scoring="accuracy",
                    n_jobs=args.n_jobs,
                    random_state=0,
                ),
                model,
                cv,
                X,
                y,
                X_test,
                y_test,
            )
        )
    table = pd.DataFrame(rows)
    reference = table.iloc[0]
    table["speed-up"] = reference["fit time (s)"] / table["fit time (s)"]
    table["CV accuracy - SFS"] = table["CV accuracy"] - reference["CV accuracy"]

    text = "\n".join(
        [
            *provenance,
            f"Data: make_classification, n={args.n_samples} training rows "
            f"(+{N_TEST} held out), d={args.n_features}, k={args.k}; "
            "XGBClassifier(n_estimators=100, n_jobs=1, random_state=0); "
            f"StratifiedKFold(5); accuracy; n_jobs={args.n_jobs}",
            "",
            to_markdown(table),
        ]
    )
    print(text)
    with open(args.output, "w") as file:
        file.write(text)


if __name__ == "__main__":
    main()
