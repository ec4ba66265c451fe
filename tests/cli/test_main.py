"""The command group (cli/main.py): its commands, loaded when used, --version and --help, and a quiet
end when the reader of a pipe goes away."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from philly_triage import __version__
from philly_triage._internal.cli.main import COMMANDS, cli
from tests.cli.test_classify import OOM, logs, run  # noqa: F401 - logs is a fixture


def test_help_lists_every_command():
    result = run("--help")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.output.split("Commands:\n", 1)[1].splitlines() if line.strip()]
    assert listed == ["classify", "cluster", "config", "eval", "explain", "report", "rules", "run", "stats", "watch"] == sorted(COMMANDS)
    assert run("-h").output == result.output


def test_an_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(cli, ["clasify"])
    assert result.exit_code == 2 and "No such command 'clasify'" in result.output


def test_version():
    assert run("--version").output == f"triage, version {__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


@pytest.mark.slow  # runs triage in a process of its own
def test_piping_into_head_prints_no_traceback(logs):
    for index in range(300):
        (logs / f"job{index:03}.log").write_text(OOM)
    process = subprocess.run(
        f"{sys.executable} -m philly_triage classify {logs} -f jsonl | head -n 1",
        shell=True, capture_output=True, text=True, timeout=120,
    )
    assert json.loads(process.stdout)["status"] == "classified"
    assert "Traceback" not in process.stderr and "BrokenPipe" not in process.stderr
