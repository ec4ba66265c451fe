"""Explain one job's verdict as data: the failure in its lines, the rule that matched and on what,
the rules that lost, and every possible failure the locator set aside, with the locator's reasons.

The verdict is the record ``classify`` gives (``classify_job``, reading each log from its end).
The possible failures come from reading each log whole, as ``--full`` does, so that none is
missed; when that reading finds the failure elsewhere, a note says so. views/explain.py shows it.
"""

from __future__ import annotations

import shlex
from collections import deque
from dataclasses import dataclass, replace
from typing import Iterable, Iterator, Optional

from philly_triage._internal.pipeline.verdict import classify_job, job_timeline, match_located
from philly_triage._internal.pipeline.discover import Reading, find_jobs
from philly_triage._internal.pipeline.cost import Cost
from philly_triage._internal.analysis.excerpt import read_excerpt
from philly_triage._internal.pipeline.lines import MAX_LINE_BYTES, ByteLines, ListLines
from philly_triage._internal.pipeline.locate import (
    CHOSEN, Considered, Located, considered, locate_in_view, pick_job_failure, set_aside, why_not_picked,
)
from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline.match import ON_DETAIL, ON_LINE, ON_TYPE, Matcher
from philly_triage.models import RETRY_ADVICE, FailureRecord, Job, LogLine, Match, Rule, Status
from philly_triage._internal.pipeline.read import LogError, open_log
from philly_triage._internal.pipeline.scan import scan_log
from philly_triage._internal.pipeline.reduce import reduce_log
from philly_triage._internal.pipeline.stage import StageMark

SCHEMA_VERSION = 1
DEFAULT_CONTEXT = 10  # lines shown before and after the failure line
MAX_SHOWN = 15  # possible failures shown, the nearest to the failure, unless all are asked for
MAX_TRACEBACK_LINES = 60  # an excerpt starts at most this far before the failure line
MAX_NOISE_LINES = 10_000  # noise lines remembered per log (the latest): a log can hold millions
OTHER_FILE = "other_file"  # a file's own failure, when the job's failure came from another file
WHERE = {
    ON_LINE: "the failure line",
    ON_DETAIL: "the lines printed with it (detail or context)",
    ON_TYPE: "the exception type alone",
}


class ExplainError(Exception):
    """A job that cannot be explained, for a reason the user can fix: the message says it in a line."""


@dataclass(frozen=True)
class RuleMatch:
    """A rule that matched the failure, on what, and (for the rules that lost) why it lost."""

    rule: Rule
    evidence: str  # the pattern, or the exception type, that matched
    strength: int
    lost: Optional[str] = None

    @property
    def where(self) -> str:
        return WHERE[self.strength]

    def to_dict(self) -> dict:
        data = {"rule": self.rule.id, "source": self.rule.source, "evidence": self.evidence,
                "strength": self.strength, "where": self.where}
        return data if self.lost is None else {**data, "lost": self.lost}


@dataclass(frozen=True)
class ExcerptRow:
    line: int
    text: str
    failure: bool


@dataclass(frozen=True)
class Candidate:
    """A possible failure of one of the job's files, with the locator's verdict on it."""

    file: str
    seen: Considered

    def to_dict(self) -> dict:
        seen = self.seen
        return {"file": self.file, "line": seen.line, "kind": seen.kind, "text": seen.text,
                "verdict": seen.verdict, "reason": seen.reason}


@dataclass(frozen=True)
class Explanation:
    record: FailureRecord
    match: Optional[RuleMatch]
    other_matches: tuple[RuleMatch, ...]
    excerpt: tuple[ExcerptRow, ...]
    candidates: tuple[Candidate, ...]  # in file order, then line order
    left_out: int  # possible failures not shown (the farthest from the failure)
    files: tuple[str, ...]  # the job's log files
    notes: tuple[str, ...] = ()  # the reading that matched, disagreements, lines left unread
    stage_mark: Optional[StageMark] = None  # the marker line that puts the failure in its stage
    cost: Optional[Cost] = None  # the failed run's GPUs, hours and where they came from

    @property
    def advice(self) -> Optional[str]:
        return RETRY_ADVICE.get(self.record.retry) if self.record.retry else None

    def to_dict(self) -> dict:
        record = self.record
        return {
            "schema_version": SCHEMA_VERSION,
            "record": record.to_dict(),
            "match": self.match.to_dict() if self.match else None,
            "other_matches": [m.to_dict() for m in self.other_matches],
            "excerpt": [{"line": r.line, "text": r.text, "failure": r.failure} for r in self.excerpt],
            "candidates": [c.to_dict() for c in self.candidates],
            "left_out": self.left_out,
            "advice": {"retry": record.retry, "meaning": self.advice},
            "hint": record.hint,
            "stage": {"stage": record.stage, "evidence": _mark_dict(self.stage_mark)},
            "cost": None if self.cost is None else {
                "gpus": self.cost.gpus, "hours": self.cost.hours, "gpu_hours": self.cost.gpu_hours,
                "retries": self.cost.retries, "source": self.cost.source,
            },
            "notes": list(self.notes),
        }


def _mark_dict(mark: Optional[StageMark]) -> Optional[dict]:
    if mark is None or not mark.text:
        return None  # no marker before the failure: initialisation
    return {"file": mark.file, "line": mark.line, "text": mark.text}


def job_to_explain(path: str, markers: Markers, reading: Reading = Reading.AUTO) -> Job:
    """The one job at ``path``, read as every command reads paths (discover.py); ExplainError if
    there is none, or several."""
    jobs = find_jobs([path], markers, reading).jobs
    if not jobs:  # a directory that holds nothing: as one job, its problem says so
        jobs = find_jobs([path], markers, Reading.JOB).jobs
    if len(jobs) > 1:
        raise ExplainError(
            f"{path} holds {len(jobs)} jobs and explain takes one: name one of them "
            f"(e.g. {shlex.quote(jobs[0].name)}), give --job to read it as one job, "
            f"or run 'triage classify {shlex.quote(path)}'"
        )
    (job,) = jobs
    if job.problem:
        raise ExplainError(f"{job.name}: {job.problem}")
    return job


def explain_job(
    job: Job, matcher: Matcher, markers: Markers, context: int = DEFAULT_CONTEXT,
    all_candidates: bool = False, gpus: Optional[int] = None,
) -> Explanation:
    """Explain the verdict ``classify`` gives ``job``; ExplainError when triage could not read it."""
    record = classify_job(job, matcher, markers, full=False, gpus=gpus)
    if record.status is Status.ERROR:
        raise ExplainError(f"{job.name}: {record.reason}")
    notes: list[str] = []
    match, others = _rule_matches(job, matcher, markers, record, notes)
    found, whole = _whole_reads(job, markers, notes)
    _note_disagreement(record, whole, notes)
    shown, left_out = _nearest(found, record, all_candidates)
    mark, cost = (None, None) if record.line is None else job_timeline(job, record, None, matcher, markers, gpus)
    return Explanation(
        record=record,
        match=match,
        other_matches=others,
        excerpt=tuple(_excerpt(record, found, context)),
        candidates=shown,
        left_out=left_out,
        files=job.files,
        notes=tuple(notes),
        stage_mark=mark,
        cost=cost,
    )


def _rule_matches(
    job: Job, matcher: Matcher, markers: Markers, record: FailureRecord, notes: list[str]
) -> tuple[Optional[RuleMatch], tuple[RuleMatch, ...]]:
    """The rule that matched the failure ``classify`` located, and the others that matched it too.

    The failure is located again as ``classify_job`` locates it (its record does not keep the lines
    printed with the failure, which rules read too).
    """
    if record.status is Status.NO_FAILURE:
        return None, ()
    scans = [scan_log(path, markers) for path in job.files]
    located = pick_job_failure([(s.path, s.located) for s in scans if s.located is not None])
    if located is None:
        return None, ()
    failure, _ = match_located(located, matcher)
    if failure != located.failure:
        first = located.failure
        notes.append(f"no rule knows the locator's first reading of this failure (line {first.line}: "
                     f"{first.message}); the verdict is its next reading that a rule knows, line {failure.line}")
    ranked = [_rule_match(m) for m in matcher.matches(failure)]
    if not ranked:
        return None, ()
    best = ranked[0]
    return best, tuple(replace(m, lost=_why_lost(m, best)) for m in ranked[1:])


def _rule_match(match: Match) -> RuleMatch:
    return RuleMatch(match.rule, match.evidence, match.strength)


def _why_lost(loser: RuleMatch, winner: RuleMatch) -> str:
    if loser.strength < winner.strength:
        return f"weaker evidence: {loser.where} (strength {loser.strength} < {winner.strength})"
    if loser.rule.priority < winner.rule.priority:
        return f"lower priority ({loser.rule.priority} < {winner.rule.priority}) with evidence as strong"
    return f"as strong and as high a priority, but later in the catalogue than {winner.rule.id}"


def _whole_reads(job: Job, markers: Markers, notes: list[str]) -> tuple[list[Candidate], Optional[Located]]:
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
                item = replace(item, verdict=OTHER_FILE, reason=f"this file's own failure, but the job's comes "
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


def _note_disagreement(record: FailureRecord, whole: Optional[Located], notes: list[str]) -> None:
    """Say so when reading the logs whole locates another failure than reading them from the end."""
    there = (whole.failure.file, whole.failure.line) if whole else None
    if record.status is Status.NO_FAILURE:
        if there:
            notes.append(f"reading the logs whole finds a failure at {there[0]}:{there[1]}, which reading "
                         "them from their end (as classify does) does not; try 'triage classify --full'")
        return
    same_failure = whole is not None and whole.failure.file == record.file and record.line in _readings(whole)
    if not same_failure:
        found = f"at {there[0]}:{there[1]}" if there else "no failure"
        notes.append(f"reading the logs whole finds {found}; the verdict is classify's, which reads each log "
                     "from its end ('triage classify --full' reads them whole)")


def _readings(located: Located) -> set[int]:
    return {f.line for f in (located.failure,) + located.fallbacks}


def _nearest(found: list[Candidate], record: FailureRecord, all_candidates: bool) -> tuple[tuple[Candidate, ...], int]:
    """The possible failures to show: the chosen ones, and the others nearest the failure (the
    latest ones when there is none); and how many were left out."""
    keep = [c for c in found if c.seen.verdict in (CHOSEN, OTHER_FILE)]
    rest = [c for c in found if c.seen.verdict not in (CHOSEN, OTHER_FILE)]
    if not all_candidates and len(rest) > MAX_SHOWN:
        if record.line is not None:
            rest.sort(key=lambda c: (c.file != record.file, abs(c.seen.line - record.line)))
        else:
            rest.sort(key=lambda c: -c.seen.line)
        left_out, rest = len(rest) - MAX_SHOWN, rest[:MAX_SHOWN]
    else:
        left_out = 0
    order = {path: index for index, path in enumerate(dict.fromkeys(c.file for c in found))}
    shown = sorted(keep + rest, key=lambda c: (order[c.file], c.seen.line, c.seen.first))
    return tuple(shown), left_out


def _excerpt(record: FailureRecord, found: list[Candidate], context: int) -> list[ExcerptRow]:
    """The failure line with the lines around it: from the start of its traceback (or ``context``
    lines before it, if earlier) to ``context`` lines after it."""
    if record.file is None or record.line is None:
        return []
    line = record.line
    starts = [c.seen.first for c in found if c.file == record.file and c.seen.line == line]
    traceback_start = max(min(starts, default=line), line - MAX_TRACEBACK_LINES)
    first = max(1, min(traceback_start, line - context))
    return [ExcerptRow(e.number, e.text, e.number == line) for e in read_excerpt(record.file, first, line + context)]
