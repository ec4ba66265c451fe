"""Read a stages file (``stages.yaml`` in a rule source): the lines that show a job's stage.

A stages file is a mapping ``stages:`` of stage name to a list of regular expressions (Python
syntax, matched against raw log lines; ``(?i)`` for case-insensitive). Like a rule file, a broken
one is the user's mistake: each problem names the file, the line and what is wrong. The schema
(schemas/stages.schema.json) judges the stages and the shape of their lists; each pattern must
also compile and not match an empty line.
"""

from __future__ import annotations

import re
from pathlib import Path

from philly_triage.models import StageMarker
from philly_triage._internal.catalogue.rule_file import Problem
from philly_triage._internal.catalogue.schema import violated, violations
from philly_triage._internal.catalogue.yaml_source import YamlFileError, load_yaml_file

STAGE_FILE_NAMES = ("stages.yaml", "stages.yml")


def is_stage_file(path: Path) -> bool:
    return path.name in STAGE_FILE_NAMES


def load_stage_file(path: Path) -> tuple[list[StageMarker], list[Problem]]:
    """The markers of one stages file, or the problems that keep them out."""
    name = str(path)
    try:
        document = load_yaml_file(name)
    except YamlFileError as err:
        return [], [Problem(name, err.line, None, err.message)]
    found = violations(document, "stages", split=_stage_named)
    problems = [Problem(name, v.line, None, v.message) for v in found]
    stages = document.data.get("stages") if isinstance(document.data, dict) else None
    markers: list[StageMarker] = []
    for stage, patterns in (stages.items() if isinstance(stages, dict) else ()):
        for index, pattern in enumerate(patterns if isinstance(patterns, list) else ()):
            where = ("stages", str(stage), index)
            if violated(where, found):
                continue
            message = _pattern_problem(pattern)
            if message:
                problems.append(Problem(name, document.line_of(*where), None, message))
            else:
                markers.append(StageMarker(stage, pattern, name, document.line_of(*where)))
    return (markers if not problems else []), sorted(problems, key=lambda p: p.line or 0)


def _stage_named(path: tuple) -> tuple[str, tuple]:
    """A place under 'stages' is named by its stage: 'training', not 'stages.training'."""
    return "", (path[1:] if path[:1] == ("stages",) else path)


def _pattern_problem(pattern: str) -> str:
    """Why a marker pattern cannot be used, or '' (the schema has checked that it is a non-empty ASCII string)."""
    try:
        compiled = re.compile(pattern)
    except re.error as err:
        return f"invalid regular expression {pattern!r}: {err}"
    if compiled.search("") is not None:
        return f"regular expression {pattern!r} matches an empty line: it would mark every line"
    return ""
