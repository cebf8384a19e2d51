"""STS-mRMR's text/data balance on the synthetic survey (issue 23, item 1).

``make_survey(n_filler=30, noise=2.0)`` (40 questions: 5 informative, 4
decoys close in meaning to the target without signal), 500 training
respondents and 2,000 test respondents, k = 5, seeds 0 to 9, the default
scheme ("difference") and relevance ("f"). For each ``alpha_sts`` (with
``alpha_data`` at its default, 0.5; only the ratio of the two matters), the
mean number of informative questions and of decoys among the 5 selected,
and the held-out accuracy of a logistic regression on them. This is the
smallest reproduction of the issue's table; ``bench_mrmr.py --parts survey``
runs the wider grid of sample sizes.

Usage::

    python benchmarks/bench_sts_balance.py [--alphas 0,0.1,0.25,0.5,1]
        [--seeds 10] [--n-samples 500]
"""

import argparse

import numpy as np
from _provenance import header
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from featsel import STSmRMRSelector
from featsel.datasets import make_survey

K = 5
TEST_SIZE = 2000


def run(alpha_sts, seeds, n_samples):
    informative, decoys, accuracy = [], [], []
    for seed in range(seeds):
        X, y, target = make_survey(
            n_samples + TEST_SIZE, n_filler=30, noise=2.0, random_state=seed
        )
        X_train, y_train = X.iloc[:n_samples], y.iloc[:n_samples]
        X_test, y_test = X.iloc[n_samples:], y.iloc[n_samples:]
        selector = STSmRMRSelector(
            K, target_description=target, alpha_sts=alpha_sts
        ).fit(X_train, y_train)
        chosen = set(selector.get_feature_names_out())
        informative.append(len(chosen & set(X.attrs["informative"])))
        decoys.append(len(chosen & set(X.attrs["decoys"])))
        model = make_pipeline(StandardScaler(), LogisticRegression())
        model.fit(selector.transform(X_train), y_train)
        accuracy.append(model.score(selector.transform(X_test), y_test))
    return np.mean(informative), np.mean(decoys), np.mean(accuracy)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alphas", default="0,0.1,0.25,0.5,1")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--n-samples", type=int, default=500)
    args = parser.parse_args()
    print(
        "\n".join(
            header("STS-mRMR: informative questions and decoys against alpha_sts")
        )
    )
    print(
        f"make_survey(n_filler=30, noise=2.0), n={args.n_samples}, k={K}, "
        f"{args.seeds} seeds, alpha_data=0.5\n"
    )
    print("| alpha_sts | informative (of 5) | decoys | test accuracy |")
    print("|---|---|---|---|")
    for alpha in args.alphas.split(","):
        informative, decoys, accuracy = run(float(alpha), args.seeds, args.n_samples)
        print(f"| {alpha} | {informative:.1f} | {decoys:.1f} | {accuracy:.3f} |")


if __name__ == "__main__":
    main()
