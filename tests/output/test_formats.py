"""Output formats: JSON document, streamed JSONL, CSV, and the plain and rich tables."""

from __future__ import annotations

import csv
import io
import json

from philly_triage._internal.output.formats import OutputFormat, make_formatter
from philly_triage._internal.output.formats.base import RECORD_FIELDS, summary_line
from philly_triage.models import FailureRecord, Status
from tests.formatting import FlushCounter
from tests.formatting import render as render_records

RECORDS = [
    FailureRecord(
        job="logs/job1", status=Status.CLASSIFIED, category="gpu_out_of_memory", dimension="deep_learning",
        rule="gpu_out_of_memory", file="logs/job1/2/stderr.txt", line=42,
        message="torch.OutOfMemoryError: CUDA out of memory.", exception="torch.OutOfMemoryError",
        hint="Lower the batch size.", evidence="CUDA out of memory",
    ),
    FailureRecord(job="logs/ok.log", status=Status.NO_FAILURE),
    FailureRecord(job="logs/gone", status=Status.ERROR, reason="no such file or directory"),
]


def render(kind, color=False):
    return render_records(kind, RECORDS, color=color)


def test_jsonl_has_every_field_of_the_contract():
    lines = render(OutputFormat.JSONL).splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["status"] for r in records] == ["classified", "no_failure", "error"]
    assert all(set(r) == set(RECORD_FIELDS) for r in records)
    assert records[0]["line"] == 42 and records[0]["file"] == "logs/job1/2/stderr.txt"
    assert records[2]["reason"] == "no such file or directory"


def test_jsonl_streams_each_record_as_it_comes():
    stream = FlushCounter()
    formatter = make_formatter(OutputFormat.JSONL, stream)
    formatter.add(RECORDS[0])
    assert json.loads(stream.getvalue())["job"] == "logs/job1" and stream.flushes == 1


def test_json_document():
    document = json.loads(render(OutputFormat.JSON))
    assert document["schema_version"] == 1
    assert len(document["records"]) == 3
    assert document["summary"]["by_category"] == {"gpu_out_of_memory": 1}
    assert document["summary"]["by_status"] == {"classified": 1, "no_failure": 1, "error": 1}


def test_csv_round_trips():
    rows = list(csv.DictReader(io.StringIO(render(OutputFormat.CSV))))
    assert rows[0]["category"] == "gpu_out_of_memory" and rows[0]["line"] == "42"
    assert rows[1]["status"] == "no_failure" and rows[1]["category"] == ""


def test_plain_table_golden():
    expected = (
        "JOB          CATEGORY           DIMENSION      WHERE            FAILURE\n"
        "logs/job1    gpu_out_of_memory  deep_learning  2/stderr.txt:42  torch.OutOfMemoryError: CUDA out of memory.\n"
        "logs/ok.log  (no_failure)\n"
        "logs/gone    (error)                                            no such file or directory\n"
    )
    assert render(OutputFormat.TABLE) == expected


def test_rich_table_has_colour_and_every_job():
    text = render(OutputFormat.TABLE, color=True)
    assert "\x1b[" in text
    for record in RECORDS:
        assert record.job in text


def test_summary_line():
    assert summary_line(RECORDS) == "3 jobs: 1 classified, 1 no failure, 1 error"
