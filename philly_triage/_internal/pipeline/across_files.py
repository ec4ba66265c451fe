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

from philly_triage._internal.pipeline.cost import line_time
from philly_triage._internal.pipeline.lines import clean_line, counts_as_evidence
from philly_triage._internal.pipeline.locate.limits import PROGRESS_TO_SURVIVE, SUCCESS_TO_SURVIVE
from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline.read import LogError, open_log

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
    its end has no times to tell).

    A line without a timestamp was printed when the nearest timestamped line before it was. The end
    is read backwards, a timestamped line and the lines after it at a time, and only as far as the
    first such group printed at or before ``moment``.
    """
    data = _read(path, lambda size: (max(0, size - TAIL_BYTES), size))
    if data is None:
        return None
    progress = success = 0
    pending = (0, 0)  # the evidence of the lines after the timestamped line being looked for
    timed = False
    for line in reversed(data.split(b"\n")):
        found = _evidence_in(line, markers)
        pending = (pending[0] + found[0], pending[1] + found[1])
        when = line_time(line, markers)
        if when is None:
            continue
        if when <= moment:
            return False  # what comes before was printed before the failure
        timed = True
        progress, success, pending = progress + pending[0], success + pending[1], (0, 0)
        if progress >= PROGRESS_TO_SURVIVE or success >= SUCCESS_TO_SURVIVE:
            return True
    return False if timed else None  # (lines before the first timestamp: when is not known)


def _evidence_in(line: bytes, markers: Markers) -> tuple[int, int]:
    """How many progress and success lines one line shows (a progress bar's redraws count each)."""
    progress = success = 0
    for segment in line.split(b"\r"):
        text, _ = clean_line(segment.decode("utf-8", "replace"), markers)
        if counts_as_evidence(text, "success", markers):
            success += 1
        elif counts_as_evidence(text, "progress", markers):
            progress += 1
    return progress, success


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
        if counts_as_evidence(text, "success", markers):
            return True
        if not markers.is_noise(text):
            return False
    return False


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
