"""The human view: a rich table on a terminal, a plain aligned table when piped."""

from __future__ import annotations

import os

from philly_triage.formats.base import Formatter
from philly_triage.models import FailureRecord, Status

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
    if record.status is Status.CLASSIFIED:
        return record.category or ""
    return f"({record.status.value})"


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
        from rich.console import Console
        from rich.table import Table

        console = Console(file=self.stream, force_terminal=True, highlight=False)
        table = Table(show_lines=False, header_style="bold", expand=False)
        table.add_column("Job", overflow="fold", style="cyan")
        table.add_column("Category", no_wrap=True)
        table.add_column("Dimension", no_wrap=True, style="dim")
        table.add_column("Where", overflow="fold")
        table.add_column("Failure", overflow="ellipsis", max_width=80, no_wrap=True)
        for record in self.records:
            cells = list(row(record))
            cells[1] = f"[{STATUS_STYLE[record.status]}]{_escape(cells[1])}[/]"
            table.add_row(_escape(cells[0]), cells[1], _escape(cells[2]), _escape(cells[3]), _escape(cells[4]))
        console.print(table)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
