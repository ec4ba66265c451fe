"""The project configuration on the command line: read at startup for every command (cli/main.py
calls ``start``), its keys made the defaults of the command's options, and ``triage config``, which
shows the settings in force and where each comes from.

Precedence, lowest first: the built-in default, the configuration file, the command line. Click's
``default_map`` does the work: a key becomes the default of its option, so an option given on the
command line replaces it (a list option given replaces the whole list). ``rules`` is the one key
that adds instead: rule sources stack (catalogue/sources.py), so the configuration's rules come
after .triage/rules/ and TRIAGE_RULES and before --rules, and a later rule with the same id wins.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any, Optional

import click

from philly_triage._internal.catalogue.config import KEYS, ConfigError, ProjectConfig, discover, load_config
from philly_triage._internal.cli.common import fail

META = "philly_triage.config"  # the ProjectConfig of the run, in the click context's meta


def start(ctx: click.Context, config_file: Optional[Path], no_config: bool) -> None:
    """Read the configuration (``config_file``, none with ``no_config``, else the nearest one) and make
    its keys the defaults of the options of the command about to run; a file that cannot be used
    ends the run with ``triage: error: FILE:LINE: ...`` and exit status 2."""
    try:
        config = ProjectConfig() if no_config else load_config(config_file) if config_file else discover()
    except ConfigError as err:
        for problem in err.all()[:-1]:
            click.echo(f"triage: error: {problem}", err=True)
        fail(err.all()[-1])
    ctx.meta[META] = config
    for ignored in config.ignored:  # two files of one project that may disagree: say which is not read
        click.echo(f"triage: warning: {ignored}'s [tool.triage] is not read: {config.file} in the same folder "
                   "wins", err=True)
    name = ctx.invoked_subcommand
    command = ctx.command.get_command(ctx, name) if name and isinstance(ctx.command, click.Group) else None
    if command is not None and config.settings:
        ctx.default_map = {name: defaults_for(ctx, command, name, config)}


def defaults_for(ctx: click.Context, command: click.Command, name: str, config: ProjectConfig) -> dict:
    """The defaults the configuration gives ``command``'s options, by parameter name; a group's
    subcommands' defaults under their names (as click's default_map nests them)."""
    params = {param.name for param in command.params}
    values: dict[str, Any] = {}
    for key, setting in config.settings.items():
        spec = KEYS[key]
        if key == "rules" or spec.param not in params or (spec.only and name not in spec.only):
            continue  # rules are added to the rule sources (config_rules), not given as --rules
        values[spec.param] = option_value(key, setting.value)
    if isinstance(command, click.Group):
        for sub in command.list_commands(ctx):
            values[sub] = defaults_for(ctx, command.get_command(ctx, sub), sub, config)
    return values


def option_value(key: str, value: Any) -> Any:
    """A configuration value as its option takes it: storage_option's mapping as KEY=VALUE texts."""
    if key == "storage_option":
        return [f"{name}={_text(item)}" for name, item in value.items()]
    return list(value) if isinstance(value, list) else value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def current() -> ProjectConfig:
    """The configuration of the command running (an empty one outside the command line)."""
    ctx = click.get_current_context(silent=True)
    config = ctx.meta.get(META) if ctx is not None else None
    return config if config is not None else ProjectConfig()


def config_rules() -> list[Path]:
    """The rule sources the configuration names, for resolve_sources."""
    return [Path(path) for path in current().value("rules")]


@click.command("config")
@click.option("--format", "-f", "output_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A table, or JSON.")
@click.pass_context
def config_command(ctx: click.Context, output_format: str) -> None:
    """Show the configuration in force here: each key, its value and where it comes from.

    triage reads the nearest .triage/config.yaml or pyproject.toml with a [tool.triage] table,
    from the current directory upwards (in one folder, .triage/config.yaml wins); `triage
    --config FILE` reads FILE instead and `triage --no-config` none. Each key sets the default of
    the option of the same name, and the command line wins over it; `rules` adds rule sources
    after .triage/rules/ and TRIAGE_RULES, before --rules. Paths are relative to the project
    folder (the folder of pyproject.toml or of the .triage folder).
    """
    config = current()
    users = option_users(ctx)
    rows = [{
        "key": key,
        "value": config.value(key),
        "source": config.source(key),
        "line": config.settings[key].line if key in config.settings else None,
        "option": users[key][0],
        "commands": users[key][1],
    } for key in KEYS]
    sources = rule_sources(config)
    if output_format == "json":
        document = {
            "file": config.file, "folder": str(config.folder) if config.folder else None,
            "ignored": list(config.ignored),
            "settings": {row.pop("key"): row for row in rows},
            "rule_sources": sources,
        }
        click.echo(json.dumps(document, indent=2))
        return
    click.echo(f"configuration: {config.file or 'none found (built-in defaults)'}")
    for ignored in config.ignored:
        click.echo(f"not read: {ignored}'s [tool.triage] (.triage/config.yaml in the same folder wins)")
    click.echo("the command line wins over every value here\n")
    table = [("key", "value", "from", "sets")] + [
        (row["key"], _shown(row["value"]), row["source"], _sets(row["option"], row["commands"])) for row in rows]
    widths = [max(len(line[column]) for line in table) for column in range(3)]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths)) + "  " + line[3])
    click.echo("\nrule sources, in the order merged (a later rule with the same id wins), then --rules:")
    for source in sources:
        click.echo(f"  {source['path']} ({source['origin']})")


def option_users(ctx: click.Context) -> dict[str, tuple[Optional[str], list[str]]]:
    """For each key: its option's name (--gpus) and the commands that have the option and take the key."""
    from philly_triage._internal.cli.main import COMMANDS

    commands: list[tuple[str, click.Command]] = []
    for name in sorted(COMMANDS):
        module, attribute = COMMANDS[name].split(":")
        command = getattr(importlib.import_module(module), attribute)
        if isinstance(command, click.Group):
            commands.extend((f"{name} {sub}", command.get_command(ctx, sub)) for sub in command.list_commands(ctx))
        else:
            commands.append((name, command))
    found: dict[str, tuple[Optional[str], list[str]]] = {}
    for key, spec in KEYS.items():
        option, users = None, []
        for name, command in commands:
            param = next((p for p in command.params if p.name == spec.param), None)
            if param is None or (spec.only and name.split()[-1] not in spec.only):
                continue
            option = option or max(param.opts, key=len)
            users.append(name)
        found[key] = (option, users)
    return found


def rule_sources(config: ProjectConfig) -> list[dict[str, str]]:
    """The rule sources a command run here reads before its --rules, in the order they are merged."""
    from philly_triage._internal.catalogue.sources import resolve_sources

    sources = resolve_sources(use_builtin=not config.value("no_builtin_rules"), config_paths=config_rules())
    return [{"path": "built-in" if source.origin == "built-in" else str(source.path), "origin": source.origin}
            for source in sources]


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "[]"
    if isinstance(value, dict):
        return ", ".join(f"{name}={_text(item)}" for name, item in value.items()) or "{}"
    return str(value)


def _sets(option: Optional[str], commands: list[str]) -> str:
    if option is None:
        return "(no command has this option yet)"
    return f"{option} of {', '.join(commands)}"
