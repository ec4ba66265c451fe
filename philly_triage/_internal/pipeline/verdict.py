"""Turn one job into its verdict: read its files, locate the failure, match it to a rule, and
place it in the job's life (stage) and cost. The engine (engine.py) calls it for every job."""

from __future__ import annotations

import os
from dataclasses import fields, replace
from typing import NamedTuple, Optional

from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline.across_files import went_on_elsewhere
from philly_triage._internal.pipeline.cost import Cost, JobMeta, job_cost, read_meta
from philly_triage._internal.pipeline.exit_status import ExitStatus, job_exit_status, status_of
from philly_triage._internal.pipeline.fingerprint import fingerprint
from philly_triage._internal.pipeline.locate import CONSEQUENCE, FAILURE, WEAK_KINDS, Located, pick_job_failure
from philly_triage._internal.pipeline.match import Matcher
from philly_triage._internal.pipeline.scan import Scan, scan_log
from philly_triage._internal.pipeline.stage import StageMark, job_stage, stage_reader
from philly_triage.models import Failure, FailureRecord, Job, Match, Status


class Verdict(NamedTuple):
    """A job's record, and what it rests on: the failure located, its stage marker and the cost."""

    record: FailureRecord
    located: Optional[Located] = None
    mark: Optional[StageMark] = None
    cost: Optional[Cost] = None


def classify_job(job: Job, matcher: Matcher, markers: Markers, full: bool = False, gpus: Optional[int] = None,
                 failed: bool = False) -> FailureRecord:
    """The record for one job. Never raises: a job that triage itself cannot handle says ``error``.

    ``full`` analyses every line of every log instead of reading each log from its end. ``gpus`` is
    the job's GPU count when its metadata file does not give one (for ``gpu_hours``). ``failed``
    says the job is known to have failed (see ``judge``).
    """
    return judge_job(job, matcher, markers, full, gpus, failed).record


def judge_job(job: Job, matcher: Matcher, markers: Markers, full: bool = False, gpus: Optional[int] = None,
              failed: bool = False) -> Verdict:
    """The job's Verdict; never raises (see ``classify_job``)."""
    try:
        return _judge_job(job, matcher, markers, full, gpus, failed)
    except Exception as err:  # noqa: BLE001 - a bug in triage must not lose the job's record
        return Verdict(FailureRecord(
            job=job.name,
            status=Status.ERROR,
            reason=f"internal error in triage (please report it): {type(err).__name__}: {err}",
        ))


def _judge_job(job: Job, matcher: Matcher, markers: Markers, full: bool, gpus: Optional[int],
               failed: bool) -> Verdict:
    if job.problem:
        return Verdict(FailureRecord(job=job.name, status=Status.ERROR, reason=job.problem))
    scans = [scan_log(path, markers, full) for path in job.files]
    meta = read_meta(job.meta) if job.meta else (JobMeta(), None)
    record, scan = judge(job, scans, matcher, markers, _meta_exit(job.meta, meta[0]), failed)
    located = scan.located if scan is not None else None
    if not record.status.failed:
        return Verdict(replace(record, notes=record.notes + (meta[1],)) if meta[1] else record, located)
    # (an unclassified job with no failure line, only its exit status, has no scan: its stage is the
    # latest its logs reached)
    offset = scan.offset if scan is not None and record.line == scan.located.failure.line else None
    try:
        mark, cost = job_timeline(job, record, offset, matcher, markers, gpus, meta)
    except Exception as err:  # noqa: BLE001 - a bug here must not cost the job its verdict
        note = f"stage and GPU time not found: internal error in triage (please report it): {type(err).__name__}: {err}"
        return Verdict(replace(record, notes=record.notes + (note,)), located)
    notes = record.notes + ((cost.problem,) if cost.problem else ())
    record = replace(record, stage=mark.stage, gpu_hours=cost.gpu_hours, retries=cost.retries, notes=notes)
    return Verdict(record, located, mark, cost)


def judge(job: Job, scans: list[Scan], matcher: Matcher, markers: Markers, meta_exit: Optional[ExitStatus] = None,
          failed: bool = False) -> tuple[FailureRecord, Optional[Scan]]:
    """The job's verdict from what its files say, and the scan of the file holding its failure.

    A job failed only on evidence that it ended badly: a traceback or a fatal line it did not go on
    from, or a non-zero exit status. A line that only holds an error word, or a thread's traceback
    (which does not end the process), is its failure only when the exit status (or ``failed``: the
    text is known to be a failure's) says that it ended badly.
    """
    notes = tuple(f"{s.path}: {note}" for s in scans for note in ((s.error,) if s.error else s.notes))
    readable = [s for s in scans if s.error is None]
    if not readable:
        reason = "; ".join(notes) if notes else "no log files in the job"
        return FailureRecord(job=job.name, status=Status.ERROR, reason=reason), None
    exit = job_exit_status(meta_exit, [s.exit for s in readable if s.exit is not None])
    ended_badly = failed or (exit is not None and exit.failed)
    found = [s for s in readable if s.located is not None and (s.located.kind not in WEAK_KINDS or ended_badly)]
    located = pick_job_failure([(s.path, s.located) for s in found])
    while located is not None and len(readable) > 1:
        scan = next(s for s in found if s.located is located)
        others = [s.path for s in readable if s is not scan]
        if markers.is_termination(located.failure.message) or not went_on_elsewhere(
            scan.path, scan.offset, others, markers, ended_badly
        ):
            break
        # The job's other logs went on (training, or finishing well) after this failure: it was survived.
        notes += (f"{scan.path}:{located.failure.line}: set aside: the job's other logs went on after it",)
        found.remove(scan)
        located = pick_job_failure([(s.path, s.located) for s in found])
    if located is None:
        return _without_failure(job, exit, scans, notes), None
    record = _verdict(job, located, matcher, notes)
    record = replace(record, exit_code=exit.code if exit else None, exit_source=exit.place if exit else None)
    if record.status == Status.UNCLASSIFIED:
        record = replace(record, reason=_unclassified_reason(located, exit, markers))
    return record, next(s for s in found if s.located is located)


def _unclassified_reason(located: Located, exit: Optional[ExitStatus], markers: Markers) -> Optional[str]:
    """Why a failure no rule knows is what it is: stopped from outside, or only reported by a launcher."""
    if markers.is_termination(located.failure.message) or (exit is not None and exit.terminated):
        how = f" ({exit.describe()})" if exit is not None and exit.failed else ""
        return f"stopped from outside{how}: preemption, cancellation or a time limit, not a failure of the program"
    if located.role == CONSEQUENCE:
        return ("only the consequences of a failure elsewhere were found (a collective timeout, a lost peer, "
                "a signal to stop): the process that failed first left no message in these logs")
    if located.role != FAILURE:
        how = exit.describe() if exit is not None and exit.failed else "it failed"
        return f"{how}, but the program printed no failure message: only a launcher's report of it was found"
    return None


def _without_failure(job: Job, exit: Optional[ExitStatus], scans: list[Scan], notes: tuple) -> FailureRecord:
    """The record of a job whose logs hold no failure: a success only when they were read whole and
    nothing says the job ended badly."""
    incomplete = [f"{s.path}: {s.incomplete}" for s in scans if s.incomplete]
    exit_fields = {"exit_code": exit.code if exit else None, "exit_source": exit.place if exit else None}
    if incomplete:
        reason = "no failure found in what could be read, but the logs were not read whole: " + "; ".join(incomplete)
        return FailureRecord(job=job.name, status=Status.ERROR, reason=reason, notes=notes, **exit_fields)
    if exit is None or not exit.failed:
        return FailureRecord(job=job.name, status=Status.NO_FAILURE, notes=notes, **exit_fields)
    message = exit.text or f"exit_code: {exit.code} (the job's metadata file)"
    return FailureRecord(
        job=job.name,
        status=Status.UNCLASSIFIED,
        file=exit.file,
        line=exit.line,
        message=message,
        reason=f"{exit.describe()}, no failure message",
        retry="unknown",
        notes=notes,
        fingerprint=fingerprint(Status.UNCLASSIFIED.value, message),
        **exit_fields,
    )


def _meta_exit(path: Optional[str], meta: JobMeta) -> Optional[ExitStatus]:
    return None if path is None or meta.exit_code is None else status_of(meta.exit_code, None, path)


def job_timeline(job: Job, record: FailureRecord, offset: Optional[int], matcher: Matcher, markers: Markers,
                 gpus: Optional[int], meta: Optional[tuple[JobMeta, Optional[str]]] = None) -> tuple[StageMark, Cost]:
    """Where in its life the job failed (the stage marker before its failure) and what the run cost.

    ``offset`` is where the failure's line starts in its file, when known (it saves a count);
    ``meta`` is the job's metadata as ``read_meta`` gave it, when it was read already."""
    reader = stage_reader(matcher.catalogue.stages, markers)
    mark = job_stage(reader, job.files, record.file or "", record.line or 0, offset)
    return mark, job_cost(job.meta, job.files, markers, gpus, job.attempts, meta)


def classify_text(text: str, matcher: Matcher, markers: Markers, name: str = "<text>", failed: bool = False,
                  full: bool = False, gpus: Optional[int] = None) -> FailureRecord:
    """The record a file holding ``text`` gets, stage and cost included, with ``name`` for its path.

    ``failed`` says that the text is known to end a failed job (a rule's example): a line that
    only holds an error word can then be its failure."""
    import tempfile  # here: only a text to classify needs it

    with tempfile.TemporaryDirectory(prefix="triage-text-") as folder:
        path = os.path.join(folder, "log")
        with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as log:
            log.write(text)
        record = classify_job(Job(path, (path,)), matcher, markers, full, gpus, failed)
    return renamed(record, path, name)


def renamed(record: FailureRecord, path: str, name: str) -> FailureRecord:
    """The record with a temporary file's path replaced by the name it stands for."""
    changes: dict = {}
    for field in fields(record):
        value = getattr(record, field.name)
        if isinstance(value, str) and path in value:
            changes[field.name] = value.replace(path, name)
        elif isinstance(value, tuple) and any(isinstance(v, str) and path in v for v in value):
            changes[field.name] = tuple(v.replace(path, name) if isinstance(v, str) else v for v in value)
    return replace(record, **changes) if changes else record


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
