"""`triage rules list|show|check|test`, and user catalogues from the command line (`triage eval`: test_evaluate.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from philly_triage._internal.cli.main import cli
from tests.conftest import DATA, ROOT
from tests.catalogue.test_sources import write_rule

QUOTA_LOG = "epoch 3 step 120 loss 0.41\nIOError: storage quota exceeded on /mnt/blob/ckpt\n"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No TRIAGE_RULES from the environment, and a working directory without .triage/."""
    monkeypatch.delenv("TRIAGE_RULES", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


# --- user catalogues -------------------------------------------------------------------------


def test_a_rule_in_project_triage_rules_changes_what_classify_reports(isolated):
    log = isolated / "job.log"
    log.write_text(QUOTA_LOG)
    before = json.loads(run("classify", log, "-f", "jsonl").stdout)
    assert before["status"] == "unclassified"
    write_rule(isolated / ".triage" / "rules", "storage_quota")
    (isolated / "sub").mkdir()
    after = json.loads(run("classify", log, "-f", "jsonl").stdout)
    assert (after["status"], after["category"], after["dimension"], after["line"]) == (
        "classified", "storage_quota", "platform", 2)


def test_triage_rules_environment_variable_adds_rules(isolated, tmp_path, monkeypatch):
    log = isolated / "job.log"
    log.write_text(QUOTA_LOG)
    write_rule(tmp_path / "env-rules", "storage_quota")
    monkeypatch.setenv("TRIAGE_RULES", str(tmp_path / "env-rules"))
    record = json.loads(run("classify", log, "-f", "jsonl").stdout)
    assert record["category"] == "storage_quota"


def test_no_builtin_rules_uses_only_the_given_ones(isolated, tmp_path):
    log = isolated / "job.log"
    log.write_text("KeyError: 'lr'\n")
    write_rule(tmp_path / "mine", "storage_quota")
    with_builtin = json.loads(run("classify", log, "-f", "jsonl", "--rules", tmp_path / "mine").stdout)
    without = json.loads(run("classify", log, "-f", "jsonl", "--rules", tmp_path / "mine", "--no-builtin-rules").stdout)
    assert with_builtin["category"] == "key_not_found"
    assert without["status"] == "unclassified"


def test_no_builtin_rules_and_no_others_is_a_usage_error():
    result = run("classify", ".", "--no-builtin-rules")
    assert result.exit_code == 2 and "no rule sources" in result.stderr


def test_fail_on_accepts_a_new_dimension_from_a_user_rule(isolated, tmp_path):
    log = isolated / "job.log"
    log.write_text(QUOTA_LOG)
    write_rule(tmp_path / "mine", "storage_quota")
    assert run("classify", log, "-f", "jsonl", "--rules", tmp_path / "mine", "--fail-on", "platform").exit_code == 1


# --- rules list / show -----------------------------------------------------------------------


def test_rules_list_shows_every_rule_and_its_source(tmp_path):
    write_rule(tmp_path / "mine", "storage_quota")
    result = run("rules", "list", "--rules", tmp_path / "mine")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "DIMENSION", "PRIORITY", "PATTERNS", "EXAMPLES", "SOURCE"]
    assert len(lines) == 1 + 29  # the study's 20, 8 infrastructure rules and storage_quota
    oom = next(line for line in lines if line.startswith("gpu_out_of_memory "))
    assert "deep_learning" in oom and "<built-in>/gpu_out_of_memory.yaml" in oom
    quota = next(line for line in lines if line.startswith("storage_quota "))
    assert "platform" in quota and "storage_quota.yaml" in quota


def test_rules_list_json_says_what_replaced_what(tmp_path):
    write_rule(tmp_path / "mine", "key_not_found", dimension="general_code")
    rules = json.loads(run("rules", "list", "-f", "json", "--rules", tmp_path / "mine").stdout)
    assert len(rules) == 28
    replaced = next(r for r in rules if r["id"] == "key_not_found")
    assert replaced["origin"] == "--rules" and replaced["replaces"].endswith("key_not_found.yaml")
    oom = next(r for r in rules if r["id"] == "gpu_out_of_memory")
    assert oom["origin"] == "built-in" and oom["replaces"] is None
    assert oom["patterns"][0]["regex"] and oom["examples"]["match"]


def test_rules_show_prints_the_whole_rule():
    result = run("rules", "show", "gpu_out_of_memory")
    assert result.exit_code == 0
    for part in ("gpu_out_of_memory  GPU out of memory", "dimension: deep_learning", "priority: 80",
                 "hint:", "keywords:", "patterns:", "  - CUDA out of memory", "match examples:", "no_match examples:"):
        assert part in result.stdout


def test_rules_show_highlights_patterns_in_colour():
    result = run("rules", "show", "gpu_out_of_memory", "--color", "always")
    assert "\x1b[" in result.stdout
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert r"  - cuda runtime error \(2\)\s*:\s*out of memory" in plain


def test_rules_show_unknown_id_suggests_one():
    result = run("rules", "show", "gpu_out_of_memroy")
    assert result.exit_code == 2 and "did you mean 'gpu_out_of_memory'" in result.stderr


# --- rules check ---------------------------------------------------------------------------------


def test_rules_check_is_clean_on_the_builtin_catalogue_even_strict():
    result = run("rules", "check", "--strict")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip().splitlines()[-1] == (
        "28 rule files and 1 stages file (31 stage markers) checked (28 rules): 0 errors, 0 warnings"
    )


def test_the_builtin_watchdog_category_beats_a_user_rule_of_lower_priority():
    result = run("rules", "test", ROOT / "tests" / "data" / "rule_files" / "nccl_timeout.yaml")
    assert result.exit_code == 1
    assert "got:      collective_failure (rule 'collective_failure' won on 'Watchdog caught collective operation timeout')" \
        in result.stdout


def test_rules_list_study_only_leaves_out_the_infrastructure_rules():
    every = json.loads(run("rules", "list", "-f", "json").stdout)
    study = json.loads(run("rules", "list", "-f", "json", "--study-only").stdout)
    assert {r["dimension"] for r in every} - {r["dimension"] for r in study} == {"infrastructure"}
    assert len(study) == 20 and [r["id"] for r in study] == [r["id"] for r in every if r["dimension"] != "infrastructure"]


def broken(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rule.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = (ROOT / "tests" / "data" / "rule_files" / "nccl_timeout.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "old,new,line,problem",
    [
        ("keywords: [watchdog, timeout, timed out]", "keywords: [watchdog, timeout", 10,
         "YAML syntax error: while parsing a flow sequence expected ',' or ']'"),
        ("exceptions: [DistBackendError]", "exceptions: [DistBackendError]\npatterns: ['Watchdog']", 14,
         "YAML syntax error: duplicate key 'patterns' (first on line 10)"),
        ("  no_match:", "  no_mach:", 22, "rule 'nccl_timeout': unknown key 'no_mach' (did you mean 'no_match'?)"),
        ("priority: 50", "priorty: 50", 6, "unknown key 'priorty' (did you mean 'priority'?)"),
        ("hint: Find the rank that stopped first; its log holds the root cause.\n", "", 2,
         "missing required key 'hint'"),
        ("priority: 50", "priority: high", 6, "'priority' must be an integer"),
        ("dimension: distributed", "dimension: [distributed]", 4, "'dimension' must be a non-empty string"),
        ("  - 'Watchdog caught collective operation timeout'", "  - 'Watchdog (caught'", 11,
         "invalid regular expression 'Watchdog (caught': missing ) at position 16"),
        ("  - 'Watchdog caught collective operation timeout'", "  - '(\\w+\\s?)+$'", 11,
         "pattern '(\\\\w+\\\\s?)+$' backtracks catastrophically: a search of "),
        ("  - 'Watchdog caught collective operation timeout'", "  - 'x*'", 11,
         "pattern 'x*' matches an empty line, so it matches every line"),
        ("  - 'Watchdog caught collective operation timeout'", "  - '(?:(?:(?:a{99}){99}){99}){99}'", 11,
         "is too large once its counted repeats are unrolled"),
    ],
    ids=["yaml", "duplicate-key", "misspelt-no_match", "misspelt-key", "missing", "int-type", "str-type", "regex", "backtracking",
         "empty-match", "too-large"],
)
def test_rules_check_names_file_line_and_problem(tmp_path, old, new, line, problem):
    assert old in GOOD
    path = broken(tmp_path, GOOD.replace(old, new))
    result = run("rules", "check", path)
    assert result.exit_code == 1
    assert f"{path}:{line}: error: " in result.stdout and problem in result.stdout, result.stdout


def test_rules_check_duplicate_ids_names_both_places(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    result = run("rules", "check", tmp_path)
    assert result.exit_code == 1
    assert f"{tmp_path / 'b.yaml'}:2: error: rule 'nccl_timeout': duplicate rule id, also defined in {tmp_path / 'a.yaml'}:2" in result.stdout


def test_rules_check_warns_about_a_keyword_that_blinds_its_pattern(tmp_path):
    path = broken(tmp_path, GOOD.replace("keywords: [watchdog, timeout, timed out]", "keywords: [barrier]"))
    result = run("rules", "check", path)
    assert result.exit_code == 0, "warnings are not fatal"
    assert f"{path}:11: warning: rule 'nccl_timeout': pattern 'Watchdog caught collective operation timeout' " \
           "can match a line holding none of the keywords ('barrier'): a line with just " \
           "'watchdog caught collective operation timeout' would do." in result.stdout
    assert f"{path}:16: warning: rule 'nccl_timeout': match example 1 has a line that pattern " \
           "'Watchdog caught collective operation timeout' matches but no keyword passes" in result.stdout
    assert run("rules", "check", "--strict", path).exit_code == 1


def test_rules_check_of_a_good_file_is_clean(tmp_path):
    result = run("rules", "check", "--strict", broken(tmp_path, GOOD))
    assert result.exit_code == 0
    assert result.stdout == "1 rule file checked (1 rules): 0 errors, 0 warnings\n"


def test_rules_check_of_a_missing_file_is_a_usage_error(tmp_path):
    result = run("rules", "check", tmp_path / "nope.yaml")
    assert result.exit_code == 2 and "no such rule file" in result.stderr


# --- rules test ----------------------------------------------------------------------------------


def test_rules_test_passes_on_the_builtin_catalogue():
    result = run("rules", "test")
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0].startswith("<built-in>/attribute_not_found.yaml ...")
    assert "F" not in "".join(line.split(" ", 1)[1] for line in lines if line.startswith("<built-in>/"))
    assert re.fullmatch(r"\d+ passed in \d+\.\d\ds", lines[-1])


def test_rules_test_runs_a_new_rule_file_with_a_multi_line_example(tmp_path):
    # --study-only: the README's rule competes with the study's categories, not the built-in
    # collective_failure (infrastructure), which knows the watchdog's wording too and would win it.
    result = run("rules", "test", "--study-only", ROOT / "tests" / "data" / "rule_files" / "nccl_timeout.yaml")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[0].endswith("nccl_timeout.yaml ....")
    assert result.stdout.splitlines()[-1].startswith("4 passed in ")


def test_rules_test_reports_expected_got_and_the_rule_that_won(tmp_path):
    # A no_match example the rule does match, and a first pattern that no longer finds match example 1.
    text = GOOD.replace("    - 'KeyError: ''timeout'''", "    - 'KeyError: ''timeout'''\n    - 'RuntimeError: NCCL communicator 3 timed out'")
    path = broken(tmp_path, text.replace("'Watchdog caught collective operation timeout'", "'collective operation timed out'", 1))
    result = run("rules", "test", "--study-only", path)
    assert result.exit_code == 1
    out = result.stdout
    assert out.splitlines()[0] == f"{path} F..F."
    assert f"FAILED {path}:16 match example of 'nccl_timeout'\n  expected: nccl_timeout\n  got:      unclassified" in out
    assert (f"FAILED {path}:24 no_match example of 'nccl_timeout'\n  expected: not nccl_timeout\n"
            "  got:      nccl_timeout (rule 'nccl_timeout' won on 'NCCL (?:communicator|operation) .{0,40}timed out')\n"
            "  the locator chose line 1: RuntimeError: NCCL communicator 3 timed out\n") in out
    assert re.fullmatch(r"2 failed, 3 passed in \d+\.\d\ds", out.splitlines()[-1])


def test_rules_test_over_logs_with_an_expectations_file():
    result = run("rules", "test", "--logs", ROOT / "sample_logs", "--expect", DATA / "sample_logs.expected.yaml")
    assert result.exit_code == 0, result.stdout
    assert f"{DATA / 'sample_logs.expected.yaml'} " + "." * 46 in result.stdout


def test_rules_test_over_logs_reports_a_wrong_expectation(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.log").write_text("KeyError: 'lr'\n")
    expect = tmp_path / "expect.yaml"
    expect.write_text("a.log: {category: key_not_found, file: a.log, line: 2}\nb.log: loss_nan\n")
    result = run("rules", "test", "--logs", logs, "--expect", expect)
    assert result.exit_code == 1
    assert "FF" in result.stdout
    assert "job a.log" in result.stdout and "expected: key_not_found at a.log:2" in result.stdout
    assert "expected: loss_nan (no such job under --logs)" in result.stdout


def test_rules_test_logs_and_expect_go_together():
    assert run("rules", "test", "--logs", ".").exit_code == 2



def test_rule_files_are_loaded_safely(tmp_path):
    marker = tmp_path / "ran"
    path = broken(tmp_path, GOOD.replace("name: NCCL collective timeout",
                                         f"name: !!python/object/apply:os.system ['touch {marker}']"))
    result = run("rules", "check", path)
    assert result.exit_code == 1 and not marker.exists()
    assert f"{path}:3: error: YAML syntax error: could not determine a constructor" in result.stdout


@pytest.mark.slow  # waits out a pattern's time budget
def test_a_slow_pattern_in_a_real_run_is_abandoned_with_one_warning(isolated, tmp_path):
    rules = tmp_path / "slow"
    # (?s:...) keeps the rule screen from speaking for the pattern, so the run tries it on the line
    path = write_rule(rules, "slow_rule", keyword="a", pattern="(?s:(a|aa)+$)", example="aaaa")
    assert "(a|aa)+$" in path.read_text()
    logs = isolated / "logs"
    logs.mkdir()
    for name in ("one.log", "two.log"):
        (logs / name).write_text("Traceback (most recent call last):\nValueError: " + "a" * 60 + "!\n")
    result = run("classify", logs, "-f", "jsonl", "--rules", rules)
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["status"], r["category"]) for r in records] == [("classified", "illegal_argument")] * 2
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "rule 'slow_rule'" in warnings[0] and "(a|aa)+$" in warnings[0]


def test_a_rule_file_with_a_nul_byte_is_a_message_with_its_line(tmp_path):
    bad = tmp_path / "nul.yaml"
    bad.write_bytes(b"id: x\nname: \"a\x00b\"\n")
    result = CliRunner().invoke(cli, ["rules", "check", str(bad)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{bad}:2: error: YAML syntax error: unacceptable character #x0000" in result.output
