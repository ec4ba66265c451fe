"""Choose the failure that ended a job among those located in each of its files, and say why."""

from __future__ import annotations

from typing import Optional, Sequence

from philly_triage._internal.pipeline.locate.candidates import FAILURE, KIND_RANK
from philly_triage._internal.pipeline.locate.decide import Located


def pick_job_failure(found: Sequence[tuple[str, Located]]) -> Optional[Located]:
    """The failure that ended a job, from the failure located in each of its files (in file order).

    A failure beats what launchers and other processes report; then a traceback beats a fatal line
    and a fatal line a keyword; then a file named like stderr; then the later file.
    """
    best: Optional[tuple] = None
    chosen: Optional[Located] = None
    for order, (path, located) in enumerate(found):
        rank = _file_rank(order, path, located)
        if best is None or rank > best:
            best, chosen = rank, located
    return chosen


def _file_rank(order: int, path: str, located: Located) -> tuple:
    return (located.role == FAILURE, KIND_RANK[located.kind], "err" in path.rsplit("/", 1)[-1].lower(), order)


# Why one file's failure beats another's, for each part of _file_rank.
_PICK_REASONS = (
    "a process's own failure beats what launchers and other processes report",
    "a traceback beats a fatal line, and a fatal line a line that only holds an error word",
    "a file named like stderr is preferred",
    "the later file is preferred",
)


def why_not_picked(found: Sequence[tuple[str, Located]], picked: int, other: int) -> str:
    """Why ``pick_job_failure`` preferred the failure of ``found[picked]`` to that of ``found[other]``."""
    ours, theirs = _file_rank(picked, *found[picked]), _file_rank(other, *found[other])
    return next(reason for reason, a, b in zip(_PICK_REASONS, ours, theirs) if a != b)
