"""Baselines (`classify --baseline`): the fingerprints an earlier output holds, in each format it can
have, and the failures a run then leaves out."""

from __future__ import annotations

import json

import pytest

from philly_triage._internal.analysis.baseline import SARIF_KEY, BaselineError, load_baseline
from philly_triage._internal.pipeline.fingerprint import fingerprint
from tests.analysis.test_policy import MISSING, OOM, jsonl, logs, night, run, traceback  # noqa: F401 - logs is a fixture


def test_baseline_reports_and_fails_only_on_new_kinds_of_failure(tmp_path, logs):
    first = run("classify", logs, "-f", "jsonl")
    (tmp_path / "yesterday.jsonl").write_text(first.stdout)
    # Tonight: the same two failures with other sizes, GPUs and paths, and one new kind.
    tonight = night(tmp_path, "tonight", {
        "oom-again": traceback(OOM.format(size="3.06 GiB", gpu=7)),
        "missing-again": traceback(MISSING.format(path="/mnt/blob/run-2/val.tar")),
        "new": traceback("ZeroDivisionError: float division by zero"),
    })
    result = run("classify", tonight, "-f", "jsonl", "--baseline", tmp_path / "yesterday.jsonl", "--fail-on", "any")
    assert [r["category"] for r in jsonl(result)] == ["division_by_zero"]
    assert result.exit_code == 1
    assert "not shown: 2 already in the baseline" in result.stderr
    result = run("classify", tonight, "-f", "jsonl", "--baseline", tmp_path / "yesterday.jsonl",
                 "--fail-on", "gpu_out_of_memory,path_not_found")
    assert result.exit_code == 0  # the failures it names are all known


@pytest.mark.parametrize("kind", ["json", "jsonl", "sarif"])
def test_each_output_with_records_is_a_baseline(tmp_path, logs, kind):
    path = tmp_path / f"base.{kind}"
    path.write_text(run("classify", logs, "-f", kind).stdout)
    # the two failures of the night, whatever the format: its fingerprint, by the record's category and message
    assert load_baseline(path) == {
        fingerprint("gpu_out_of_memory", OOM.format(size="20.00 MiB", gpu=0)),
        fingerprint("path_not_found", MISSING.format(path="/data/run-1/train.tar")),
    }
    assert run("classify", logs, "-f", "jsonl", "--baseline", path).stdout.count("\n") == 1  # the job with no failure


def test_a_baseline_without_fingerprints_is_fingerprinted_from_its_messages(tmp_path):
    old = {"job": "j", "status": "classified", "category": "key_not_found", "message": "KeyError: 'lr'"}
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(old) + "\n")
    assert load_baseline(path) == {fingerprint("key_not_found", "KeyError: 'lr'")}


@pytest.mark.parametrize(
    "content,problem",
    [
        ('{"a": 1}', "not an output of triage classify"),
        ('{"status": "classified"}\n{oops\n', ":2: not JSON or JSONL"),
        ("[1]\n[2]\n", ":1: a JSONL line must hold one record"),
    ],
)
def test_a_broken_baseline_names_its_file_and_line(tmp_path, logs, content, problem):
    path = tmp_path / "base.json"
    path.write_text(content)
    with pytest.raises(BaselineError, match=problem):
        load_baseline(path)
    result = run("classify", logs, "--baseline", path)
    assert result.exit_code == 2 and problem in result.stderr and "Traceback" not in result.output


def test_a_missing_baseline_is_exit_2(tmp_path, logs):
    result = run("classify", logs, "--baseline", tmp_path / "nope.json")
    assert result.exit_code == 2
    assert "nope.json: cannot read the baseline: No such file or directory" in result.stderr


def test_an_empty_baseline_knows_nothing(tmp_path, logs):
    (tmp_path / "empty.jsonl").write_text("")
    assert load_baseline(tmp_path / "empty.jsonl") == frozenset()
    assert run("classify", logs, "--baseline", tmp_path / "empty.jsonl", "--fail-on", "any").exit_code == 1


def test_baselines_add_up_and_an_output_may_replace_one(tmp_path, logs):
    oom_only = tmp_path / "oom.jsonl"
    oom_only.write_text("".join(line + "\n" for line in run("classify", logs, "-f", "jsonl").stdout.splitlines()
                                if "gpu_out_of_memory" in line))
    missing_only = tmp_path / "missing.json"
    run("classify", logs, "-o", missing_only, "--ignore", "gpu_out_of_memory", "--hide-ignored", "-q")
    result = run("classify", logs, "--baseline", oom_only, "--baseline", missing_only, "--fail-on", "any",
                 "-o", missing_only, "-q")
    assert result.exit_code == 0  # each failure is in one of the two baselines
    # The baseline was read before the output replaced it; the new file holds only what was shown.
    summary = json.loads(missing_only.read_text())["summary"]
    assert (summary["jobs"], summary["hidden"]) == (1, {"baseline": 2})  # the job with no failure shown


def test_a_sarif_baseline_gives_its_results_fingerprints(tmp_path):
    """Written by hand: only the triage key of ``partialFingerprints`` counts, in every run."""
    document = {"version": "2.1.0", "runs": [
        {"results": [{"partialFingerprints": {SARIF_KEY: "aaaa", "other/v1": "zzzz"}}, {"ruleId": "no prints"}]},
        {"results": [{"partialFingerprints": {SARIF_KEY: "bbbb"}}]},
        {"tool": {"driver": {"name": "a run without results"}}},
    ]}
    path = tmp_path / "old.sarif"
    path.write_text(json.dumps(document))
    assert SARIF_KEY == "triageFingerprint/v1"
    assert load_baseline(path) == {"aaaa", "bbbb"}


def test_only_failures_are_known_and_a_stored_fingerprint_counts_beside_the_recomputed_one(tmp_path):
    records = [
        {"status": "classified", "category": "key_not_found", "message": "KeyError: 'lr'", "fingerprint": "stored"},
        {"status": "unclassified", "category": None, "message": "Fatal Python error: Aborted"},
        {"status": "no_failure", "message": "not a failure", "fingerprint": "never"},
        {"status": "error", "reason": "unreadable", "fingerprint": "never either"},
    ]
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"schema_version": 1, "records": records}))
    assert load_baseline(path) == {
        "stored", fingerprint("key_not_found", "KeyError: 'lr'"), fingerprint("unclassified", "Fatal Python error: Aborted"),
    }
    path.write_text(json.dumps(records))  # a bare list of records reads the same
    assert len(load_baseline(path)) == 3


def test_a_baseline_that_is_not_utf8_is_a_message(tmp_path):
    path = tmp_path / "old.jsonl"
    path.write_bytes(b"\xff\xfe{}\n")
    with pytest.raises(BaselineError, match=r"old.jsonl: cannot read the baseline: 'utf-8' codec can't decode"):
        load_baseline(path)
