"""The lines of a log as the locator sees them: cut from raw bytes, cleaned only when looked at.

A view is a sequence of LogLines (``len(view)``, ``view[i]``, ``view[a:b]``) with what a cheap
first pass over raw bytes finds: ``candidates`` (lines that hold a trigger, so may be a failure)
and ``find_evidence`` (progress and success lines in a range: did the job go on?). The locator runs
its regular expressions only on the lines it looks at, so the cost of a view is a few byte-level
searches, not a regex per line.

Line numbers count "\\n" only, as ``grep -n`` does: a carriage return of a progress bar splits a
line into segments that keep the line's number. Blank segments are left out.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import accumulate
from typing import Any, Callable, Optional, Sequence, Union

from philly_triage._internal.pipeline.memo import MISSING
from philly_triage._internal.pipeline.native import native_lines_of, native_segment
from philly_triage._internal.pipeline.prefilter import lines_of
from philly_triage._internal.catalogue.markers import Markers
from philly_triage.models import LogLine

ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
CARRIAGE_SEGMENT = re.compile(rb"[^\r]+")  # a non-empty segment of a line split at carriage returns
SPLIT_LIMIT = 1 << 16  # a line with carriage returns up to this long is split at once; a longer one, searched
MAX_LINE_BYTES = 8192  # a longer line (a progress bar that never printed a newline) is cut to this
# A shell's report that a command it ran died of a signal ("/bin/bash: line 1:  4242 Killed  python
# train.py", "run.sh: line 12: 77 Segmentation fault (core dumped) ..."). The shell writes it at
# once, so when it is not at the start of a line, what is before it is output the program left
# without a newline (a progress bar killed mid-drawing): the line is the report alone. The shell
# or script's name starts with "/" (whatever is before it: "...5.36it/s]/bin/bash") or with a
# letter, "." or "~" that does not go on a word or path ("...it/s]run.sh"); it is at most 256
# characters, so a line of 8 KB of slashes costs one bounded scan per slash, not one to its end.
SHELL_REPORT = re.compile(
    r"(?:/|(?<![\w.~/+-])[A-Za-z.~])[\w.~/+-]{0,255}: line \d+:\s+\d+\s+(?:Killed|Segmentation fault|Aborted|Terminated"
    r"|Bus error|Floating point exception|Illegal instruction|Hangup|Quit|User defined signal [12]"
    r"|CPU time limit exceeded|File size limit exceeded)\b"
)


def cleaned(segment: bytes, markers: Markers) -> tuple[str, str]:
    """``clean_line`` of a raw segment, kept per segment for the run: a widened window reads again
    the lines of the narrower one, and logs repeat lines."""
    found = markers.memo.get("clean", segment)
    if found is MISSING:
        found = clean_line(segment.decode("utf-8", "replace"), markers)
        markers.memo.put("clean", segment, found)
    return found


def clean_line(segment: str, markers: Markers) -> tuple[str, str]:
    """Remove colour codes, trailing space and known prefixes; return the text and the process tag.

    Text glued before a shell's report of a killed command is cut off (see SHELL_REPORT)."""
    if "\x1b" in segment:
        segment = ANSI_ESCAPE.sub("", segment)
    if segment.startswith("\ufeff"):
        segment = segment[1:]  # a byte order mark
    text, tag = strip_prefixes(segment.rstrip(), markers)
    return without_glued_output(text, markers), tag


def without_glued_output(text: str, markers: Markers) -> str:
    """``text`` from the start of a shell's report of a killed command, when something was printed
    before it without a newline: text that runs into it, or a progress bar (tqdm pads its last
    drawing with spaces). A report after a space and words ("ERROR: run.sh: line 3: ...") is kept
    whole: a logger wrote it so."""
    if ": line " not in text:
        return text  # the common case, found in one test
    found = SHELL_REPORT.search(text)
    if found is None or found.start() == 0:
        return text
    before = text[:found.start()]
    return text[found.start():] if not before[-1].isspace() or markers.is_progress(before) else text


def strip_prefixes(text: str, markers: Markers) -> tuple[str, str]:
    """Remove timestamps and process tags from the start of a line; return the text and the tag."""
    tag = ""
    for _ in range(4):
        if markers.any_prefix is not None and not markers.any_prefix.match(text):
            break  # the common case: no prefix at all, found in one test
        for pattern in markers.line_prefixes:
            found = pattern.match(text)
            if found and found.end() > 0:
                tag = found.groupdict().get("tag") or tag
                text = text[found.end():]
                break
        else:
            break
    return text, tag


class ByteLines:
    """A view of raw log bytes. ``first_number`` is the line number of the first line."""

    def __init__(self, raw: bytes, markers: Markers, first_number: int = 1):
        given = raw
        if b"\x00" in raw:
            raw = raw.replace(b"\x00", b"")
        self._markers = markers
        self._segments = _segment(raw, first_number)
        self._numbers, self._raw, self._starts = self._segments.numbers, self._segments.raw, self._segments.starts
        self._exact = self._raw is given  # the offsets of lines are those of the bytes given
        self._cache: dict[int, LogLine] = {}
        self._candidates: Optional[list[int]] = None
        self._success_hints: Optional[list[int]] = None  # lines holding a success hint
        self._success: dict[int, int] = {}  # position among those -> position of the next success line
        self._bare: list[tuple[int, int]] = []  # byte ranges with no progress match (see find_evidence)

    def __len__(self) -> int:
        return len(self._segments)

    def __getitem__(self, index: Union[int, slice]):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        line = self._cache.get(index)
        if line is None:
            text, tag = cleaned(self._segments.bytes_of(index), self._markers)
            line = self._cache[index] = LogLine(self._numbers[index], text, tag)
        return line

    def fields(self, index: int) -> tuple[str, str, int]:
        """The text, tag and number of line ``index`` (as ``self[index]`` has them) without making
        its LogLine: most lines looked at in a long window are judged and set aside."""
        line = self._cache.get(index)
        if line is not None:
            return line.text, line.tag, line.number
        text, tag = cleaned(self._segments.bytes_of(index), self._markers)
        return text, tag, self._numbers[index]

    def raw_of(self, index: int) -> bytes:
        """The raw bytes of line ``index``, as the window holds them."""
        return self._segments.bytes_of(index)

    def judged(self, index: int, kind: str, judge: Callable[[str], Any]) -> tuple[Any, str, str, int]:
        """``judge``'s answer on the clean text of line ``index``, with that text, tag and number.
        The answer and the text are kept per raw line (under ``kind`` in Markers.memo): most lines
        a long window holds are judged and set aside, and a widened window meets them again."""
        key = self._segments.bytes_of(index)
        found = self._markers.memo.get(kind, key)
        if found is MISSING:
            text, tag = self.fields(index)[:2]
            found = (judge(text), text, tag)
            self._markers.memo.put(kind, key, found)
        return found[0], found[1], found[2], self._numbers[index]

    def holds(self, index: int, *needles: bytes) -> bool:
        """Whether line ``index``'s raw bytes hold one of ``needles``: a test before cleaning the line."""
        return self._segments.holds(index, index + 1, needles)

    def holds_in(self, start: int, stop: int, needle: bytes) -> bool:
        """Whether one of lines ``start..stop-1`` holds ``needle`` (not blank, no line break or carriage
        return in it) in its raw bytes: one search of their bytes."""
        return start < stop and self._segments.holds(start, stop, (needle,))

    def offset_of(self, number: int) -> Optional[int]:
        """Where the line numbered ``number`` starts in the bytes given (None if it is not known)."""
        index = bisect_left(self._numbers, number)
        if not self._exact or index >= len(self._numbers) or self._numbers[index] != number:
            return None
        return self._starts[index]

    def find_evidence(self, start: int, stop: int, progress: bool, limit: int) -> list[int]:
        """Up to ``limit`` progress (or success) lines among lines ``start..stop-1``.

        Progress lines are many (every step of training): the search covers only the bytes of
        those lines and stops at the limit, and a stretch already searched in vain is not searched
        again. Success lines are few but their hints are common words ("done", "exit"): the lines
        holding a hint are found once for the whole view, and each is judged on its clean text when
        a search first reaches it.
        """
        if not progress:
            return self._successes(start, stop, limit)
        finder = self._markers.progress_lines
        found: list[int] = []
        if finder is None or start >= stop:
            return found
        starts, raw = self._starts, self._raw
        end = starts[stop] if stop < len(starts) else len(raw)
        position = starts[start]
        while len(found) < limit and position < end:
            if self._known_bare(position, end):
                break
            hits = self._segments.lines_of(finder.offsets(raw, position, end, 1))
            if not hits:
                if finder.context_free:
                    self._bare = [(low, high) for low, high in self._bare if not (position <= low and high <= end)]
                    self._bare.append((position, end))
                break
            index = hits[0]
            if counts_as_evidence(self.fields(index)[0], "progress", self._markers):
                found.append(index)
            position = starts[index + 1] if index + 1 < len(starts) else end
        return found

    def _known_bare(self, start: int, end: int) -> bool:
        """Whether bytes ``start..end`` lie inside a stretch already searched in vain for progress
        (kept only when a part of a stretch without a match can hold none either)."""
        return any(low <= start and end <= high for low, high in self._bare)

    @property
    def candidates(self) -> list[int]:
        """Lines whose bytes hold a trigger: the only lines that can be a failure."""
        if self._candidates is None:
            finder = self._markers.triggers
            self._candidates = self._segments.lines_of(finder.offsets(self._raw)) if finder else []
        return self._candidates

    def _successes(self, start: int, stop: int, limit: int) -> list[int]:
        """Up to ``limit`` success lines among lines ``start..stop-1``. The lines holding a success
        hint are found once for the view; each is judged (cleaned and matched) when first reached."""
        if self._success_hints is None:
            finder = self._markers.success_hints
            self._success_hints = self._segments.lines_of(finder.offsets(self._raw)) if finder else []
        hints = self._success_hints
        found: list[int] = []
        position = bisect_left(hints, start)
        while len(found) < limit:
            position = self._next_success(position)
            if position >= len(hints) or hints[position] >= stop:
                break
            found.append(hints[position])
            position += 1
        return found

    def _next_success(self, position: int) -> int:
        """The position, among the lines holding a success hint, of the first success line at or
        after ``position`` (their count when there is none). Each hint line is judged once, and
        the answer is kept for every position passed on the way."""
        hints, following, markers = self._success_hints or [], self._success, self._markers
        passed = []
        while position < len(hints):
            known = following.get(position)
            if known is not None:
                position = known
                break
            passed.append(position)
            if counts_as_evidence(self.fields(hints[position])[0], "success", markers):
                break
            position += 1
        for earlier in passed:
            following[earlier] = position
        return position


class ListLines:
    """A view of LogLines already cleaned (the lines a long log was reduced to)."""

    def __init__(self, lines: Sequence[LogLine], markers: Markers):
        self._lines = list(lines)
        self._markers = markers
        self.candidates = _lines_with_triggers(self._lines, markers)
        self.progress = [i for i, line in enumerate(self._lines) if counts_as_evidence(line.text, "progress", markers)]
        self.success = [i for i, line in enumerate(self._lines) if counts_as_evidence(line.text, "success", markers)]

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, index):
        return self._lines[index]

    def fields(self, index: int) -> tuple[str, str, int]:
        line = self._lines[index]
        return line.text, line.tag, line.number

    def judged(self, index: int, kind: str, judge: Callable[[str], Any]) -> tuple[Any, str, str, int]:
        line = self._lines[index]
        found = self._markers.memo.get(kind, line.text)
        if found is MISSING:
            found = judge(line.text)
            self._markers.memo.put(kind, line.text, found)
        return found, line.text, line.tag, line.number

    def holds(self, index: int, *needles: bytes) -> bool:
        text = self._lines[index].text
        return any(needle.decode("utf-8") in text for needle in needles)

    def holds_in(self, start: int, stop: int, needle: bytes) -> bool:
        return any(self.holds(i, needle) for i in range(start, stop))

    def find_evidence(self, start: int, stop: int, progress: bool, limit: int) -> list[int]:
        indices = self.progress if progress else self.success
        first = bisect_left(indices, start)
        return [i for i in indices[first:first + limit] if i < stop]


LineView = Union[ByteLines, ListLines]


def _lines_with_triggers(lines: list[LogLine], markers: Markers) -> list[int]:
    if markers.triggers is None or not lines:
        return []
    data = "\n".join(line.text for line in lines).encode("utf-8", "replace")
    starts = [0, *accumulate(len(line.text.encode("utf-8", "replace")) + 1 for line in lines)][:-1]
    return lines_of(markers.triggers.offsets(data), starts)


def counts_as_evidence(text: str, section: str, markers: Markers) -> bool:
    """Whether ``text`` is a line of ``section`` ("progress" or "success") that counts: it does
    unless it also reports trouble: a keyword (not noise), or a launcher's report of a failure
    ("job finished with exit code 1"); nor does a line printed at shutdown whatever the end
    (wandb's run summary of the losses). The line's marker sections are looked up once."""
    kinds = markers.kinds_of(text)
    return (section in kinds and not ("keywords" in kinds and "noise" not in kinds)
            and "wrappers" not in kinds and "teardown" not in kinds)


class Segments:
    """A window cut into its non-blank lines and carriage-return segments: each one's line number,
    and its start and end in ``raw`` (the bytes searched). Its bytes are sliced from ``raw`` only
    when they are asked for: most lines of a long window are never looked at."""

    __slots__ = ("raw", "numbers", "starts", "ends", "_packed_starts")

    def __init__(self, raw: bytes, numbers: Sequence[int], starts: Sequence[int], ends: Sequence[int],
                 packed_starts: Optional[bytes] = None):
        self.raw, self.numbers, self.starts, self.ends = raw, numbers, starts, ends
        self._packed_starts = packed_starts  # ``starts`` as the C loops take them

    def __len__(self) -> int:
        return len(self.starts)

    def bytes_of(self, index: int) -> bytes:
        return self.raw[self.starts[index]:self.ends[index]]

    def holds(self, first: int, stop: int, needles: Sequence[bytes]) -> bool:
        """Whether segments ``first..stop-1`` hold one of ``needles``, searched in ``raw`` in place.
        What lies between two segments is line breaks, carriage returns and blank space, so a needle
        that holds neither separator and is not blank is found there only inside a segment."""
        raw, start, end = self.raw, self.starts[first], self.ends[stop - 1]
        for needle in needles:
            if raw.find(needle, start, end) >= 0:
                return True
        return False

    def lines_of(self, offsets: Sequence[int]) -> list[int]:
        """The indices of the segments that hold the offsets (into ``raw``), once each."""
        if self._packed_starts is not None:
            return native_lines_of(offsets, self._packed_starts)
        return lines_of(offsets, self.starts)


def _segment(raw: bytes, first_number: int) -> Segments:
    """Cut into non-blank segments (see Segments).

    Over-long segments are cut to MAX_LINE_BYTES, and the bytes the first pass searches are then
    rebuilt from the cut segments, so no search walks a line of hundreds of MB.
    """
    if native_segment is None:
        return _segment_in_python(raw, first_number)
    numbers, starts, ends, longest = native_segment(raw, first_number)  # the same loop in C
    unpacked = [memoryview(packed).cast("q") for packed in (numbers, starts, ends)]
    segments = Segments(raw, *unpacked, packed_starts=starts)
    if longest > MAX_LINE_BYTES:
        return _cut([segments.bytes_of(i) for i in range(len(segments))], list(unpacked[0]))
    return segments


def _cut(segments: list[bytes], numbers: list[int]) -> Segments:
    segments = [s[:MAX_LINE_BYTES] for s in segments]
    starts = [0, *accumulate(len(s) + 1 for s in segments)][:-1]
    return Segments(b"\n".join(segments), numbers, starts, [start + len(s) for start, s in zip(starts, segments)])


def _segment_in_python(raw: bytes, first_number: int) -> Segments:
    lines = raw.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    offsets = [0, *accumulate(len(line) + 1 for line in lines)]
    if b"\r" not in raw:
        keep = [i for i, line in enumerate(lines) if line and not line.isspace()]
        segments = [lines[i] for i in keep]
        numbers = [first_number + i for i in keep]
        starts = [offsets[i] for i in keep]
    else:
        segments, numbers, starts = [], [], []
        for i, line in enumerate(lines):
            if b"\r" not in line:
                if line and not line.isspace():
                    segments.append(line)
                    numbers.append(first_number + i)
                    starts.append(offsets[i])
                continue
            if len(line) > SPLIT_LIMIT:
                # Only the non-empty segments are visited: a run of MBs of bare carriage returns is
                # skipped by the regular expression, not one empty segment at a time.
                for found in CARRIAGE_SEGMENT.finditer(line):
                    part = found.group()
                    if not part.isspace():
                        segments.append(part)
                        numbers.append(first_number + i)
                        starts.append(offsets[i] + found.start())
                continue
            position = offsets[i]
            for part in line.split(b"\r"):
                if part and not part.isspace():
                    segments.append(part)
                    numbers.append(first_number + i)
                    starts.append(position)
                position += len(part) + 1
    if segments and max(map(len, segments)) > MAX_LINE_BYTES:
        return _cut(segments, numbers)
    return Segments(raw, numbers, starts, [start + len(s) for start, s in zip(starts, segments)])
