"""The output contract: every record, and every JSON and JSONL document `triage classify` writes,
validates against the published schemas (record.schema.json, classify-output.schema.json)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from philly_triage._internal.catalogue.schema import validator
from philly_triage._internal.cli.main import cli
from philly_triage._internal.output.formats import OutputFormat, make_formatter
from philly_triage._internal.output.formats.base import Interruption
from philly_triage.models import Status

ROOT = Path(__file__).resolve().parents[2]
# Between them: every status, stages and retry advice, GPU hours and retries from metadata files.
CORPORA = [ROOT / "sample_logs", ROOT / "tests" / "data" / "stage_logs", ROOT / "tests" / "data" / "heldout"]


@pytest.fixture(scope="module")
def records(classifier):
    found = [record for corpus in CORPORA for record in classifier.classify_many([corpus])]
    found.append(classifier.classify(ROOT / "no" / "such" / "job.log"))  # an error record
    return found


def errors(name: str, instance) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(instance)]


def test_the_records_cover_every_status_and_the_optional_facts(records):
    assert {r.status for r in records} == set(Status)
    assert any(r.gpu_hours for r in records) and any(r.retries is not None for r in records)
    assert any(r.notes for r in records) and any(r.exit_code is not None for r in records)


@pytest.mark.parametrize("kind", [OutputFormat.JSONL, OutputFormat.JSON])
def test_each_format_that_writes_records_validates(records, kind):
    stream = io.StringIO()
    formatter = make_formatter(kind, stream)
    formatter.start()
    for record in records:
        formatter.add(record)
    formatter.hide(records[0], "baseline")
    formatter.finish()
    if kind is OutputFormat.JSONL:
        lines = stream.getvalue().splitlines()
        assert len(lines) == len(records)
        for line in lines:
            assert errors("record", json.loads(line)) == [], line
    else:
        document = json.loads(stream.getvalue())
        assert errors("classify-output", document) == []
        assert len(document["records"]) == len(records) and document["summary"]["hidden"] == {"baseline": 1}


def test_an_interrupted_json_document_validates(records):
    stream = io.StringIO()
    formatter = make_formatter(OutputFormat.JSON, stream)
    formatter.add(records[0])
    formatter.interrupt(Interruption("SIGTERM", 1, 40))
    formatter.finish()
    document = json.loads(stream.getvalue())
    assert document["interrupted"] == {"signal": "SIGTERM", "jobs_done": 1, "jobs_total": 40}
    assert errors("classify-output", document) == []


def test_the_command_line_output_validates_too(tmp_path):
    sample = str(ROOT / "sample_logs")
    result = CliRunner().invoke(cli, ["classify", "-f", "json", "--ignore", "deep_learning", "--hide-ignored", sample])
    document = json.loads(result.stdout)
    assert errors("classify-output", document) == [] and document["summary"]["hidden"]["ignored"] > 0
    result = CliRunner().invoke(cli, ["classify", "-f", "jsonl", "--ignore", "data", sample])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 46 and any(record["ignored"] for record in lines)
    assert all(errors("record", record) == [] for record in lines)


def test_the_record_schema_refuses_what_the_contract_does_not_allow(records):
    good = next(r.to_dict() for r in records if r.status is Status.CLASSIFIED)
    assert errors("record", good) == []
    broken = {
        "an unknown status": {**good, "status": "failed"},
        "a missing key": {key: value for key, value in good.items() if key != "exit_source"},
        "an extra key": {**good, "severity": "high"},
        "line 0": {**good, "line": 0},
        "a short fingerprint": {**good, "fingerprint": "abc"},
        "a stage of its own": {**good, "stage": "warmup"},
        "classified without a category": {**good, "category": None},
        "no_failure with a rule": {**good, "status": "no_failure"},
    }
    empty = {"jobs": 1, "by_status": {}, "by_dimension": {}, "by_category": {}, "ignored": 0, "hidden": {}}
    for what, record in broken.items():
        assert errors("record", record), what
        assert errors("classify-output", {"schema_version": 1, "records": [record], "summary": empty}), what
    assert errors("classify-output", {"schema_version": 1, "records": [good], "summary": empty}) == []
