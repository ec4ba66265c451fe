"""Turn one job into its FailureRecord: read its files, locate the failure, match it to a rule."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator, Optional

from philly_triage.discover import discover_jobs
from philly_triage.fingerprints import fingerprint
from philly_triage.gpu_time import Cost, job_cost
from philly_triage.locate import Located, pick_job_failure
from philly_triage.markers import Markers
from philly_triage.matcher import Matcher
from philly_triage.models import Failure, FailureRecord, Job, Match, Status
from philly_triage.scan import scan_log, scan_text
from philly_triage.stages import INITIALISATION, StageMark, job_stage, marks_forward, resolve, stage_reader


def classify_job(
    job: Job, matcher: Matcher, markers: Markers, full: bool = False, gpus: Optional[int] = None
) -> FailureRecord:
    """The record for one job. Never raises: a job that triage itself cannot handle says ``error``.

    ``full`` analyses every line of every log instead of reading each log from its end. ``gpus`` is
    the job's GPU count when its metadata file does not give one (for ``gpu_hours``).
    """
    try:
        return _classify(job, matcher, markers, full, gpus)
    except Exception as err:  # noqa: BLE001 - a bug in triage must not lose the job's record
        return FailureRecord(
            job=job.name,
            status=Status.ERROR,
            reason=f"internal error in triage (please report it): {type(err).__name__}: {err}",
        )


def _classify(job: Job, matcher: Matcher, markers: Markers, full: bool, gpus: Optional[int]) -> FailureRecord:
    if job.problem:
        return FailureRecord(job=job.name, status=Status.ERROR, reason=job.problem)
    scans = [scan_log(path, markers, full) for path in job.files]
    notes = tuple(f"{s.path}: {note}" for s in scans for note in ((s.error,) if s.error else s.notes))
    readable = [s for s in scans if s.error is None]
    if not readable:
        reason = "; ".join(notes) if notes else "no log files in the job"
        return FailureRecord(job=job.name, status=Status.ERROR, reason=reason)
    found = [s for s in readable if s.located is not None]
    located = pick_job_failure([(s.path, s.located) for s in found])
    record = _verdict(job, located, matcher, notes)
    if located is None:
        return record
    scan = next(s for s in found if s.located is located)
    offset = scan.offset if record.line == located.failure.line else None
    try:
        mark, cost = job_timeline(job, record, offset, matcher, markers, gpus)
    except Exception as err:  # noqa: BLE001 - a bug here must not cost the job its verdict
        note = f"stage and GPU time not found: internal error in triage (please report it): {type(err).__name__}: {err}"
        return replace(record, notes=record.notes + (note,))
    notes = record.notes + ((cost.problem,) if cost.problem else ())
    return replace(record, stage=mark.stage, gpu_hours=cost.gpu_hours, retries=cost.retries, notes=notes)


def job_timeline(job: Job, record: FailureRecord, offset: Optional[int], matcher: Matcher, markers: Markers,
                 gpus: Optional[int]) -> tuple[StageMark, Cost]:
    """Where in its life the job failed (the stage marker before its failure) and what the run cost.

    ``offset`` is where the failure's line starts in its file, when known (it saves a count)."""
    reader = stage_reader(matcher.catalogue.stages, markers)
    mark = job_stage(reader, job.files, record.file or "", record.line or 0, offset)
    return mark, job_cost(job.meta, job.files, markers, gpus, job.attempts)


def classify_text(text: str, matcher: Matcher, markers: Markers, name: str = "<text>") -> FailureRecord:
    """Classify a log given as text, exactly as ``classify`` would see a file holding it."""
    record = _verdict(Job(name, (name,)), scan_text(text, markers, name), matcher, ())
    if record.line is None:
        return record
    reader = stage_reader(matcher.catalogue.stages, markers)
    mark = resolve(reversed(marks_forward([text.encode("utf-8")], name, reader, record.line)))
    return replace(record, stage=mark.stage if mark else INITIALISATION)


def _verdict(job: Job, located: Optional[Located], matcher: Matcher, notes: tuple) -> FailureRecord:
    """Match the located failure: the record the job gets."""
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
        retry=rule.retry if rule else "unknown",
        evidence=match.evidence if match else None,
        notes=notes,
        fingerprint=fingerprint(rule.id if rule else status.value, failure.message),
    )


def classify_paths(
    paths: list[str], matcher: Matcher, markers: Markers, full: bool = False
) -> Iterator[FailureRecord]:
    """One record per job under ``paths``, in discovery order, as each job finishes."""
    for job in discover_jobs(paths, markers):
        yield classify_job(job, matcher, markers, full)
