"""The human view: a rich table on a terminal, a plain aligned table when piped."""

from __future__ import annotations

import os

from philly_triage._internal.output.formats.base import Formatter
from philly_triage.models import FailureRecord, Status

WIDE_TERMINAL = 120  # below this many columns the table leaves out the dimension
HEADERS = ("JOB", "CATEGORY", "DIMENSION", "WHERE", "FAILURE")
STATUS_STYLE = {
    Status.CLASSIFIED: "bold red",
    Status.UNCLASSIFIED: "yellow",
    Status.NO_FAILURE: "green",
    Status.ERROR: "magenta",
}


def where(record: FailureRecord) -> str:
    """file:line, with the file shown relative to its job where it lies inside it."""
    if record.file is None:
        return ""
    file = record.file
    prefix = record.job.rstrip("/") + "/"
    if file.startswith(prefix):
        file = file[len(prefix):]
    elif file == record.job:
        file = os.path.basename(file)
    return f"{file}:{record.line}"


def category_cell(record: FailureRecord) -> str:
    cell = (record.category or "") if record.status is Status.CLASSIFIED else f"({record.status.value})"
    return f"{cell} (ignored)" if record.ignored else cell


def failure_cell(record: FailureRecord) -> str:
    if record.status is Status.ERROR:
        return record.reason or ""
    return record.message or ""


def row(record: FailureRecord) -> tuple[str, ...]:
    return (record.job, category_cell(record), record.dimension or "", where(record), failure_cell(record))


class TableFormatter(Formatter):
    """Buffers the records and prints them as one table at the end."""

    def finish(self) -> None:
        if self.color:
            self._rich_table()
        else:
            self._plain_table()

    def _plain_table(self) -> None:
        rows = [HEADERS] + [row(r) for r in self.records]
        widths = [max(len(r[i]) for r in rows) for i in range(len(HEADERS) - 1)]
        for cells in rows:
            padded = [cell.ljust(width) for cell, width in zip(cells, widths)]
            self.stream.write("  ".join(padded + [cells[-1]]).rstrip() + "\n")

    def _rich_table(self) -> None:
        from rich.console import Console  # here, not at the top: JSON, JSONL and CSV runs never load rich
        from rich.markup import escape
        from rich.table import Table

        console = Console(file=self.stream, force_terminal=True, highlight=False)
        wide = console.width >= WIDE_TERMINAL
        table = Table(show_lines=False, header_style="bold", expand=True)
        table.add_column("Job", style="cyan", no_wrap=True, overflow="ellipsis", max_width=48)
        table.add_column("Category", no_wrap=True)
        if wide:
            table.add_column("Dimension", no_wrap=True, style="dim")
        table.add_column("Where", no_wrap=True, overflow="ellipsis", max_width=32)
        table.add_column("Failure", no_wrap=True, overflow="ellipsis", ratio=1, min_width=16)
        for record in self.records:
            job, category, dimension, place, message = (escape(cell) for cell in row(record))
            category = f"[{STATUS_STYLE[record.status]}]{category}[/]"
            cells = [job, category, dimension, place, message] if wide else [job, category, place, message]
            table.add_row(*cells)
        console.print(table)
