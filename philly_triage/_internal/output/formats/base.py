"""The formatter lifecycle: start, one call per record as each job finishes, finish."""

from __future__ import annotations

import signal as signals
from collections import Counter
from typing import TYPE_CHECKING, NamedTuple, Optional, TextIO, Union

from philly_triage._internal.output.markdown import plural
from philly_triage.models import FailureRecord, Status

if TYPE_CHECKING:
    from philly_triage._internal.catalogue.load import Catalogue

RECORD_FIELDS = (
    "job", "status", "category", "dimension", "rule", "file", "line",
    "message", "exception", "hint", "evidence", "reason", "notes", "fingerprint", "ignored",
    "stage", "retry", "gpu_hours", "retries", "exit_code", "exit_source",
)


class Interruption(NamedTuple):
    """A signal stopped the run before every job was done: which one, and how far the run got."""

    signal: str  # SIGINT (Ctrl-C), SIGTERM, SIGHUP
    done: int  # jobs whose records were taken, shown or hidden
    total: Optional[int]  # jobs found; None when the signal came before the paths were all searched

    @property
    def number(self) -> Optional[int]:
        return getattr(signals, self.signal, None)

    def describe(self) -> str:
        """One sentence on what happened and what the output therefore lacks."""
        if self.total is None and not self.done:
            return f"triage was interrupted by {self.signal} before it had found the jobs: no job was classified"
        if self.total is None:  # jobs classified as they were found (a run without a progress bar)
            return (f"triage was interrupted by {self.signal} after {plural(self.done, 'job')}, "
                    f"while it was still finding jobs: the output holds only the jobs done by then")
        return (f"triage was interrupted by {self.signal} after {self.done} of {self.total} jobs: "
                f"the output holds only the jobs done by then")


class Formatter:
    """Base class: subclasses override ``add`` (streaming) or ``finish`` (whole documents).

    When a signal stops the run, ``interrupt`` comes before ``finish``, which then closes the output
    and says in it that the run was interrupted (``interruption``), in the format's own way.

    ``catalogue`` is the run's rule catalogue, for formats that describe the categories (SARIF).
    ``hidden`` counts the records the run left out of the output, by why (``baseline`` for
    failures already in the baseline, ``ignored`` for --ignore with --hide-ignored), so that a
    summary can say so.
    """

    def __init__(self, stream: TextIO, color: bool = False, catalogue: Optional[Catalogue] = None):
        self.stream = stream
        self.color = color
        self.catalogue = catalogue
        self.records: list[FailureRecord] = []
        self.hidden: Counter = Counter()
        self.interruption: Optional[Interruption] = None

    def start(self) -> None:
        """Called once before the first record."""

    def add(self, record: FailureRecord) -> None:
        self.records.append(record)

    def hide(self, record: FailureRecord, why: str) -> None:
        """Count a record that the run leaves out of the output."""
        self.hidden[why] += 1

    def interrupt(self, interruption: Interruption) -> None:
        """Called once, before ``finish``, when a signal stopped the run: no record comes after it."""
        self.interruption = interruption

    def finish(self) -> None:
        """Called once after the last record."""


def summarise(records: list[FailureRecord], hidden: Optional[Counter] = None) -> dict:
    """Counts by status, dimension and category: the summary every whole-document format shares.

    ``hidden`` (by why) is the records left out of the output; ``jobs`` counts only those shown.
    """
    classified = [r for r in records if r.status is Status.CLASSIFIED]
    return {
        "jobs": len(records),
        "by_status": dict(Counter(r.status.value for r in records)),
        "by_dimension": dict(Counter(r.dimension for r in classified)),
        "by_category": dict(Counter(r.category for r in classified)),
        "ignored": sum(1 for r in records if r.ignored),
        "hidden": dict(hidden or {}),
    }


def summary_line(records: Union[list[FailureRecord], Counter]) -> str:
    """A one-line human summary, e.g. '12 jobs: 9 classified, 2 unclassified, 1 no failure', of
    the records or of their counts by status."""
    counts = records if isinstance(records, Counter) else Counter(r.status for r in records)
    total = sum(counts.values())
    parts = [f"{counts[s]} {s.value.replace('_', ' ')}" for s in Status if counts[s]]
    noun = "job" if total == 1 else "jobs"
    return f"{total} {noun}: " + (", ".join(parts) if parts else "nothing to report")
