"""Whether a job went on after the failure found in one of its files, by what its other files printed later.

A job writes several logs at once (stdout beside stderr, one log per rank). A traceback at the end
of stderr did not end the job if stdout goes on training after it: each file alone cannot tell, the
lines' timestamps can. Only lines whose timestamp names its year are compared, and only plain logs.
When the times cannot tell, another log whose last words are the job's success line ("training
complete") says the job went on, unless its exit status says it failed: a caught exception printed
to stderr while stdout finished the run is the common case, and a false alarm the costly mistake.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional, Sequence

from philly_triage.lines import clean_line, counts_as_evidence
from philly_triage.locate import PROGRESS_TO_SURVIVE, SUCCESS_TO_SURVIVE
from philly_triage.markers import Markers
from philly_triage.reader import LogError, open_log

BEFORE_BYTES = 64 << 10  # where the failure's time is looked for, before its line
TAIL_BYTES = 256 << 10  # where another file's progress is looked for, at its end
SLACK = dt.timedelta(seconds=30)
ENDING_BYTES, ENDING_LINES = 16 << 10, 40  # where a log's last words are looked for  # ranks and streams stop at about the same time: this is not going on


def went_on_elsewhere(path: str, offset: Optional[int], others: Sequence[str], markers: Markers,
                      ended_badly: bool = False) -> bool:
    """Whether ``others`` show the job making progress (or finishing well) clearly after the failure
    whose line starts at byte ``offset`` of ``path`` (by their times), or, where times cannot tell
    and the job is not known to have ended badly, whether one of them ends with a success line."""
    failed_at = _time_before(path, offset, markers) if offset is not None else None
    for other in others:
        went_on = None if failed_at is None else _went_on_after(other, failed_at + SLACK, markers)
        if went_on is None:
            went_on = not ended_badly and _ends_well(other, markers)
        if went_on:
            return True
    return False


def _time_before(path: str, offset: int, markers: Markers) -> Optional[dt.datetime]:
    """The time of the line at ``offset``, or of the nearest timestamped line before it."""
    data = _read(path, lambda size: (max(0, offset - BEFORE_BYTES), min(size, offset + 4096)))
    if data is None:
        return None
    start = offset - max(0, offset - BEFORE_BYTES)
    end = data.find(b"\n", start)
    lines = data[: len(data) if end < 0 else end].split(b"\n")
    for line in reversed(lines):
        moment = line_time(line, markers)
        if moment is not None:
            return moment
    return None


def _went_on_after(path: str, moment: dt.datetime, markers: Markers) -> Optional[bool]:
    """Whether the end of ``path`` holds progress or success lines printed after ``moment`` (None:
    its end has no times to tell)."""
    data = _read(path, lambda size: (max(0, size - TAIL_BYTES), size))
    if data is None:
        return None
    lines = data.split(b"\n")
    times = _times_so_far(lines, markers)
    if times and times[-1] is None:
        return None
    progress = success = 0
    for index in reversed(range(len(lines))):
        if times[index] is None or times[index] <= moment:
            break  # what comes before was printed before the failure, or when is not known
        for segment in lines[index].split(b"\r"):  # a progress bar's redraws
            text, _ = clean_line(segment.decode("utf-8", "replace"), markers)
            if counts_as_evidence(text, markers.is_success, markers):
                success += 1
            elif counts_as_evidence(text, markers.is_progress, markers):
                progress += 1
        if progress >= PROGRESS_TO_SURVIVE or success >= SUCCESS_TO_SURVIVE:
            return True
    return False


def _ends_well(path: str, markers: Markers) -> bool:
    """Whether the log's last words (its last line that is not noise) are a success line. A success
    line followed by more work ("Training finished", then "Running final evaluation") is not."""
    data = _read(path, lambda size: (max(0, size - ENDING_BYTES), size))
    if data is None:
        return False
    for line in reversed(data.split(b"\n")[-ENDING_LINES:]):
        text, _ = clean_line(line.rsplit(b"\r", 1)[-1].decode("utf-8", "replace"), markers)
        text = text.strip()
        if not text:
            continue
        if counts_as_evidence(text, markers.is_success, markers):
            return True
        if not markers.is_noise(text):
            return False
    return False


def _times_so_far(lines: list[bytes], markers: Markers) -> list[Optional[dt.datetime]]:
    """For each line, its time or that of the nearest timestamped line before it."""
    times: list[Optional[dt.datetime]] = []
    latest = None
    for line in lines:
        latest = line_time(line, markers) or latest
        times.append(latest)
    return times


def line_time(line: bytes, markers: Markers) -> Optional[dt.datetime]:
    """When a line was printed, by a timestamp pattern that names the year (markers.yaml ``timestamps``)."""
    if not line[:1].strip():
        return None
    text = line[:64].decode("utf-8", "replace")
    for pattern in markers.timestamps:
        if "year" not in pattern.groupindex:
            continue
        found = pattern.match(text)
        if found:
            parts = found.groupdict()
            try:
                return dt.datetime(int(parts["year"]), int(parts["month"]), int(parts["day"]),
                                   int(parts["hour"]), int(parts["minute"]), int(parts["second"]))
            except (KeyError, TypeError, ValueError):
                continue
    return None


def _read(path: str, span) -> Optional[bytes]:
    """Bytes of a plain log, ``span(size)`` giving which; None for a log that is not plain or not readable."""
    try:
        source = open_log(path)
    except LogError:
        return None
    try:
        if not source.seekable:
            return None
        start, stop = span(source.size)
        return source.read(start, stop)
    except OSError:
        return None
    finally:
        source.close()
