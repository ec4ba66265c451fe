"""`triage cluster` from the command line: groups largest first, stable JSON, and a corpus with no
unknown failure. The grouping is tested in tests/analysis/test_cluster.py, the drafts that
--suggest writes in tests/rulecheck/test_drafts.py."""

from __future__ import annotations

import json

from tests.analysis.test_cluster import CORPUS, corpus, run  # noqa: F401 - corpus is a fixture


# The corpus (tests/data/unknown_failures.yaml) is of failures outside the study's categories; two of its
# groups (segfaults, a full disk, ranks killed by a signal) are infrastructure categories, so these run with --study-only.


def test_the_infrastructure_categories_leave_fewer_unknown_failures(corpus):
    lines = run("cluster", corpus).stdout.splitlines()
    # less the 4 shell segfaults, 5 full disks and 3 ranks mpirun saw die of a signal
    assert lines[0] == f"11 unclassified of 23 jobs in {len(CORPUS) - 3} groups"
    assert not any("Segmentation fault" in line or "No space left" in line for line in lines)


def test_cluster_command_lists_groups_largest_first(corpus):
    result = run("cluster", "--study-only", corpus)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"23 unclassified of 23 jobs in {len(CORPUS)} groups"
    assert lines[2].startswith("#1  5 jobs (21.7%)  OSError: [Errno <n>] No space left on")
    assert "      OSError: [Errno 28] No space left on device: '/tmp/ckpt/step_1200.pt'" in lines


def test_cluster_json_is_stable_and_complete(corpus):
    first, second = run("cluster", "--study-only", corpus, "-f", "json"), run("cluster", "--study-only", corpus, "-f", "json", "--jobs", "1")
    assert first.stdout == second.stdout
    document = json.loads(first.stdout)
    assert document["jobs"] == document["grouped"] == 23
    top = document["clusters"][0]
    assert top["rank"] == 1 and top["count"] == 5 and top["share"] == 21.7
    assert len(top["jobs"]) == 5 and len(top["examples"]) == 3
    assert {"job", "file", "line", "message", "category"} == set(top["examples"][0])
    assert sum(c["count"] for c in document["clusters"]) == 23


def test_no_unknown_failures_means_no_groups_and_no_drafts(tmp_path):
    (tmp_path / "ok.log").write_text("epoch 1 loss 0.3\ntraining complete\n")
    result = run("cluster", tmp_path / "ok.log", "--suggest", tmp_path / "drafts")
    assert result.exit_code == 0 and result.stdout.startswith("0 unclassified of 1 job in 0 groups")
    assert not (tmp_path / "drafts").exists()
