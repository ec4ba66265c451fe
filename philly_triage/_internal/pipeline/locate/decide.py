"""Decide which of a view's possible failures ended the run, and whether the answer is settled.

A process's own failure beats what launchers and other processes report; a failure the job went
on after (progress or success lines follow it) is set aside; of the final burst of failures, the
root is named. The view is usually the end of a log: ``locate_in_view`` also says whether the lines
before it could change the answer, so that the caller widens it only while they could.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Callable, NamedTuple, Optional

from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline.lines import LineView
from philly_triage._internal.pipeline.locate.candidates import (
    CONSEQUENCE, FAILURE, WEAK_KINDS, Candidate, fatal_detail, find_candidates,
)
from philly_triage._internal.pipeline.locate.limits import (
    MAX_BURST_GAP, MAX_CONTEXT_LINES, PROGRESS_TO_SURVIVE, SUCCESS_TO_SURVIVE,
)
from philly_triage.models import Failure


class Located(NamedTuple):
    """The failure of one file, with lower-ranked readings to fall back on, and its ranking."""

    failure: Failure
    fallbacks: tuple[Failure, ...]
    kind: str
    role: str


def locate_in_view(path: str, view: LineView, markers: Markers) -> tuple[Optional[Located], bool]:
    """The failure that ended the run these lines record (None when they show none), and whether
    the lines before them could change the answer (False) or not (True).

    The view is usually the end of a log: the caller widens it until the answer is settled.
    """
    decision = decide(find_candidates(path, view, markers), Survival(view), len(view), partial(reported_root, view))
    if decision.chosen is None:
        return None, decision.settled
    return _located(decision.chosen, view, markers, decision.chosen_role), decision.settled


class Decision(NamedTuple):
    """What the locator chose among a view's candidates, and from which of them."""

    chosen: Optional[Candidate]
    chosen_role: str
    settled: bool
    group: tuple[Candidate, ...] = ()  # the candidates it chose among (the failures, or the live ones)
    cluster: tuple[Candidate, ...] = ()  # the final burst of the group, which the chosen one is from


def decide(candidates: list[Candidate], evidence: "Survival", size: int,
           root_rank: Callable[[], Optional[str]] = lambda: None) -> Decision:
    """Choose the failure that ended the run among the candidates of a view of ``size`` lines;
    ``root_rank`` says which rank a launcher named as the first to fail, if one did
    (``reported_root``): it is asked only when several ranks' tracebacks end the run."""
    if not candidates:
        return Decision(None, "", evidence.survived(0, size))
    strong = [c for c in candidates if c.kind not in WEAK_KINDS]
    failures = [c for c in strong if c.role == FAILURE]
    if failures:
        last = failures[-1]
        # A launcher's or another process's report after it, which the job did not go on from.
        later_trouble = any(
            c.index > last.index and c.role != FAILURE and not evidence.survived(c.end, size) for c in strong
        )
        if evidence.survived(last.end, size) and not later_trouble:
            return Decision(None, "", True, tuple(failures))
        cluster = _final_cluster(failures, evidence)
        settled = cluster[0].index > MAX_CONTEXT_LINES and evidence.survived(0, cluster[0].index)
        return Decision(_root_of(cluster, root_rank), FAILURE, settled, tuple(failures), tuple(cluster))
    for group in (strong, candidates):
        live = [c for c in group if not evidence.survived(c.end, size)]
        if live:
            # Only launchers' and other processes' reports: the first consequence observed, or the
            # first of the final burst (a death notice before the launcher's exit code). Not settled: an
            # earlier failure followed by progress and then these lines would still be the cause.
            cluster = _final_cluster(live, evidence)
            consequences = [c for c in cluster if c.role == CONSEQUENCE]
            first = consequences[0] if consequences else _first_of_burst(cluster)
            said = _said_before(first, candidates, evidence) if group is strong else None
            if said is not None:
                return Decision(said, FAILURE, False, tuple(live), tuple(cluster))
            return Decision(first, first.role, False, tuple(live), tuple(cluster))
    return Decision(None, "", True)


def _said_before(report: Candidate, candidates: list[Candidate], evidence: "Survival") -> Optional[Candidate]:
    """What the program said just before a launcher's report that it failed, when that is only a
    line with an error word or a thread's traceback: the report is the evidence of the failure, the
    line its message."""
    said = [
        c for c in candidates
        if c.kind in WEAK_KINDS and c.role == FAILURE and c.index < report.index
        and report.failure.line - c.failure.line <= MAX_BURST_GAP and not evidence.survived(c.end, report.index)
    ]
    if not said:
        return None
    return _first_of_burst(said)._replace(kind=report.kind)  # as strong as the report that backs it


def renumber(located: Located, offset: int) -> Located:
    """The same failure with its line numbers moved by ``offset`` (a view that began mid-file)."""
    if not offset:
        return located
    failure = located.failure._replace(line=located.failure.line + offset)
    fallbacks = tuple(f._replace(line=f.line + offset) for f in located.fallbacks)
    return located._replace(failure=failure, fallbacks=fallbacks)


def _located(chosen: Candidate, lines: LineView, markers: Markers, role: str) -> Located:
    """The chosen candidate with the lines printed just before it, which context rules read."""
    context = _context_before(lines, chosen.block_start, markers)
    failure = chosen.failure._replace(context=context)
    if chosen.kind != "traceback":
        failure = failure._replace(detail=tuple(fatal_detail(lines, chosen.index, markers)))
    fallbacks = tuple(f._replace(context=context) for f in chosen.fallbacks)
    return Located(failure, fallbacks, chosen.kind, role)


def _context_before(lines: LineView, index: int, markers: Markers) -> tuple[str, ...]:
    texts = (lines.fields(i)[0] for i in range(max(0, index - MAX_CONTEXT_LINES), index))
    return tuple(text.strip() for text in texts if not markers.is_noise(text))


def _final_cluster(failures: list[Candidate], evidence: "Survival") -> list[Candidate]:
    """The final burst of failures: members with no progress between them."""
    cluster = [failures[-1]]  # from the last one back, then turned round
    for candidate in reversed(failures[:-1]):
        if evidence.survived(candidate.end, cluster[-1].index):
            break
        cluster.append(candidate)
    cluster.reverse()
    return cluster


def _root_of(cluster: list[Candidate], root_rank: Callable[[], Optional[str]] = lambda: None) -> Candidate:
    """The failure that started the final burst.

    Tracebacks beat other lines of the burst, but for a platform's stop printed before tracebacks
    that only report its signal (``_stopped_before``). Tracebacks of several processes (different
    rank tags, or the same message printed by each rank) name the first process to fail: the rank
    the launcher saw fail first when it says so (``root_rank``) and the ranks' tracebacks are
    tagged, else the first printed (one process can print its traceback twice: plain, then tagged);
    otherwise the last traceback is the one that ended the process.
    """
    tracebacks = [c for c in cluster if c.kind == "traceback"]
    if not tracebacks:
        return _first_of_burst(cluster)
    stopped = _stopped_before(cluster, tracebacks)
    if stopped is not None:
        return stopped
    tags = {c.tag for c in tracebacks if c.tag}
    messages = {c.failure.message for c in tracebacks}
    rank = root_rank() if len(tags) > 1 else None
    named = [c for c in tracebacks if rank is not None and _rank_of(c.tag) == rank]
    if named:
        return named[0]
    if len(tags) > 1 or (len(tracebacks) > 1 and len(messages) == 1):
        return tracebacks[0]
    return tracebacks[-1]


def _stopped_before(cluster: list[Candidate], tracebacks: list[Candidate]) -> Optional[Candidate]:
    """The platform's line that stopped the job (``CANCELLED AT ... DUE TO TIME LIMIT``), when the
    burst's tracebacks come after it and only report the signal it sent (a launcher's
    ``SignalException: Process 42 got signal: 15``): that line says why the job ended."""
    if not all(c.stop for c in tracebacks):
        return None
    # The first: the processes print the signal they got after the platform's line that sent it.
    return next((c for c in cluster if c.kind != "traceback" and c.stop and c.index < tracebacks[0].index), None)


# PyTorch's elastic launcher ends its summary of failed ranks with the one it saw fail first:
#   Root Cause (first observed failure):
#   [0]:
#     time      : 2024-04-10_15:08:25
#     host      : gcn04
#     rank      : 3 (local_rank: 3)
ROOT_CAUSE = b"Root Cause (first observed failure)"
ROOT_FIELDS = 6  # lines of the summary read after its heading for the rank
RANK_FIELD = re.compile(r"^\s*rank\s*:\s*(\d+)\b")
RANK_TAG = re.compile(r"(?:rank[-_ ]?)?(\d+)", re.IGNORECASE)  # "[rank3]:" (torch), "3:" (srun --label)


def reported_root(lines: LineView) -> Optional[str]:
    """The rank that the view's last elastic launcher summary names as its root cause, if any.
    Its heading is a launcher's report (markers.yaml: wrappers), so one of the view's candidates."""
    heading = next((i for i in reversed(lines.candidates) if lines.holds(i, ROOT_CAUSE)), None)
    if heading is None:
        return None
    for index in range(heading + 1, min(heading + 1 + ROOT_FIELDS, len(lines))):
        found = RANK_FIELD.match(lines.fields(index)[0])
        if found:
            return str(int(found.group(1)))
    return None


def _rank_of(tag: str) -> Optional[str]:
    """The global rank a process tag names ("rank3", "3"), if it names one."""
    found = RANK_TAG.fullmatch(tag)
    return str(int(found.group(1))) if found else None


def _first_of_burst(candidates: list[Candidate]) -> Candidate:
    """The first line of the tight burst that ends a list of fatal lines.

    Lines printed together at the end (``terminate called`` and its ``Aborted``, the shell's
    ``Killed`` and the scheduler's oom-kill report, the same error from several ranks) share a
    cause, and the first of them is closest to it; a fatal line printed long before is not part.
    """
    first = candidates[-1]
    for candidate in reversed(candidates[:-1]):
        if first.failure.line - candidate.failure.line > MAX_BURST_GAP:
            break
        first = candidate
    return first


class Survival:
    """Whether a job went on after a failure: two progress lines or one success line between."""

    def __init__(self, lines: LineView):
        self.lines = lines
        self.known: dict[tuple[int, int], bool] = {}

    def survived(self, start: int, stop: int) -> bool:
        if stop <= start:
            return False
        key = (start, stop)
        if key not in self.known:
            self.known[key] = went_on(self.lines, start, stop)
        return self.known[key]


def went_on(lines: LineView, start: int, stop: int) -> bool:
    """Whether lines ``start..stop-1`` show that the job went on: progress, or a success line."""
    return (
        len(lines.find_evidence(start, stop, True, PROGRESS_TO_SURVIVE)) >= PROGRESS_TO_SURVIVE
        or len(lines.find_evidence(start, stop, False, SUCCESS_TO_SURVIVE)) >= SUCCESS_TO_SURVIVE
    )
