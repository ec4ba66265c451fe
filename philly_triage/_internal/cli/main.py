"""The command line. Thin: the group, its subcommands, a quiet end when a pipe closes, and stop
signals (Ctrl-C, SIGTERM, SIGHUP) that end any command with a message and 128 + the signal."""

from __future__ import annotations

import importlib
import os
import signal
import sys
from pathlib import Path

import click

from philly_triage import __version__
from philly_triage._internal.cli import interrupts
from philly_triage._internal.cli.common import EXIT_OK

# Each subcommand's module is imported only when that command runs, so `triage classify` does not
# pay for the rule checker, the evaluator and their views at every start.
COMMANDS = {
    "classify": "philly_triage._internal.cli.classify:classify",
    "cluster": "philly_triage._internal.cli.cluster:cluster_command",
    "config": "philly_triage._internal.cli.config:config_command",
    "eval": "philly_triage._internal.cli.evaluate:eval_command",
    "explain": "philly_triage._internal.cli.explain:explain_command",
    "report": "philly_triage._internal.cli.report:report_command",
    "rules": "philly_triage._internal.cli.rules:rules",
    "run": "philly_triage._internal.cli.run:run_command_line",
    "stats": "philly_triage._internal.cli.stats:stats_command",
    "watch": "philly_triage._internal.cli.watch:watch_command",
}


class LazyGroup(click.Group):
    """A group whose subcommands are named here and imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def invoke(self, ctx: click.Context):
        """Run the subcommand; a stop signal anywhere ends the run with a one-line message and 128 + the
        signal's number: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP (cli/interrupts.py)."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as stop:
            interrupts.caught()
            click.echo(interrupts.message(stop), err=True)
            ctx.exit(interrupts.exit_status(stop))

    def get_command(self, ctx: click.Context, name: str):
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="triage")
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
    help="Read the configuration from FILE (a .toml file's [tool.triage] table, or YAML) instead of the "
    "nearest .triage/config.yaml or pyproject.toml.",
)
@click.option("--no-config", is_flag=True, help="Read no configuration file: built-in defaults and the command line.")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None, no_config: bool) -> None:
    """Find the failure that ended each deep-learning job, and say what kind it is.

    Options a team sets once go in .triage/config.yaml or pyproject.toml's [tool.triage] (see
    `triage config`); the command line wins over them.
    """
    from philly_triage._internal.cli.config import start  # the configuration, as each command's defaults

    start(ctx, config_file, no_config)


def main() -> None:
    """Entry point: exit quietly when the reader of a pipe goes away (e.g. ``| head``), and take
    SIGTERM and SIGHUP as Ctrl-C is taken (without this, SIGTERM would end triage mid-write)."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        with interrupts.Interrupts():
            cli(prog_name="triage")
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_OK)
