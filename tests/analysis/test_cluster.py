"""Unknown failures grouped by template (analysis/cluster.py). The command: tests/cli/test_cluster.py; the
draft rules: tests/rulecheck/test_drafts.py."""

from __future__ import annotations

import builtins
import random

import pytest
import yaml
from click.testing import CliRunner

from philly_triage._internal.cli.main import cli
from philly_triage._internal.analysis.cluster import ClusterUnavailable, Member, cluster, members_of
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
    assert templates["segfault"] == "Segmentation fault"  # a shell's report, in its one wording (wordings.yaml)
    assert "<n>" in templates["store_barrier_timeout"] and "rank: 3" not in templates["store_barrier_timeout"]


SEGFAULTS = (  # one failure, as a shell running a script, an interactive shell and faulthandler print it
    "/bin/bash: line 1: 48213 Segmentation fault      (core dumped) python train.py --lr 0.1",
    "run.sh: line 10: 17123 Segmentation fault      (core dumped) python -u train.py",
    "launch.sh: line 8: 17172 Segmentation fault      python -u train.py",
    "Segmentation fault (core dumped)",
    "Segmentation fault",
    "Fatal Python error: Segmentation fault",
    "Signal 11 (SIGSEGV) received by PID 4242",
    "*** SIGSEGV (@0x0) received by PID 4242 (TID 0x7f2b5c0ff700) from PID 0; stack trace: ***",
)


def test_the_wordings_of_one_segfault_are_one_group():
    members = [Member(f"crash-{n}", f"crash-{n}/stderr.txt", 9, message) for n, message in enumerate(SEGFAULTS)]
    others = [Member("oom-0", "oom-0/log", 3, "run.sh: line 9: 14602 Killed                  python -u pr.py"),
              Member("oom-1", "oom-1/log", 3, "Killed"),
              Member("abort-0", "abort-0/log", 3, "Fatal Python error: Aborted"),
              Member("abort-1", "abort-1/log", 3, "./run_t2t.sh: line 21: 24017 Aborted                 (core dumped)")]
    groups = cluster(members + others + corpus_members())
    found = {g.template: sorted(m.job for m in g.members) for g in groups}
    assert found["Segmentation fault"] == sorted(m.job for m in members) + [
        f"segfault-{n}" for n in range(len(CORPUS["segfault"]["messages"]))]
    assert found["Killed"] == ["oom-0", "oom-1"] and found["Aborted"] == ["abort-0", "abort-1"]  # a signal each
    segfault = next(g for g in groups if g.template == "Segmentation fault")
    assert {m.message for m in segfault.members} >= set(SEGFAULTS)  # members keep the words they printed


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
