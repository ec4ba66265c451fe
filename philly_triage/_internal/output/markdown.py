"""Markdown building blocks shared by the markdown format and the statistics view: cells that
show log text as code spans on one line, and GitHub-flavoured tables."""

from __future__ import annotations

import re

MAX_CELL = 300  # characters of a cell, past which it is cut short
LINE_BREAKS = re.compile(r"[\r\n]+")
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # never meant as text; shown as U+FFFD
BACKTICKS = re.compile(r"`+")


def plural(count: int, noun: str) -> str:
    """'1 failure', '3 failures'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def one_line(text: str) -> str:
    """The text on one line, control characters shown as U+FFFD, cut short at MAX_CELL characters."""
    text = CONTROLS.sub("\ufffd", LINE_BREAKS.sub(" ", text))
    return text if len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "…"


def code(text: str) -> str:
    """A table cell showing the text, on one line, as a code span; '' for no text.

    The fence is one backtick longer than any run of backticks in the text, and padded with a
    space when the text starts or ends with a backtick or a space, as CommonMark prescribes.
    """
    text = one_line(text)
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    # GFM splits a row at pipes before it reads code spans, and unescapes \| inside them too.
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


def table(headers: tuple[str, ...], rows: list[tuple[str, ...]], numeric: int = 0) -> str:
    """A GFM table; its last ``numeric`` columns are right-aligned. Cells must be escaped already."""
    rule = ["---"] * (len(headers) - numeric) + ["---:"] * numeric
    return "\n".join("| " + " | ".join(cells) + " |" for cells in [headers, tuple(rule)] + rows)
