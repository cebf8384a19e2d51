"""The ``featsel`` command line: a thin layer over :mod:`featsel.benchmark`."""

# Authors: The featsel developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import shlex
import sys
import time
from dataclasses import replace
from pathlib import Path

from . import __version__
from .datasets import list_datasets, load_dataset


def _parse_list(text):
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _parse_numbers(kind, what):
    def parse(text):
        try:
            return tuple(kind(item) for item in _parse_list(text))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a comma-separated list of {what}"
            ) from None

    return parse


_parse_ints = _parse_numbers(int, "integers")


def _level(text):
    return text if text == "own" else float(text)


_parse_levels = _parse_numbers(_level, "numbers or 'own'")


def _parse_json_table(text):
    try:
        table = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON ({exc})") from None
    if not isinstance(table, dict) or not all(
        isinstance(params, dict) for params in table.values()
    ):
        raise argparse.ArgumentTypeError(
            "give a JSON object of parameter objects by selector name"
        )
    return table


class _Parser(argparse.ArgumentParser):
    """Argument errors in one line, like the errors of the commands."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}; see `{self.prog} --help`\n")


def _build_parser():
    from .benchmark import BACKENDS, MODELS, PRESETS

    parser = _Parser(prog="featsel", description="Feature selection for scikit-learn.")
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
        help=(
            "base study (default: quick, 3 folds and lighter selector "
            "settings, minutes); paper: every selector on the KAN paper's "
            "protocol; real: every selector on 22 real tables (each "
            "resumable: re-run the same command after a stop)"
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
        "--task",
        choices=("auto", "classification", "regression"),
        help="learning task of every dataset (default auto: a file's float "
        "target is regression, any other classification)",
    )
    bench.add_argument(
        "--selectors",
        type=_parse_list,
        help=(
            "comma-separated short names (featsel selectors); 'all': every "
            "installed selector, 'none': no selection (the reference); a "
            "+cv or +stability suffix chooses the count by cross-validation "
            "or stability selection (own level only); module:Class: any "
            "scikit-learn-style selector"
        ),
    )
    bench.add_argument(
        "--retention",
        type=_parse_levels,
        help="fractions kept, e.g. 0.2,0.4,0.6; 'own': each selector's own "
        "choice of count",
    )
    bench.add_argument(
        "--models", type=_parse_list, help=f"downstream models: {', '.join(MODELS)}"
    )
    bench.add_argument(
        "--scoring",
        help="scikit-learn scorer for every dataset (default: f1_macro / r2)",
    )
    bench.add_argument(
        "--selector-params",
        type=_parse_json_table,
        help="parameters by selector as JSON, e.g. "
        '\'{"sklearn.feature_selection:RFECV": {"estimator": {"class": '
        "\"sklearn.linear_model:LogisticRegression\"}}}' (added to --config's)",
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
            "the study stored in OUTDIR into OUTDIR/report; several OUTDIRs "
            "are combined into one report (in --out) when their studies "
            "share folds, models, levels, scoring, parameters and code, and "
            "a dataset in several has the same seeds in each."
        ),
    )
    report.add_argument("outdir", nargs="+", help="output folder(s) of `featsel bench`")
    report.add_argument(
        "--out",
        help="folder of the report (default: OUTDIR/report; needed for several)",
    )
    report.add_argument("--no-plots", action="store_true", help="tables only")
    report.add_argument(
        "--partial",
        action="store_true",
        help="exit 0 for a study with tasks not done (its report says so)",
    )

    recover = commands.add_parser(
        "recover",
        help="keep the readable tasks of a damaged results store",
        description=(
            "Rename a damaged OUTDIR/results.sqlite to results.sqlite.damaged "
            "(.damaged.1, ... after earlier recoveries, never overwritten) "
            "and copy every finished task that can still be read into a new "
            "store; the next `featsel bench` redoes the rest."
        ),
    )
    recover.add_argument("outdir", help="output folder of `featsel bench`")

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

    study = preset(args.preset or "quick")
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
        "task": args.task,
    }
    if args.selector_params:
        overrides["selector_params"] = {
            **study.selector_params,
            **args.selector_params,
        }
    if args.scoring:
        overrides["scoring"] = {
            "classification": args.scoring,
            "regression": args.scoring,
        }
    study = replace(study, **{k: v for k, v in overrides.items() if v is not None})
    return study.validate()


def _bench(args):
    from .benchmark import (
        annotate,
        data_only_note,
        estimate,
        headline_table,
        load_tasks,
        own_choice_table,
        run,
        split_own_choice,
    )

    study = _study_from_args(args)
    if args.n_jobs == 0:
        raise ValueError(
            "--n-jobs 0 would run nothing; give a number of parallel tasks, or "
            "-1 for one per CPU core"
        )
    for line in study.guesses():
        print(f"Guessed: {line}.", file=sys.stderr)

    def announce(pending):
        print(f"{_what_runs(args, study)}.", file=sys.stderr)
        print(f"{estimate(pending, args.n_jobs)}.", file=sys.stderr)

    start = time.perf_counter()
    results = run(
        study,
        args.out,
        n_jobs=args.n_jobs,
        backend=args.backend,
        scheduler=args.scheduler,
        progress=not args.no_progress,
        announce=announce,
    )
    elapsed = time.perf_counter() - start
    tasks = results.drop_duplicates("key")
    n_failed = int((tasks["status"] == "failed").sum())
    annotated = annotate(results, load_tasks(args.out))
    retention = split_own_choice(annotated)[0]
    levels = [level for level in study.retention if level != "own"]
    if (retention["status"] == "done").any():
        print(
            f"\nMean test score over retention levels {levels} "
            f"({study.folds}-fold, selection fitted on training folds only); "
            f"{elapsed:.0f} s.\n"
        )
        print(headline_table(retention).to_string())
    note = data_only_note(annotated)
    if note:
        print(f"\n{note}.")
    own = own_choice_table(annotated)
    if not own.empty:
        columns = [c for c in ("kept", "of", "score", "vs all") if c in own]
        print("\nOwn choice of count (mean over folds):\n")
        print(own[columns].to_string())
    if n_failed:
        print(f"\n{n_failed} of {len(tasks)} task(s) failed:")
        _print_failures(results)
    if n_failed:
        print("\nRe-running the same command retries the failed tasks only.")
    print(f"\nResults stored in {args.out}; `featsel report {args.out}` for more.")
    # Non-zero when any task failed, so scripts and CI notice.
    return 1 if n_failed else 0


def _what_runs(args, study):
    """One line naming the preset, the folds and the models that run."""
    protocol = (
        f"{len(study.datasets)} dataset(s), {len(study.selectors)} selector(s), "
        f"{study.folds} outer folds x {len(study.seeds)} seed(s), models "
        f"{', '.join(study.models)}"
    )
    if args.preset is None and study.preset == "quick":
        return (
            "No --preset given: running the quick preset (3 outer folds, "
            "selectors at lighter settings than their defaults), with your "
            f"flags on top: {protocol}; --preset paper or real for the full protocols"
        )
    if study.preset:
        return f"Preset {study.preset}, with your flags on top: {protocol}"
    return f"Study: {protocol}"


def _print_failures(results, shown=3):
    """Each distinct failure reason once, with the tasks it ended."""
    from .benchmark import failure_reasons, failure_table

    failed = failure_table(results)
    for reason in failure_reasons(results).itertuples():
        print(f"  {reason.tasks} task(s): {reason.error}")
        where = failed[failed["error"] == reason.error]
        for row in where.head(shown).itertuples():
            print(
                f"    {row.dataset} / {row.selector} / seed {row.seed} / "
                f"fold {row.fold}"
            )
        if len(where) > shown:
            print(f"    and {len(where) - shown} more")


def _recover(args):
    from .benchmark import recover

    kept, lost, damaged = recover(args.outdir)
    print(
        f"Kept {kept} finished task(s) of {args.outdir}; {lost} could not be "
        "read and will be redone by the next `featsel bench`. The damaged "
        f"file is kept as {damaged}."
    )
    return 0


def _report(args):
    from .benchmark import incomplete, report

    if len(args.outdir) > 1 and args.out is None:
        raise ValueError(
            "a report of several folders needs --out, the folder to write it to"
        )
    tables = report(args.outdir, plots=not args.no_plots, into=args.out)
    missing = incomplete(tables.get("progress"))
    if missing:
        print(f"{missing}.\n")
    for name, title in (
        ("headline", "Mean score over retention levels"),
        ("gap", "Gap to the best classical baseline"),
    ):
        if name in tables:
            print(f"{title}:\n{tables[name].to_string()}\n")
    written = args.out or Path(args.outdir[0]) / "report"
    print(f"\nTables and plots written to {written}")
    if missing and not args.partial:
        print(
            "featsel report: the study is incomplete (first line above); re-run "
            "its `featsel bench` command to finish it, or pass --partial to "
            "accept a partial report",
            file=sys.stderr,
        )
        return 1
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
    from .benchmark import SELECTORS, selector_available

    print(f"{'none':14s} {'-':30s} no selection (the reference row)")
    print(f"{'all':14s} {'-':30s} every available selector below")
    print(
        f"{'NAME+cv':14s} {'SelectorCV(...)':30s} the count cross-validated (own level)"
    )
    print(
        f"{'NAME+stability':14s} {'StabilitySelector(...)':30s} stability "
        "selection (own level)"
    )
    print(f"{'module:Class':14s} {'-':30s} any scikit-learn-style selector")
    for name, spec in SELECTORS.items():
        status = "available" if selector_available(name) else "not installed"
        params = ", ".join(f"{k}={v!r}" for k, v in spec.params.items())
        print(f"{name:14s} {spec.class_name + '(' + params + ')':30s} {status}")
    return 0


def main(argv=None):
    """Entry point of the ``featsel`` console script."""
    parser = _build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    command = {
        "bench": _bench,
        "report": _report,
        "recover": _recover,
        "datasets": _list_datasets,
        "selectors": _list_selectors,
    }[args.command]
    try:
        return command(args)
    except (ValueError, OSError) as exc:
        parser.exit(2, f"featsel {args.command}: error: {exc}\n")
    except KeyboardInterrupt:
        # Finished tasks are in the store; one line says how to go on.
        resume = (
            f"; finished tasks are kept, resume with: featsel {shlex.join(argv)}"
            if args.command == "bench"
            else ""
        )
        parser.exit(130, f"featsel {args.command}: interrupted{resume}\n")


if __name__ == "__main__":
    sys.exit(main())
