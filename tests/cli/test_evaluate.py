"""`triage eval`: labelled jobs against their expectations, its report, --fail-under and broken
expectation files. The evaluation itself is tested in tests/analysis/test_evaluate.py."""

from __future__ import annotations

import json

from tests.cli.test_rules import isolated, run  # noqa: F401 - isolated is an autouse fixture
from tests.conftest import DATA, ROOT


def test_eval_over_the_sample_logs():
    result = run("eval", ROOT / "sample_logs", "--expect", DATA / "sample_logs.expected.yaml")
    assert result.exit_code == 0, result.stdout
    assert "accuracy 46/46 = 100.0%" in result.stdout
    assert "localisation 42/42 = 100.0%" in result.stdout


def test_eval_json_and_fail_under(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.log").write_text("KeyError: 'lr'\n")
    (logs / "b.log").write_text("epoch 1 loss 0.2\nZeroDivisionError: division by zero\n")
    expect = tmp_path / "expect.yaml"
    expect.write_text("a.log: key_not_found\nb.log: no_failure\n")
    result = run("eval", logs, "--expect", expect, "-f", "json", "--fail-under", "90")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["total"], data["correct"], data["accuracy"]) == (2, 1, 0.5)
    assert data["false_alarms"][0]["rule"] == "division_by_zero"
    assert run("eval", logs, "--expect", expect, "--fail-under", "50").exit_code == 0


def test_eval_broken_expectations_file_is_exit_2_with_file_and_line(tmp_path):
    expect = tmp_path / "expect.yaml"
    expect.write_text("a.log: key_not_found\nb.log: {category: los_nan}\n")
    result = run("eval", tmp_path, "--expect", expect)
    assert result.exit_code == 2
    assert f"{expect}:2:" in result.stderr and "los_nan" in result.stderr and "did you mean 'loss_nan'" in result.stderr


def test_eval_refuses_a_job_listed_twice(tmp_path):
    expect = tmp_path / "expect.yaml"
    expect.write_text("a.log: key_not_found\nb.log: loss_nan\na.log: no_failure\n")
    result = run("eval", tmp_path, "--expect", expect)
    assert result.exit_code == 2
    assert f"{expect}:3: YAML syntax error: duplicate key 'a.log' (first on line 1)" in result.stderr
