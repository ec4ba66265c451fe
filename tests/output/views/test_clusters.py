"""How `triage cluster` shows its groups (output/views/clusters.py): for a person, and as JSON."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from philly_triage._internal.analysis.cluster import Cluster, Member
from philly_triage._internal.output.views.clusters import clusters_to_dict, render_clusters
from philly_triage._internal.rulecheck.drafts import Draft

SPACE = Cluster("OSError: [Errno <n>] No space left on <*>", (
    Member("runs/a", "runs/a/stderr.txt", 4, "OSError: [Errno 28] No space left on device"),
    Member("runs/b", "runs/b/stderr.txt", 9, "OSError: [Errno 28] No space left on device"),
    Member("runs/c", None, None, "OSError: [Errno 28] No space left on disk [x]", "corrupt_data"),
))
ABORT = Cluster("Fatal Python error: Aborted", (Member("runs/d", "runs/d/log", 1, "Fatal Python error: Aborted"),))


def test_each_group_with_its_rank_share_and_different_examples():
    stream = io.StringIO()
    render_clusters([SPACE, ABORT], 10, 4, 3, True, Console(file=stream, no_color=True, width=200))
    assert stream.getvalue().splitlines() == [
        "4 failed of 10 jobs in 2 groups",
        "",
        "#1  3 jobs (75.0%)  OSError: [Errno <n>] No space left on <*>",
        "    runs/a/stderr.txt:4",
        "      OSError: [Errno 28] No space left on device",
        "    runs/c [corrupt_data]",  # no file: the job; the category a rule gave it (--all)
        "      OSError: [Errno 28] No space left on disk [x]",  # the same message twice is one example
        "",
        "#2  1 job (25.0%)  Fatal Python error: Aborted",
        "    runs/d/log:1",
        "      Fatal Python error: Aborted",
    ]


def test_the_json_names_every_job_and_the_draft_of_each_group():
    draft = Draft(SPACE.template, "os_error_errno", "text", "pattern", (), "todo", ())
    document = clusters_to_dict([SPACE, ABORT], 10, 4, 1, [draft], Path("drafts"))
    assert (document["schema_version"], document["jobs"], document["grouped"]) == (1, 10, 4)
    first, second = document["clusters"]
    assert (first["rank"], first["count"], first["share"], first["jobs"]) == (1, 3, 75.0, ["runs/a", "runs/b", "runs/c"])
    assert first["examples"] == [{"job": "runs/a", "file": "runs/a/stderr.txt", "line": 4,
                                  "message": "OSError: [Errno 28] No space left on device", "category": None}]
    assert (first["draft"], second["draft"]) == ("drafts/os_error_errno.yaml", None)
    assert clusters_to_dict([ABORT], 1, 1, 3, [], None)["clusters"][0]["draft"] is None
