"""The possible failures of a view: one per chain of tracebacks, one per fatal or keyword line.

Each candidate has a kind (how strongly it says "this ended the job") and a role: a process's own
failure, a wrapper (a launcher's report that something it ran failed) or a consequence (what other
processes and launchers print after the first failure). Lines that are never a failure (noise,
teardown) are set aside here; which candidate ended the job is decided in decide.py.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import AbstractSet, Iterator, NamedTuple, Optional

from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline.lines import LineView
from philly_triage._internal.pipeline.memo import MISSING
from philly_triage._internal.pipeline.locate.limits import MAX_CONTEXT_LINES, MAX_FATAL_DETAIL_LINES
from philly_triage._internal.pipeline.locate.tracebacks import (
    IGNORED, Block, chains, exception_type, primary_link, printed_at_teardown, read_tracebacks,
)
from philly_triage.models import Failure

# How strongly a candidate says "this ended the job": a Python traceback, a fatal line, a keyword.
# A thread's traceback ("Exception in thread Thread-1:") does not end the process: as weak as a keyword.
KIND_RANK = {"traceback": 3, "fatal": 2, "keyword": 1, "thread": 1}
WEAK_KINDS = ("keyword", "thread")  # evidence of a failure only when the job is known to have ended badly
THREAD_HEADER = re.compile(r'^\s*Exception in thread (?!"main")\S.*:\s*$')
THREAD_FRAME = re.compile(r'threading\.py", line \d+, in _bootstrap_inner')  # a thread's outermost frame
FAILURE, WRAPPER, CONSEQUENCE = "failure", "wrapper", "consequence"
# What a line says on its own: its kind, the exception it names, its role, and whether it says the
# job was stopped from outside.
Reading = tuple[str, Optional[str], str, bool]


class Candidate(NamedTuple):
    index: int
    end: int
    block_start: int  # where its traceback (or its line) begins: context is read from before it
    kind: str
    role: str
    tag: str
    failure: Failure
    fallbacks: tuple[Failure, ...] = ()
    stop: bool = False  # it says the job was stopped from outside (markers.yaml: terminations)


def find_candidates(
    path: str, lines: LineView, markers: Markers, blocks: Optional[list[Block]] = None
) -> list[Candidate]:
    if blocks is None:
        blocks = read_tracebacks(path, lines, markers)
    block_starts = [block.start for block in blocks]
    # reach[i]: the furthest end among blocks i-7..i. A line is part of a traceback when it is
    # before the end of one of the 8 latest blocks starting at or before it (interleaved ranks'
    # tracebacks overlap: a few are looked at).
    ends = [block.end for block in blocks]
    reach = [max(ends[max(0, i - 7):i + 1]) for i in range(len(ends))]
    candidates = _traceback_candidates(blocks, lines, markers)
    judged = lines.judged

    def judge(text: str) -> Optional[Reading]:
        return _line_reading(text.strip(), markers)

    for index in lines.candidates:
        last = bisect_right(block_starts, index)
        if last and index < reach[last - 1]:
            continue  # part of a traceback
        reading, text, tag, number = judged(index, "candidate at", judge)
        if reading is None or _under_ignored_header(lines, index):
            continue
        text = text.strip()
        kind, exception, role, stop = reading
        failure = Failure(
            file=path,
            line=number,
            message=text,
            kind=kind,
            exception=exception,
        )  # its detail is read only if it is chosen (see decide.locate_in_view)
        # A C++ abort names its exception on the "what():" line that follows it.
        if lines.holds_in(index + 1, min(index + 4, len(lines)), b"what():"):
            following = next(fatal_detail(lines, index, markers), "")
            if following.startswith("what():"):
                role = role_of(f"{text} {following}", markers)
        candidates.append(Candidate(index, index + 1, index, kind, role, tag, failure, stop=stop))
    candidates.sort(key=lambda c: c.index)
    return candidates


def failure_spans(path: str, view: LineView, markers: Markers) -> list[tuple[int, int]]:
    """The line ranges the locator reads to judge every possible failure of the view: each
    traceback and each candidate line with what follows it, and the context printed before."""
    blocks = read_tracebacks(path, view, markers)
    spans = [(max(0, b.start - MAX_CONTEXT_LINES - 1), b.end + 1) for b in blocks]
    spans += [
        (max(0, c.index - MAX_CONTEXT_LINES), c.index + 1 + MAX_FATAL_DETAIL_LINES)
        for c in find_candidates(path, view, markers, blocks)
        if c.kind != "traceback"
    ]
    return sorted(spans)


def _line_reading(text: str, markers: Markers) -> Optional[Reading]:
    """What a candidate line's text says on its own: None when it is never a failure (noise,
    teardown, a thread's header, or no fatal line nor keyword), else its kind, the exception it
    names, its role and whether it says the job was stopped from outside. Kept per text: the answer
    depends on nothing else."""
    found = markers.memo.get("candidate", text)
    if found is not MISSING:
        return found
    reading: Optional[Reading] = None
    kinds = markers.kinds_of(text)
    # (a thread's header belongs to the traceback after it, which is read as a block)
    if not _aside(kinds) and not THREAD_HEADER.match(text):
        if "fatal" in kinds or "wrappers" in kinds or "terminations" in kinds:
            reading = ("fatal", exception_type(text, in_traceback=False), _role(kinds), "terminations" in kinds)
        elif "keywords" in kinds:
            reading = ("keyword", exception_type(text, in_traceback=False), _role(kinds), "terminations" in kinds)
    markers.memo.put("candidate", text, reading)
    return reading


def _under_ignored_header(lines: LineView, index: int) -> bool:
    """Whether a line is the exception that CPython printed, with no traceback, under "Exception
    ignored in ..." (the object had no frames left to show): teardown noise, like the traceback form.
    The raw bytes are tested for "gnored" before the header's pattern runs."""
    return index > 0 and lines.holds(index - 1, b"gnored") and bool(IGNORED.match(lines[index - 1].text))


def set_aside(text: str, markers: Markers) -> bool:
    """Whether a line is never the failure, whatever surrounds it: noise, or what a job prints as it
    shuts down, unless it says the job was stopped from outside."""
    return _aside(markers.kinds_of(text))


def _aside(kinds: AbstractSet[str]) -> bool:
    """``set_aside`` of a line that matches the marker sections ``kinds``."""
    return ("noise" in kinds or "teardown" in kinds) and "terminations" not in kinds


def fatal_detail(lines: LineView, index: int, markers: Markers) -> Iterator[str]:
    """The lines after a fatal or keyword line that belong to it (not noise), read lazily."""
    for later in range(index + 1, min(index + 1 + MAX_FATAL_DETAIL_LINES, len(lines))):
        text = lines[later].text
        if not markers.is_noise(text):
            yield text.strip()


def role_of(text: str, markers: Markers) -> str:
    """FAILURE, WRAPPER or CONSEQUENCE: what the markers say a failure line is."""
    return _role(markers.kinds_of(text))


def _role(kinds: AbstractSet[str]) -> str:
    """``role_of`` a line that matches the marker sections ``kinds``."""
    if "wrappers" in kinds:
        return WRAPPER
    if "consequences" in kinds:
        return CONSEQUENCE
    return FAILURE


def _traceback_candidates(blocks: list[Block], lines: LineView, markers: Markers) -> list[Candidate]:
    """One candidate per chain of tracebacks, reading the chain as a careful human would."""
    candidates = [_chain_candidate(chain, lines, markers) for chain in chains(blocks)]
    return [c for c in candidates if c is not None]


def _in_thread(block: Block, lines: LineView) -> bool:
    """Whether a traceback is a thread's (its header before it, or its outermost frame in threading.py):
    an uncaught exception in a thread does not end the process."""
    if block.start > 0 and THREAD_HEADER.match(lines[block.start - 1].text):
        return True
    frames = (lines[i].text for i in range(block.start + 1, min(block.exception_at, block.start + 4)))
    return any(THREAD_FRAME.search(text) for text in frames)


def _chain_candidate(chain: list[Block], lines: LineView, markers: Markers) -> Optional[Candidate]:
    if printed_at_teardown(chain, lines):
        return None
    primary = primary_link(chain, markers)
    order = [primary] + [i for i in reversed(range(len(chain))) if i != primary]
    readings = [chain[i].failure for i in order]
    readings = [f for f in readings if not markers.is_noise(f.message)] or readings
    last = chain[-1]
    main = readings[0]
    in_thread = _in_thread(chain[0], lines)
    return Candidate(
        index=last.exception_at,
        end=last.end,
        block_start=chain[primary].start,
        kind="thread" if in_thread else "traceback",
        role=role_of(main.message, markers),
        tag=lines[chain[primary].exception_at].tag,
        failure=main,
        fallbacks=tuple(readings[1:]),
        stop=markers.is_termination(main.message),
    )
