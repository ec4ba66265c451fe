"""JSON formats: the whole-run document and streamed JSONL, with the line separators escaped."""

from __future__ import annotations

import json

import pytest

from philly_triage._internal.output.formats import OutputFormat, make_formatter
from philly_triage._internal.output.formats.base import RECORD_FIELDS
from philly_triage._internal.output.formats.json_format import to_json
from philly_triage.models import FailureRecord, Status
from tests.formatting import FlushCounter, render
from tests.output.formats.samples import BASIC

SEPARATOR = "\u2028"  # U+2028 LINE SEPARATOR: a line end to str.splitlines()
SEPARATED = [
    FailureRecord(job="logs/a", status=Status.CLASSIFIED, category="key_not_found", dimension="general_code",
                  file="logs/a/stderr.txt", line=3, message=f"KeyError: 'a{SEPARATOR}b\u2029c'"),
    FailureRecord(job="logs/b", status=Status.NO_FAILURE),
]


def test_jsonl_has_every_field_of_the_contract():
    lines = render(OutputFormat.JSONL, BASIC).splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["status"] for r in records] == ["classified", "no_failure", "error"]
    assert all(set(r) == set(RECORD_FIELDS) for r in records)
    assert records[0]["line"] == 42 and records[0]["file"] == "logs/job1/2/stderr.txt"
    assert records[2]["reason"] == "no such file or directory"


def test_jsonl_streams_each_record_as_it_comes():
    stream = FlushCounter()
    formatter = make_formatter(OutputFormat.JSONL, stream)
    formatter.add(BASIC[0])
    assert json.loads(stream.getvalue())["job"] == "logs/job1" and stream.flushes == 1


def test_json_document():
    document = json.loads(render(OutputFormat.JSON, BASIC))
    assert document["schema_version"] == 1
    assert len(document["records"]) == 3
    assert document["summary"]["by_category"] == {"gpu_out_of_memory": 1}
    assert document["summary"]["by_status"] == {"classified": 1, "no_failure": 1, "error": 1}


def test_json_summary_counts_what_was_hidden_and_ignored():
    ignored = FailureRecord(job="logs/i", status=Status.CLASSIFIED, category="loss_nan", dimension="deep_learning",
                            ignored=True)
    document = json.loads(render(OutputFormat.JSON, [*BASIC, ignored],
                                 hidden=[(BASIC[0], "baseline"), (BASIC[0], "baseline"), (ignored, "ignored")]))
    assert document["summary"] == {
        "jobs": 4, "by_status": {"classified": 2, "no_failure": 1, "error": 1},
        "by_dimension": {"deep_learning": 2}, "by_category": {"gpu_out_of_memory": 1, "loss_nan": 1},
        "ignored": 1, "hidden": {"baseline": 2, "ignored": 1},
    }
    assert "interrupted" not in document


def test_to_json_keeps_non_ascii_text_but_escapes_the_line_separators():
    assert to_json({"m": "caf\u00e9 \u65e5\u672c"}) == '{"m": "caf\u00e9 \u65e5\u672c"}'
    assert to_json({"m": f"a{SEPARATOR}b\u2029c"}) == '{"m": "a\\u2028b\\u2029c"}'
    assert to_json(["x"], indent=2) == '[\n  "x"\n]'


@pytest.mark.parametrize("kind", [OutputFormat.JSON, OutputFormat.JSONL, OutputFormat.SARIF])
def test_json_output_escapes_the_line_separators(kind):
    text = render(kind, SEPARATED)
    assert SEPARATOR not in text and "\u2029" not in text
    assert "\\u2028" in text and "\\u2029" in text
    if kind is OutputFormat.JSONL:
        assert json.loads(text.splitlines()[0])["message"] == SEPARATED[0].message
    else:
        assert SEPARATED[0].message in json.dumps(json.loads(text), ensure_ascii=False)  # read back the same
