"""triage cluster: unknown failures grouped by template, and draft rules that classify them."""

from __future__ import annotations

import builtins
import json
import random

import pytest
import yaml
from click.testing import CliRunner

from philly_triage._internal.catalogue.load import builtin_source, load_catalogue
from philly_triage._internal.cli.main import cli
from philly_triage._internal.analysis.cluster import Cluster, ClusterUnavailable, Member, cluster, members_of
from philly_triage._internal.rulecheck.drafts import (
    draft_rule, draftable, keywords_of, literal_run, pattern_of, rule_id_of, unmatched, write_drafts,
)
from philly_triage.models import FailureRecord, Status
from tests.conftest import DATA

CORPUS = yaml.safe_load((DATA / "unknown_failures.yaml").read_text())["groups"]
TRACEBACK = 'Traceback (most recent call last):\n  File "/app/train.py", line 9, in <module>\n    main()\n'


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """One job directory per message of the corpus, named after its group: <group>-<n>/stderr.txt."""
    root = tmp_path_factory.mktemp("unknown")
    for group, spec in CORPUS.items():
        for number, message in enumerate(spec["messages"]):
            job = root / f"{group}-{number}"
            job.mkdir()
            text = "step 100 loss 0.52\n" + (TRACEBACK if spec.get("traceback") else "") + message + "\n"
            (job / "stderr.txt").write_text(text)
    return root


def group_of(job: str) -> str:
    return job.rstrip("/").rsplit("/", 1)[-1].rsplit("-", 1)[0]


def corpus_members() -> list[Member]:
    return [
        Member(f"{group}-{number}", f"{group}-{number}/stderr.txt", 4, message)
        for group, spec in CORPUS.items() for number, message in enumerate(spec["messages"])
    ]


def test_the_corpus_clusters_into_its_groups():
    groups = cluster(corpus_members())
    found = [sorted({group_of(m.job) for m in g.members}) for g in groups]
    assert all(len(labels) == 1 for labels in found), found  # no group mixes two kinds of failure
    assert sorted(labels[0] for labels in found) == sorted(CORPUS)  # and no kind is split
    assert [g.count for g in groups] == sorted((g.count for g in groups), reverse=True)


def test_templates_mask_what_varies():
    templates = {group_of(g.members[0].job): g.template for g in cluster(corpus_members())}
    assert templates["wandb_init_timeout"] == "wandb.errors.CommError: Run initialization has timed out after <n> sec."
    assert templates["segfault"].startswith("<path>: line <n>: <n> Segmentation fault (core dumped)")
    assert "<n>" in templates["store_barrier_timeout"] and "rank: 3" not in templates["store_barrier_timeout"]


def test_the_same_input_in_any_order_gives_the_same_groups():
    members = corpus_members()
    expected = [(g.template, g.members) for g in cluster(members)]
    for seed in range(3):
        shuffled = members[:]
        random.Random(seed).shuffle(shuffled)
        assert [(g.template, g.members) for g in cluster(shuffled)] == expected


def test_only_unclassified_failures_unless_all():
    records = [
        FailureRecord(job="a", status=Status.UNCLASSIFIED, message="Fatal Python error: Aborted"),
        FailureRecord(job="b", status=Status.CLASSIFIED, category="key_not_found", message="KeyError: 'lr'"),
        FailureRecord(job="c", status=Status.NO_FAILURE),
        FailureRecord(job="d", status=Status.ERROR, reason="unreadable"),
    ]
    assert [m.job for m in members_of(records)] == ["a"]
    assert [(m.job, m.category) for m in members_of(records, include_classified=True)] == [
        ("a", None), ("b", "key_not_found"),
    ]


def test_cluster_command_lists_groups_largest_first(corpus):
    result = run("cluster", corpus)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"23 unclassified of 23 jobs in {len(CORPUS)} groups"
    assert lines[2].startswith("#1  5 jobs (21.7%)  OSError: [Errno <n>] No space left on")
    assert "      OSError: [Errno 28] No space left on device: '/tmp/ckpt/step_1200.pt'" in lines


def test_cluster_json_is_stable_and_complete(corpus):
    first, second = run("cluster", corpus, "-f", "json"), run("cluster", corpus, "-f", "json", "--jobs", "1")
    assert first.stdout == second.stdout
    document = json.loads(first.stdout)
    assert document["jobs"] == document["grouped"] == 23
    top = document["clusters"][0]
    assert top["rank"] == 1 and top["count"] == 5 and top["share"] == 21.7
    assert len(top["jobs"]) == 5 and len(top["examples"]) == 3
    assert {"job", "file", "line", "message", "category"} == set(top["examples"][0])
    assert sum(c["count"] for c in document["clusters"]) == 23


def test_drafted_rules_check_test_and_classify_the_jobs(tmp_path, corpus):
    drafts = tmp_path / "drafts"
    result = run("cluster", corpus, "--suggest", drafts)
    assert result.exit_code == 0, result.output
    files = sorted(drafts.glob("*.yaml"))
    assert len(files) == len(CORPUS) and result.stderr.count("triage: drafted ") == len(CORPUS)
    check = run("rules", "check", drafts, "--strict")
    assert check.exit_code == 0 and "0 errors, 0 warnings" in check.output, check.output
    tested = run("rules", "test", drafts)
    assert tested.exit_code == 0, tested.output
    before = [json.loads(line) for line in run("classify", corpus, "-f", "jsonl").stdout.splitlines()]
    after = [json.loads(line) for line in run("classify", corpus, "-f", "jsonl", "--rules", drafts).stdout.splitlines()]
    assert {r["status"] for r in before} == {"unclassified"}
    assert {r["status"] for r in after} == {"classified"}
    by_group: dict[str, set] = {}
    for record in after:
        by_group.setdefault(group_of(record["job"]), set()).add(record["category"])
    assert all(len(categories) == 1 for categories in by_group.values()), by_group  # one rule per group
    assert len({next(iter(c)) for c in by_group.values()}) == len(CORPUS)  # and a different rule each


def test_a_draft_as_written(tmp_path, corpus):
    run("cluster", corpus, "--suggest", tmp_path / "drafts")
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


def test_suggest_never_overwrites_a_rule_file(tmp_path, corpus):
    drafts = tmp_path / "drafts"
    assert run("cluster", corpus, "--suggest", drafts).exit_code == 0
    before = {p.name: p.read_text() for p in drafts.glob("*.yaml")}
    result = run("cluster", corpus, "--suggest", drafts)
    assert result.exit_code == 2 and "exists already" in result.stderr
    assert {p.name: p.read_text() for p in drafts.glob("*.yaml")} == before


def test_without_drain3_the_command_says_what_to_install(monkeypatch, corpus):
    real_import = builtins.__import__

    def no_drain3(name, *args, **kwargs):
        if name.startswith("drain3"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_drain3)
    with pytest.raises(ClusterUnavailable, match=r"pip install 'philly-triage\[cluster\]'"):
        cluster(corpus_members())
    result = run("cluster", corpus, "--jobs", "1")
    assert result.exit_code == 2 and "needs the Drain3 library" in result.stderr


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


def test_no_unknown_failures_means_no_groups_and_no_drafts(tmp_path):
    (tmp_path / "ok.log").write_text("epoch 1 loss 0.3\ntraining complete\n")
    result = run("cluster", tmp_path / "ok.log", "--suggest", tmp_path / "drafts")
    assert result.exit_code == 0 and result.stdout.startswith("0 unclassified of 1 job in 0 groups")
    assert not (tmp_path / "drafts").exists()


def test_broken_rule_files_in_the_suggest_directory_are_reported(tmp_path, corpus):
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    (drafts / "broken.yaml").write_text("id: broken\nname: [\n")
    result = run("cluster", corpus, "--suggest", drafts)
    assert result.exit_code == 2 and "broken.yaml" in result.stderr and "Traceback" not in result.output


def test_a_group_with_no_literal_words_gets_no_draft(tmp_path):
    bare = Cluster("<path>: <n>", (Member("j", "j/log", 3, "/opt/run.sh: 137"),))
    keyed = Cluster("OSError: <path>", (Member("k", "k/log", 3, "OSError: /data/a/b.tar"),))
    assert not draftable(bare) and draftable(keyed)
    drafts = write_drafts([bare, keyed], load_catalogue([builtin_source()]), tmp_path / "drafts", 3)
    assert [d.template for d in drafts] == ["OSError: <path>"]
    assert [p.name for p in (tmp_path / "drafts").glob("*.yaml")] == ["os_error.yaml"]
    assert write_drafts([bare], load_catalogue([builtin_source()]), tmp_path / "none", 3) == []
    assert not (tmp_path / "none").exists()
