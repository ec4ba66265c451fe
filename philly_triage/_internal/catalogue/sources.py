"""Decide which rule sources a run uses: built-in, project-local, TRIAGE_RULES, the project
configuration's ``rules`` (catalogue/config.py), then --rules.

Later sources win: a rule whose id an earlier source already defined replaces it. So a team's
project rules can refine the built-in catalogue, and a one-off ``--rules`` can refine both.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Optional, Sequence

from philly_triage._internal.catalogue.load import RuleSource, builtin_source

ENV_VAR = "TRIAGE_RULES"
PROJECT_DIR = Path(".triage") / "rules"


def resolve_sources(
    cli_paths: Sequence[Path] = (),
    use_builtin: bool = True,
    environ: Optional[Mapping[str, str]] = None,
    cwd: Optional[Path] = None,
    config_paths: Sequence[Path] = (),
) -> list[RuleSource]:
    """The sources in the order they are merged: built-in, the nearest .triage/rules/, TRIAGE_RULES,
    the project configuration's ``rules`` (``config_paths``), then --rules."""
    environ = os.environ if environ is None else environ
    sources = [builtin_source()] if use_builtin else []
    cwd = cwd or Path.cwd()
    project = find_project_rules(cwd)
    if project is not None:  # named relative to where the user stands, as they would type it
        sources.append(RuleSource(Path(os.path.relpath(project, cwd.resolve())), "project"))
    for entry in environ.get(ENV_VAR, "").split(os.pathsep):
        if entry.strip():
            sources.append(RuleSource(Path(entry.strip()).expanduser(), ENV_VAR))
    sources.extend(RuleSource(Path(path), "config") for path in config_paths)
    sources.extend(RuleSource(Path(path), "--rules") for path in cli_paths)
    return sources


def find_project_rules(start: Path) -> Optional[Path]:
    """The nearest ``.triage/rules/`` directory from ``start`` upwards, if any."""
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / PROJECT_DIR
        if candidate.is_dir():
            return candidate
    return None
