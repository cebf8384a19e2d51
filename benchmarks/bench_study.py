"""Run a benchmark study and write its report as one results file.

The quality tables under ``benchmarks/results/`` all come from here: the
study (a preset of ``featsel bench`` or a TOML file under
``benchmarks/studies/``) runs through :func:`featsel.benchmark.run`, exactly
as ``featsel bench`` runs it, and :func:`featsel.benchmark.report` (what
``featsel report`` writes) makes the tables; this script only adds the
provenance (the command, the machine, the date, the time taken) and writes
the report's ``summary.md`` into one Markdown file.

The store in ``--out`` makes a run resumable: after a stop, the same command
skips every finished task.

Usage::

    python benchmarks/bench_study.py benchmarks/studies/quality.toml
    python benchmarks/bench_study.py paper  # the `--preset paper` study
    python benchmarks/bench_study.py STUDY --datasets wine --folds 2 \
        --selectors none,lasso --output /tmp/slice.md  # a small slice
"""

import argparse
import os
import platform
import shlex
import sys
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from _provenance import accelerator, commit

from featsel.benchmark import PRESETS, load_study, preset, report, run


def _names(text):
    return tuple(item.strip() for item in text.split(",") if item.strip())


def study_name(study):
    """``paper`` for a preset, the file's stem for a TOML study."""
    return study if study in PRESETS else Path(study).stem


def load(args):
    study = preset(args.study) if args.study in PRESETS else load_study(args.study)
    overrides = {
        "datasets": args.datasets and _names(args.datasets),
        "selectors": args.selectors and _names(args.selectors),
        "folds": args.folds,
    }
    return replace(study, **{k: v for k, v in overrides.items() if v}).validate()


def machine():
    load_average = os.getloadavg()[0]
    return (
        f"{platform.machine()}, {os.cpu_count()} CPU cores, {accelerator()}, Python "
        f"{platform.python_version()}; load average {load_average:.1f} at the "
        "start (other jobs share the cores when it exceeds the core count)"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", help=f"a preset ({', '.join(PRESETS)}) or TOML")
    parser.add_argument("--datasets", help="comma-separated: run a slice only")
    parser.add_argument("--selectors", help="comma-separated: run a slice only")
    parser.add_argument("--folds", type=int, help="outer folds of a slice")
    parser.add_argument("--n-jobs", type=int, default=2, help="parallel tasks")
    parser.add_argument(
        "--out", help="result store (default: bench-results/<study name>)"
    )
    parser.add_argument(
        "--output", help="results file (default: benchmarks/results/<name>.md)"
    )
    args = parser.parse_args(argv)
    if (args.datasets or args.selectors or args.folds) and not (
        args.out and args.output
    ):
        parser.error("a slice needs its own --out and --output")
    name = study_name(args.study)
    out = Path(args.out or f"bench-results/{name}")
    output = Path(args.output or f"benchmarks/results/{name}.md")
    study = load(args)

    command = shlex.join(
        ["python", "benchmarks/bench_study.py", *(argv or sys.argv[1:])]
    )
    started = datetime.now(timezone.utc)
    where, code = machine(), commit()
    start = time.perf_counter()
    run(study, out, n_jobs=args.n_jobs, progress=sys.stderr.isatty())
    elapsed = time.perf_counter() - start
    report(out)
    header = [
        f"# Benchmark study `{name}`",
        "",
        f"Regenerate: `{command}` (resumable: after a stop the same command "
        f"skips finished tasks; store in `{out}`).  ",
        f"Commit: {code}; machine: {where}.  ",
        f"Date: {started:%Y-%m-%d %H:%M} UTC; wall time of this invocation "
        f"{elapsed / 60:.1f} min with {args.n_jobs} parallel task(s).  ",
        f"Study: {_describe(args.study)}; the same tables, plots and LaTeX / "
        f"CSV / HTML versions: `featsel report {out}`.",
        "",
    ]
    summary = (out / "report" / "summary.md").read_text()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(header) + "\n" + summary)
    print(f"wrote {output} ({elapsed:.0f} s)")


def _describe(study):
    if study in PRESETS:
        return f"`featsel bench --preset {study}`"
    return f"`{study}` (`featsel bench --config {study}`)"


if __name__ == "__main__":
    main()
