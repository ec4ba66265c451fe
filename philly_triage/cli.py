"""The command line. Thin: the group, its subcommands, and a quiet end when a pipe closes."""

from __future__ import annotations

import os
import signal
import sys

import click

from philly_triage import __version__
from philly_triage.commands.classify import classify
from philly_triage.commands.common import EXIT_OK
from philly_triage.commands.evaluate import eval_command
from philly_triage.commands.rules import rules


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="triage")
def cli() -> None:
    """Find the failure that ended each deep-learning job, and say what kind it is."""


cli.add_command(classify)
cli.add_command(rules)
cli.add_command(eval_command)


def main() -> None:
    """Entry point: exit quietly when the reader of a pipe goes away (e.g. ``| head``)."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        cli(prog_name="triage")
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_OK)
