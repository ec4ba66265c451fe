"""Output formats. Each formatter sees records, never CLI options, and writes to one stream.

A format's module is imported only when a run uses it: a JSONL run never loads XML or rich.
"""

from __future__ import annotations

import enum
import importlib
from typing import TYPE_CHECKING, Optional, TextIO

if TYPE_CHECKING:
    from philly_triage._internal.catalogue.load import Catalogue
    from philly_triage._internal.output.formats.base import Formatter


class OutputFormat(str, enum.Enum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    SARIF = "sarif"
    JUNIT = "junit"
    GITHUB = "github"
    MARKDOWN = "markdown"


FORMATTERS: dict[OutputFormat, str] = {
    OutputFormat.TABLE: "philly_triage._internal.output.formats.table:TableFormatter",
    OutputFormat.JSON: "philly_triage._internal.output.formats.json_format:JsonFormatter",
    OutputFormat.JSONL: "philly_triage._internal.output.formats.json_format:JsonlFormatter",
    OutputFormat.CSV: "philly_triage._internal.output.formats.csv_format:CsvFormatter",
    OutputFormat.SARIF: "philly_triage._internal.output.formats.sarif_format:SarifFormatter",
    OutputFormat.JUNIT: "philly_triage._internal.output.formats.junit_format:JunitFormatter",
    OutputFormat.GITHUB: "philly_triage._internal.output.formats.github_format:GithubFormatter",
    OutputFormat.MARKDOWN: "philly_triage._internal.output.formats.markdown_format:MarkdownFormatter",
}


def make_formatter(
    kind: OutputFormat, stream: TextIO, color: bool = False, catalogue: Optional[Catalogue] = None
) -> Formatter:
    module, name = FORMATTERS[kind].split(":")
    return getattr(importlib.import_module(module), name)(stream, color=color, catalogue=catalogue)
