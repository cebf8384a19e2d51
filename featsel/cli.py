"""The ``featsel`` command line: a thin layer over :mod:`featsel.benchmark`."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import sys
import time
from dataclasses import replace

from sklearn.metrics import get_scorer_names

from . import __version__
from .datasets import list_datasets, load_dataset


def _parse_list(text):
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _parse_floats(text):
    return tuple(float(item) for item in _parse_list(text))


def _parse_ints(text):
    return tuple(int(item) for item in _parse_list(text))


def _build_parser():
    from .benchmark import PRESETS
    from .benchmark._registry import MODELS
    from .benchmark._run import BACKENDS

    parser = argparse.ArgumentParser(
        prog="featsel", description="Feature selection for scikit-learn."
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)

    bench = commands.add_parser(
        "bench",
        help="run a benchmark study (default: the quick preset)",
        description=(
            "Compare selectors over retention levels: each selector is fitted "
            "on the training part of each outer fold only, the top features of "
            "its ranking are kept, and downstream models are scored on the "
            "test fold. Results go to an SQLite store in --out; re-running "
            "skips finished tasks. Flags override the preset or config file."
        ),
    )
    bench.add_argument("--config", help="TOML file describing the study")
    bench.add_argument(
        "--preset",
        choices=PRESETS,
        default="quick",
        help=(
            "base study (default: quick, minutes); paper: every selector on "
            "the KAN paper's protocol, about 7 minutes with --n-jobs 2 on 2 "
            "free cores (resumable: re-run the same command after a stop)"
        ),
    )
    bench.add_argument(
        "--datasets", type=_parse_list, help="comma-separated dataset names or files"
    )
    bench.add_argument(
        "--dataset", help="a CSV or Parquet file of your own (see --target)"
    )
    bench.add_argument("--target", help="target column of --dataset files")
    bench.add_argument(
        "--selectors",
        type=_parse_list,
        help=(
            "comma-separated short names (featsel selectors); 'all': every "
            "installed selector, 'none': no selection (the reference)"
        ),
    )
    bench.add_argument(
        "--retention", type=_parse_floats, help="fractions kept, e.g. 0.2,0.4,0.6"
    )
    bench.add_argument(
        "--models", type=_parse_list, help=f"downstream models: {', '.join(MODELS)}"
    )
    bench.add_argument(
        "--scoring",
        help="scikit-learn scorer for every dataset (default: f1_macro / r2)",
    )
    bench.add_argument("--folds", type=int, help="outer folds")
    bench.add_argument("--seeds", type=_parse_ints, help="comma-separated seeds")
    bench.add_argument(
        "--shift",
        type=_parse_list,
        help="feature-shift scenarios to evaluate: single,most,least,random",
    )
    bench.add_argument(
        "--n-jobs",
        type=int,
        default=-1,
        help="parallel tasks (default -1: one per CPU core)",
    )
    bench.add_argument("--backend", choices=BACKENDS, default="joblib")
    bench.add_argument("--scheduler", help="dask scheduler address (tcp://...)")
    bench.add_argument(
        "--out", default="bench-results", help="output folder (default: bench-results)"
    )
    bench.add_argument("--no-progress", action="store_true", help="hide progress bar")

    report = commands.add_parser(
        "report",
        help="write tables and plots of a study",
        description=(
            "Write Markdown, LaTeX, CSV and HTML tables and PNG/SVG plots of "
            "the study stored in OUTDIR into OUTDIR/report."
        ),
    )
    report.add_argument("outdir", help="output folder of `featsel bench`")
    report.add_argument("--no-plots", action="store_true", help="tables only")

    commands.add_parser(
        "datasets",
        help="list the available datasets",
        description="List the datasets available offline in this environment.",
    )
    commands.add_parser(
        "selectors",
        help="list the available selectors",
        description="List the selectors' short names and whether they can run.",
    )
    return parser


def _study_from_args(args):
    from .benchmark import load_study, preset

    study = preset(args.preset)
    if args.config:
        study = load_study(args.config, base=study)
    datasets = args.datasets
    if args.dataset:
        if not args.target:
            raise ValueError("--dataset needs --target, the name of the target column")
        datasets = (*(datasets or ()), args.dataset)
    overrides = {
        "datasets": datasets,
        "selectors": args.selectors,
        "retention": args.retention,
        "models": args.models,
        "folds": args.folds,
        "seeds": args.seeds,
        "target": args.target,
        "shift": args.shift,
    }
    if args.scoring:
        if args.scoring not in get_scorer_names():
            raise ValueError(
                f"unknown scorer {args.scoring!r}; see "
                "sklearn.metrics.get_scorer_names()"
            )
        overrides["scoring"] = {
            "classification": args.scoring,
            "regression": args.scoring,
        }
    study = replace(study, **{k: v for k, v in overrides.items() if v is not None})
    study.validate()
    for name in study.datasets:
        if name not in list_datasets():
            data = load_dataset(name, target=study.target)
            _check_scoring_fits_target(data, study.scoring[data.task])
    return study


_REGRESSION_SCORERS = {
    "r2",
    "explained_variance",
    "max_error",
    "neg_mean_absolute_error",
    "neg_mean_squared_error",
    "neg_root_mean_squared_error",
    "neg_median_absolute_error",
    "neg_mean_absolute_percentage_error",
}


def _check_scoring_fits_target(data, scoring):
    if scoring in _REGRESSION_SCORERS and data.y.dtype.kind not in "iufb":
        raise ValueError(
            f"scorer {scoring!r} needs a numeric target, but {data.name}'s "
            f"target is {data.y.dtype} (e.g. {data.y.iloc[0]!r})"
        )


def _bench(args):
    from .benchmark import load_tasks, run
    from .benchmark._report import annotate, headline_table

    study = _study_from_args(args)
    start = time.perf_counter()
    results = run(
        study,
        args.out,
        n_jobs=args.n_jobs,
        backend=args.backend,
        scheduler=args.scheduler,
        progress=not args.no_progress,
    )
    elapsed = time.perf_counter() - start
    failed = results.loc[results["status"] == "failed"].drop_duplicates("key")
    print(
        f"\nMean test score over retention levels {list(study.retention)} "
        f"({study.folds}-fold, selection fitted on training folds only); "
        f"{elapsed:.0f} s.\n"
    )
    print(headline_table(annotate(results, load_tasks(args.out))).to_string())
    if not failed.empty:
        print(f"\n{len(failed)} task(s) failed:")
        for row in failed.itertuples():
            print(f"  {row.dataset} / {row.selector} / fold {row.fold}: {row.error}")
    print(f"\nResults stored in {args.out}; `featsel report {args.out}` for more.")
    return 0


def _report(args):
    from pathlib import Path

    from .benchmark import report

    if not (Path(args.outdir) / "results.sqlite").is_file():
        raise ValueError(f"{args.outdir} holds no featsel results (results.sqlite)")
    tables = report(args.outdir, plots=not args.no_plots)
    for name, title in (
        ("headline", "Mean score over retention levels"),
        ("gap", "Gap to the best classical baseline"),
    ):
        if name in tables:
            print(f"{title}:\n{tables[name].to_string()}\n")
    print(f"\nTables and plots written to {Path(args.outdir) / 'report'}")
    return 0


def _list_datasets(args):
    for name in list_datasets():
        data = load_dataset(name)
        n_samples, n_features = data.X.shape
        print(
            f"{name:20s} {data.task:15s} {n_samples:6d} x {n_features:<5d} "
            f"{data.description}"
        )
    return 0


def _list_selectors(args):
    from .benchmark._registry import SELECTORS, selector_available

    print(f"{'none':14s} {'-':30s} no selection (the reference row)")
    print(f"{'all':14s} {'-':30s} every available selector below")
    for name, spec in SELECTORS.items():
        status = "available" if selector_available(name) else "not installed"
        params = ", ".join(f"{k}={v!r}" for k, v in spec.params.items())
        print(f"{name:14s} {spec.class_name + '(' + params + ')':30s} {status}")
    return 0


def main(argv=None):
    """Entry point of the ``featsel`` console script."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    command = {
        "bench": _bench,
        "report": _report,
        "datasets": _list_datasets,
        "selectors": _list_selectors,
    }[args.command]
    try:
        return command(args)
    except (ValueError, OSError) as exc:
        parser.exit(2, f"featsel {args.command}: error: {exc}\n")


if __name__ == "__main__":
    sys.exit(main())
