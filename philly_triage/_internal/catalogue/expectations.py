"""Load an expectations file: the known answer (category, and where the failure is) for each job.

The file is a YAML mapping from job key to either a category string or a mapping with
``category`` and optionally ``file``, ``line``, ``source`` and ``note``. A mistake in it is the
user's: it becomes an ``ExpectationsError`` whose problems name the file and line.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from philly_triage._internal.catalogue.load import Catalogue, Problem
from philly_triage.models import Status
from philly_triage._internal.catalogue.schema import violated, violations
from philly_triage._internal.catalogue.yaml_source import YamlFileError, load_yaml_file

STATUS_LABELS = (Status.NO_FAILURE.value, Status.UNCLASSIFIED.value, Status.ERROR.value)


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
    """Read and validate one expectations file; raise ExpectationsError listing every problem.

    The schema (schemas/expectations.schema.json) judges each entry's shape; what is left here is
    what it cannot know: that each category is a rule of ``catalogue`` or a status word. A category
    of a rule that ``--study-only`` left out (``catalogue.left_out``) is expected as ``unclassified``:
    what the study's catalogue says of that failure.
    """
    name = str(path)
    try:
        document = load_yaml_file(name)
    except YamlFileError as err:
        raise ExpectationsError([Problem(name, err.line, None, err.message)]) from None
    found = violations(document, "expectations", split=_job_named)
    problems = [Problem(name, v.line, None, v.message) for v in found]
    left_out = {rule.id for rule in catalogue.left_out}
    labels = tuple(rule.id for rule in catalogue.rules) + STATUS_LABELS + tuple(sorted(left_out))
    jobs = {}
    for key, value in (document.data.items() if isinstance(document.data, dict) else ()):
        where = (key, "category") if isinstance(value, dict) else (key,)
        if not isinstance(key, str) or violated(where, found):
            continue
        entry = value if isinstance(value, dict) else {"category": value}
        if entry["category"] not in labels:
            close = difflib.get_close_matches(entry["category"], list(labels), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(Problem(name, document.line_of(*where), None,
                                    f"job '{key}': unknown category '{entry['category']}'{hint}"))
            continue
        category = "unclassified" if entry["category"] in left_out else entry["category"]
        jobs[key] = Expected(category, entry.get("file"), entry.get("line"), document.line_of(key))
    if problems:
        raise ExpectationsError(sorted(problems, key=lambda p: p.line or 0))
    return Expectations(name, jobs)


def _job_named(path: tuple) -> tuple[str, tuple]:
    """A place in an entry is named after its job: ``job 'x': 'line' must be ...``."""
    return (f"job '{path[0]}': ", path[1:]) if path else ("", path)
