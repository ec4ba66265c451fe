"""The command line. Thin: the group, its subcommands, and a quiet end when a pipe closes."""

from __future__ import annotations

import importlib
import os
import signal
import sys

import click

from philly_triage import __version__
from philly_triage.commands.common import EXIT_INTERRUPTED, EXIT_OK

# Each subcommand's module is imported only when that command runs, so `triage classify` does not
# pay for the rule checker, the evaluator and their views at every start.
COMMANDS = {
    "classify": "philly_triage.commands.classify:classify",
    "cluster": "philly_triage.commands.cluster:cluster_command",
    "eval": "philly_triage.commands.evaluate:eval_command",
    "explain": "philly_triage.commands.explain:explain_command",
    "report": "philly_triage.commands.report:report_command",
    "rules": "philly_triage.commands.rules:rules",
    "stats": "philly_triage.commands.stats:stats_command",
}


class LazyGroup(click.Group):
    """A group whose subcommands are named here and imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def invoke(self, ctx: click.Context):
        """Run the subcommand; Ctrl-C anywhere ends the run with status 130 (128 + SIGINT), quietly."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("triage: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)

    def get_command(self, ctx: click.Context, name: str):
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="triage")
def cli() -> None:
    """Find the failure that ended each deep-learning job, and say what kind it is."""


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
