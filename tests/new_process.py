"""Run triage in a new Python process and say which modules the run loaded.

A test process has imported far more than a run of triage needs, so a check that a command does not
load a module (OpenSSL, Jinja2, a decompressor) must run the command in a process of its own.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from typing import Sequence

from tests.conftest import ROOT

# The command's output goes to stdout; its messages and, last, the modules loaded go to stderr.
CODE = """
import sys
from philly_triage._internal.cli.main import cli
packages = sys.argv[1].split(",")
try:
    cli.main(sys.argv[2:])
except SystemExit:
    pass
sys.stdout.flush()
print(sorted(name for name in sys.modules if name.split(".")[0] in packages), file=sys.stderr)
"""


def run_new(args: Sequence[str], packages: Sequence[str]) -> tuple[str, list[str]]:
    """The output of ``triage ARGS`` run in a new process, and the modules of ``packages`` (top-level
    names) that the run loaded. It runs twice and gives the second run: the first may fill the
    catalogue's cache, and checking a catalogue imports what it needs."""
    for _ in "12":
        done = subprocess.run([sys.executable, "-c", CODE, ",".join(packages), *map(str, args)],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert done.returncode == 0, done.stderr
    return done.stdout, ast.literal_eval(done.stderr.strip().splitlines()[-1])
