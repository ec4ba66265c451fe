"""JUnit XML: one testcase per job, failures with their category and place, what XML cannot hold replaced."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from philly_triage._internal.output.formats import OutputFormat
from tests.formatting import render as render_records
from tests.output.formats.samples import CI_RECORDS as RECORDS
from tests.output.formats.samples import OOM, classify, write_logs


def render(kind, records=RECORDS, hidden=()):
    return render_records(kind, records, hidden=[(OOM, why) for why in hidden])


def junit(records=RECORDS, hidden=()):
    text = render(OutputFormat.JUNIT, records, hidden)
    return text, ET.fromstring(text.encode("utf-8"))


def cases(root):
    return {case.get("name"): case for case in root.iter("testcase")}


@pytest.fixture()
def logs(tmp_path):
    return write_logs(tmp_path)


def test_junit_counts_and_one_testcase_per_job():
    text, root = junit()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    expected = {"tests": "5", "failures": "2", "errors": "1", "skipped": "1"}
    suites = root.findall("testsuite")
    assert root.tag == "testsuites" and len(suites) == 1
    for element in (root, suites[0]):
        assert {k: element.get(k) for k in expected} == expected and element.get("name") == "triage"
    assert [c.get("name") for c in suites[0].findall("testcase")] == [r.job for r in RECORDS]
    assert {name: c.get("classname") for name, c in cases(root).items()} == {
        "logs/job1": "triage.deep_learning", "logs/weird": "triage.unclassified", "logs/ok.log": "triage.no_failure",
        "logs/gone": "triage.error", "logs/ign": "triage.general_code",
    }


def test_junit_classified_failure():
    case = cases(junit()[1])["logs/job1"]
    assert case.get("file") == "logs/job1/2/stderr.txt"
    failure = case.find("failure")
    assert failure.get("type") == "gpu_out_of_memory"
    assert failure.get("message") == "gpu_out_of_memory (deep_learning): torch.OutOfMemoryError: CUDA out of memory."
    assert failure.text.splitlines() == [
        "gpu_out_of_memory (deep_learning): torch.OutOfMemoryError: CUDA out of memory.",
        "where: 2/stderr.txt:42",
        "exception: torch.OutOfMemoryError",
        "evidence: CUDA out of memory",
        "hint: Lower the batch size.",
    ]
    assert case.find("system-out").text == "rank 3 failed first"


def test_junit_error_skipped_and_passing_cases():
    by_job = cases(junit()[1])
    error = by_job["logs/gone"]
    assert [child.tag for child in error] == ["error"]
    assert error[0].get("type") == "error" and error[0].get("message") == "no such file or directory"
    ignored = by_job["logs/ign"]
    assert [child.tag for child in ignored] == ["skipped"]
    assert ignored[0].get("message") == "ignored: key_not_found"
    assert ignored[0].text.startswith("key_not_found (general_code): KeyError: 'lr'")
    passed = by_job["logs/ok.log"]
    assert len(passed) == 0 and passed.get("file") is None


def test_junit_keeps_markup_and_replaces_what_xml_cannot_hold():
    failure = cases(junit()[1])["logs/weird"].find("failure")
    clean = 'bad <&>" \ufffd \ufffd[31m \ufffd \ufffd caf\u00e9 \u65e5\u672c'
    assert failure.get("type") == "unclassified"
    assert failure.get("message") == f"unclassified failure: {clean}"
    assert failure.text.splitlines() == [f"unclassified failure: {clean}", "where: weird:3"]


def test_junit_of_no_jobs_still_parses_and_says_what_was_hidden():
    _, root = junit([], hidden=["baseline", "baseline", "ignored"])
    assert root.get("tests") == "0" and root.get("failures") == "0"
    properties = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert properties == {"triage.hidden.baseline": "2", "triage.hidden.ignored": "1"}
    assert not list(root.iter("testcase"))


def test_cli_junit(logs):
    root = ET.fromstring(classify(logs, "junit").encode("utf-8"))
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    by_job = {case.get("name").rsplit("/", 1)[-1]: case for case in root.iter("testcase")}
    assert len(by_job["ok.log"]) == 0
    failure = by_job["train.log"].find("failure")
    assert failure.get("type") == "key_not_found" and failure.get("message").endswith(": KeyError: 'lr'")
    assert "where: train.log:7" in failure.text
