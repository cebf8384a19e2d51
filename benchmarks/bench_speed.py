"""Speed at scale (issue 14): featsel against its peers, and fit time against d.

Three parts, each a markdown table in one results file:

- ``peers``: the issue's table, re-measured back to back in one run:
  KANSelector (``cv=5``, KAN-L2, breast_cancer) against pykan's own Adam
  training of the same network on the same five folds, against the KAN
  paper's training recipe (five folds, one thread; needs ``--paper-code``,
  see below) as the notebook writes it and with its batches drawn by
  ``randperm``, and against its own ``backend="pykan"``;
  FeatureGradientsSelector at its defaults on a large matrix (time, peak
  memory, recall of the informative columns); SHAP forward against
  scikit-learn's SequentialFeatureSelector around XGBoost (time and
  held-out accuracy of the selected columns). Also the cold start: the
  seconds a fresh process spends importing torch, and its first KAN fit.
- ``scaling``: every selector of the runner's registry at its defaults on
  ``make_classification(n=2000, d, n_informative=10)`` for d = 200, 800,
  3200, with the growth exponent of fit time in d from 800 to 3200 (the
  slope of log time against log d, where small d does not flatten it);
  with ``--shared`` the same table again with one core kept busy by
  another process, as a user on a shared machine gets it, and the
  slowdown against the quiet table.
- ``wide``: every selector at its defaults on n=100, d=2500.

The KAN paper's code (arXiv 2509.23366, github.com/AngeClementAkazan/
Feature-Selection-Using-KAN) is a notebook and is not part of featsel. To
time it, save its ``KANLinear`` and ``KAN`` classes to a Python file and
pass it as ``--paper-code FILE``; the script trains ``KAN([d, 2d + 1,
n_classes])`` with the paper's recipe (Adam, learning rate 1e-3, batches of
64, 100 epochs, one per fold): once with the notebook's own
``DataLoader(TensorDataset(...), batch_size=64, shuffle=True)``, once with
the same batches drawn by ``torch.randperm`` (no DataLoader overhead).
Without it those rows are left out.

Every featsel time is the median and range of 3 fits; a peer is timed 3
times where one run takes under 20 s (three under a minute), else once.
With ``--shared`` each busy-core fit follows a quiet one, so that the
slowdown compares fits taken one after the other.

Usage::

    python benchmarks/bench_speed.py [--parts peers,scaling,wide] [--quick] \
        [--paper-code FILE] [--shared] [--cap SECONDS] \
        [--output benchmarks/results/speed.md]

``--quick`` shrinks every problem (a smoke test in about a minute); the
published file comes from a full run.
"""

import argparse
import contextlib
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial

import numpy as np
from _provenance import BusyCore, header, spread, timed
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.feature_selection import SequentialFeatureSelector
from sklearn.model_selection import StratifiedKFold, train_test_split

import featsel
from featsel import KANSelector, SHAPForwardSelector
from featsel.benchmark import SELECTORS, available_selectors

#: Informative columns of every synthetic problem (the first ones).
N_INFORMATIVE = 10
#: Timings of a quick fit (median and range reported).
REPEATS = 3
#: A peer's run at least this long is timed once.
REPEAT_BELOW_SECONDS = 20.0


def synthetic(n_samples, n_features, seed=0):
    """``make_classification`` with the informative columns first."""
    return make_classification(
        n_samples,
        n_features,
        n_informative=min(N_INFORMATIVE, n_features),
        n_redundant=0,
        shuffle=False,
        random_state=seed,
    )


def registry_selector(name):
    """The runner's selector ``name`` at its defaults, seeded."""
    spec = SELECTORS[name]
    return getattr(featsel, spec.class_name)(**spec.params, random_state=0)


@contextlib.contextmanager
def torch_threads(n_threads):
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def kan_folds(X, y, n_folds=5):
    return list(StratifiedKFold(n_folds, shuffle=True, random_state=0).split(X, y))


def standardized(X, train):
    mean, scale = X[train].mean(axis=0), X[train].std(axis=0)
    return (X - mean) / np.where(scale > 0, scale, 1.0)


def pykan_training(X, y, steps):
    """pykan's own ``KAN.fit`` (Adam) of the selector's network, per fold."""
    import torch
    from kan import KAN

    n_features = X.shape[1]
    width = [n_features, min(2 * n_features + 1, 64), int(y.max()) + 1]
    with tempfile.TemporaryDirectory() as checkpoints:
        for fold, (train, test) in enumerate(kan_folds(X, y)):
            Z = torch.as_tensor(standardized(X, train), dtype=torch.float32)
            labels = torch.as_tensor(y)
            dataset = {
                "train_input": Z[train],
                "train_label": labels[train],
                "test_input": Z[test],
                "test_label": labels[test],
            }
            model = KAN(
                width=width,
                grid=5,
                k=3,
                seed=fold,
                auto_save=False,
                ckpt_path=checkpoints,
            )
            with (
                open(os.devnull, "w") as sink,
                contextlib.redirect_stdout(sink),
                contextlib.redirect_stderr(sink),
            ):
                model.fit(
                    dataset,
                    opt="Adam",
                    steps=steps,
                    lr=0.01,
                    loss_fn=torch.nn.CrossEntropyLoss(),
                    log=10**9,
                )


def paper_training(path, X, y, epochs, batches):
    """The KAN paper's recipe around its own ``KAN`` class, per fold.

    ``batches="dataloader"``: the notebook's ``DataLoader(batch_size=64,
    shuffle=True)``; ``"randperm"``: the same batches by index.
    """
    import torch

    spec = importlib.util.spec_from_file_location("kan_paper_code", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for fold, (train, _) in enumerate(kan_folds(X, y)):
        torch.manual_seed(fold)
        Z = torch.as_tensor(standardized(X, train)[train], dtype=torch.float32)
        labels = torch.as_tensor(y[train], dtype=torch.long)
        model = module.KAN(layers_hidden=[X.shape[1], 2 * X.shape[1] + 1, 2])
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()
        loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(Z, labels), batch_size=64, shuffle=True
        )
        model.train()
        for _ in range(epochs):
            if batches == "dataloader":
                epoch = loader
            else:
                epoch = (
                    (Z[batch], labels[batch])
                    for batch in torch.randperm(len(Z)).split(64)
                )
            for xb, yb in epoch:
                optimizer.zero_grad()
                loss_fn(model(xb), yb).backward()
                optimizer.step()


def kan_kernel():
    """Which spline kernel the KAN fits run on, in words."""
    choice = os.environ.get("FEATSEL_KAN_KERNEL", "auto")
    if choice != "auto":
        return f"{choice} (FEATSEL_KAN_KERNEL)"
    if importlib.util.find_spec("numba") is not None:
        return "numba (the `numba` extra is installed)"
    return "eager torch (numba not installed)"


def repeated(function):
    """Timings of ``function``: 3 calls where the first takes under 20 s."""
    times, result = timed(function)
    if times[0] < REPEAT_BELOW_SECONDS:
        more, result = timed(function, REPEATS - 1)
        times += more
    return times, result


def numbers_printed_by(code):
    """The numbers a fresh Python process running ``code`` prints."""
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return [float(value) for value in output.split()]


def cold_start():
    """(import torch, first KAN fit) seconds of a fresh process."""
    code = (
        "import time\n"
        "from sklearn.datasets import load_breast_cancer\n"
        "from featsel import KANSelector\n"
        "X, y = load_breast_cancer(return_X_y=True)\n"
        "start = time.perf_counter()\n"
        "import torch\n"
        "imported = time.perf_counter()\n"
        "KANSelector(cv='holdout', max_epochs=1, random_state=0).fit(X, y)\n"
        "fitted = time.perf_counter()\n"
        "print(imported - start, fitted - imported)\n"
    )
    return numbers_printed_by(code)


def feature_gradients_alone(n_samples, n_features):
    """One default FeatureGradientsSelector fit in a fresh process.

    A fresh process, so that the peak memory is that of the data and the
    fit, not of the peers measured before in this one. Returns the fit's
    seconds, the recall of the informative columns among the top ranked,
    and the process's peak memory (GB) after making the data and after the
    fit (Linux: ``ru_maxrss`` in kilobytes).
    """
    code = (
        "import resource, sys, time\n"
        "import numpy as np\n"
        f"sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})\n"
        "from bench_speed import N_INFORMATIVE, synthetic\n"
        "from featsel import FeatureGradientsSelector\n"
        "def peak():\n"
        "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20\n"
        f"X, y = synthetic({n_samples}, {n_features})\n"
        "data_peak = peak()\n"
        "start = time.perf_counter()\n"
        "selector = FeatureGradientsSelector(random_state=0).fit(X, y)\n"
        "seconds = time.perf_counter() - start\n"
        "top = np.argsort(selector.ranking_)[:N_INFORMATIVE]\n"
        "recall = np.isin(top, np.arange(N_INFORMATIVE)).mean()\n"
        "print(seconds, recall, data_peak, peak())\n"
    )
    return numbers_printed_by(code)


def peers(args, lines):
    quick = args.quick
    X, y = load_breast_cancer(return_X_y=True)
    steps = 20 if quick else 200
    kan = {"max_epochs": steps}
    rows = []

    with torch_threads(1):
        # A first fit pays one-time costs (the cold start row measures
        # them, and compiles the numba kernels where they are installed).
        KANSelector(random_state=0, **kan).fit(X, y)
        featsel_times, selector = timed(
            lambda: KANSelector(random_state=0, **kan).fit(X, y), REPEATS
        )
        if importlib.util.find_spec("kan") is not None:
            pykan_times, _ = repeated(lambda: pykan_training(X, y, steps))
            rows.append(
                (
                    "KANSelector (cv=5, KAN-L2) vs pykan's own Adam training "
                    f"({steps} full-batch steps per fold), 5 folds, breast_cancer",
                    featsel_times,
                    pykan_times,
                    ">= 40x",
                )
            )
            backend_times, _ = repeated(
                lambda: KANSelector(backend="pykan", random_state=0, **kan).fit(X, y)
            )
            rows.append(
                (
                    'KANSelector torch vs `backend="pykan"`, same settings',
                    featsel_times,
                    backend_times,
                    ">= 10x",
                )
            )
        if args.paper_code:
            epochs = 10 if quick else 100
            for batches, variant in (
                ("dataloader", "as the notebook writes it, `DataLoader(shuffle=True)`"),
                ("randperm", "its batches drawn by `randperm`"),
            ):
                paper_times, _ = repeated(
                    lambda batches=batches: paper_training(
                        args.paper_code, X, y, epochs, batches
                    )
                )
                rows.append(
                    (
                        "KANSelector vs the KAN paper's code (KAN-L2 recipe, "
                        f"{epochs} epochs, 5 folds), {variant}, both on one thread",
                        featsel_times,
                        paper_times,
                        ">= 10x",
                    )
                )
    epochs = int(selector.n_epochs_.sum())

    n_big, d_big = (5000, 100) if quick else (100_000, 1000)
    # One fresh process per fit, each with the same seed: the recall is
    # the same in every one, the memory the largest peak.
    gradients_runs = [feature_gradients_alone(n_big, d_big) for _ in range(REPEATS)]
    gradients_s = [run[0] for run in gradients_runs]
    recall = gradients_runs[-1][1]
    data_gb = max(run[2] for run in gradients_runs)
    fit_gb = max(run[3] for run in gradients_runs)
    gradients_note = (
        f"recall@{N_INFORMATIVE} of the informative columns {recall:.2f}; "
        f"peak memory of its own process {fit_gb:.2f} GB "
        f"({data_gb:.2f} GB of it before the fit, making the float64 data)"
    )

    rows_table = [
        "| task | featsel s | peer s | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for task, ours, theirs, target in rows:
        ratio = statistics.median(theirs) / statistics.median(ours)
        rows_table.append(
            f"| {task} | {spread(ours)} | {spread(theirs)} | {ratio:.1f}x | {target} |"
        )
    rows_table.append(
        f"| FeatureGradientsSelector, {n_big:,} x {d_big:,}, defaults | "
        f"{spread(gradients_s)} | | | < 120 s, < 2 GB; {gradients_note} |"
    )

    if importlib.util.find_spec("xgboost") is not None:
        from xgboost import XGBClassifier

        n_shap, d_shap, k = (400, 20, 3) if quick else (2000, 100, 10)
        X_shap, y_shap = synthetic(n_shap, d_shap)
        X_train, X_test, y_train, y_test = train_test_split(
            X_shap, y_shap, test_size=0.25, random_state=0, stratify=y_shap
        )
        # A first fit imports shap: not part of the timed ones.
        SHAPForwardSelector(k, random_state=0).fit(X_train[:200], y_train[:200])
        shap_times, shap = timed(
            lambda: SHAPForwardSelector(k, random_state=0).fit(X_train, y_train),
            REPEATS,
        )
        shap_s = statistics.median(shap_times)
        booster = XGBClassifier(n_jobs=1, random_state=0, verbosity=0)
        [sfs_s], sfs = timed(
            lambda: SequentialFeatureSelector(
                booster, n_features_to_select=k, n_jobs=1
            ).fit(X_train, y_train)
        )

        def accuracy(support):
            model = XGBClassifier(n_jobs=1, random_state=0, verbosity=0)
            model.fit(X_train[:, support], y_train)
            return model.score(X_test[:, support], y_test)

        rows_table.append(
            f"| SHAP forward vs SequentialFeatureSelector(XGBoost), "
            f"{n_shap} x {d_shap}, k={k} | {spread(shap_times)} | {sfs_s:.1f} | "
            f"{sfs_s / shap_s:.1f}x | >= 5x at equal accuracy (held-out "
            f"accuracy {accuracy(shap.support_):.3f} vs "
            f"{accuracy(sfs.get_support()):.3f}) |"
        )

    import_s, first_fit_s = cold_start()
    lines += [
        "## 1. Against the peers",
        "",
        "Back to back in one process; the KAN rows on one torch thread. "
        f"Seconds as median [min, max]: every featsel row {REPEATS} fits "
        "(KANSelector and SHAP forward after a warm-up fit, Feature Gradients "
        f"one fresh process each), each peer {REPEATS} runs where one takes under "
        f"{REPEAT_BELOW_SECONDS:.0f} s, else one; the ratio of the medians; "
        f"defaults except `max_epochs={steps}` "
        f"({'the default' if steps == 200 else 'quick run'}), "
        f"{epochs} epochs over its 5 networks (early stopping). KAN spline "
        f"kernel: {kan_kernel()}.",
        "",
        *rows_table,
        "",
        f"Cold start (fresh process): `import torch` {import_s:.2f} s, then "
        f"the first KAN fit (one epoch) {first_fit_s:.2f} s.",
        "",
    ]


def growth_exponent(sizes, seconds):
    """Slope of log time against log size (least squares)."""
    return np.polyfit(np.log(sizes), np.log(seconds), 1)[0]


def fit_times(names, shapes, cap, shared=False):
    """Timings of default fits per (selector, shape); None once over cap.

    Each cell is :data:`REPEATS` fits, however long. With ``shared``, also
    :data:`REPEATS` fits with one core kept busy, taken in turns with the
    quiet ones (quiet, busy, quiet, ...), so that a drift of the machine
    over the run moves both alike. Returns the quiet times and the busy
    ones (empty without ``shared``).
    """
    quiet, busy = {}, {}
    for name in names:
        over = False
        for n_samples, n_features in shapes:
            cell = name, n_features
            if over:
                quiet[cell] = busy[cell] = None
                continue
            fit = partial(fit_default, name, *synthetic(n_samples, n_features))
            quiet[cell], busy[cell] = [], []
            try:
                for _ in range(REPEATS):
                    quiet[cell] += timed(fit)[0]
                    if shared:
                        with BusyCore():
                            busy[cell] += timed(fit)[0]
            except Exception as exc:  # noqa: BLE001 - reported in the table
                print(f"{name} d={n_features}: {type(exc).__name__}: {exc}")
                quiet[cell] = [float("nan")]
                busy[cell] = [float("nan")] if shared else []
            print(
                f"{name:14s} n={n_samples} d={n_features}: {spread(quiet[cell])} s"
                + (f", one core busy {spread(busy[cell])} s" if shared else "")
            )
            over = statistics.median(quiet[cell]) > cap
    return quiet, busy


def fit_default(name, X, y):
    return registry_selector(name).fit(X, y)


def warm_up(names):
    """One tiny fit per selector: imports and first-call costs out of the way."""
    X, y = synthetic(60, 12)
    for name in names:
        with contextlib.suppress(Exception):
            registry_selector(name).fit(X, y)


def scaling(args, lines, names):
    """The fit times against d, quiet and (``--shared``) with one core busy."""
    n_samples = 300 if args.quick else 2000
    sizes = (20, 40, 80) if args.quick else (200, 800, 3200)
    quiet, busy = fit_times(
        names, [(n_samples, d) for d in sizes], args.cap, shared=args.shared
    )
    lines += growth_table(names, sizes, n_samples, quiet)
    if args.shared:
        lines += growth_table(names, sizes, n_samples, busy, quiet)


def growth_table(names, sizes, n_samples, times, quiet=None):
    """Markdown lines of one fit-time table; ``quiet``: the busy-core one.

    The busy-core table (``times`` taken with one core busy) adds the
    slowdown of each d, the ratio of its median to the quiet median.
    """
    columns = " | ".join(f"d={d}" for d in sizes)
    slowdown = (
        " | one core busy / quiet, d=" + " / ".join(str(d) for d in sizes)
        if quiet
        else ""
    )
    table = [
        f"| selector | {columns} | growth exponent, d={sizes[-2]}..{sizes[-1]}"
        f"{slowdown} |",
        "|---" * (len(sizes) + 2 + bool(quiet)) + "|",
    ]
    for name in names:
        row = [times[name, d] for d in sizes]
        last = [statistics.median(t) if t else None for t in row[-2:]]
        exponent = (
            f"{growth_exponent(sizes[-2:], last):.2f}"
            if all(t and t > 0 for t in last)
            else ""
        )
        cells = " | ".join("skipped" if t is None else spread(t) for t in row)
        if quiet:
            ratios = [
                f"{statistics.median(t) / statistics.median(quiet[name, d]):.2f}"
                if t
                else "-"
                for t, d in zip(row, sizes, strict=True)
            ]
            exponent += " | " + " / ".join(ratios)
        table.append(f"| {name} | {cells} | {exponent} |")
    shared = quiet is not None
    return [
        f"## {'2b' if shared else '2'}. Fit time against d "
        f"(n = {n_samples}, seconds, {'one core busy' if shared else 'quiet'})",
        "",
        f"`make_classification(n, d, n_informative={N_INFORMATIVE}, "
        "n_redundant=0)`, every selector at the runner's defaults after a "
        f"warm-up fit: median [min, max] of {REPEATS} fits; `skipped`: a "
        "smaller d took over the cap. Growth exponent: slope of log time "
        "against log d between the two largest d (target: at most 1.2)"
        + (
            "; another process spins on one of the cores during each fit, as "
            "a user on a shared machine gets it. Each busy fit follows a "
            "quiet fit of table 2 (quiet, busy, quiet, ...), so the ratio of "
            "the medians compares fits taken one after the other (target: at most "
            "1.5)."
            if shared
            else "."
        ),
        "",
        *table,
        "",
    ]


def wide(args, lines, names):
    shape = (60, 300) if args.quick else (100, 2500)
    times, _ = fit_times(names, [shape], args.cap)
    table = ["| selector | fit s |", "|---|---|"]
    table += [f"| {name} | {spread(times[name, shape[1]])} |" for name in names]
    lines += [
        f"## 3. Wide data (n = {shape[0]}, d = {shape[1]})",
        "",
        f"Every selector at its defaults, median [min, max] of {REPEATS} fits "
        "(target: under 15 s each).",
        "",
        *table,
        "",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="peers,scaling,wide")
    parser.add_argument("--quick", action="store_true", help="tiny problems")
    parser.add_argument("--paper-code", help="file with the KAN paper's KAN class")
    parser.add_argument(
        "--cap", type=float, default=600.0, help="skip larger d after a fit this long"
    )
    parser.add_argument("--selectors", help="comma-separated registry names")
    parser.add_argument(
        "--shared",
        action="store_true",
        help="also time the scaling part with one core kept busy",
    )
    parser.add_argument("--output", default="benchmarks/results/speed.md")
    args = parser.parse_args()
    parts = args.parts.split(",")
    names = args.selectors.split(",") if args.selectors else available_selectors()

    start = time.perf_counter()
    lines = header("Speed at scale: benchmark results")
    if "peers" in parts:
        peers(args, lines)
    if "scaling" in parts or "wide" in parts:
        warm_up(names)
    if "scaling" in parts:
        scaling(args, lines, names)
    if "wide" in parts:
        wide(args, lines, names)
    lines.append(f"Total wall time: {time.perf_counter() - start:.0f} s.")
    with open(args.output, "w") as file:
        file.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
