"""Why OptFSSelector's own count collapses on correlated real tables (issue 21).

Two diagnostics of the default OptFSSelector (random_state 0):

- ``trajectory``: on breast_cancer (all rows), the temperature, the number
  of open gates (logit > 0), the largest logits and the penalty
  ``sum sigmoid(beta m)`` every 10 epochs.
- ``edge``: counting, instead of the open gates (relaxed gate
  ``sigmoid(beta m) >= 0.5``), the gates of at least 0.01, 0.05, 0.1 and
  0.2: the columns kept and, on breast_cancer and wine, the 5-fold accuracy
  of a LogisticRegression on them (top of the selector's ranking); on
  ``make_classification(1000, 50, n_informative=10, shuffle=False)`` the
  noise columns kept (12 and on); on y = sign(x0 x1) among 18 noise
  columns (800 rows, 10 seeds) the seeds with a noise column kept.

Usage::

    python benchmarks/diag_optfs_gates.py [--parts trajectory,edge]
"""

import argparse

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_wine, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from featsel import OptFSSelector

THRESHOLDS = (0.5, 0.2, 0.1, 0.05, 0.01)


def trajectory():
    from featsel._torch import _training

    original = _training.train
    history = []

    def train(network, *args, epoch_callback=None, **kwargs):
        def record(epoch):
            epoch_callback(epoch)
            logits = network.numeric_gates.detach().numpy().copy()
            history.append((epoch, network.temperature, logits))

        return original(network, *args, epoch_callback=record, **kwargs)

    _training.train = train
    try:
        X, y = load_breast_cancer(return_X_y=True)
        OptFSSelector(random_state=0).fit(X, y)
    finally:
        _training.train = original
    print("| epoch | temperature | open gates | largest logits | penalty sum |")
    print("|---|---|---|---|---|")
    for epoch, temperature, logits in history[::10] + history[-1:]:
        largest = ", ".join(f"{v:.3f}" for v in np.sort(logits)[::-1][:4])
        penalty = (1 / (1 + np.exp(-temperature * logits))).sum()
        print(
            f"| {epoch} | {temperature:.1f} | {(logits > 0).sum()} | {largest} "
            f"| {penalty:.2f} |"
        )
    print()


def gates(selector):
    beta = selector.network_.temperature
    return 1 / (1 + np.exp(-beta * selector.gate_logits_))


def edge():
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    print("| data | " + " | ".join(f"gate >= {t}" for t in THRESHOLDS) + " |")
    print("|---|" + "---|" * len(THRESHOLDS))
    for name, load in [("breast_cancer", load_breast_cancer), ("wine", load_wine)]:
        X, y = load(return_X_y=True)
        kept = {t: [] for t in THRESHOLDS}
        accuracy = {t: [] for t in THRESHOLDS}
        for train, test in cv.split(X, y):
            selector = OptFSSelector(random_state=0).fit(X[train], y[train])
            for t in THRESHOLDS:
                k = max(1, int((gates(selector) >= t).sum()))
                columns = selector.ranking_ <= k
                fitted = clone(model).fit(X[train][:, columns], y[train])
                kept[t].append(k)
                accuracy[t].append(fitted.score(X[test][:, columns], y[test]))
        cells = [f"{kept[t]} {np.mean(accuracy[t]):.3f}" for t in THRESHOLDS]
        print(f"| {name}: kept per fold, accuracy | " + " | ".join(cells) + " |")
    X, y = make_classification(
        1000, 50, n_informative=10, shuffle=False, random_state=0
    )
    value = gates(OptFSSelector(random_state=0).fit(X, y))
    cells = [str(int((value[12:] >= t).sum())) for t in THRESHOLDS]
    print("| make_classification: noise kept | " + " | ".join(cells) + " |")
    noisy = np.zeros(len(THRESHOLDS), int)
    for seed in range(10):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(800, 20))
        y = (X[:, 0] * X[:, 1] > 0).astype(int)
        value = gates(OptFSSelector(random_state=0).fit(X, y))
        noisy += [(value[2:] >= t).any() for t in THRESHOLDS]
    cells = [f"{n}/10" for n in noisy]
    print("| interaction: seeds with noise kept | " + " | ".join(cells) + " |\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="trajectory,edge")
    args = parser.parse_args()
    for part in args.parts.split(","):
        globals()[part]()


if __name__ == "__main__":
    main()
