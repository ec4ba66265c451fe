"""Read a stages file (``stages.yaml`` in a rule source): the lines that show a job's stage.

A stages file is a mapping ``stages:`` of stage name to a list of regular expressions (Python
syntax, matched against raw log lines; ``(?i)`` for case-insensitive). Like a rule file, a broken
one is the user's mistake: each problem names the file, the line and what is wrong.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from philly_triage.models import STAGES, StageMarker
from philly_triage._internal.catalogue.rule_file import Problem
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
    data = document.data
    problems: list[Problem] = []

    def problem(where: tuple, message: str) -> None:
        problems.append(Problem(name, document.line_of(*where), None, message))

    if not isinstance(data, dict) or not isinstance(data.get("stages"), dict):
        problem((), f"a stages file must be a mapping 'stages:' of stage ({', '.join(STAGES)}) to patterns")
        return [], problems
    for key in data:
        if key != "stages":
            problem((key,), f"unknown key '{key}' (a stages file holds only 'stages')")
    markers: list[StageMarker] = []
    for stage, patterns in data["stages"].items():
        where = ("stages", stage)
        if stage not in STAGES:
            close = difflib.get_close_matches(str(stage), STAGES, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (stages: {', '.join(STAGES)})"
            problem(where, f"unknown stage '{stage}'{hint}")
            continue
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
            problem(where, f"'{stage}' must be a list of non-empty regular expressions")
            continue
        for index, pattern in enumerate(patterns):
            message = _pattern_problem(pattern)
            if message:
                problem(where + (index,), message)
            else:
                markers.append(StageMarker(stage, pattern, name, document.line_of(*where, index)))
    return (markers if not problems else []), problems


def _pattern_problem(pattern: str) -> str:
    """Why a marker pattern cannot be used, or ''."""
    try:
        compiled = re.compile(pattern)
    except re.error as err:
        return f"invalid regular expression {pattern!r}: {err}"
    if compiled.search("") is not None:
        return f"regular expression {pattern!r} matches an empty line: it would mark every line"
    if not pattern.isascii():
        return f"regular expression {pattern!r} must be ASCII (stage markers are searched in raw bytes)"
    return ""
