"""JSON formats: one document for the whole run, or one record per line streamed as jobs finish."""

from __future__ import annotations

import json

from philly_triage._internal.output.formats.base import Formatter, summarise
from philly_triage.models import FailureRecord

SCHEMA_VERSION = 1
# JSON allows U+2028 and U+2029 raw in strings, but str.splitlines() and JavaScript's older parsers
# take them for line ends: a JSONL record holding one raw would read as two broken lines.
LINE_SEPARATORS = {"\u2028": "\\u2028", "\u2029": "\\u2029"}


def to_json(value, indent=None) -> str:
    """``value`` as JSON text: non-ASCII characters as they are, except the two line separators."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    for raw, escaped in LINE_SEPARATORS.items():
        if raw in text:  # only ever inside a string: JSON's own syntax is ASCII
            text = text.replace(raw, escaped)
    return text


class JsonlFormatter(Formatter):
    """One JSON record per line, flushed as each job finishes so consumers see partial results.

    Every line is a record, interrupted run or not: the exit status and stderr say that a run was
    interrupted (a line of another shape would break readers that take each line for a record).
    """

    def add(self, record: FailureRecord) -> None:
        self.stream.write(to_json(record.to_dict()) + "\n")
        self.stream.flush()


class JsonFormatter(Formatter):
    """One JSON document: the schema version, every record, and counts by dimension and category.

    A run a signal stopped has ``interrupted``: the signal, and the jobs done of the jobs found.
    """

    def finish(self) -> None:
        document: dict = {"schema_version": SCHEMA_VERSION}
        if self.interruption is not None:
            stop = self.interruption
            document["interrupted"] = {"signal": stop.signal, "jobs_done": stop.done, "jobs_total": stop.total}
        document["records"] = [r.to_dict() for r in self.records]
        document["summary"] = summarise(self.records, self.hidden)
        self.stream.write(to_json(document, indent=2) + "\n")
