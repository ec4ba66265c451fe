"""Explain one job's verdict as data: the failure in its lines, the rule that matched and on what,
the rules that lost, and every possible failure the locator set aside, with the locator's reasons.

The engine gathers the evidence (pipeline/evidence.py): the verdict is the record ``classify``
gives, reading each log from its end; the possible failures come from reading each log whole, as
``--full`` does, so that none is missed; when that reading finds the failure elsewhere, a note says
so. views/explain.py shows it.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from typing import Optional

from philly_triage._internal.analysis.excerpt import read_excerpt
from philly_triage._internal.pipeline.cost import Cost
from philly_triage._internal.pipeline.discover import Reading
from philly_triage._internal.pipeline.engine import Classifier
from philly_triage._internal.pipeline.evidence import OTHER_FILE, Candidate, Evidence
from philly_triage._internal.pipeline.locate import CHOSEN, Located
from philly_triage._internal.pipeline.match import ON_DETAIL, ON_LINE, ON_TYPE
from philly_triage._internal.pipeline.stage import StageMark
from philly_triage.models import RETRY_ADVICE, FailureRecord, Job, Match, Rule, Status

SCHEMA_VERSION = 1
DEFAULT_CONTEXT = 10  # lines shown before and after the failure line
MAX_SHOWN = 15  # possible failures shown, the nearest to the failure, unless all are asked for
MAX_TRACEBACK_LINES = 60  # an excerpt starts at most this far before the failure line
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
            "candidates": [_candidate_dict(c) for c in self.candidates],
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


def _candidate_dict(candidate: Candidate) -> dict:
    seen = candidate.seen
    return {"file": candidate.file, "line": seen.line, "kind": seen.kind, "text": seen.text,
            "verdict": seen.verdict, "reason": seen.reason}


def _mark_dict(mark: Optional[StageMark]) -> Optional[dict]:
    if mark is None or not mark.text:
        return None  # no marker before the failure: initialisation
    return {"file": mark.file, "line": mark.line, "text": mark.text}


def job_to_explain(path: str, classifier: Classifier, reading: Reading = Reading.AUTO) -> Job:
    """The one job at ``path``, read as every command reads paths (discover.py); ExplainError if
    there is none, or several."""
    jobs = classifier.find([path], reading).jobs
    if not jobs:  # a directory that holds nothing: as one job, its problem says so
        jobs = classifier.find([path], Reading.JOB).jobs
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


def explain_job(job: Job, classifier: Classifier, context: int = DEFAULT_CONTEXT,
                all_candidates: bool = False) -> Explanation:
    """Explain the verdict ``classify`` gives ``job``; ExplainError when triage could not read it."""
    evidence = classifier.evidence(job)
    record = evidence.record
    if record.status is Status.ERROR:
        raise ExplainError(f"{job.name}: {record.reason}")
    notes: list[str] = []
    match, others = _rule_matches(evidence, notes)
    notes.extend(evidence.notes)
    _note_disagreement(record, evidence.whole, notes)
    found = list(evidence.candidates)
    shown, left_out = _nearest(found, record, all_candidates)
    located_line = record.line is not None
    return Explanation(
        record=record,
        match=match,
        other_matches=others,
        excerpt=tuple(_excerpt(record, found, context)),
        candidates=shown,
        left_out=left_out,
        files=job.files,
        notes=tuple(notes),
        stage_mark=evidence.mark if located_line else None,
        cost=evidence.cost if located_line else None,
    )


def _rule_matches(evidence: Evidence, notes: list[str]) -> tuple[Optional[RuleMatch], tuple[RuleMatch, ...]]:
    """The rule that matched the failure ``classify`` located, and the others that matched it too."""
    if evidence.record.status is Status.NO_FAILURE or evidence.located is None:
        return None, ()
    first = evidence.located.failure
    if evidence.failure != first:
        notes.append(f"no rule knows the locator's first reading of this failure (line {first.line}: "
                     f"{first.message}); the verdict is its next reading that a rule knows, line {evidence.failure.line}")
    ranked = [_rule_match(m) for m in evidence.matches]
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
