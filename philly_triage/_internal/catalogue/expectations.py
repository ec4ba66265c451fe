"""Load an expectations file: the known answer (category, and where the failure is) for each job.

The file is a YAML mapping from job key to either a category string or a mapping with
``category`` and optionally ``file``, ``line``, ``source`` and ``note``. A mistake in it is the
user's: it becomes an ``ExpectationsError`` whose problems name the file and line.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from philly_triage._internal.catalogue.load import Catalogue, Problem
from philly_triage.models import Status
from philly_triage._internal.catalogue.yaml_source import YamlDocument, YamlFileError, load_yaml_file

ENTRY_KEYS = {
    "category": "a category id of the catalogue, or no_failure, unclassified or error",
    "file": "the log file of the failure, relative to the same root as the job key",
    "line": "the 1-based line of the failure in that file",
    "source": "free text: where the log came from",
    "note": "free text",
}
STATUS_LABELS = (Status.NO_FAILURE.value, Status.UNCLASSIFIED.value, Status.ERROR.value)
PLACELESS_LABELS = (Status.NO_FAILURE.value, Status.ERROR.value)  # records with these have no file:line


@dataclass(frozen=True)
class Expected:
    """The known answer for one job."""

    category: str
    file: Optional[str] = None
    line: Optional[int] = None
    source_line: Optional[int] = None  # where the entry is in the expectations file


@dataclass(frozen=True)
class Expectations:
    """All known answers of one expectations file, by job key."""

    file: str
    jobs: dict[str, Expected]


class ExpectationsError(Exception):
    """The expectations file cannot be used; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_expectations(path: Path, catalogue: Catalogue) -> Expectations:
    """Read and validate one expectations file; raise ExpectationsError listing every problem."""
    name = str(path)
    try:
        document = load_yaml_file(name)
    except YamlFileError as err:
        raise ExpectationsError([Problem(name, err.line, None, err.message)]) from None
    labels = tuple(rule.id for rule in catalogue.rules) + STATUS_LABELS
    return _Reader(name, document, labels).read()


class _Reader:
    """Turns one parsed document into Expectations, collecting every problem on the way."""

    def __init__(self, file: str, document: YamlDocument, labels: tuple[str, ...]):
        self.file = file
        self.doc = document
        self.labels = labels
        self.problems: list[Problem] = []

    def problem(self, path: tuple, message: str) -> None:
        self.problems.append(Problem(self.file, self.doc.line_of(*path), None, message))

    def read(self) -> Expectations:
        data = self.doc.data
        if not isinstance(data, dict):
            self.problem((), "an expectations file must be a mapping of job -> category (or -> {category, file, line})")
            raise ExpectationsError(self.problems)
        jobs = {}
        for key, value in data.items():
            expected = self._entry(key, value)
            if expected is not None:
                jobs[key] = expected
        if self.problems:
            raise ExpectationsError(self.problems)
        return Expectations(self.file, jobs)

    def _entry(self, key: Any, value: Any) -> Optional[Expected]:
        if not isinstance(key, str):
            # YAML reads e.g. 20181005 as a number, which would never equal a job's name. Lines
            # are recorded under the key's text, which str() gives back for plain integers.
            self.problem((str(key),), f"job {key!r} is not a string: quote it")
            return None
        source_line = self.doc.line_of(key)
        if isinstance(value, str):
            return Expected(value, source_line=source_line) if self._category_ok(value, (key,)) else None
        if not isinstance(value, dict):
            self.problem((key,), f"job '{key}': expected a category or a mapping with 'category', 'file', 'line'")
            return None
        found = len(self.problems)
        self._check_keys(key, value)
        category, file, line = value.get("category"), value.get("file"), value.get("line")
        if "category" not in value:
            self.problem((key,), f"job '{key}': missing required key 'category' ({ENTRY_KEYS['category']})")
        elif not isinstance(category, str):
            self.problem((key, "category"), f"job '{key}': 'category' must be a string")
        else:
            self._category_ok(category, (key, "category"))
        if file is not None and not (isinstance(file, str) and file):
            self.problem((key, "file"), f"job '{key}': 'file' must be a non-empty string")
        if line is not None:
            self._check_line(key, value)
        if len(self.problems) > found:
            return None
        return Expected(category, file, line, source_line)

    def _check_keys(self, key: str, value: dict) -> None:
        for name in value:
            if name in ENTRY_KEYS:
                continue
            close = difflib.get_close_matches(str(name), list(ENTRY_KEYS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (known keys: {', '.join(ENTRY_KEYS)})"
            self.problem((key, name), f"job '{key}': unknown key '{name}'{hint}")

    def _category_ok(self, category: str, path: tuple) -> bool:
        if category in self.labels:
            return True
        close = difflib.get_close_matches(category, list(self.labels), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        self.problem(path, f"job '{path[0]}': unknown category '{category}'{hint}")
        return False

    def _check_line(self, key: str, value: dict) -> None:
        line = value["line"]
        if not isinstance(line, int) or isinstance(line, bool) or line < 1:
            self.problem((key, "line"), f"job '{key}': 'line' must be a positive integer, not {line!r}")
        elif value.get("file") is None:
            self.problem((key, "line"), f"job '{key}': 'line' needs 'file', the log file it counts in")
        elif value.get("category") in PLACELESS_LABELS:
            self.problem((key, "line"), f"job '{key}': a {value['category']} job has no failure line")
