"""The KAN selectors' two backends agree, and how a fit scales (issue 3).

The quality of the KAN selectors (the KAN paper's protocol) is not measured
here but by the benchmark runner, like every other selector's:
``python benchmarks/bench_study.py benchmarks/studies/quality.toml`` (the
paper's protocol on its datasets and more) writes
``benchmarks/results/quality.md``, and the planted-interaction check is
``benchmarks/bench_ground_truth.py``. This script keeps what the
runner cannot do:

- the torch backend against the pykan backend on breast_cancer (same method
  and settings): the epochs each trains and the downstream score of each
  backend's selection through the runner (paper protocol). How much faster
  the torch backend is, is measured once, by ``benchmarks/bench_speed.py``
  (``speed.md``), with the other speed ratios;
- fit time against the number of rows and of features.

Usage::

    python benchmarks/bench_kan.py [--folds 5] [--speed-method l2] \
        [--output benchmarks/results/kan.md]
"""

import argparse
import tempfile

import pandas as pd
import torch
from _provenance import header, timed
from sklearn import datasets as sk_datasets
from sklearn.base import clone

from featsel import KANSelector
from featsel.benchmark import Study, run, to_markdown
from featsel.datasets import load_dataset

KAN_METHODS = ("l1", "l2", "si", "ko")


def downstream_score(method, backend, folds):
    """Mean score of the backend's selections under the paper's protocol.

    Runs the benchmark runner on breast_cancer: the mean over folds, the
    retention levels 20/40/60 % and the three downstream models.
    """
    name = f"kan-{method}"
    study = Study(
        datasets=("breast_cancer",),
        selectors=(name,),
        selector_params={name: {"backend": backend}},
        models=("linear", "rf", "xgb"),
        folds=folds,
    )
    with tempfile.TemporaryDirectory() as out:
        results = run(study, out, n_jobs=1, progress=False)
    return results["score"].mean()


def speed(args, out):
    out.append("## Speed\n")
    data = load_dataset("breast_cancer")
    X, y = data.X.to_numpy(), data.y.to_numpy()
    method = args.speed_method
    rows = []
    for backend in ("torch", "pykan"):
        selector = KANSelector(method=method, backend=backend, random_state=0)
        fitted = clone(selector).fit(X, y)
        downstream = downstream_score(method, backend, args.folds)
        epochs = int(fitted.n_epochs_.sum())
        rows.append((backend, epochs, downstream))
    table = pd.DataFrame(
        rows, columns=["backend", "epochs", "downstream mean"]
    ).set_index("backend")
    delta = abs(
        table.loc["pykan", "downstream mean"] - table.loc["torch", "downstream mean"]
    )
    out.append(
        f"### torch against pykan backend (breast_cancer, KAN-{method.upper()})\n\n"
        "Fit on all 569 rows with default settings; `downstream mean`: the "
        "benchmark runner's score "
        f"({args.folds} outer folds, 3 models, 20/40/60 %) of each backend's "
        "selection; `epochs`: summed over the inner networks (early "
        "stopping ends them at different points). Both backends run the same "
        "training loop (featsel's core). The torch backend's speed-up is in "
        "`speed.md` (`benchmarks/bench_speed.py`), measured once there.\n\n"
        f"{to_markdown(table.reset_index())}\n\n"
        f"Downstream difference {delta:.3f} (target: within 0.01).\n"
    )

    # One torch thread throughout: on a shared machine multi-threaded
    # timings swing by several times with the other jobs' load.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        scaling = [
            ("rows", n_samples, 50, *scaling_fit(n_samples, 50))
            for n_samples in (1_000, 10_000, 100_000)
        ]
        scaling += [
            ("features", 5_000, n_features, *scaling_fit(5_000, n_features))
            for n_features in (10, 50, 200, 500)
        ]
    finally:
        torch.set_num_threads(threads)
    table = pd.DataFrame(
        scaling,
        columns=["varying", "n", "d", "hidden", "fit s", "s per epoch"],
    ).set_index("varying")
    out.append(
        "### Fit time against n and d\n\n"
        "`make_classification(n, d, n_informative=min(d, 10))`, KAN-L2, "
        f'`cv="holdout"` (one 80/20 split), exactly {SCALING_EPOCHS} epochs '
        "(`max_epochs`; early stopping cannot trigger that early), default "
        "batch size 512, one torch thread, best of 2 runs; the fit time "
        "includes standardising, grid setup, scoring and torch's per-fit "
        "overheads.\n\n"
        f"{to_markdown(table.reset_index())}\n"
    )


SCALING_EPOCHS = 10


def scaling_fit(n_samples, n_features):
    X, y = sk_datasets.make_classification(
        n_samples,
        n_features,
        n_informative=min(n_features, 10),
        n_redundant=0,
        random_state=0,
    )
    selector = KANSelector(
        method="l2", cv="holdout", max_epochs=SCALING_EPOCHS, random_state=0
    )
    times, fitted = timed(lambda: clone(selector).fit(X, y), 2)
    seconds = min(times)
    return fitted.hidden_units_, seconds, seconds / int(fitted.n_epochs_.sum())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--speed-method", default="l2", choices=KAN_METHODS)
    parser.add_argument("--output", default="benchmarks/results/kan.md")
    args = parser.parse_args(argv)

    out = ["\n".join(header("KAN selectors: backends agree, and scaling"))]
    [seconds], _ = timed(lambda: speed(args, out))
    out.append(f"Total wall time: {seconds:.0f} s.\n")
    text = "\n".join(out)
    if args.output:
        with open(args.output, "w") as file:
            file.write(text)
    print(text)


if __name__ == "__main__":
    main()
