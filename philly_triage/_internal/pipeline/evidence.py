"""What a job's verdict rests on, for ``explain``: the verdict itself (as ``classify`` gives it),
the failure it located and every rule that matched it, and every possible failure the locator
considers when it reads each of the job's logs whole (as ``--full`` does), with its reason.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline.cost import Cost
from philly_triage._internal.pipeline.lines import MAX_LINE_BYTES, ByteLines, ListLines
from philly_triage._internal.pipeline.locate import (
    CHOSEN, Considered, Located, considered, locate_in_view, pick_job_failure, set_aside, why_not_picked,
)
from philly_triage._internal.pipeline.match import Matcher
from philly_triage._internal.pipeline.read import LogError, open_log
from philly_triage._internal.pipeline.reduce import reduce_log
from philly_triage._internal.pipeline.stage import StageMark
from philly_triage._internal.pipeline.verdict import judge_job, match_located
from philly_triage.models import Failure, FailureRecord, Job, LogLine, Match

MAX_NOISE_LINES = 10_000  # noise lines remembered per log (the latest): a log can hold millions
OTHER_FILE = "other_file"  # a file's own failure, when the job's failure came from another file


@dataclass(frozen=True)
class Candidate:
    """A possible failure of one of the job's files, with the locator's verdict on it."""

    file: str
    seen: Considered


@dataclass(frozen=True)
class Evidence:
    record: FailureRecord
    located: Optional[Located]  # the failure the verdict is about, as the locator found it
    failure: Optional[Failure]  # the reading of it that a rule knows (else the first reading)
    matches: tuple[Match, ...]  # every rule that matched ``failure``, the winner first
    candidates: tuple[Candidate, ...]  # the logs read whole: in file order, then line order
    whole: Optional[Located]  # the failure that reading the logs whole locates for the job
    notes: tuple[str, ...]  # what reading the logs whole could not read
    mark: Optional[StageMark] = None
    cost: Optional[Cost] = None


def gather_evidence(job: Job, matcher: Matcher, markers: Markers, gpus: Optional[int] = None) -> Evidence:
    """The Evidence of ``job``'s verdict, reading each log from its end as ``classify`` does."""
    verdict = judge_job(job, matcher, markers, full=False, gpus=gpus)
    failure, matches = None, ()
    if verdict.located is not None:
        failure, _ = match_located(verdict.located, matcher)
        matches = tuple(matcher.matches(failure))
    notes: list[str] = []
    candidates, whole = whole_reads(job, markers, notes)
    return Evidence(verdict.record, verdict.located, failure, matches, tuple(candidates), whole, tuple(notes),
                    verdict.mark, verdict.cost)


def whole_reads(job: Job, markers: Markers, notes: list[str]) -> tuple[list[Candidate], Optional[Located]]:
    """Every possible failure of every file of the job, read whole; and the failure that reading
    locates for the job (which ``pick_job_failure`` picks among the files' own)."""
    per_file: list[tuple[str, list[Considered]]] = []
    located: list[tuple[str, Located]] = []
    for path in job.files:
        lines, noise = _read_whole(path, markers, notes)
        view = ListLines(lines, markers)
        per_file.append((path, considered(path, view, markers, noise)))
        found, _ = locate_in_view(path, view, markers)
        if found is not None:
            located.append((path, found))
    picked = pick_job_failure(located)
    paths = [path for path, _ in located]
    candidates = []
    for path, seen in per_file:
        for item in seen:
            if item.verdict == CHOSEN and picked is not None and picked.failure.file != path:
                why = why_not_picked(located, paths.index(picked.failure.file), paths.index(path))
                item = item._replace(verdict=OTHER_FILE, reason=f"this file's own failure, but the job's comes "
                                   f"from {picked.failure.file}: {why}")
            candidates.append(Candidate(path, item))
    return candidates, picked


def _read_whole(path: str, markers: Markers, notes: list[str]) -> tuple[list[LogLine], list[LogLine]]:
    """The lines the locator reads of the whole log (as ``--full`` reads it), and its noise lines,
    which the reduction to those lines leaves out; both in one forward read."""
    try:
        source = open_log(path)
    except LogError as err:
        notes.append(f"{path}: {err}")
        return [], []
    noise = _NoiseLines()
    try:
        lines, note = reduce_log(_noting_noise(source.chunks(), markers, noise), path, markers)
    except OSError as err:
        notes.append(f"{path}: cannot read: {err.strerror or err}")
        return [], []
    finally:
        source.close()
    notes.extend(f"{path}: {n}" for n in source.notes + ([note] if note else []))
    if noise.dropped:
        notes.append(f"{path}: more than {MAX_NOISE_LINES} noise lines; the possible failures hold the latest of them")
    return lines, list(noise.lines)


class _NoiseLines:
    """The latest noise lines of a log, and whether earlier ones were dropped."""

    def __init__(self) -> None:
        self.lines: deque = deque(maxlen=MAX_NOISE_LINES)
        self.dropped = False

    def add(self, view: ByteLines, markers: Markers) -> None:
        found = [view[i] for i in view.candidates if set_aside(view[i].text.strip(), markers)]
        self.dropped = self.dropped or len(self.lines) + len(found) > MAX_NOISE_LINES
        self.lines.extend(found)


def _noting_noise(chunks: Iterable[bytes], markers: Markers, noise: _NoiseLines) -> Iterator[bytes]:
    """The chunks, passed on; the noise lines among them (lines set aside whatever surrounds them) go to ``noise``."""
    pending, number = b"", 1
    for chunk in chunks:
        yield chunk
        data = pending + chunk
        cut = data.rfind(b"\n") + 1
        if cut:
            noise.add(ByteLines(data[:cut], markers, number), markers)
            number += data.count(b"\n", 0, cut)
        pending = data[cut:]
        if len(pending) > MAX_LINE_BYTES * 4:
            pending = pending[-MAX_LINE_BYTES:]  # an endless progress bar: only its latest drawing matters
    if pending:
        noise.add(ByteLines(pending, markers, number), markers)
