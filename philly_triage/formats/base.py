"""The formatter lifecycle: start, one call per record as each job finishes, finish."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from philly_triage.models import FailureRecord, Status

RECORD_FIELDS = (
    "job", "status", "category", "dimension", "rule", "file", "line",
    "message", "exception", "hint", "evidence", "reason", "notes",
)


class Formatter:
    """Base class: subclasses override ``add`` (streaming) or ``finish`` (whole documents)."""

    def __init__(self, stream: TextIO, color: bool = False):
        self.stream = stream
        self.color = color
        self.records: list[FailureRecord] = []

    def start(self) -> None:
        """Called once before the first record."""

    def add(self, record: FailureRecord) -> None:
        self.records.append(record)

    def finish(self) -> None:
        """Called once after the last record."""


def summarise(records: list[FailureRecord]) -> dict:
    """Counts by status, dimension and category: the summary every whole-document format shares."""
    classified = [r for r in records if r.status is Status.CLASSIFIED]
    return {
        "jobs": len(records),
        "by_status": dict(Counter(r.status.value for r in records)),
        "by_dimension": dict(Counter(r.dimension for r in classified)),
        "by_category": dict(Counter(r.category for r in classified)),
    }


def summary_line(records: list[FailureRecord]) -> str:
    """A one-line human summary, e.g. '12 jobs: 9 classified, 2 unclassified, 1 no failure'."""
    counts = Counter(r.status for r in records)
    parts = [f"{counts[s]} {s.value.replace('_', ' ')}" for s in Status if counts[s]]
    noun = "job" if len(records) == 1 else "jobs"
    return f"{len(records)} {noun}: " + (", ".join(parts) if parts else "nothing to report")
