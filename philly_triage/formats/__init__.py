"""Output formats. Each formatter sees records, never CLI options, and writes to one stream."""

from __future__ import annotations

import enum
from typing import TextIO

from philly_triage.formats.base import Formatter
from philly_triage.formats.csv_format import CsvFormatter
from philly_triage.formats.json_format import JsonFormatter, JsonlFormatter
from philly_triage.formats.table import TableFormatter


class OutputFormat(str, enum.Enum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


FORMATTERS: dict[OutputFormat, type[Formatter]] = {
    OutputFormat.TABLE: TableFormatter,
    OutputFormat.JSON: JsonFormatter,
    OutputFormat.JSONL: JsonlFormatter,
    OutputFormat.CSV: CsvFormatter,
}


def make_formatter(kind: OutputFormat, stream: TextIO, color: bool = False) -> Formatter:
    return FORMATTERS[kind](stream, color=color)
