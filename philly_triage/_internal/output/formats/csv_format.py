"""CSV: a header row, then one row per job, written as each job finishes."""

from __future__ import annotations

import csv

from philly_triage._internal.output.formats.base import RECORD_FIELDS, Formatter
from philly_triage.models import FailureRecord


class CsvFormatter(Formatter):
    def start(self) -> None:
        self.writer = csv.writer(self.stream, lineterminator="\n")
        self.writer.writerow(RECORD_FIELDS)

    def add(self, record: FailureRecord) -> None:
        data = record.to_dict()
        data["notes"] = "; ".join(data["notes"])
        data["ignored"] = "true" if record.ignored else "false"  # as JSON says it, not Python's True
        self.writer.writerow(["" if data[f] is None else data[f] for f in RECORD_FIELDS])
        self.stream.flush()
