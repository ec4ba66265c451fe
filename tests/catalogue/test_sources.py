"""Where rules come from: built-in, project .triage/rules/, TRIAGE_RULES, --rules; later ones win."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from philly_triage._internal.catalogue.load import BUILTIN, CatalogueError, RuleSource, builtin_rules_dir, load_catalogue
from philly_triage._internal.catalogue.sources import find_project_rules, resolve_sources

USER_RULE = """\
id: {id}
name: {name}
dimension: {dimension}
description: A rule written by a platform team.
hint: Ask the platform team.
keywords: [{keyword}]
patterns:
  - '{pattern}'
examples:
  match:
    - '{example}'
"""


def write_rule(directory: Path, rule_id: str, dimension: str = "platform", keyword: str = "quota",
               pattern: str = "storage quota exceeded", example: str = "IOError: storage quota exceeded on /mnt/x",
               name: str = "A user rule") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{rule_id}.yaml"
    path.write_text(USER_RULE.format(id=rule_id, name=name, dimension=dimension, keyword=keyword,
                                     pattern=pattern, example=example), encoding="utf-8")
    return path


def test_sources_in_merge_order(tmp_path):
    project = tmp_path / "repo" / ".triage" / "rules"
    project.mkdir(parents=True)
    nested = tmp_path / "repo" / "src" / "deep"
    nested.mkdir(parents=True)
    env = {"TRIAGE_RULES": os.pathsep.join([str(tmp_path / "a"), "", str(tmp_path / "b")])}
    sources = resolve_sources([tmp_path / "cli"], environ=env, cwd=nested)
    assert [(s.origin, s.path) for s in sources] == [
        (BUILTIN, builtin_rules_dir()),
        ("project", Path("../../.triage/rules")),
        ("TRIAGE_RULES", tmp_path / "a"),
        ("TRIAGE_RULES", tmp_path / "b"),
        ("--rules", tmp_path / "cli"),
    ]


def test_no_builtin_rules_leaves_the_builtin_catalogue_out(tmp_path):
    sources = resolve_sources([tmp_path], use_builtin=False, environ={}, cwd=tmp_path)
    assert [s.origin for s in sources] == ["--rules"]


def test_project_rules_are_found_upwards_and_only_there(tmp_path):
    assert find_project_rules(tmp_path) is None
    (tmp_path / ".triage" / "rules").mkdir(parents=True)
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert find_project_rules(tmp_path / "a" / "b") == (tmp_path / ".triage" / "rules").resolve()


def test_a_user_rule_with_a_builtin_id_replaces_it_in_place(tmp_path):
    write_rule(tmp_path, "key_not_found", dimension="general_code", keyword="keyerror",
               pattern="KeyError", example='KeyError: "x"', name="Team key rule")
    catalogue = load_catalogue([RuleSource(builtin_rules_dir(), BUILTIN), RuleSource(tmp_path, "project")])
    builtin_ids = [r.id for r in load_catalogue().rules]
    assert [r.id for r in catalogue.rules] == builtin_ids  # same rules, same order
    rule = catalogue.rule("key_not_found")
    assert rule.name == "Team key rule" and rule.origin == "project"
    assert rule.source == str(tmp_path / "key_not_found.yaml")
    assert rule.replaces == str(builtin_rules_dir() / "key_not_found.yaml")


def test_a_new_category_may_declare_a_new_dimension(tmp_path):
    write_rule(tmp_path, "storage_quota")
    catalogue = load_catalogue([RuleSource(builtin_rules_dir(), BUILTIN), RuleSource(tmp_path, "--rules")])
    assert catalogue.rules[-1].id == "storage_quota"
    assert catalogue.dimensions == ("deep_learning", "execution_environment", "general_code", "data", "infrastructure",
                                    "platform")


def test_rule_directories_are_read_recursively_without_hidden_files(tmp_path):
    write_rule(tmp_path / "team-a", "storage_quota")
    write_rule(tmp_path / ".drafts", "draft_rule")
    assert [r.id for r in load_catalogue([tmp_path]).rules] == ["storage_quota"]


def test_a_single_rule_file_is_a_source(tmp_path):
    path = write_rule(tmp_path, "storage_quota")
    assert [r.id for r in load_catalogue([path]).rules] == ["storage_quota"]


def test_a_missing_source_is_named(tmp_path):
    with pytest.raises(CatalogueError) as caught:
        load_catalogue([RuleSource(tmp_path / "nope", "TRIAGE_RULES")])
    assert str(tmp_path / "nope") in str(caught.value) and "TRIAGE_RULES rule source does not exist" in str(caught.value)


def test_no_sources_at_all_is_an_error():
    with pytest.raises(CatalogueError) as caught:
        load_catalogue([])
    assert "--no-builtin-rules" in str(caught.value)


def test_duplicate_ids_in_one_source_name_both_lines(tmp_path):
    write_rule(tmp_path / "a", "storage_quota")
    write_rule(tmp_path / "b", "storage_quota")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue([tmp_path])
    (problem,) = caught.value.problems
    assert str(problem) == (
        f"{tmp_path / 'b' / 'storage_quota.yaml'}:1: rule 'storage_quota': duplicate rule id, "
        f"also defined in {tmp_path / 'a' / 'storage_quota.yaml'}:1"
    )
