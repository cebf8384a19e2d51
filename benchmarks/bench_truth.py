"""Ground truth: does each selector find a pure interaction?

On featsel's ``interaction`` dataset (y = 1[x0 * x1 + noise > 0] with 20
noise columns: neither x0 nor x1 carries any signal alone), every installed
selector, built by the benchmark runner's registry at its defaults, is
fitted on all rows for each seed (the seed draws the data and seeds the
selector); a selector whose choice depends on k selects k=2. Reported: on
how many seeds x0 and x1 are the two best ranked, and the mean recall of
{x0, x1} in the top 2.

Recall on planted features under cross-validation (the share of the truly
informative features kept at each retention level) is in every runner
report (``recall`` table) for the synthetic datasets.

Usage::

    python benchmarks/bench_truth.py [--seeds 10] [--selectors all] \
        [--output benchmarks/results/truth.md]
"""

import argparse
import os
import platform
import shlex
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from featsel.benchmark._registry import build_selector, expand_selectors
from featsel.benchmark._report import to_markdown
from featsel.datasets import load_dataset


def top_two(name, X, y, seed):
    """The two features the selector ranks first (or selects with k=2)."""
    selector = build_selector(name, {}, seed)
    if type(selector).selection_depends_on_k:
        selector.set_params(n_features_to_select=2)
    selector.fit(X, y)
    return set(X.columns[np.argsort(selector.ranking_, kind="stable")[:2]])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--selectors", default="all")
    parser.add_argument("--output", default="benchmarks/results/truth.md")
    args = parser.parse_args(argv)
    names = expand_selectors(args.selectors.split(","))

    start = time.perf_counter()
    rows = []
    for name in names:
        hits, recall = 0, 0.0
        for seed in range(args.seeds):
            data = load_dataset("interaction", random_state=seed)
            truth = set(data.informative)
            found = top_two(name, data.X, data.y, seed)
            hits += found == truth
            recall += len(found & truth) / len(truth) / args.seeds
        rows.append(
            {
                "selector": name,
                f"seeds with both in the top 2 (of {args.seeds})": hits,
                "mean recall in the top 2": recall,
            }
        )
        print(f"  {name}: {hits}/{args.seeds}", file=sys.stderr)
    elapsed = time.perf_counter() - start
    command = shlex.join(["python", "benchmarks/bench_truth.py", *sys.argv[1:]])
    text = "\n".join(
        [
            "# Ground truth: a pure interaction",
            "",
            f"Regenerate: `{command}`  ",
            f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, no GPU, "
            f"Python {platform.python_version()}  ",
            f"Date: {date.today().isoformat()}; wall time {elapsed:.0f} s",
            "",
            "featsel.datasets `interaction` (500 rows, X ~ N(0, I_22), "
            "y = 1[x0 * x1 + 0.1 N(0, 1) > 0]); seeds 0.."
            f"{args.seeds - 1} draw the data and seed the selector; every "
            "selector at its defaults, fitted on all rows; selectors whose "
            "choice depends on k select k=2.",
            "",
            to_markdown(pd.DataFrame(rows)),
        ]
    )
    Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
