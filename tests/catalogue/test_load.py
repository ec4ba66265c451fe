"""Loading and validating the rule catalogue; a broken rule file names file, line and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from philly_triage._internal.catalogue.load import CatalogueError, builtin_rules_dir, load_catalogue

TAXONOMY = {
    "deep_learning": {"gpu_out_of_memory", "cpu_out_of_memory", "framework_api_misuse", "tensor_mismatch", "loss_nan"},
    "execution_environment": {"path_not_found", "library_not_found", "permission_denied"},
    "general_code": {
        "illegal_argument", "type_mismatch", "key_not_found", "attribute_not_found", "null_reference",
        "syntax_error", "undefined_variable", "index_out_of_range", "not_implemented", "division_by_zero",
    },
    "data": {"corrupt_data", "unexpected_encoding"},
}
# Beside the study's four dimensions, marked outside it (study: false): platform failures (issue 20).
INFRASTRUCTURE = {
    "collective_failure", "preemption", "time_limit", "fatal_signal", "disk_full", "network_unreachable",
    "gpu_hardware_error", "lost_worker",
}

GOOD_RULE = """\
id: nccl_timeout
name: NCCL timeout
dimension: distributed
description: A collective operation timed out.
hint: Find the rank that stopped first.
keywords: [watchdog]
patterns:
  - 'Watchdog caught collective operation timeout'
examples:
  match:
    - 'RuntimeError: Watchdog caught collective operation timeout'
"""


def test_builtin_catalogue_has_exactly_the_taxonomy(catalogue):
    by_dimension: dict[str, set] = {}
    for rule in catalogue.rules:
        by_dimension.setdefault(rule.dimension, set()).add(rule.id)
    assert by_dimension == TAXONOMY | {"infrastructure": INFRASTRUCTURE}
    assert catalogue.dimensions == tuple(TAXONOMY) + ("infrastructure",)


def test_only_the_infrastructure_rules_are_outside_the_study(catalogue):
    assert {rule.id for rule in catalogue.rules if not rule.study} == INFRASTRUCTURE
    study = catalogue.study_only()
    assert {rule.id for rule in study.rules} == set().union(*TAXONOMY.values())
    assert study.dimensions == tuple(TAXONOMY) and study.stages == catalogue.stages


def test_study_defaults_to_true_and_must_be_a_boolean(tmp_path):
    assert load_catalogue([write_rule(tmp_path, GOOD_RULE)]).rules[0].study is True
    (tmp_path / "rule.yaml").write_text(GOOD_RULE + "study: false\n", encoding="utf-8")
    assert load_catalogue([tmp_path]).rules[0].study is False
    (tmp_path / "rule.yaml").write_text(GOOD_RULE + "study: sometimes\n", encoding="utf-8")
    assert problems_of(tmp_path) == [f"{tmp_path / 'rule.yaml'}:12: rule 'nccl_timeout': 'study' must be true or false, not 'sometimes'"]


def test_every_builtin_rule_is_documented(catalogue):
    for rule in catalogue.rules:
        assert rule.name and rule.description and rule.hint, rule.id
        assert rule.examples_match, f"{rule.id} has no match examples"
        assert Path(rule.source).name == f"{rule.id}.yaml"


def test_builtin_rules_dir_holds_twenty_eight_rule_files_and_the_stage_markers():
    names = sorted(path.name for path in builtin_rules_dir().glob("*.yaml"))
    assert len(names) == 29 and "stages.yaml" in names  # the study's 20 and 8 infrastructure rules


def test_every_builtin_rule_says_whether_a_retry_can_help(catalogue):
    advice = {rule.id: rule.retry for rule in catalogue.rules}
    assert set(advice.values()) <= {"never", "maybe", "environment"}
    # The study: a missing path fails again; OOM under contention and NaN from randomness may not.
    assert advice["path_not_found"] == "never"
    assert advice["gpu_out_of_memory"] == advice["loss_nan"] == "maybe"
    # Platform failures: a preempted job or a flaky link may pass; a full disk, a time limit and a
    # broken GPU need their environment changed; a segfault crashes the same way again.
    assert advice["preemption"] == advice["collective_failure"] == advice["network_unreachable"] == "maybe"
    assert advice["lost_worker"] == "maybe"
    assert advice["disk_full"] == advice["time_limit"] == advice["gpu_hardware_error"] == "environment"
    assert advice["fatal_signal"] == "never"


def write_rule(tmp_path: Path, text: str, name: str = "rule.yaml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue([directory])
    return [str(p) for p in caught.value.problems]


def test_a_user_rule_loads(tmp_path):
    catalogue = load_catalogue([write_rule(tmp_path, GOOD_RULE)])
    assert [r.id for r in catalogue.rules] == ["nccl_timeout"]
    assert catalogue.dimensions == ("distributed",)


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    text = GOOD_RULE.replace("keywords: [watchdog]", "keywords: [watchdog")
    (problem,) = problems_of(write_rule(tmp_path, text))
    assert "rule.yaml:" in problem and "YAML syntax error" in problem
    line = int(problem.split("rule.yaml:")[1].split(":")[0])
    assert 6 <= line <= 9


def test_misspelt_key_suggests_the_right_one(tmp_path):
    text = GOOD_RULE.replace("  match:", "  mach:")
    (problem,) = problems_of(write_rule(tmp_path, text))
    assert "rule.yaml:10:" in problem
    assert "unknown key 'mach'" in problem and "did you mean 'match'" in problem
    assert "rule 'nccl_timeout'" in problem


def test_missing_required_key(tmp_path):
    text = GOOD_RULE.replace("hint: Find the rank that stopped first.\n", "")
    (problem,) = problems_of(write_rule(tmp_path, text))
    assert "missing required key 'hint'" in problem


def test_bad_regex_names_pattern_and_position(tmp_path):
    text = GOOD_RULE.replace("'Watchdog caught collective operation timeout'", "'Watchdog (caught'")
    (problem,) = problems_of(write_rule(tmp_path, text))
    assert "rule.yaml:8:" in problem
    assert "invalid regular expression 'Watchdog (caught'" in problem and "position" in problem


def test_wrong_type(tmp_path):
    text = GOOD_RULE.replace("keywords: [watchdog]", "keywords: watchdog")
    (problem,) = problems_of(write_rule(tmp_path, text))
    assert "rule.yaml:6:" in problem and "'keywords' must be a list" in problem


def test_upper_case_keyword_is_refused(tmp_path):
    text = GOOD_RULE.replace("keywords: [watchdog]", "keywords: [Watchdog]")
    (problem,) = problems_of(write_rule(tmp_path, text))
    assert "lower case" in problem


@pytest.mark.parametrize("key,word", [("id", "unclassified"), ("id", "any"), ("dimension", "error")])
def test_words_triage_uses_cannot_be_ids(tmp_path, key, word):
    text = GOOD_RULE.replace("id: nccl_timeout" if key == "id" else "dimension: distributed", f"{key}: {word}")
    (problem,) = problems_of(write_rule(tmp_path, text))
    assert f"rule.yaml:{1 if key == 'id' else 3}:" in problem and f"'{key}' cannot be '{word}'" in problem


def test_duplicate_ids(tmp_path):
    write_rule(tmp_path, GOOD_RULE, "a.yaml")
    write_rule(tmp_path, GOOD_RULE, "b.yaml")
    (problem,) = problems_of(tmp_path)
    assert "b.yaml" in problem and "duplicate rule id" in problem and "a.yaml" in problem


def test_empty_directory(tmp_path):
    (problem,) = problems_of(tmp_path)
    assert "no rule files" in problem


def test_not_a_mapping(tmp_path):
    (problem,) = problems_of(write_rule(tmp_path, "- just\n- a list\n"))
    assert "must be a mapping" in problem
