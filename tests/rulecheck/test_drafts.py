"""Draft rules from groups of unknown failures (`triage cluster --suggest`): patterns from templates,
ids and keywords, and draft files that `rules check` and `rules test` accept as written."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from philly_triage._internal.analysis.cluster import Cluster, Member, cluster
from philly_triage._internal.catalogue.load import Catalogue, builtin_source, load_catalogue
from philly_triage._internal.cli.main import cli
from philly_triage._internal.rulecheck.drafts import (
    TODO_DIMENSION, draft_rule, draftable, guess_dimension, keywords_of, literal_run, pattern_of, rule_id_of,
    unmatched, write_drafts,
)
from philly_triage.models import Rule
from tests.analysis.test_cluster import CORPUS, corpus, group_of  # noqa: F401 - corpus is a fixture


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def builtin():
    return load_catalogue([builtin_source()])


@pytest.mark.parametrize(
    "template,messages",
    [
        ("OSError: [Errno <n>] No space left on <*>",
         ["OSError: [Errno 28] No space left on device: '/x/y.pt'", "OSError: [Errno 28] No space left on device"]),
        ("RuntimeError: stack expects each tensor to be equal size, but got <shape> at entry <n> and <shape> at entry <n>",
         ["RuntimeError: stack expects each tensor to be equal size, but got [3, 224, 224] at entry 0 and [3, 256, 256] at entry 7"]),
        ("ValueError: value <n> out of range for <str>", ["ValueError: value -1.5 out of range for 'the model head'"]),
        ("<path>: line <n>: <n> Killed <*> <*> python <*>",
         ["/bin/sh: line 4: 812 Killed  nohup   run python a.py"]),
        ("failed at <time> on <ip> with id <hex> from <url>",
         ["failed at 2024-01-02 03:04:05 on 10.1.2.3:29500 with id 0xdeadbeef from https://x.y/z?a=1"]),
    ],
)
def test_a_pattern_finds_the_messages_its_template_came_from(template, messages):
    assert unmatched(pattern_of(template), messages) == []


def test_literal_run_and_ids():
    template = "<path>: line <n>: <n> Segmentation fault (core dumped) python <*>"
    assert literal_run(template) == "Segmentation fault (core dumped) python"
    assert keywords_of(literal_run(template)) == ("segmentation", "dumped", "python")  # longest first
    group = Cluster(template, (Member("j", "j/log", 1, "/bin/bash: line 1: 5 Segmentation fault (core dumped) python t.py"),))
    draft = draft_rule(group, load_catalogue([builtin_source()]), "segfault", [], literal_only=True)
    assert draft.pattern == r"Segmentation\s+fault\s+\(core\s+dumped\)\s+python"
    assert rule_id_of("ray.exceptions.RayActorError: The actor died unexpectedly", set()) == "ray_actor_error_the_actor_died_unexpectedly"
    assert rule_id_of("Fatal Python error: Aborted", {"fatal_python_error_aborted"}) == "fatal_python_error_aborted_2"
    assert rule_id_of("<n> <path>", set()) == "unknown_failure"


def test_a_list_that_masking_folded_falls_back_to_the_literal_text(tmp_path):
    members = [Member(f"j{n}", f"j{n}/log", 1, f"ValueError: labels {labels} are out of range for the head")
               for n, labels in enumerate(["1, 2, 3", "7", "4, 9"])]
    (group,) = cluster(members)
    assert group.template == "ValueError: labels <n> are out of range for the head"
    assert unmatched(pattern_of(group.template), [m.message for m in members]) == [members[0].message, members[2].message]
    (draft,) = write_drafts([group], load_catalogue([builtin_source()]), tmp_path, 3)
    assert draft.literal_only and draft.pattern == r"are\s+out\s+of\s+range\s+for\s+the\s+head"
    assert unmatched(draft.pattern, [m.message for m in members]) == []
    assert run("rules", "check", tmp_path, "--strict").exit_code == 0


def test_a_group_with_no_literal_words_gets_no_draft(tmp_path):
    bare = Cluster("<path>: <n>", (Member("j", "j/log", 3, "/opt/run.sh: 137"),))
    keyed = Cluster("OSError: <path>", (Member("k", "k/log", 3, "OSError: /data/a/b.tar"),))
    assert not draftable(bare) and draftable(keyed)
    drafts = write_drafts([bare, keyed], load_catalogue([builtin_source()]), tmp_path / "drafts", 3)
    assert [d.template for d in drafts] == ["OSError: <path>"]
    assert [p.name for p in (tmp_path / "drafts").glob("*.yaml")] == ["os_error.yaml"]
    assert write_drafts([bare], load_catalogue([builtin_source()]), tmp_path / "none", 3) == []
    assert not (tmp_path / "none").exists()


@pytest.mark.slow  # runs cluster --suggest over the corpus
def test_a_draft_as_written(tmp_path, corpus):
    run("cluster", "--study-only", corpus, "--suggest", tmp_path / "drafts")
    text = (tmp_path / "drafts" / "comm_error_run_initialization_has_timed.yaml").read_text()
    rule = yaml.safe_load(text)
    assert text.startswith("# Drafted by `triage cluster --suggest` from a group of 3 failed jobs.")
    assert "dimension: todo  # TODO: choose the dimension" in text
    assert rule["examples"]["match"] == [
        "wandb.errors.CommError: Run initialization has timed out after 90.0 sec.",
        "wandb.errors.CommError: Run initialization has timed out after 60.0 sec.",
        "wandb.errors.CommError: Run initialization has timed out after 300.0 sec.",
    ]
    assert rule["hint"].startswith("TODO")


@pytest.mark.slow  # clusters, checks, tests and classifies the corpus twice
def test_drafted_rules_check_test_and_classify_the_jobs(tmp_path, corpus):
    drafts = tmp_path / "drafts"
    result = run("cluster", "--study-only", corpus, "--suggest", drafts)
    assert result.exit_code == 0, result.output
    files = sorted(drafts.glob("*.yaml"))
    assert len(files) == len(CORPUS) and result.stderr.count("triage: drafted ") == len(CORPUS)
    check = run("rules", "check", drafts, "--strict")
    assert check.exit_code == 0 and "0 errors, 0 warnings" in check.output, check.output
    tested = run("rules", "test", "--study-only", drafts)
    assert tested.exit_code == 0, tested.output
    before = [json.loads(line) for line in run("classify", "--study-only", corpus, "-f", "jsonl").stdout.splitlines()]
    after = [json.loads(line) for line in run("classify", "--study-only", corpus, "-f", "jsonl", "--rules", drafts).stdout.splitlines()]
    assert {r["status"] for r in before} == {"unclassified"}
    assert {r["status"] for r in after} == {"classified"}
    by_group: dict[str, set] = {}
    for record in after:
        by_group.setdefault(group_of(record["job"]), set()).add(record["category"])
    assert all(len(categories) == 1 for categories in by_group.values()), by_group  # one rule per group
    assert len({next(iter(c)) for c in by_group.values()}) == len(CORPUS)  # and a different rule each


@pytest.mark.slow  # runs cluster --suggest over the corpus twice
def test_suggest_never_overwrites_a_rule_file(tmp_path, corpus):
    drafts = tmp_path / "drafts"
    assert run("cluster", "--study-only", corpus, "--suggest", drafts).exit_code == 0
    before = {p.name: p.read_text() for p in drafts.glob("*.yaml")}
    result = run("cluster", "--study-only", corpus, "--suggest", drafts)
    assert result.exit_code == 2 and "exists already" in result.stderr
    assert {p.name: p.read_text() for p in drafts.glob("*.yaml")} == before


def test_broken_rule_files_in_the_suggest_directory_are_reported(tmp_path, corpus):
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    (drafts / "broken.yaml").write_text("id: broken\nname: [\n")
    result = run("cluster", "--study-only", corpus, "--suggest", drafts)
    assert result.exit_code == 2 and "broken.yaml" in result.stderr and "Traceback" not in result.output


NO_SPACE = "OSError: [Errno <n>] No space left on <*>"


def test_a_pattern_keeps_the_literal_text_and_drops_placeholders_at_the_ends():
    # "[Errno" is escaped, "<n>]" is a number then an escaped bracket, the trailing "<*>" is left out
    assert pattern_of(NO_SPACE) == r"OSError:\s+\[Errno\s+-?\d[\d.,]*\]\s+No\s+space\s+left\s+on"
    assert pattern_of("<path>: <*> <*> Killed") == r"Killed"
    assert unmatched(pattern_of(NO_SPACE), ["oserror: [errno 28] no space left on device", "OSError: [Errno 28]"]) == [
        "OSError: [Errno 28]"]  # searched case-insensitively, as the matcher does


def test_keywords_are_the_longest_literal_words():
    # words of four letters or more: oserror (7), errno (5), space (5), left (4); the first three
    assert keywords_of(NO_SPACE) == ("oserror", "errno", "space")
    assert keywords_of("<n> of <n>") == ()


def test_rule_ids_drop_the_exceptions_module_and_stay_unique():
    template = "torch.distributed.DistBackendError: NCCL communicator was aborted"
    assert rule_id_of(template, set()) == "dist_backend_error_nccl_communicator_was_aborted"
    assert rule_id_of(template, {"dist_backend_error_nccl_communicator_was_aborted"}) == (
        "dist_backend_error_nccl_communicator_was_aborted_2")
    assert rule_id_of("404 Client Error: Not Found for url: <url>", set()) == "client_error_not_found_for"


def keyed(rule_id, dimension, *keywords):
    return Rule(id=rule_id, name=rule_id, dimension=dimension, description="d", hint="h", keywords=keywords)


def test_the_dimension_is_guessed_from_the_catalogues_keywords():
    catalogue = Catalogue(rules=(
        keyed("corrupt", "data", "pickle", "truncated"),
        keyed("disk", "execution_environment", "space", "disk"),
        keyed("leftover", "general_code", "left"),
        keyed("nan", "deep_learning", "nan"),  # shorter than four letters: never a vote
    ))
    # one vote each for execution_environment (space) and general_code (left): the study's order decides
    assert guess_dimension(NO_SPACE, catalogue) == "execution_environment"
    more = Catalogue(rules=catalogue.rules + (keyed("errno", "general_code", "errno"),))
    assert guess_dimension(NO_SPACE, more) == "general_code"  # two votes
    assert guess_dimension("Fatal Python error: Aborted", catalogue) == TODO_DIMENSION


def test_a_draft_of_one_job_says_job_and_marks_a_guessed_dimension():
    member = Member("j", "j/log", 3, "OSError: [Errno 28] No space left on device")
    catalogue = Catalogue(rules=(keyed("disk", "execution_environment", "space"),))
    draft = draft_rule(Cluster(NO_SPACE, (member,)), catalogue, "no_space", [member.message])
    assert draft.text.startswith("# Drafted by `triage cluster --suggest` from a group of 1 failed job.\n")
    rule = yaml.safe_load(draft.text)
    assert rule["description"] == f"Drafted by triage cluster from 1 failed job whose failure reads: {NO_SPACE}"
    assert rule["patterns"] == [draft.pattern] and rule["keywords"] == ["oserror", "errno", "space"]
    assert rule["examples"] == {"match": ["OSError: [Errno 28] No space left on device"]}
    dimension_line = next(line for line in draft.text.splitlines() if line.startswith("dimension:"))
    assert dimension_line == "dimension: execution_environment  # a guess from the catalogue's keywords: check it"
    unguessed = draft_rule(Cluster(NO_SPACE, (member,)), Catalogue(rules=()), "no_space", [member.message])
    assert "\ndimension: todo  # TODO: choose the dimension\n" in unguessed.text


def test_a_long_template_gives_a_name_of_72_characters():
    template = "RuntimeError: " + "very " * 30 + "long"
    draft = draft_rule(Cluster(template, (Member("j", "j/log", 1, template),)), builtin(), "long", [])
    name = yaml.safe_load(draft.text)["name"]
    assert len(name) == 72 and name.endswith("…") and name.startswith("RuntimeError: very very")
    assert "examples" not in yaml.safe_load(draft.text)


def test_an_existing_draft_file_stops_the_run_before_anything_is_written(tmp_path):
    groups = [Cluster("OSError: <path>", (Member("k", "k/log", 3, "OSError: /data/a/b.tar"),)),
              Cluster(NO_SPACE, (Member("j", "j/log", 3, "OSError: [Errno 28] No space left on device"),))]
    (tmp_path / "os_error.yaml").write_text("# mine\n")
    with pytest.raises(FileExistsError, match="os_error.yaml exists already"):
        write_drafts(groups, builtin(), tmp_path, 3)
    assert [p.name for p in tmp_path.iterdir()] == ["os_error.yaml"]
    assert (tmp_path / "os_error.yaml").read_text() == "# mine\n"
