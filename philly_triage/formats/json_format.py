"""JSON formats: one document for the whole run, or one record per line streamed as jobs finish."""

from __future__ import annotations

import json

from philly_triage.formats.base import Formatter, summarise
from philly_triage.models import FailureRecord

SCHEMA_VERSION = 1


class JsonlFormatter(Formatter):
    """One JSON record per line, flushed as each job finishes so consumers see partial results."""

    def add(self, record: FailureRecord) -> None:
        self.stream.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
        self.stream.flush()


class JsonFormatter(Formatter):
    """One JSON document: the schema version, every record, and counts by dimension and category."""

    def finish(self) -> None:
        document = {
            "schema_version": SCHEMA_VERSION,
            "records": [r.to_dict() for r in self.records],
            "summary": summarise(self.records, self.hidden),
        }
        json.dump(document, self.stream, indent=2, ensure_ascii=False)
        self.stream.write("\n")
