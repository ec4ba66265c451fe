"""Show the groups of ``triage cluster``: for a person, or as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

from rich.markup import escape

from philly_triage._internal.analysis.cluster import Cluster
from philly_triage._internal.analysis.stats import share

if TYPE_CHECKING:
    from rich.console import Console

    from philly_triage._internal.rulecheck.drafts import Draft

SCHEMA_VERSION = 1


def render_clusters(groups: list[Cluster], jobs: int, grouped: int, most: int, include_classified: bool,
                    console: Console) -> None:
    """Each group: its rank, size, share and template, then example jobs with their failure lines."""
    what = "failed" if include_classified else "unclassified"
    noun = "group" if len(groups) == 1 else "groups"
    console.print(f"{grouped} {what} of {jobs} {'job' if jobs == 1 else 'jobs'} in {len(groups)} {noun}", style="bold")
    for rank, group in enumerate(groups, start=1):
        console.print()
        size = f"{group.count} {'job' if group.count == 1 else 'jobs'} ({share(group.count, grouped)}%)"
        console.print(f"[bold]#{rank}[/]  [cyan]{size}[/]  {escape(group.template)}")
        for member in group.examples(most):
            where = f"{member.file}:{member.line}" if member.file else member.job
            label = f" [{member.category}]" if member.category else ""
            console.print(f"    [dim]{escape(where)}{escape(label)}[/]")
            console.print(f"      {escape(member.message)}")


def clusters_to_dict(groups: list[Cluster], jobs: int, grouped: int, most: int, drafts: list[Draft],
                     suggest_dir: Optional[Path]) -> dict:
    """The groups as data: every member's job, the examples in full, and each group's draft rule file."""
    files = {draft.template: str(suggest_dir / f"{draft.rule_id}.yaml") for draft in drafts} if suggest_dir else {}
    return {
        "schema_version": SCHEMA_VERSION,
        "jobs": jobs,
        "grouped": grouped,
        "clusters": [
            {
                "rank": rank,
                "template": group.template,
                "count": group.count,
                "share": share(group.count, grouped),
                "examples": [member.to_dict() for member in group.examples(most)],
                "jobs": [member.job for member in group.members],
                "draft": files.get(group.template),
            }
            for rank, group in enumerate(groups, start=1)
        ],
    }
