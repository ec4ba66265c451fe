"""Turn one job into its FailureRecord: read its files, locate the failure, match it to a rule."""

from __future__ import annotations

from typing import Iterator, Optional

from philly_triage.discover import discover_jobs
from philly_triage.locate import Located, locate_in_job
from philly_triage.markers import Markers
from philly_triage.matcher import Matcher
from philly_triage.models import Failure, FailureRecord, Job, Match, Status
from philly_triage.reader import read_log, split_lines


def classify_job(job: Job, matcher: Matcher, markers: Markers) -> FailureRecord:
    """The record for one job. Never raises: a job that triage itself cannot handle says ``error``."""
    try:
        return _classify(job, matcher, markers)
    except Exception as err:  # noqa: BLE001 - a bug in triage must not lose the job's record
        return FailureRecord(
            job=job.name,
            status=Status.ERROR,
            reason=f"internal error in triage (please report it): {type(err).__name__}: {err}",
        )


def _classify(job: Job, matcher: Matcher, markers: Markers) -> FailureRecord:
    if job.problem:
        return FailureRecord(job=job.name, status=Status.ERROR, reason=job.problem)
    texts = [read_log(path, markers) for path in job.files]
    notes = tuple(f"{t.path}: {t.error or t.note}" for t in texts if t.error or t.note)
    readable = [t for t in texts if t.error is None]
    if not readable:
        reason = "; ".join(notes) if notes else "no log files in the job"
        return FailureRecord(job=job.name, status=Status.ERROR, reason=reason)
    return _verdict(job, [(t.path, t.lines) for t in readable], matcher, markers, notes)


def classify_text(text: str, matcher: Matcher, markers: Markers, name: str = "<text>") -> FailureRecord:
    """Classify a log given as text, exactly as ``classify`` would see a file holding it."""
    return _verdict(Job(name, (name,)), [(name, split_lines(text, markers))], matcher, markers, ())


def _verdict(job: Job, files: list, matcher: Matcher, markers: Markers, notes: tuple) -> FailureRecord:
    """Locate the failure among the job's read files and match it: the record the job gets."""
    located = locate_in_job(files, markers)
    if located is None:
        return FailureRecord(job=job.name, status=Status.NO_FAILURE, notes=notes)
    failure, match = match_located(located, matcher)
    status = Status.CLASSIFIED if match else Status.UNCLASSIFIED
    return _record(job, status, failure, match, notes)


def match_located(located: Located, matcher: Matcher) -> tuple[Failure, Optional[Match]]:
    """Match the located failure; if no rule knows it, try the locator's other readings in order."""
    for failure in (located.failure,) + located.fallbacks:
        match = matcher.match(failure)
        if match is not None:
            return failure, match
    return located.failure, None


def _record(job: Job, status: Status, failure: Failure, match: Optional[Match], notes: tuple) -> FailureRecord:
    rule = match.rule if match else None
    return FailureRecord(
        job=job.name,
        status=status,
        category=rule.id if rule else None,
        dimension=rule.dimension if rule else None,
        rule=rule.id if rule else None,
        file=failure.file,
        line=failure.line,
        message=failure.message,
        exception=failure.exception,
        hint=rule.hint if rule else None,
        evidence=match.evidence if match else None,
        notes=notes,
    )


def classify_paths(paths: list[str], matcher: Matcher, markers: Markers) -> Iterator[FailureRecord]:
    """One record per job under ``paths``, in discovery order, as each job finishes."""
    for job in discover_jobs(paths, markers):
        yield classify_job(job, matcher, markers)
