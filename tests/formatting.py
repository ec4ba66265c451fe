"""Helpers the format tests share: render records through a formatter, count flushes."""

from __future__ import annotations

import io
from typing import Iterable

from markdown_it import MarkdownIt

from philly_triage._internal.output.formats import OutputFormat, make_formatter
from philly_triage.models import FailureRecord


def render(
    kind: OutputFormat, records: Iterable[FailureRecord], color: bool = False, catalogue=None,
    hidden: Iterable[tuple[FailureRecord, str]] = (),
) -> str:
    """The whole output of one formatter over ``records``; ``hidden`` are (record, why) it is told of."""
    stream = io.StringIO()
    formatter = make_formatter(kind, stream, color=color, catalogue=catalogue)
    formatter.start()
    for record in records:
        formatter.add(record)
    for record, why in hidden:
        formatter.hide(record, why)
    formatter.finish()
    return stream.getvalue()


class FlushCounter(io.StringIO):
    """A stream that counts its flushes: streamed formats flush once per record."""

    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1


def tables(markdown):
    """Each table of the document as rows of cell texts (header row first), as a GFM reader sees them."""
    found, rows = [], None
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        if token.type == "table_open":
            rows = []
            found.append(rows)
        elif token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows is not None:
            rows[-1].append("".join(child.content for child in token.children))
        elif token.type == "table_close":
            rows = None
    return found


__all__ = ["FlushCounter", "render", "tables"]
