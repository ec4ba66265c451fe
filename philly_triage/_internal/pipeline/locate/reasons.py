"""Every possible failure of a view with the locator's verdict on it, in words: for ``explain`` only.

It reads the view with the locator's own steps (tracebacks.py, candidates.py, decide.py), so the
reasons it gives are the real ones: the failure chosen, and why each other line was set aside.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import partial
from typing import Iterable, NamedTuple, Optional

from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline.lines import LineView
from philly_triage._internal.pipeline.locate.candidates import (
    CONSEQUENCE, FAILURE, WEAK_KINDS, WRAPPER, Candidate, find_candidates, role_of, set_aside,
)
from philly_triage._internal.pipeline.locate.decide import Decision, Survival, decide, reported_root
from philly_triage._internal.pipeline.locate.limits import MAX_BURST_GAP
from philly_triage._internal.pipeline.locate.tracebacks import (
    CHAIN_CAUSE, CHAIN_CONTEXT, Block, chains, primary_link, printed_at_teardown, read_tracebacks,
)
from philly_triage.models import LogLine

# What `considered` says of each possible failure: the one chosen, or why it was set aside.
CHOSEN, NOISE, SURVIVED, EARLIER, SAME_BURST = "failure", "noise", "survived", "earlier", "same_burst"
OUTRANKED, IGNORED_TEARDOWN, CHAIN_LINK = "outranked", "ignored", "chain_link"
_ROLE_REASONS = {
    WRAPPER: "a wrapper: a launcher's report that something it ran failed; classified by what it wraps",
    CONSEQUENCE: "a consequence: printed by other processes or launchers after the first failure",
}


class Considered(NamedTuple):
    """A line the locator looked at as a possible failure, and what it made of it."""

    line: int  # its failure line (a traceback's exception line)
    first: int  # where it begins: its traceback's first line, or the line itself
    kind: str  # "traceback", "fatal", "keyword" or "thread" (a traceback under "Exception in thread ...")
    role: str  # FAILURE, WRAPPER or CONSEQUENCE ("" for lines set aside before roles are read)
    text: str
    verdict: str  # CHOSEN, or why it was set aside: NOISE, SURVIVED, EARLIER, SAME_BURST, ...
    reason: str  # the verdict in a sentence


def considered(path: str, view: LineView, markers: Markers, more_noise: Iterable[LogLine] = ()) -> list[Considered]:
    """Every possible failure of the view, in line order, with the locator's verdict on it: the one
    ``locate_in_view`` chooses, and why each other one was set aside.

    It reads the view with the locator's own steps, so the reasons are the real ones. Only
    ``explain`` calls it. ``more_noise`` are noise lines of the log that the view left out (a view
    reduced from a whole log keeps noise lines only as context).
    """
    blocks = read_tracebacks(path, view, markers)
    candidates = find_candidates(path, view, markers, blocks)
    evidence = Survival(view)
    decision = decide(candidates, evidence, len(view), partial(reported_root, view))
    judge = _Judge(decision, any(c.kind not in WEAK_KINDS for c in candidates))
    found = [
        Considered(c.failure.line, view[c.block_start].number, c.kind, c.role, c.failure.message, *judge.verdict(c))
        for c in candidates
    ]
    found += _other_readings(blocks, view, markers, decision.chosen)
    found += _noise(view, markers, blocks, more_noise)
    return sorted(found, key=lambda c: (c.line, c.first))


class _Judge:
    """Why the locator's decision left each candidate aside, in its own terms."""

    def __init__(self, decision: Decision, strong: bool):
        self.decision = decision
        self.strong = strong  # the view holds tracebacks or fatal lines
        self.group = {c.index for c in decision.group}
        self.cluster = {c.index for c in decision.cluster}

    def verdict(self, c: Candidate) -> tuple[str, str]:
        chosen = self.decision.chosen
        if chosen is not None and c.index == chosen.index:  # (a line said before a report is made as strong as it)
            if chosen.role == FAILURE:
                return CHOSEN, "the failure that ended the job: the job did not go on after it"
            return CHOSEN, f"no process's own failure was found: the first {chosen.role} line of the final burst"
        if c.failure.message in (CHAIN_CAUSE, CHAIN_CONTEXT):
            return CHAIN_LINK, "the marker between two links of a chained traceback, which is read as a whole"
        if c.kind in WEAK_KINDS and c.index not in self.group and self.strong:
            if c.kind == "thread":
                return OUTRANKED, "a thread's traceback, which does not end the process: the log's tracebacks and fatal lines outrank it"
            return OUTRANKED, "a line that only holds an error word: the log's tracebacks and fatal lines outrank it"
        if chosen is not None and chosen.role == FAILURE and c.role != FAILURE:
            return c.role, _ROLE_REASONS[c.role]
        if c.index not in self.cluster:
            return SURVIVED, "the job went on after it: progress or success lines follow it (caught or retried)"
        return self._in_final_burst(c, chosen)

    def _in_final_burst(self, c: Candidate, chosen: Candidate) -> tuple[str, str]:
        at = chosen.failure.line
        tracebacks = [k for k in self.decision.cluster if k.kind == "traceback"]
        if chosen.role == FAILURE and tracebacks:
            if chosen.kind != "traceback" and chosen.stop:  # a platform's stop, before the tracebacks of its signal
                if c.kind == "traceback":
                    return SAME_BURST, f"a process reporting the signal it was stopped with: the stop at line {at} says why"
                return SAME_BURST, f"part of the final burst, which begins at line {at}"
            if c.kind != "traceback":
                return SAME_BURST, f"a {c.kind} line of the final burst: the traceback at line {at} outranks it"
            if chosen == tracebacks[0]:
                return SAME_BURST, f"a later copy in the final burst: the first process to fail (line {at}) is the root"
            if chosen != tracebacks[-1]:
                return SAME_BURST, f"another process's traceback: the launcher names the process of line {at} as the first to fail"
            return SAME_BURST, f"an earlier traceback of the final burst: the last one (line {at}) ended the process"
        if chosen.role == CONSEQUENCE:
            if c.role == WRAPPER:
                return WRAPPER, _ROLE_REASONS[WRAPPER]
            return SAME_BURST, f"part of the final burst: the first consequence observed (line {at}) is reported"
        if c.index < chosen.index:
            return EARLIER, f"earlier than the final burst: more than {MAX_BURST_GAP} lines before it (line {at})"
        return SAME_BURST, f"part of the final burst, which begins at line {at}"


def _other_readings(
    blocks: list[Block], view: LineView, markers: Markers, chosen: Optional[Candidate]
) -> list[Considered]:
    """Tracebacks set aside as teardown noise, and the links of the chosen chain that it does not name."""
    found = []
    for chain in chains(blocks):
        if printed_at_teardown(chain, view):
            last = chain[-1].failure
            found.append(Considered(last.line, view[chain[0].start].number, "traceback", "", last.message,
                                    IGNORED_TEARDOWN, _TEARDOWN))
            continue
        if chosen is None or chosen.kind != "traceback" or chain[-1].exception_at != chosen.index:
            continue
        primary = primary_link(chain, markers)
        for position, block in enumerate(chain):
            if position != primary:
                found.append(Considered(
                    block.failure.line, view[block.start].number, "traceback", role_of(block.failure.message, markers),
                    block.failure.message, CHAIN_LINK, _link_reason(chain, position, primary, markers),
                ))
    return found


_TEARDOWN = 'printed under "Exception ignored in": teardown noise, never what ended the job'


def _link_reason(chain: list[Block], position: int, primary: int, markers: Markers) -> str:
    """Why a chain's link at ``position`` is not the one it names (at ``primary``)."""
    named = chain[primary].failure.line
    if position > primary:
        return f"a later link of the chained traceback: its cause (line {named}) is named instead"
    if chain[primary].link == "original":
        return f"re-raised with the original traceback in its message: the original (line {named}) is named instead"
    if markers.is_wrapper(chain[position].failure.message):
        return f"a wrapper link of the chained traceback: what it wraps (line {named}) is named instead"
    return f"an earlier link of the chained traceback: the one at line {named}, raised while handling it, ended the job"


_NOISE = "noise: a warning or other line that never ends a job (markers.yaml)"


def _noise(view: LineView, markers: Markers, blocks: list[Block], more: Iterable[LogLine]) -> list[Considered]:
    """The lines with an error word or a fatal shape that are set aside as noise before anything else."""
    starts = [view[b.start].number for b in blocks]
    ends = [view[b.end - 1].number for b in blocks]
    found: dict[int, Considered] = {}
    for line in [view[i] for i in view.candidates] + list(more):
        last = bisect_right(starts, line.number)
        if line.number in found or any(line.number <= ends[b] for b in range(max(0, last - 8), last)):
            continue  # part of a traceback, which is read as a whole
        text = line.text.strip()
        if not set_aside(text, markers):
            continue
        kind = "fatal" if markers.is_fatal(text) or markers.is_wrapper(text) else "keyword"
        if kind == "fatal" or markers.has_keyword(text):
            found[line.number] = Considered(line.number, line.number, kind, "", text, NOISE, _NOISE)
    return list(found.values())
