"""Find the failure that ended one log, reading as little of it as needed.

A plain log is read from its end: a window of FIRST_WINDOW bytes, widened GROWTH times at a time
until the locator says that what lies before the window cannot change its answer. Line numbers
are then counted over the part not read (a count of newlines, at memory speed). A log whose
answer is still open at MAX_WINDOW bytes, a compressed or UTF-16 log (which can only be read
forwards), and every log under ``full``, are read whole, forwards, and reduced chunk by chunk to
the lines the locator needs (see reduce.py); under ``full``, a plain log of up to ONE_WINDOW bytes
is read as one window instead. Memory is bounded by the window and chunk sizes.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

from philly_triage._internal.pipeline.exit_status import ExitStatus, last_exit_status
from philly_triage._internal.pipeline.lines import ByteLines, ListLines
from philly_triage._internal.pipeline.locate.decide import Located, locate_in_view, renumber
from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline.read import LogError, LogSource, open_log
from philly_triage._internal.pipeline.reduce import reduce_whole
from philly_triage._internal.pipeline.split import helper_for

FIRST_WINDOW = 16 << 10
GROWTH = 4
MAX_WINDOW = 8 << 20
# Under --full, a plain log up to this size is read as one window, every line of it at once: that
# is reading everything, and it is twice as fast as the whole-log reduction. Bigger logs, and
# compressed or UTF-16 ones, are reduced chunk by chunk, which bounds memory.
ONE_WINDOW = MAX_WINDOW


class Scan(NamedTuple):
    """What one log file says: the failure located in it (if any), or why it could not be read."""

    path: str
    located: Optional[Located] = None
    error: Optional[str] = None  # the file gave nothing to analyse
    notes: tuple[str, ...] = ()  # read, with caveats (e.g. a truncated archive)
    offset: Optional[int] = None  # where the failure's line starts in a plain log, when it is known
    exit: Optional[ExitStatus] = None  # the last exit status line of the log
    damaged: Optional[str] = None  # the log could not be read to its end: what was read stops early
    not_a_log: bool = False  # the error says that the file is no log (a binary), not that reading failed

    @property
    def incomplete(self) -> Optional[str]:
        """Why the job's evidence is not whole because of this file: a log not read, or not to its end."""
        if self.error is not None and not self.not_a_log:
            return self.error
        return self.damaged


def scan_log(path: str, markers: Markers, full: bool = False) -> Scan:
    """Locate the failure in the log at ``path``. Never raises for a bad file: says why instead."""
    try:
        source = open_log(path)
    except LogError as err:
        return Scan(path, error=str(err), not_a_log=err.not_a_log)
    try:
        if source.size == 0:
            return Scan(path, notes=("empty file",))
        if not source.seekable or (full and source.size > ONE_WINDOW):
            located, offset, exit, note = _read_whole(source, markers)
        else:  # from the end; under --full, one window that holds the whole log
            window = source.size if full else FIRST_WINDOW
            with markers.memo.held():  # wider windows read the narrower ones' lines again
                (located, offset, exit), note = _read_from_end(source, markers, window), None
    except OSError as err:
        return Scan(path, error=f"cannot read: {err.strerror or err}")
    finally:
        source.close()
    notes = tuple(source.notes) + ((note,) if note else ())
    return Scan(path, located, notes=notes, offset=offset, exit=exit, damaged=source.damaged)


def scan_text(text: str, markers: Markers, name: str = "<text>") -> Scan:
    """What a log given as text says, as ``scan_log`` would find it in a file holding it."""
    view = ByteLines(text.encode("utf-8"), markers)
    located, _ = locate_in_view(name, view, markers)
    return Scan(name, located, exit=last_exit_status(name, view, markers))


def _read_from_end(
    source: LogSource, markers: Markers, window: int = FIRST_WINDOW
) -> tuple[Optional[Located], Optional[int], Optional[ExitStatus]]:
    """The failure, the offset of its line in the file (None when it is not known),
    and the log's last exit status line, reading windows from ``window`` bytes up."""
    while True:
        start = max(0, source.size - window)
        raw = source.read(max(0, start - 1), source.size)
        if start > 0:
            skip = _first_line_start(raw)
            raw, start = raw[skip:], start - 1 + skip
        view = ByteLines(raw, markers)
        located, settled = locate_in_view(source.path, view, markers)
        if start == 0 or settled:
            offset = None
            exit = last_exit_status(source.path, view, markers)
            if located is not None:
                found = view.offset_of(located.failure.line)
                offset = None if found is None else start + found
            if start > 0 and (located is not None or exit is not None):
                before = source.count_newlines(start)
                located = renumber(located, before) if located is not None else None
                exit = exit._replace(line=exit.line + before) if exit is not None else None
            return located, offset, exit
        if window >= MAX_WINDOW:
            located, offset, exit, _ = _read_whole(source, markers)
            return located, offset, exit
        window *= GROWTH


def _first_line_start(raw: bytes) -> int:
    """Where the first whole line (or carriage-return segment) of a window read mid-file starts."""
    for separator in (b"\n", b"\r"):
        found = raw.find(separator)
        if found >= 0:
            return found + 1
    return 0  # the window lies inside one enormous line: keep the piece


def _read_whole(
    source: LogSource, markers: Markers
) -> tuple[Optional[Located], Optional[int], Optional[ExitStatus], Optional[str]]:
    """The failure, the offset of its line in the file (a plain log's, when the regions kept hold
    its start), the log's last exit status line, and a note if some regions had to be dropped."""
    with helper_for(source, markers) as helper:  # a big plain log: a helper reduces it from its end too
        reduced = reduce_whole(source.chunks(), source.path, markers, helper)
    view = ListLines(reduced.lines, markers)
    located, _ = locate_in_view(source.path, view, markers)
    offset = None
    if located is not None and source.seekable:  # the bytes reduced are the file's
        offset = reduced.offset_of(located.failure.line, markers)
    return located, offset, last_exit_status(source.path, view, markers), reduced.note
