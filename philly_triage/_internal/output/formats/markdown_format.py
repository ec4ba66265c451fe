"""Markdown: a run's summary for a GitHub job summary page or a GitLab merge request comment.

A heading with the counts by status, what the run left out, the counts by dimension and by
category, then the failed jobs and the jobs triage could not classify. A table stops after
MAX_ROWS rows, since a step summary may hold 1 MiB, and says how many more ``--format json`` has.
A run that a signal stopped says so under the heading.
Every cell from a log is a code span, so that no log text reads as Markdown, HTML or an @mention.
"""

from __future__ import annotations

from typing import Optional

from philly_triage._internal.output.markdown import code, plural, table
from philly_triage._internal.output.formats.base import Formatter, Interruption, summarise, summary_line
from philly_triage._internal.output.formats.table import category_cell, where
from philly_triage.models import FailureRecord, Status

MAX_ROWS = 200  # rows of the failures and of the errors table
LEFT_OUT = {"baseline": "already in the baseline", "ignored": "that --ignore names"}
FAILURE_HEADERS = ("Job", "Category", "Dimension", "Where", "Failure")
ERROR_HEADERS = ("Job", "Reason")


def ranked(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Count descending, then id."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def share(count: int, total: int) -> str:
    return f"{100 * count / total:.1f}%"


def heading(records: list[FailureRecord]) -> str:
    return f"## triage: {summary_line(records)}" if records else "## triage: no jobs to show"


def interrupted(interruption: Optional[Interruption]) -> str:
    """A quoted warning that a signal stopped the run, so the counts cover only the jobs done; '' if none."""
    if interruption is None:
        return ""
    return f"> **Interrupted.** {interruption.describe()}."


def left_out(summary: dict) -> str:
    """Sentences on the failures the output leaves out or that do not count; '' when none."""
    sentences = [
        f"{plural(count, 'failure')} {LEFT_OUT.get(why, why)} {'is' if count == 1 else 'are'} not shown."
        for why, count in sorted(summary["hidden"].items())
    ]
    if summary["ignored"]:
        count = summary["ignored"]
        sentences.append(f"{plural(count, 'failure')} marked ignored (--ignore) {'does' if count == 1 else 'do'} "
                         "not count against the run.")
    return " ".join(sentences)


def counts_tables(records: list[FailureRecord], summary: dict) -> list[str]:
    """Classified jobs by dimension and by category, with each one's share of them."""
    total = sum(summary["by_dimension"].values())
    dimension_of = {r.category: r.dimension or "" for r in records if r.status is Status.CLASSIFIED}
    dimensions = [(code(d), str(n), share(n, total)) for d, n in ranked(summary["by_dimension"])]
    categories = [(code(c), code(dimension_of[c]), str(n), share(n, total)) for c, n in ranked(summary["by_category"])]
    return [
        "### By dimension\n\n" + table(("Dimension", "Jobs", "Share"), dimensions, numeric=2),
        "### By category\n\n" + table(("Category", "Dimension", "Jobs", "Share"), categories, numeric=2),
    ]


def failure_row(record: FailureRecord) -> tuple[str, ...]:
    return (code(record.job), code(category_cell(record)), code(record.dimension or ""), code(where(record)),
            code(record.message or ""))


def capped(title: str, headers: tuple[str, ...], rows: list[tuple[str, ...]], noun: str) -> str:
    """A titled table of at most MAX_ROWS rows, then how many more there are."""
    block = f"### {title}\n\n" + table(headers, rows[:MAX_ROWS])
    more = len(rows) - MAX_ROWS
    if more > 0:
        block += f"\n\n…and {plural(more, 'more ' + noun)}: `--format json` lists them all."
    return block


class MarkdownFormatter(Formatter):
    """Buffers the records and writes the whole summary at the end."""

    def finish(self) -> None:
        self.stream.write("\n\n".join(self.blocks()) + "\n")

    def blocks(self) -> list[str]:
        """The summary's paragraphs, headings and tables, in order."""
        summary = summarise(self.records, self.hidden)
        blocks = [heading(self.records), interrupted(self.interruption), left_out(summary)]
        if summary["by_dimension"]:
            blocks.extend(counts_tables(self.records, summary))
        failures = [failure_row(r) for r in self.records if r.status.failed]
        if failures:
            blocks.append(capped("Failed jobs", FAILURE_HEADERS, failures, "failure"))
        errors = [(code(r.job), code(r.reason or "")) for r in self.records if r.status is Status.ERROR]
        if errors:
            blocks.append(capped("Jobs triage could not classify", ERROR_HEADERS, errors, "error"))
        return [block for block in blocks if block]
