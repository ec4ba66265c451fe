"""The stage a job was in when it failed: the last stage marker printed before its failure.

The catalogue's stages files (``stages.yaml``) list marker lines per stage. A plain log is read
backwards from the failure line, a block at a time, until a marker is found; a compressed log is
read forwards up to the failure line. A failure before any marker is in ``initialisation``.
"""

from __future__ import annotations

import re
from itertools import chain
from typing import Iterable, Iterator, NamedTuple, Optional

from philly_triage._internal.pipeline.native import count_newlines
from philly_triage._internal.pipeline.prefilter import LineFinder, compile_finder, compile_sure_misses, plain_ascii
from philly_triage._internal.pipeline.lines import ANSI_ESCAPE, strip_prefixes
from philly_triage._internal.catalogue.markers import Markers, scoped
from philly_triage.models import STAGES, StageMarker
from philly_triage._internal.pipeline.read import LogError, LogSource, open_log

FIRST_BLOCK, BLOCK = 64 << 10, 1 << 20  # backwards: the first block read, and the largest
# The first stretch of a block searched for marks, growing fourfold: the newest mark is usually a
# line or two up, and every hit of the search (each redrawing of a progress bar) costs a call.
FIRST_SEARCH = 4 << 10
INITIALISATION, TRAINING, VALIDATION, EVALUATION = STAGES
FINISHED_BAR = re.compile(r"\b100%\|")  # a progress bar drawn complete
LATER_FIRST = tuple(reversed(STAGES))  # a line several stages' markers match counts for the later stage
MAX_MARKER_LINE = 4096
# What Python logging puts before a message besides the time: "- INFO - train - ", "| INFO |", "[INFO] ".
LOG_PREFIX = re.compile(r"^[\s|:\-\[]*(?:INFO|DEBUG|NOTICE)\b[\]\s|:\-]*(?:[\w.]+(?:\s+[|:\-]|:)\s+)?")


class StageMark(NamedTuple):
    """A marker line: the stage it shows, where it is, and its text."""

    stage: str
    file: str
    line: Optional[int]
    text: str


class StageReader:
    """The catalogue's stage markers made ready: one byte-level search, then a regex per stage."""

    def __init__(self, markers: tuple[StageMarker, ...], line_markers: Markers):
        self.line_markers = line_markers
        # The byte search need only find a superset of the marker lines (each is then checked with its
        # regex): anchors and lookarounds, which hyperscan does not take, are dropped from it.
        self.finder: Optional[LineFinder] = compile_finder([scoped(_searchable(m.regex)) for m in markers])
        self.patterns = {
            stage: re.compile("|".join(scoped(m.regex) for m in markers if m.stage == stage))
            for stage in LATER_FIRST
            if any(m.stage == stage for m in markers)
        }
        # Which stages' patterns cannot match a clean line, in one search: most lines a progress bar
        # draws are training lines, and each stage's alternation is slow to try on them.
        self.misses = compile_sure_misses({
            stage: [scoped(_searchable(m.regex)) for m in markers if m.stage == stage] for stage in self.patterns
        })

    def stage_of(self, raw: bytes) -> Optional[tuple[str, str]]:
        """The stage a raw line shows and its clean text; of a redrawn line, its latest drawing that does."""
        for segment in reversed(raw.split(b"\r")):
            text = segment[:MAX_MARKER_LINE].decode("utf-8", "replace")
            if "\x1b" in text:
                text = ANSI_ESCAPE.sub("", text)
            text, _ = strip_prefixes(text.strip("\n"), self.line_markers)
            text = LOG_PREFIX.sub("", text, count=1)
            possible = self.misses.kinds(text) if self.misses is not None and plain_ascii(text) else None
            for stage, pattern in self.patterns.items():
                if (possible is None or stage in possible) and pattern.search(text):
                    return stage, text.strip()
        return None

    def marks_in(self, data: bytes, path: str, last_line: Optional[int]) -> Iterator[StageMark]:
        """The marker lines of ``data`` (whole lines), newest first. ``last_line`` numbers its last line.

        ``data`` is searched backwards a window at a time, so finding the newest mark of a long
        stretch of progress lines costs one small search, not one per line.
        """
        if self.finder is None:
            return
        end, size = len(data), FIRST_SEARCH
        while end > 0:
            start = max(0, end - size)
            if start > 0:
                start = data.rfind(b"\n", 0, start) + 1  # whole lines only: widen to a line start
            size *= 4
            for line_start in line_starts(data, self.finder.offsets(data, start, end)):
                line_end = data.find(b"\n", line_start)
                line_end = len(data) if line_end < 0 else line_end
                found = self.stage_of(data[line_start:line_end])
                if found:
                    line = None
                    if last_line is not None:
                        line = last_line - data.count(b"\n", line_start, max(line_start, len(data) - 1))
                    yield StageMark(found[0], path, line, found[1])
            end = start


def line_starts(data: bytes, hits: Iterable[int]) -> list[int]:
    """The starts of the lines that hold ``hits`` (offsets in ``data``), newest first, each once.

    Newest hit first: the hits inside a line already placed are skipped, so each byte is scanned
    for a line start at most once (a progress line of megabytes with a mark every few bytes would
    otherwise cost one backward scan per mark)."""
    starts: list[int] = []
    for hit in sorted(hits, reverse=True):
        if starts and hit >= starts[-1]:
            continue  # in the line found last
        starts.append(data.rfind(b"\n", 0, hit) + 1)
    return starts


_READERS: dict[tuple[int, int], tuple[tuple[StageMarker, ...], Markers, StageReader]] = {}


def stage_reader(markers: tuple[StageMarker, ...], line_markers: Markers) -> StageReader:
    """The reader of these stage markers, built once per run. Found by the objects' identity: hashing
    a catalogue's markers for every job costs more than reading its stage."""
    key = (id(markers), id(line_markers))
    found = _READERS.get(key)
    if found is None or found[0] is not markers or found[1] is not line_markers:
        if len(_READERS) >= 4:
            _READERS.clear()
        found = _READERS[key] = (markers, line_markers, StageReader(markers, line_markers))
    return found[2]


def resolve(marks: Iterable[StageMark]) -> Optional[StageMark]:
    """The stage that the marks (newest first) put a failure in; None when there are none.

    The newest mark decides, with two exceptions. A training bar drawn complete right after a
    validation or evaluation mark is a redraw (Lightning redraws the epoch's bar while validating):
    the mark before it decides. A validation mark printed after training finished (an evaluation
    mark before it, with no training between) is the final evaluation.
    """
    marks = iter(marks)
    newest = next(marks, None)
    if newest is not None and _redrawn(newest):
        older = next(marks, None)
        if older is None or older.stage in (INITIALISATION, TRAINING):
            return newest
        newest = older
    if newest is None or newest.stage != VALIDATION:
        return newest
    for mark in marks:
        if mark.stage == VALIDATION:
            continue
        if mark.stage == EVALUATION:
            return StageMark(EVALUATION, newest.file, newest.line, newest.text)
        break
    return newest


def _redrawn(mark: StageMark) -> bool:
    """Whether a mark may be a finished training bar redrawn during a later stage."""
    return mark.stage == TRAINING and FINISHED_BAR.search(mark.text) is not None


def marks_before(source: LogSource, offset: int, reader: StageReader, line: Optional[int]) -> Iterator[StageMark]:
    """The marks of a plain log before byte ``offset`` (the start of line ``line``), newest first."""
    end, newlines = offset, 0  # newlines: how many lines lie between ``end`` and ``offset``
    size = FIRST_BLOCK  # the marker is usually a few lines up: read little first
    while end > 0:
        start = max(0, end - size)
        size = min(size * 4, BLOCK)
        data = source.read(start, end)
        cut = data.find(b"\n") if start > 0 else -1
        if 0 <= cut < len(data) - 1:  # begin at a whole line; a block inside one long line is read as it is
            data, start = data[cut + 1:], start + cut + 1
        last_line = None if line is None else line - 1 - newlines
        yield from reader.marks_in(data, source.path, last_line)
        newlines += count_newlines(data)
        end = start


def marks_forward(chunks: Iterable[bytes], path: str, reader: StageReader, stop: Optional[int]) -> list[StageMark]:
    """The marks a resolve needs of a log read forwards, up to line ``stop`` (None: to the end), oldest
    first: of each piece read, its newest mark and, if that is a validation mark, the mark before."""
    kept: list[StageMark] = []
    number, carry = 1, b""  # the line number ``carry`` starts at
    for chunk in chain(chunks, (b"\n",)):  # a last newline ends a last line that has none
        buffer = carry + chunk
        cut = buffer.rfind(b"\n") + 1
        if cut == 0:
            carry = buffer if len(buffer) <= 4 * BLOCK else buffer[-BLOCK:]
            continue
        data, carry = buffer[:cut], buffer[cut:]
        lines = count_newlines(data)
        if stop is not None and number + lines > stop:  # the piece reaches the failure line: read up to it
            keep = _nth_line_end(data, stop - number)
            data, lines = data[:keep], stop - number
        if lines:
            kept.extend(reversed(list(_needed(reader.marks_in(data, path, number + lines - 1)))))
        number += lines
        if stop is not None and number >= stop:
            break
    return kept


def _needed(marks: Iterator[StageMark]) -> Iterator[StageMark]:
    """The marks ``resolve`` may read of a piece: the newest, and past a redrawn bar or a validation
    mark, the marks up to the first that is neither."""
    for index, mark in enumerate(marks):
        yield mark
        if mark.stage != VALIDATION and not (index == 0 and _redrawn(mark)):
            return


def _nth_line_end(data: bytes, lines: int) -> int:
    """The offset just past the ``lines``-th newline of ``data`` (0 for none)."""
    position = 0
    for _ in range(lines):
        position = data.index(b"\n", position) + 1
    return position


LOOKAROUND = re.compile(r"\(\?<?[!=](?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)")


def _searchable(pattern: str) -> str:
    """The pattern as the byte search takes it: without a leading ``^`` (raw lines may still carry
    prefixes) and without lookarounds. It finds every line the pattern finds, and maybe more."""
    return LOOKAROUND.sub("", re.sub(r"^(\(\?[a-zA-Z]+\))?\^", r"\1", pattern))


def job_stage(reader: StageReader, files: Iterable[str], failure_file: str, failure_line: int,
              failure_offset: Optional[int]) -> StageMark:
    """The stage a job's failure is in, with the marker that shows it (none: initialisation).

    The failure's own log is read before the failure line. If it holds no marker (a stderr with
    only the traceback), the job's other logs are read to their end: the job's stdout beside it
    printed the progress. Among those, the latest stage any of them reached counts.
    """
    mark = resolve(_file_marks(reader, failure_file, failure_line, failure_offset))
    if mark is None:
        others = [resolve(_file_marks(reader, path, None, None)) for path in files if path != failure_file]
        found = [m for m in others if m is not None]
        mark = max(found, key=lambda m: STAGES.index(m.stage)) if found else None
    return mark or StageMark(INITIALISATION, failure_file, None, "")


def _file_marks(reader: StageReader, path: str, line: Optional[int], offset: Optional[int]) -> Iterator[StageMark]:
    """The marks of a log, newest first: before line ``line`` (starting at byte ``offset`` of a plain
    log, if known), or of the whole log when ``line`` is None."""
    try:
        source = open_log(path)
    except LogError:
        return
    try:
        if source.seekable and (line is None or offset is not None):
            yield from marks_before(source, source.size if line is None else offset, reader, line)
        else:
            yield from reversed(marks_forward(source.chunks(), path, reader, line))
    except OSError:
        return
    finally:
        source.close()
