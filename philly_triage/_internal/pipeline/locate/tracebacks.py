"""Read the Python tracebacks of a view as blocks, and group them into chains.

A block runs from its "Traceback (most recent call last):" line through its frames to its
exception line and the message after it. Blocks linked by CPython's chain markers ("The above
exception was the direct cause ...") or by a re-raised worker error ("Original Traceback") form a
chain, of which one link names the failure. Processes' tracebacks can interleave (ranks tag
their lines): each process's lines are read on their own.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Optional

from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline.lines import LineView
from philly_triage._internal.pipeline.locate.limits import MAX_CONTEXT_LINES, MAX_DETAIL_LINES, MAX_FRAME_LINES
from philly_triage.models import Failure

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
MAX_INTERLEAVED = 3  # lines of another stream read past between a traceback's header and its first frame
OBJECT_REPR = re.compile(r"^\s*<[^<>]*>:?\s*$")  # "<function Writer.__del__ at 0x7f...>" on a line of its own


class Block(NamedTuple):
    """One Python traceback: where it starts, its exception line, and what it says."""

    start: int
    exception_at: int
    end: int  # index just past its message
    link: Optional[str]  # how it relates to the block before it: "cause", "context", "original"
    failure: Failure
    tag: str = ""  # the process that printed it, when lines carry rank tags


def read_tracebacks(path: str, lines: LineView, markers: Markers) -> list[Block]:
    """Every Python traceback of the view, in order, with how each links to the one before it.

    Processes' tracebacks can interleave (ranks tag their lines): each process's lines are read
    on their own, so one rank's traceback inside another's is read too.
    """
    blocks: list[Block] = []
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


def _read_block(path: str, lines: LineView, start: int, link: Optional[str], markers: Markers) -> Optional[Block]:
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
        elif not after_frame and not any(
            FRAME.match(lines[later].text) for later in range(index + 1, min(limit, index + 1 + MAX_INTERLEAVED))
        ):
            return None  # "Traceback ..." not followed by frames: someone quoting the word
        # (else another stream's line, printed between the header and the first frame: stdout and
        # stderr written to one file, each with its own buffer; skipped as lines between frames are)
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
            if exception_type(detail[offset], in_traceback=False):
                exception_line, message = lines[index + 1 + offset], detail[offset]
                detail = detail[offset + 1 :]
                break
    failure = Failure(
        file=path,
        line=exception_line.number,
        message=message,
        kind="traceback",
        exception=exception_type(message, in_traceback=True),
        detail=tuple(detail),
        in_framework=None if frame_path is None else bool(FRAMEWORK_PATH.search(frame_path)),
        source=code,
    )
    return Block(start, index, end, link, failure, lines[start].tag)


def exception_type(text: str, in_traceback: bool) -> Optional[str]:
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


def chains(blocks: list[Block]) -> list[list[Block]]:
    """The tracebacks grouped into chains (each linked to the one before it), in order."""
    found: list[list[Block]] = []
    latest: dict[str, list[Block]] = {}  # each process's latest chain: ranks' tracebacks interleave
    for block in blocks:
        if block.link is not None and block.tag in latest:
            latest[block.tag].append(block)
        else:
            latest[block.tag] = [block]
            found.append(latest[block.tag])
    return found


def printed_at_teardown(chain: list[Block], lines: LineView) -> bool:
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


def primary_link(chain: list[Block], markers: Markers) -> int:
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
