"""The numba kernels of the KAN spline layer against the eager ones (issue 26).

On breast_cancer as KAN-L2 trains it with ``cv=5`` (five networks side by
side, 455 rows, 30 features, 61 hidden units each, two outputs), one torch
thread:

- the spline sum alone (``_SplineSum``, the part the kernels replace) and
  the whole second layer (SiLU terms and piece table included), forward
  and backward: the median and range over repeats of the mean step time;
- the first call of the numba kernels in a fresh process, with an empty
  disk cache (numba compiles them) and with the cache it left (numba
  loads them), the import of numba included;
- a whole ``KANSelector(method="l2", cv=5)`` fit on breast_cancer with
  each kernel, and whether the rankings agree.

The kernel is picked with the ``FEATSEL_KAN_KERNEL`` environment variable
(``eager`` or ``numba``), read at every call.

Usage::

    python benchmarks/bench_kan_kernel.py [--repeats 7] \
        [--output benchmarks/results/kan_kernel.md]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _provenance import header, timed
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

from featsel import KANSelector
from featsel._torch import _bspline
from featsel._torch._kan_network import KANLayer
from featsel.benchmark import to_markdown

KERNELS = ("eager", "numba")
N_NETWORKS = 5
HIDDEN_UNITS = 61
N_TRAIN = 455
STEPS = 50

#: Run in a fresh process: the first and the second call of the numba
#: kernels, with the disk cache that NUMBA_CACHE_DIR names.
FIRST_CALL = """
import json, time
import torch
torch.set_num_threads(1)
from featsel._torch import _bspline
x = torch.linspace(-2, 2, 64 * 8).view(64, 8)
knots = _bspline.data_knots(x, 5, 3)
_, _, centre, rate = _bspline.spline_pieces(knots, 3)
table = torch.ones(4, 2, 8 * knots.shape[1] + 8, requires_grad=True)
times = {}
start = time.perf_counter()
from featsel._torch import _bspline_numba
times["import s"] = time.perf_counter() - start
for call in ("first call s", "second call s"):
    start = time.perf_counter()
    _bspline._SplineSum.apply(x, table, knots, centre, rate, 1).sum().backward()
    times[call] = time.perf_counter() - start
print(json.dumps(times))
"""


def second_layer():
    """The second layer of the side-by-side KAN-L2 networks, and its input.

    Breast cancer's first 455 rows, standardised, through a freshly drawn
    first layer; the second layer's knots are set on those hidden values,
    as the grid refits of training set them.
    """
    X, _ = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X[:N_TRAIN]).astype(np.float32)
    generator = torch.Generator().manual_seed(0)
    layers = [
        KANLayer(d_in, d_out, 5, 3, generator, n_networks=N_NETWORKS)
        for d_in, d_out in ((X.shape[1], HIDDEN_UNITS), (HIDDEN_UNITS, 2))
    ]
    inputs = torch.from_numpy(np.tile(X, N_NETWORKS))
    with torch.no_grad():
        hidden = layers[0](inputs)
        layers[1].refit_grid(hidden)
    return layers[1], hidden


def step_times(steps, repeats):
    """Milliseconds per step of each kernel, ``repeats`` times, interleaved.

    Returns ``{name: {kernel: [milliseconds of each repeat]}}``.
    """
    times = {name: {kernel: [] for kernel in KERNELS} for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            for kernel in KERNELS:
                os.environ[_bspline.KERNEL_VARIABLE] = kernel
                step()
                seconds, _ = timed(step, STEPS)
                times[name][kernel].append(1e3 * sum(seconds) / STEPS)
    return times


def spline_steps():
    """The spline sum alone and the whole layer, forward and backward."""
    layer, hidden = second_layer()
    (_, _, centre, rate), _ = layer.pieces()
    table = layer._piece_table(layer.spline_scale.unsqueeze(-1) * layer.coef)
    table = table.detach()
    grad = torch.randn(
        N_TRAIN, 2 * N_NETWORKS, generator=torch.Generator().manual_seed(1)
    )

    def spline_sum():
        x = hidden.clone().requires_grad_()
        pieces = table.clone().requires_grad_()
        output = _bspline._SplineSum.apply(
            x, pieces, layer.knots, centre, rate, N_NETWORKS
        )
        output.backward(grad)

    def whole_layer():
        layer.zero_grad()
        layer(hidden.clone().requires_grad_()).backward(grad)

    return {"spline sum (`_SplineSum`)": spline_sum, "second layer": whole_layer}


def first_calls():
    """The numba kernels' first calls in fresh processes, cache empty then warm."""
    rows = []
    root = Path(__file__).resolve().parents[1]
    environment = {**os.environ, _bspline.KERNEL_VARIABLE: "numba"}
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(root), environment.get("PYTHONPATH", "")]
    )
    with tempfile.TemporaryDirectory() as cache:
        environment["NUMBA_CACHE_DIR"] = cache
        for state in ("empty", "warm"):
            output = subprocess.run(
                [sys.executable, "-c", FIRST_CALL],
                env=environment,
                capture_output=True,
                text=True,
                check=True,
            )
            rows.append({"disk cache": state, **json.loads(output.stdout)})
    return pd.DataFrame(rows)


def selector_fits(repeats):
    """KANSelector(method="l2", cv=5) on breast_cancer with each kernel."""
    X, y = load_breast_cancer(return_X_y=True)
    times = {kernel: [] for kernel in KERNELS}
    rankings = {}
    for _ in range(repeats):
        for kernel in KERNELS:
            os.environ[_bspline.KERNEL_VARIABLE] = kernel
            selector = KANSelector(method="l2", cv=5, random_state=0)
            [seconds], fitted = timed(lambda selector=selector: selector.fit(X, y))
            times[kernel].append(seconds)
            rankings[kernel] = fitted.ranking_
    same = bool(np.array_equal(rankings["eager"], rankings["numba"]))
    return times, same


def summary(times):
    """Median and range of each list of times, and the eager/numba ratio."""
    rows = []
    for kernel in KERNELS:
        values = times[kernel]
        rows.append(
            {
                "kernel": kernel,
                "median": statistics.median(values),
                "min": min(values),
                "max": max(values),
            }
        )
    table = pd.DataFrame(rows)
    table["speed-up"] = table["median"].iloc[0] / table["median"]
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--output", default="benchmarks/results/kan_kernel.md")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    previous_kernel = os.environ.get(_bspline.KERNEL_VARIABLE)

    out = ["\n".join(header("KAN spline layer: numba kernels against eager"))]
    out.append(
        "One torch thread. The kernel is picked with `FEATSEL_KAN_KERNEL` "
        "(`eager` or `numba`); without it featsel takes numba where it is "
        'installed (`pip install "featsel[numba]"`).\n'
    )
    # The first calls come first, before this process loads numba.
    compile_table = first_calls()
    steps = step_times(spline_steps(), args.repeats)
    fit_times, same_ranking = selector_fits(args.repeats)
    if previous_kernel is None:
        os.environ.pop(_bspline.KERNEL_VARIABLE, None)
    else:
        os.environ[_bspline.KERNEL_VARIABLE] = previous_kernel

    out.append("## Training step of the second layer\n")
    out.append(
        f"Breast cancer's first {N_TRAIN} rows, standardised, through a "
        f"freshly drawn first layer: the input of the second layer of "
        f"{N_NETWORKS} KAN-L2 networks side by side ({HIDDEN_UNITS} hidden "
        "units and 2 outputs each, grid 5, cubic splines, float32, knots "
        "set on the hidden values). Forward and backward; each repeat is the "
        f"mean of {STEPS} steps after one warm-up step, the kernels "
        f"interleaved, {args.repeats} repeats. Milliseconds per step.\n"
    )
    for name, times in steps.items():
        out.append(f"### {name}\n\n{to_markdown(summary(times))}")

    out.append("## First call of the numba kernels\n")
    out.append(
        "A fresh process (torch already imported) with `NUMBA_CACHE_DIR` "
        "set to a new empty folder, then a second fresh process on the "
        "cache the first left: the import of the kernels' module (numba "
        "included), "
        "then the first and second float32 forward and backward calls. "
        "With an empty cache the first call compiles both kernels.\n\n"
        f"{to_markdown(compile_table)}"
    )

    out.append("## Whole fit\n")
    out.append(
        '`KANSelector(method="l2", cv=5, random_state=0).fit` on all 569 '
        "rows of breast_cancer, the kernels interleaved (numba already "
        f"compiled), {args.repeats} fits each. Seconds.\n\n"
        f"{to_markdown(summary(fit_times))}\n\n"
        f"Same ranking with both kernels: {'yes' if same_ranking else 'no'}.\n"
    )
    text = "\n".join(out)
    if args.output:
        Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
