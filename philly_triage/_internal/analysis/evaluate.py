"""Measure the catalogue on labelled jobs: compare each job's record with its expected answer.

Pure computation: records and expectations in, an ``Evaluation`` out. Printing is views/' job.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any, Iterable, Iterator, Optional

from philly_triage._internal.catalogue.expectations import Expectations, Expected
from philly_triage._internal.pipeline.discover import Reading
from philly_triage._internal.pipeline.engine import Classifier
from philly_triage.models import FailureRecord, Status

SCHEMA_VERSION = 1
NO_FAILURE = Status.NO_FAILURE.value


@dataclass(frozen=True)
class LabelScore:
    """How well one label (a category or a status word) was predicted."""

    label: str
    tp: int
    fp: int
    fn: int
    support: int  # jobs expected to have this label
    precision: Optional[float]  # None when nothing was predicted as this label
    recall: Optional[float]  # None when no job was expected to have it
    f1: Optional[float]


@dataclass(frozen=True)
class Confusion:
    """Jobs expected as one label that got another."""

    expected: str
    got: str
    count: int
    jobs: tuple[str, ...]


@dataclass(frozen=True)
class Misplaced:
    """A job whose failure was found at another place than expected."""

    job: str
    expected_file: str
    expected_line: int
    got_file: Optional[str]
    got_line: Optional[int]

    @property
    def expected_place(self) -> str:
        return f"{self.expected_file}:{self.expected_line}"

    @property
    def got_place(self) -> Optional[str]:
        return None if self.got_file is None else f"{self.got_file}:{self.got_line}"


@dataclass(frozen=True)
class Localisation:
    """Of the jobs whose expectation names a line, how many got both file and line right."""

    correct: int
    total: int
    ratio: Optional[float]  # None when no expectation names a line
    wrong: tuple[Misplaced, ...]


@dataclass(frozen=True)
class AlarmJob:
    """One no_failure job that triage reported a failure for."""

    job: str
    file: Optional[str]
    line: Optional[int]
    message: Optional[str]


@dataclass(frozen=True)
class FalseAlarm:
    """The no_failure jobs one rule (or ``unclassified``/``error`` when none) fired on."""

    rule: str
    jobs: tuple[AlarmJob, ...]


@dataclass(frozen=True)
class Evaluation:
    """The catalogue measured on one expectations file."""

    expectations: str  # the expectations file's name
    total: int  # labelled jobs evaluated
    correct: int
    accuracy: Optional[float]  # None when no labelled job was evaluated
    labels: tuple[LabelScore, ...]  # by support descending, then label
    confusion: tuple[Confusion, ...]  # by count descending, then expected and got
    localisation: Localisation
    false_alarms: tuple[FalseAlarm, ...]  # by number of jobs descending, then rule
    missing: tuple[str, ...]  # expected jobs that no record had
    unlabelled: tuple[str, ...]  # records without an expectation (not counted)
    duplicates: tuple[str, ...]  # job keys seen more than once (only the first is counted)

    def to_dict(self) -> dict:
        return {"schema_version": SCHEMA_VERSION, **_json_ready(asdict(self))}


@dataclass(frozen=True)
class Outcome:
    """One evaluated job: what was expected and what triage said."""

    job: str
    expected: Expected
    got: str
    file: Optional[str]  # relative to the job's root, as expectations name files
    record: FailureRecord

    @property
    def label_right(self) -> bool:
        return self.got == self.expected.category

    @property
    def place_right(self) -> bool:
        """The failure's file and line are the expected ones (vacuously, when none is expected)."""
        if self.expected.line is None:
            return True
        return (self.file, self.record.line) == (self.expected.file, self.expected.line)


def outcome_of(key: str, root: str, record: FailureRecord, expected: Expected) -> Outcome:
    """Set a job's record (found under ``root``) beside its expectation."""
    file = None if record.file is None else _posix(os.path.relpath(record.file, root))
    return Outcome(key, expected, label_of(record), file, record)


def labelled_records(
    paths: Iterable[str], classifier: Classifier, workers: int = 1, reading: Reading = Reading.AUTO
) -> Iterator[tuple[str, str, FailureRecord]]:
    """(key, root, record) for each job under ``paths``, keyed as expectations files name jobs.

    A job found under a directory argument is keyed by its path relative to that directory (a
    nested job by its whole relative path, e.g. ``2026-12-01/job-a``); a job given directly (a
    file, a job directory, or a path that cannot be listed) by its name, with its parent directory
    as root. Paths are read as every command reads them (discover.py); ``workers`` above 1
    classifies in that many processes.
    """
    jobs, roots = [], []
    for path in paths:
        # One path at a time, so each job's root is known.
        for job in classifier.find([path], reading).jobs:
            jobs.append(job)
            roots.append(os.path.dirname(os.path.normpath(path)) or os.curdir if job.name == path else path)
    outcomes = classifier.outcomes(jobs, workers)
    try:
        for job, root, outcome in zip(jobs, roots, outcomes):
            yield _posix(os.path.relpath(job.name, root)), root, outcome.record
    finally:
        getattr(outcomes, "close", lambda: None)()


def label_of(record: FailureRecord) -> str:
    """The label a record got: its category, or its status word when it has none."""
    if record.status is Status.CLASSIFIED and record.category:
        return record.category
    return record.status.value


def evaluate(results: Iterable[tuple[str, str, FailureRecord]], expectations: Expectations) -> Evaluation:
    """Compare each (key, root, record) with its expectation and score the whole set."""
    outcomes: list[Outcome] = []
    seen: set[str] = set()
    unlabelled: list[str] = []
    duplicates: list[str] = []
    for key, root, record in results:
        if key in seen:
            duplicates.append(key)
            continue
        seen.add(key)
        expected = expectations.jobs.get(key)
        if expected is None:
            unlabelled.append(key)
            continue
        outcomes.append(outcome_of(key, root, record, expected))
    correct = sum(1 for o in outcomes if o.label_right)
    return Evaluation(
        expectations=expectations.file,
        total=len(outcomes),
        correct=correct,
        accuracy=_ratio(correct, len(outcomes)),
        labels=_label_scores(outcomes),
        confusion=_confusion(outcomes),
        localisation=_localisation(outcomes),
        false_alarms=_false_alarms(outcomes),
        missing=tuple(sorted(set(expectations.jobs) - seen)),
        unlabelled=tuple(sorted(unlabelled)),
        duplicates=tuple(sorted(set(duplicates))),
    )


def _label_scores(outcomes: list[Outcome]) -> tuple[LabelScore, ...]:
    labels = {o.expected.category for o in outcomes} | {o.got for o in outcomes}
    scores = [_label_score(label, outcomes) for label in labels]
    return tuple(sorted(scores, key=lambda s: (-s.support, s.label)))


def _label_score(label: str, outcomes: list[Outcome]) -> LabelScore:
    tp = sum(1 for o in outcomes if o.expected.category == label and o.got == label)
    fp = sum(1 for o in outcomes if o.expected.category != label and o.got == label)
    fn = sum(1 for o in outcomes if o.expected.category == label and o.got != label)
    # F1 from the counts, so it stays defined (0.0) when only one of precision and recall is.
    return LabelScore(
        label=label, tp=tp, fp=fp, fn=fn, support=tp + fn,
        precision=_ratio(tp, tp + fp), recall=_ratio(tp, tp + fn), f1=_ratio(2 * tp, 2 * tp + fp + fn),
    )


def _confusion(outcomes: list[Outcome]) -> tuple[Confusion, ...]:
    mistakes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for o in outcomes:
        if not o.label_right:
            mistakes[o.expected.category, o.got].append(o.job)
    entries = [Confusion(e, g, len(jobs), tuple(sorted(jobs))) for (e, g), jobs in mistakes.items()]
    return tuple(sorted(entries, key=lambda c: (-c.count, c.expected, c.got)))


def _localisation(outcomes: list[Outcome]) -> Localisation:
    placed = [o for o in outcomes if o.expected.line is not None]
    wrong = tuple(
        Misplaced(o.job, o.expected.file, o.expected.line, o.file, o.record.line)
        for o in sorted(placed, key=lambda o: o.job)
        if not o.place_right
    )
    correct = len(placed) - len(wrong)
    return Localisation(correct, len(placed), _ratio(correct, len(placed)), wrong)


def _false_alarms(outcomes: list[Outcome]) -> tuple[FalseAlarm, ...]:
    fired: dict[str, list[AlarmJob]] = defaultdict(list)
    for o in sorted(outcomes, key=lambda o: o.job):
        if o.expected.category == NO_FAILURE and o.got != NO_FAILURE:
            record = o.record
            message = record.message if record.message is not None else record.reason
            fired[record.rule or o.got].append(AlarmJob(o.job, o.file, record.line, message))
    alarms = [FalseAlarm(rule, tuple(jobs)) for rule, jobs in fired.items()]
    return tuple(sorted(alarms, key=lambda a: (-len(a.jobs), a.rule)))


def _ratio(part: int, whole: int) -> Optional[float]:
    return part / whole if whole else None


def _posix(path: str) -> str:
    """Expectations files name paths with '/', whatever the platform."""
    return path.replace(os.sep, "/")


def _json_ready(value: Any) -> Any:
    """Tuples as lists, so the dict equals what json.loads gives back."""
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(item) for item in value]
    return value
