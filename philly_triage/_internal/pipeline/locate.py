"""Locate the failure that ended a job in its log lines.

A grep finds every line with "error" in it; the locator finds the one that ended the job. It reads
Python tracebacks as blocks (following chained exceptions and re-raised worker errors to the
underlying one), recognises fatal lines of shells, runtimes and the kernel, and sets aside what is
not the failure: warnings and other noise, exceptions the job survived (progress follows them),
and what launchers and sibling processes print after the first process failed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from typing import Iterable, Iterator, Optional, Sequence

from philly_triage._internal.pipeline.lines import LineView
from philly_triage._internal.catalogue.markers import Markers
from philly_triage.models import Failure, LogLine

TRACEBACK_START = re.compile(r"(?:Original )?Traceback \(most recent call last\):")
CHAIN_CAUSE = "The above exception was the direct cause of the following exception:"
CHAIN_CONTEXT = "During handling of the above exception, another exception occurred:"
# CPython's header for an exception it reports and goes on from (a destructor, an atexit callback,
# a finalizer): "Exception ignored in: <...>", "Exception ignored while ...", "Exception ignored on ...".
IGNORED = re.compile(r"^\s*(?:Exception ignored\b|Error in atexit\._run_exitfuncs)")
FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line \d+')
EXCEPTION_LINE = re.compile(
    r"^(?P<type>(?:[A-Za-z_]\w*\.)*_*[A-Z]\w*|(?:[a-z_]\w*\.)+(?:error|timeout|gaierror|herror))"  # zlib.error, socket.timeout
    r"(?: \(see above for traceback\))?(?::(?:\s(?P<msg>.*))?)?$"
)
USER_CODE_HEADER = re.compile(r":\s*in user code:\s*$")
FRAMEWORK_PATH = re.compile(r"[/\\](?:site|dist)-packages[/\\]")
MAX_DETAIL_LINES = 80
MAX_FATAL_DETAIL_LINES = 3
MAX_CONTEXT_LINES = 30
MAX_FRAME_LINES = 2000
MAX_BURST_GAP = 10  # lines between fatal lines printed together
# A job went on after a failure when this many progress lines, or one success line, follow it.
PROGRESS_TO_SURVIVE, SUCCESS_TO_SURVIVE = 2, 1

# How strongly a candidate says "this ended the job": a Python traceback, a fatal line, a keyword.
# A thread's traceback ("Exception in thread Thread-1:") does not end the process: as weak as a keyword.
KIND_RANK = {"traceback": 3, "fatal": 2, "keyword": 1, "thread": 1}
WEAK_KINDS = ("keyword", "thread")  # evidence of a failure only when the job is known to have ended badly
THREAD_HEADER = re.compile(r'^\s*Exception in thread (?!"main")\S.*:\s*$')
THREAD_FRAME = re.compile(r'threading\.py", line \d+, in _bootstrap_inner')  # a thread's outermost frame
FAILURE, WRAPPER, CONSEQUENCE = "failure", "wrapper", "consequence"


@dataclass(frozen=True)
class Located:
    """The failure of one file, with lower-ranked readings to fall back on, and its ranking."""

    failure: Failure
    fallbacks: tuple[Failure, ...]
    kind: str
    role: str


@dataclass(frozen=True)
class _Block:
    """One Python traceback: where it starts, its exception line, and what it says."""

    start: int
    exception_at: int
    end: int  # index just past its message
    link: Optional[str]  # how it relates to the block before it: "cause", "context", "original"
    failure: Failure
    tag: str = ""  # the process that printed it, when lines carry rank tags


@dataclass(frozen=True)
class _Candidate:
    index: int
    end: int
    block_start: int  # where its traceback (or its line) begins: context is read from before it
    kind: str
    role: str
    tag: str
    failure: Failure
    fallbacks: tuple[Failure, ...] = ()


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


def locate_in_view(path: str, view: LineView, markers: Markers) -> tuple[Optional[Located], bool]:
    """The failure that ended the run these lines record (None when they show none), and whether
    the lines before them could change the answer (False) or not (True).

    The view is usually the end of a log: the caller widens it until the answer is settled.
    """
    decision = _decide(_candidates(path, view, markers), _Evidence(view), len(view))
    if decision.chosen is None:
        return None, decision.settled
    return _located(decision.chosen, view, markers, decision.chosen_role), decision.settled


@dataclass(frozen=True)
class _Decision:
    """What the locator chose among a view's candidates, and from which of them."""

    chosen: Optional[_Candidate]
    chosen_role: str
    settled: bool
    group: tuple[_Candidate, ...] = ()  # the candidates it chose among (the failures, or the live ones)
    cluster: tuple[_Candidate, ...] = ()  # the final burst of the group, which the chosen one is from


def _decide(candidates: list[_Candidate], evidence: "_Evidence", size: int) -> _Decision:
    """Choose the failure that ended the run among the candidates of a view of ``size`` lines."""
    if not candidates:
        return _Decision(None, "", evidence.survived(0, size))
    strong = [c for c in candidates if c.kind not in WEAK_KINDS]
    failures = [c for c in strong if c.role == FAILURE]
    if failures:
        last = failures[-1]
        # A launcher's or another process's report after it, which the job did not go on from.
        later_trouble = any(
            c.index > last.index and c.role != FAILURE and not evidence.survived(c.end, size) for c in strong
        )
        if evidence.survived(last.end, size) and not later_trouble:
            return _Decision(None, "", True, tuple(failures))
        cluster = _final_cluster(failures, evidence)
        settled = cluster[0].index > MAX_CONTEXT_LINES and evidence.survived(0, cluster[0].index)
        return _Decision(_root_of(cluster), FAILURE, settled, tuple(failures), tuple(cluster))
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
                return _Decision(said, FAILURE, False, tuple(live), tuple(cluster))
            return _Decision(first, first.role, False, tuple(live), tuple(cluster))
    return _Decision(None, "", True)


def _said_before(report: _Candidate, candidates: list[_Candidate], evidence: "_Evidence") -> Optional[_Candidate]:
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
    return replace(_first_of_burst(said), kind=report.kind)  # as strong as the report that backs it


def failure_spans(path: str, view: LineView, markers: Markers) -> list[tuple[int, int]]:
    """The line ranges the locator reads to judge every possible failure of the view: each
    traceback and each candidate line with what follows it, and the context printed before."""
    blocks = _tracebacks(path, view, markers)
    spans = [(max(0, b.start - MAX_CONTEXT_LINES - 1), b.end + 1) for b in blocks]
    spans += [
        (max(0, c.index - MAX_CONTEXT_LINES), c.index + 1 + MAX_FATAL_DETAIL_LINES)
        for c in _candidates(path, view, markers, blocks)
        if c.kind != "traceback"
    ]
    return sorted(spans)


def renumber(located: Located, offset: int) -> Located:
    """The same failure with its line numbers moved by ``offset`` (a view that began mid-file)."""
    if not offset:
        return located
    failure = replace(located.failure, line=located.failure.line + offset)
    fallbacks = tuple(replace(f, line=f.line + offset) for f in located.fallbacks)
    return replace(located, failure=failure, fallbacks=fallbacks)


def _located(chosen: "_Candidate", lines: LineView, markers: Markers, role: str) -> Located:
    """The chosen candidate with the lines printed just before it, which context rules read."""
    context = _context_before(lines, chosen.block_start, markers)
    failure = replace(chosen.failure, context=context)
    if chosen.kind != "traceback":
        failure = replace(failure, detail=tuple(_fatal_detail(lines, chosen.index, markers)))
    fallbacks = tuple(replace(f, context=context) for f in chosen.fallbacks)
    return Located(failure, fallbacks, chosen.kind, role)


def _final_cluster(failures: list["_Candidate"], evidence: "_Evidence") -> list["_Candidate"]:
    """The final burst of failures: members with no progress between them."""
    cluster = [failures[-1]]
    for candidate in reversed(failures[:-1]):
        if evidence.survived(candidate.end, cluster[0].index):
            break
        cluster.insert(0, candidate)
    return cluster


def _root_of(cluster: list["_Candidate"]) -> "_Candidate":
    """The failure that started the final burst.

    Tracebacks beat other lines of the burst. Tracebacks of several processes (different rank tags,
    or the same message printed by each rank) name the first process to fail; otherwise the last
    traceback is the one that ended the process.
    """
    tracebacks = [c for c in cluster if c.kind == "traceback"]
    if not tracebacks:
        return _first_of_burst(cluster)
    tags = {c.tag for c in tracebacks if c.tag}
    messages = {c.failure.message for c in tracebacks}
    if len(tags) > 1 or (len(tracebacks) > 1 and len(messages) == 1):
        return tracebacks[0]
    return tracebacks[-1]


def _first_of_burst(candidates: list["_Candidate"]) -> "_Candidate":
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


class _Evidence:
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


def _candidates(
    path: str, lines: LineView, markers: Markers, blocks: Optional[list[_Block]] = None
) -> list[_Candidate]:
    if blocks is None:
        blocks = _tracebacks(path, lines, markers)
    block_starts = [block.start for block in blocks]
    candidates = _traceback_candidates(blocks, lines, markers)
    for index in lines.candidates:
        last = bisect_right(block_starts, index)
        if any(index < block.end for block in blocks[max(0, last - 8):last]):
            continue  # part of a traceback (interleaved ranks' tracebacks overlap: look at a few)
        line = lines[index]
        text = line.text.strip()
        if set_aside(text, markers) or _under_ignored_header(lines, index) or THREAD_HEADER.match(text):
            continue  # (a thread's header belongs to the traceback after it, which is read as a block)
        if markers.is_fatal(text) or markers.is_wrapper(text) or markers.is_termination(text):
            kind = "fatal"
        elif markers.has_keyword(text):
            kind = "keyword"
        else:
            continue
        failure = Failure(
            file=path,
            line=line.number,
            message=text,
            kind=kind,
            exception=_exception_type(text, in_traceback=False),
        )  # its detail is read only if it is chosen (see _located)
        # A C++ abort names its exception on the "what():" line that follows it.
        role_text = text
        if any(lines.holds(i, b"what():") for i in range(index + 1, min(index + 4, len(lines)))):
            following = next(_fatal_detail(lines, index, markers), "")
            role_text = f"{text} {following}" if following.startswith("what():") else text
        candidates.append(_Candidate(index, index + 1, index, kind, _role(role_text, markers), line.tag, failure))
    candidates.sort(key=lambda c: c.index)
    return candidates


def _under_ignored_header(lines: LineView, index: int) -> bool:
    """Whether a line is the exception that CPython printed, with no traceback, under "Exception
    ignored in ..." (the object had no frames left to show): teardown noise, like the traceback form."""
    return index > 0 and lines.holds(index - 1, b"gnored") and bool(IGNORED.match(lines[index - 1].text))


def set_aside(text: str, markers: Markers) -> bool:
    """Whether a line is never the failure, whatever surrounds it: noise, or what a job prints as it
    shuts down, unless it says the job was stopped from outside."""
    return (markers.is_noise(text) or markers.is_teardown(text)) and not markers.is_termination(text)


def _fatal_detail(lines: LineView, index: int, markers: Markers) -> Iterator[str]:
    """The lines after a fatal or keyword line that belong to it (not noise), read lazily."""
    for later in range(index + 1, min(index + 1 + MAX_FATAL_DETAIL_LINES, len(lines))):
        text = lines[later].text
        if not markers.is_noise(text):
            yield text.strip()


def _role(text: str, markers: Markers) -> str:
    if markers.is_wrapper(text):
        return WRAPPER
    if markers.is_consequence(text):
        return CONSEQUENCE
    return FAILURE


def _traceback_candidates(blocks: list[_Block], lines: LineView, markers: Markers) -> list[_Candidate]:
    """One candidate per chain of tracebacks, reading the chain as a careful human would."""
    candidates = [_chain_candidate(chain, lines, markers) for chain in _chains(blocks)]
    return [c for c in candidates if c is not None]


def _chains(blocks: list[_Block]) -> list[list[_Block]]:
    """The tracebacks grouped into chains (each linked to the one before it), in order."""
    chains: list[list[_Block]] = []
    latest: dict[str, list[_Block]] = {}  # each process's latest chain: ranks' tracebacks interleave
    for block in blocks:
        if block.link is not None and block.tag in latest:
            latest[block.tag].append(block)
        else:
            latest[block.tag] = [block]
            chains.append(latest[block.tag])
    return chains


OBJECT_REPR = re.compile(r"^\s*<[^<>]*>:?\s*$")  # "<function Writer.__del__ at 0x7f...>" on a line of its own


def _ignored(chain: list[_Block], lines: LineView) -> bool:
    """Whether a chain was printed under "Exception ignored in ...": at teardown, never what ended the job.

    Processes that tear down together interleave these blocks ("Exception ignored in: Exception
    ignored in: <function ...>"), leaving the object's name on a line of its own before a traceback.
    """
    index = chain[0].start - 1
    if index < 0:
        return False
    if IGNORED.match(lines[index].text):
        return True
    if not OBJECT_REPR.match(lines[index].text):
        return False
    # The name alone: its header is one of the teardown headers printed just before.
    return any(IGNORED.match(lines[i].text) for i in range(index - 1, max(-1, index - 1 - MAX_CONTEXT_LINES), -1))


def _primary(chain: list[_Block], markers: Markers) -> int:
    """Which link of a chain names the failure."""
    primary = len(chain) - 1
    # "raise X from Y": Y is the underlying cause a human would name, unless X says the same thing
    # again (pandas' "raise KeyError(key) from err"): then X, whose frames reach the user's code.
    while (
        primary > 0 and chain[primary].link == "cause"
        and not markers.is_wrapper(chain[primary - 1].failure.message)
        and chain[primary - 1].failure.message != chain[primary].failure.message
    ):
        primary -= 1
    # A re-raised exception whose message carries the original traceback names the original.
    while primary + 1 < len(chain) and chain[primary + 1].link == "original":
        primary += 1
    return primary


def _in_thread(block: _Block, lines: LineView) -> bool:
    """Whether a traceback is a thread's (its header before it, or its outermost frame in threading.py):
    an uncaught exception in a thread does not end the process."""
    if block.start > 0 and THREAD_HEADER.match(lines[block.start - 1].text):
        return True
    frames = (lines[i].text for i in range(block.start + 1, min(block.exception_at, block.start + 4)))
    return any(THREAD_FRAME.search(text) for text in frames)


def _chain_candidate(chain: list[_Block], lines: LineView, markers: Markers) -> Optional[_Candidate]:
    if _ignored(chain, lines):
        return None
    primary = _primary(chain, markers)
    order = [primary] + [i for i in reversed(range(len(chain))) if i != primary]
    readings = [chain[i].failure for i in order]
    readings = [f for f in readings if not markers.is_noise(f.message)] or readings
    last = chain[-1]
    main = readings[0]
    in_thread = _in_thread(chain[0], lines)
    return _Candidate(
        index=last.exception_at,
        end=last.end,
        block_start=chain[primary].start,
        kind="thread" if in_thread else "traceback",
        role=_role(main.message, markers),
        tag=lines[chain[primary].exception_at].tag,
        failure=main,
        fallbacks=tuple(readings[1:]),
    )


def _tracebacks(path: str, lines: LineView, markers: Markers) -> list[_Block]:
    """Every Python traceback of the view, in order, with how each links to the one before it.

    Processes' tracebacks can interleave (ranks tag their lines): each process's lines are read
    on their own, so one rank's traceback inside another's is read too.
    """
    blocks: list[_Block] = []
    resume: dict[str, int] = {}  # per process tag: lines before this belong to a block already read
    for index in lines.candidates:
        if not lines.holds(index, b"raceback"):
            continue
        tag = lines[index].tag
        if index < resume.get(tag, 0):
            continue
        found = TRACEBACK_START.search(lines[index].text)
        if not found:
            continue
        if found.group(0).startswith("Original"):
            link = "original" if any(b.end == index and b.tag == tag for b in blocks[-8:]) else None
        elif index - 1 >= resume.get(tag, 0) and not TRACEBACK_START.search(lines[index - 1].text):
            # Only a chain marker right between two tracebacks links them.
            link = {CHAIN_CAUSE: "cause", CHAIN_CONTEXT: "context"}.get(lines[index - 1].text.strip())
        else:
            link = None
        block = _read_block(path, lines, index, link, markers)
        if block is None:
            continue
        blocks.append(block)
        if TRACEBACK_START.search(block.failure.message):
            # An exception whose message is itself a traceback (TensorFlow 1's ImportError): the
            # quoted traceback holds the original error.
            nested = _read_block(path, lines, block.exception_at, "original", markers)
            if nested is not None:
                blocks.append(nested)
                block = nested
        _read_through(resume, tag, block.end)
    return blocks


def _read_through(resume: dict[str, int], tag: str, end: int) -> None:
    """Lines before ``end`` are read: for this process, and for untagged lines (which any block may hold)."""
    for key in {tag, ""}:
        resume[key] = max(resume.get(key, 0), end)


def _read_block(path: str, lines: LineView, start: int, link: Optional[str], markers: Markers) -> Optional[_Block]:
    """Read frames after a "Traceback" line up to the exception line and the message after it."""
    frame_path: Optional[str] = None
    code: Optional[str] = None  # the source line the innermost frame shows: the line that raised
    index = start + 1
    limit = min(len(lines), start + 1 + MAX_FRAME_LINES)
    after_frame = False
    tag = lines[start].tag
    while index < limit:
        if tag and lines[index].tag and lines[index].tag != tag:
            index += 1  # another process's line, printed in the middle of this traceback
            continue
        text = lines[index].text
        frame = FRAME.match(text)
        if frame:
            frame_path, code = frame.group("path"), None
            after_frame = True
        elif text[:1].isspace() or text.strip().startswith(("[Previous line repeated", "...", "^", "~")):
            if code is None and after_frame and text.strip() and text.strip()[0] not in "^~":
                code = text.strip()
        elif EXCEPTION_LINE.match(text.strip()) and not markers.is_noise(text):
            break
        elif not after_frame:
            return None  # "Traceback ..." not followed by frames: someone quoting the word
        index += 1
    else:
        return None
    exception_line = lines[index]
    message = exception_line.text.strip()
    end = index + 1
    detail = []
    # A message that is itself a traceback (TensorFlow 1's ImportError) is read as its own block.
    quotes_traceback = TRACEBACK_START.search(message) is not None
    while end < len(lines) and len(detail) < MAX_DETAIL_LINES and not quotes_traceback:
        text = lines[end].text
        stripped = text.strip()
        if TRACEBACK_START.search(text) or stripped in (CHAIN_CAUSE, CHAIN_CONTEXT) or IGNORED.match(text):
            break
        quoted = text[:1].isspace()  # indented lines belong to the message (e.g. TensorFlow's node stack)
        if not quoted and (
            (exception_line.tag and lines[end].tag and lines[end].tag != exception_line.tag)
            or markers.is_noise(text)
            or markers.is_wrapper(text)
            or markers.is_consequence(text)
            or markers.is_progress(text)
        ):
            break
        detail.append(stripped)
        end += 1
    if USER_CODE_HEADER.search(message):
        # TensorFlow's "ValueError: in user code:" is a header; the error is the last one it quotes.
        for offset in reversed(range(len(detail))):
            if _exception_type(detail[offset], in_traceback=False):
                exception_line, message = lines[index + 1 + offset], detail[offset]
                detail = detail[offset + 1 :]
                break
    failure = Failure(
        file=path,
        line=exception_line.number,
        message=message,
        kind="traceback",
        exception=_exception_type(message, in_traceback=True),
        detail=tuple(detail),
        in_framework=None if frame_path is None else bool(FRAMEWORK_PATH.search(frame_path)),
        source=code,
    )
    return _Block(start, index, end, link, failure, lines[start].tag)


def _exception_type(text: str, in_traceback: bool) -> Optional[str]:
    """The exception type a line names: any name closing a traceback, else one shaped like one."""
    found = EXCEPTION_LINE.match(text)
    if not found:
        return None
    name = found.group("type")
    return name if in_traceback or _looks_like_exception(name) else None


def _looks_like_exception(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last.endswith(("Error", "Exception", "Exit", "Interrupt", "Fault", "Failure", "Warning")) or last in (
        "StopIteration",
        "KeyboardInterrupt",
    )


def _context_before(lines: LineView, index: int, markers: Markers) -> tuple[str, ...]:
    start = max(0, index - MAX_CONTEXT_LINES)
    return tuple(line.text.strip() for line in lines[start:index] if not markers.is_noise(line.text))


# What `considered` says of each possible failure: the one chosen, or why it was set aside.
CHOSEN, NOISE, SURVIVED, EARLIER, SAME_BURST = "failure", "noise", "survived", "earlier", "same_burst"
OUTRANKED, IGNORED_TEARDOWN, CHAIN_LINK = "outranked", "ignored", "chain_link"
_ROLE_REASONS = {
    WRAPPER: "a wrapper: a launcher's report that something it ran failed; classified by what it wraps",
    CONSEQUENCE: "a consequence: printed by other processes or launchers after the first failure",
}


@dataclass(frozen=True)
class Considered:
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
    blocks = _tracebacks(path, view, markers)
    candidates = _candidates(path, view, markers, blocks)
    evidence = _Evidence(view)
    decision = _decide(candidates, evidence, len(view))
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

    def __init__(self, decision: _Decision, strong: bool):
        self.decision = decision
        self.strong = strong  # the view holds tracebacks or fatal lines
        self.group = {c.index for c in decision.group}
        self.cluster = {c.index for c in decision.cluster}

    def verdict(self, c: _Candidate) -> tuple[str, str]:
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

    def _in_final_burst(self, c: _Candidate, chosen: _Candidate) -> tuple[str, str]:
        at = chosen.failure.line
        tracebacks = [k for k in self.decision.cluster if k.kind == "traceback"]
        if chosen.role == FAILURE and tracebacks:
            if c.kind != "traceback":
                return SAME_BURST, f"a {c.kind} line of the final burst: the traceback at line {at} outranks it"
            if chosen == tracebacks[0]:
                return SAME_BURST, f"a later copy in the final burst: the first process to fail (line {at}) is the root"
            return SAME_BURST, f"an earlier traceback of the final burst: the last one (line {at}) ended the process"
        if chosen.role == CONSEQUENCE:
            if c.role == WRAPPER:
                return WRAPPER, _ROLE_REASONS[WRAPPER]
            return SAME_BURST, f"part of the final burst: the first consequence observed (line {at}) is reported"
        if c.index < chosen.index:
            return EARLIER, f"earlier than the final burst: more than {MAX_BURST_GAP} lines before it (line {at})"
        return SAME_BURST, f"part of the final burst, which begins at line {at}"


def _other_readings(
    blocks: list[_Block], view: LineView, markers: Markers, chosen: Optional[_Candidate]
) -> list[Considered]:
    """Tracebacks set aside as teardown noise, and the links of the chosen chain that it does not name."""
    found = []
    for chain in _chains(blocks):
        if _ignored(chain, view):
            last = chain[-1].failure
            found.append(Considered(last.line, view[chain[0].start].number, "traceback", "", last.message,
                                    IGNORED_TEARDOWN, _TEARDOWN))
            continue
        if chosen is None or chosen.kind != "traceback" or chain[-1].exception_at != chosen.index:
            continue
        primary = _primary(chain, markers)
        for position, block in enumerate(chain):
            if position != primary:
                found.append(Considered(
                    block.failure.line, view[block.start].number, "traceback", _role(block.failure.message, markers),
                    block.failure.message, CHAIN_LINK, _link_reason(chain, position, primary, markers),
                ))
    return found


_TEARDOWN = 'printed under "Exception ignored in": teardown noise, never what ended the job'


def _link_reason(chain: list[_Block], position: int, primary: int, markers: Markers) -> str:
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


def _noise(view: LineView, markers: Markers, blocks: list[_Block], more: Iterable[LogLine]) -> list[Considered]:
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
