"""CSV: a header row of the record's fields, then one row per job, flushed as each job finishes."""

from __future__ import annotations

import csv
import io

from philly_triage._internal.output.formats import OutputFormat, make_formatter
from philly_triage._internal.output.formats.base import RECORD_FIELDS
from philly_triage.models import FailureRecord, Status
from tests.formatting import FlushCounter, render
from tests.output.formats.samples import BASIC


def test_csv_round_trips():
    rows = list(csv.DictReader(io.StringIO(render(OutputFormat.CSV, BASIC))))
    assert rows[0]["category"] == "gpu_out_of_memory" and rows[0]["line"] == "42"
    assert rows[1]["status"] == "no_failure" and rows[1]["category"] == ""


def test_the_header_is_the_record_fields_and_cells_say_what_json_says():
    record = FailureRecord(job="a,b", status=Status.CLASSIFIED, category="c", dimension="d", line=7,
                           message='say "hi"\nthen stop', notes=("one", "two"), ignored=True)
    text = render(OutputFormat.CSV, [record])
    header, row = list(csv.reader(io.StringIO(text)))
    assert tuple(header) == RECORD_FIELDS
    cells = dict(zip(header, row))
    assert (cells["job"], cells["message"]) == ("a,b", 'say "hi"\nthen stop')  # quoted, read back whole
    assert (cells["notes"], cells["ignored"], cells["line"], cells["file"]) == ("one; two", "true", "7", "")
    assert text.startswith("job,status,category,dimension,rule,file,line,")


def test_a_header_alone_when_there_are_no_jobs_and_a_flush_per_row():
    assert render(OutputFormat.CSV, []) == ",".join(RECORD_FIELDS) + "\n"
    stream = FlushCounter()
    formatter = make_formatter(OutputFormat.CSV, stream)
    formatter.start()
    formatter.add(BASIC[1])
    formatter.add(BASIC[2])
    assert stream.flushes == 2 and len(stream.getvalue().splitlines()) == 3
