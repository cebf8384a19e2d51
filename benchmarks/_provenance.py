"""What every benchmark script shares: its results file's header, its timer.

The header names the command, the commit, the machine (with the GPU, if
any) and the date; :func:`timed` times calls of a function.
"""

import importlib.util
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path


def commit():
    """The checkout's commit, marked ``+changes`` when it has uncommitted edits."""
    root = Path(__file__).resolve().parents[1]

    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+changes" if git("status", "--porcelain", "featsel") else "")


def accelerator():
    """The GPU of the machine, or "no GPU".

    The one torch sees where torch is installed (torch is imported only
    then), else the first that ``nvidia-smi`` lists.
    """
    if importlib.util.find_spec("torch") is not None:
        import torch

        if torch.cuda.is_available():
            return f"GPU {torch.cuda.get_device_name(0)}"
        return "no GPU"
    if shutil.which("nvidia-smi"):
        listed = subprocess.run(
            ["nvidia-smi", "-L"], capture_output=True, text=True, check=False
        ).stdout.splitlines()
        if listed:
            return f"{listed[0].partition(' (UUID')[0]} (torch not installed)"
    return "no GPU"


def timed(function, repeats=1):
    """Call ``function`` ``repeats`` times: the wall seconds of each call, and
    the last call's result.

    Callers take the best or the median of the times: the machine is shared.

    >>> times, result = timed(lambda: 42, repeats=2)
    >>> len(times), result
    (2, 42)
    """
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return times, result


class BusyCore:
    """A second process that keeps one core busy while the block runs.

    What a user sharing the machine with another job gets: on 2 cores, the
    code under test keeps one core to itself at best.
    """

    def __enter__(self):
        self.process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        return self

    def __exit__(self, *exc):
        self.process.kill()
        self.process.wait()


def spread(times):
    """``median [min, max]`` of repeated timings, or the one timing."""
    if len(times) == 1:
        return f"{times[0]:.2f}"
    return f"{statistics.median(times):.2f} [{min(times):.2f}, {max(times):.2f}]"


def footer(start):
    """Markdown lines closing a results file: the run time since ``start``
    (a ``time.perf_counter()`` value) and the load average at the end."""
    return [
        "",
        f"Run time {time.perf_counter() - start:.0f} s; load average at the "
        f"end {os.getloadavg()[0]:.1f}.",
    ]


def header(title, argv=None):
    """Markdown lines: the title, the command, the commit, the machine, the date."""
    argv = sys.argv if argv is None else argv
    load = os.getloadavg()[0]
    return [
        f"# {title}",
        "",
        f"Command: `python {shlex.join(argv)}`  ",
        f"Commit: {commit()}  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, "
        f"{accelerator()}, Python {platform.python_version()}; load average "
        f"{load:.1f} at the start  ",
        f"Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        "",
    ]
