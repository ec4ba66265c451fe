"""How a job ended, as its platform reports it: the exit status in its logs or its metadata file.

An exit status is evidence, never a failure: a non-zero one says that the job ended badly (so a
line that only holds an error word may then be its failure, and a log with no failure message is
still a failed job), and zero says that it did not. The patterns are data (markers.yaml,
``exit_status``); the last status line of a log counts, and a metadata file's ``exit_code`` wins.
"""

from __future__ import annotations

import re
import signal as signals
from bisect import bisect_left
from functools import lru_cache
from typing import NamedTuple, Optional, Sequence

from philly_triage._internal.pipeline.lines import LineView
from philly_triage._internal.pipeline.memo import MISSING
from philly_triage._internal.pipeline.locate.decide import went_on
from philly_triage._internal.pipeline.prefilter import LineKinds, compile_sure_misses, plain_ascii
from philly_triage._internal.catalogue.markers import Markers, scoped

# Bytes one of which every exit status line holds (a cheap test before the patterns run).
_HINTS = (b"xit", b"XIT", b"OOMKilled", b"ignal", b"IGNAL", b"eturn code", b"ETURN CODE")
# How far from the end of a log its exit status is looked for: platforms report it last.
TAIL_LINES = 400
SIGTERM, OOM_KILLED = "SIGTERM", "OOMKilled"


class ExitStatus(NamedTuple):
    """A job's exit status and where it was read: a log line, or its metadata file."""

    code: Optional[int]  # as reported: 1, 137, or -9 (torchrun's way of saying signal 9)
    signal: Optional[str]  # "SIGKILL", "SIGTERM", ... or "OOMKilled"; None when no signal is known
    file: str
    line: Optional[int] = None  # None when it came from a metadata file
    text: str = ""  # the status line, cleaned

    @property
    def failed(self) -> bool:
        return bool(self.code) or self.signal is not None

    @property
    def terminated(self) -> bool:
        """Stopped from outside with SIGTERM: preemption, cancellation or a time limit."""
        return self.signal == SIGTERM

    def describe(self) -> str:
        """The status in a few words: "exited with code 3", "killed by SIGKILL (exit code 137)"."""
        if self.signal == OOM_KILLED:
            return "killed by the out-of-memory killer (OOMKilled)" + (f", exit code {self.code}" if self.code else "")
        if self.signal is not None:
            return f"killed by {self.signal}" + (f" (exit code {self.code})" if self.code is not None else "")
        return f"exited with code {self.code}"

    @property
    def place(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


def status_of(code: Optional[int], signal: Optional[str], file: str, line: Optional[int] = None,
              text: str = "") -> ExitStatus:
    """An ExitStatus from a reported code and signal, naming the signal a code implies (137, -9)."""
    if signal is None and code is not None:
        if code < 0:
            signal = _signal_name(-code)
        elif 128 < code < 160:
            signal = _signal_name(code - 128)
    return ExitStatus(code, signal, file, line, text)


def last_exit_status(path: str, view: LineView, markers: Markers) -> Optional[ExitStatus]:
    """The last exit status line of a view (its line number as the view counts), if any."""
    found = last_exit_line(path, view, markers)
    return found[1] if found else None


def last_exit_line(path: str, view: LineView, markers: Markers) -> Optional[tuple[int, ExitStatus]]:
    """The index in the view of its last exit status line (among its last TAIL_LINES lines), and
    the status it gives."""
    if not markers.exit_status:
        return None
    first = len(view) - TAIL_LINES
    candidates = view.candidates
    tail = candidates[bisect_left(candidates, first):]
    if not tail:
        return None
    for index in reversed(tail):
        if not view.holds(index, *_HINTS):
            continue
        line = view[index]
        groups = _exit_groups(line.text, markers)
        if groups is not None:
            status = _from_match(groups, path, line.number, line.text.strip())
            if status.failed and went_on(view, index + 1, len(view)):
                return None  # a step or a process that failed, and the job went on after it
            return index, status
    return None


def _exit_groups(text: str, markers: Markers) -> Optional[dict]:
    """The groups of the first exit status pattern that matches ``text`` (None: none does), kept
    per text (Markers.memo): launchers and platforms repeat their lines. A pattern the screen says
    cannot match the text is not searched."""
    found = markers.memo.get("exit", text)
    if found is MISSING:
        screen = _screen(markers.exit_status)
        possible = screen.kinds(text) if screen is not None and plain_ascii(text) else None
        searched = (pattern.search(text) for number, pattern in enumerate(markers.exit_status)
                    if possible is None or number in possible)
        match = next((m for m in searched if m), None)
        found = None if match is None else match.groupdict()
        markers.memo.put("exit", text, found)
    return found


@lru_cache(maxsize=4)
def _screen(patterns: tuple[re.Pattern, ...]) -> Optional[LineKinds]:
    """Which exit status patterns cannot match a line, in one hyperscan search (see
    prefilter.compile_sure_misses); its kinds are the patterns' positions."""
    return compile_sure_misses({number: [scoped(pattern.pattern)] for number, pattern in enumerate(patterns)})


def job_exit_status(meta: Optional[ExitStatus], found: Sequence[ExitStatus]) -> Optional[ExitStatus]:
    """The job's exit status: its metadata file's, else a failing one of its logs', else any."""
    if meta is not None:
        return meta
    failing = [status for status in found if status.failed]
    return failing[-1] if failing else (found[-1] if found else None)


def _from_match(groups: dict, path: str, number: int, text: str) -> ExitStatus:
    code = int(groups["code"]) if groups.get("code") else None
    return status_of(code, _signal(groups.get("signal")), path, number, text)


def _signal(raw: Optional[str]) -> Optional[str]:
    """A signal as reported (9, SIGKILL, sigterm, OOMKilled; Slurm's 0 is none) under one name."""
    if raw is None or raw == "0":
        return None
    if raw.isdigit():
        return _signal_name(int(raw))
    return raw.upper() if raw.upper().startswith("SIG") else raw


def _signal_name(number: int) -> str:
    try:
        return signals.Signals(number).name
    except ValueError:
        return f"signal {number}"
