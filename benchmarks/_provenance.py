"""The provenance header of a benchmark results file: command, code, machine."""

import importlib.util
import os
import platform
import shlex
import subprocess
import sys
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
    """The GPU torch sees, or "no GPU" (torch is not imported unless present)."""
    if importlib.util.find_spec("torch") is None:
        return "no GPU (torch not installed)"
    import torch

    if torch.cuda.is_available():
        return f"GPU {torch.cuda.get_device_name(0)}"
    return "no GPU"


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
