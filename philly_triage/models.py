"""The values that flow between triage's steps: rules, jobs, located failures and records.

Everything here is immutable, so that each step takes values in and gives values out: frozen
dataclasses, and NamedTuples for the values made per line and per failure read (a NamedTuple's class
is built in a tenth of a dataclass's time at start, and its values are made faster).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from typing import NamedTuple, Optional


RETRY_ADVICE = {
    "never": "deterministic: it fails again the same way; fix the code, data or arguments first",
    "maybe": "may be transient (memory contention, randomness): one retry may pass",
    "environment": "the job's environment (image, node, mount, permissions) must change first",
    "unknown": "no rule knows this failure, so nothing is known about retrying it",
}
STAGES = ("initialisation", "training", "validation", "evaluation")


class Status(str, enum.Enum):
    """What triage concluded about one job."""

    CLASSIFIED = "classified"
    UNCLASSIFIED = "unclassified"
    NO_FAILURE = "no_failure"
    ERROR = "error"

    @property
    def failed(self) -> bool:
        """The job failed: its failure is known (classified) or not (unclassified)."""
        return self in (Status.CLASSIFIED, Status.UNCLASSIFIED)


@dataclass(frozen=True)
class Pattern:
    """One regular expression of a rule, optionally limited to where the failure was raised."""

    regex: str
    frame: Optional[str] = None  # "framework" or "user": where the raising frame must be
    line: Optional[int] = field(default=None, compare=False)  # where the rule file states it


@dataclass(frozen=True)
class ContextPattern:
    """A failure line that only names its cause in the lines printed before it.

    ``when`` must match the failure line and ``near`` one of the lines before it, e.g. a CUDA
    "device-side assert triggered" preceded by the assertion that failed, or the source line that
    raised it, as its traceback shows it (a bare ``AssertionError`` under ``assert a.shape == b.shape``).
    """

    when: str
    near: str
    line: Optional[int] = field(default=None, compare=False)


@dataclass(frozen=True)
class Example:
    """A log excerpt (one line or a whole traceback) that a rule must, or must not, classify."""

    text: str
    line: Optional[int] = field(default=None, compare=False)  # where the rule file states it


@dataclass(frozen=True)
class Rule:
    """One failure category of the catalogue, as loaded from its YAML file."""

    id: str
    name: str
    dimension: str
    description: str
    hint: str
    priority: int = 50
    retry: str = "unknown"  # one of RETRY_ADVICE: whether retrying a failure of this kind can help
    study: bool = True  # a category of the ICSE 2020 study's kind; False: outside it (the infrastructure rules)
    keywords: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    patterns: tuple[Pattern, ...] = ()
    context: tuple[ContextPattern, ...] = ()
    excludes: tuple[str, ...] = ()
    examples_match: tuple[Example, ...] = ()
    examples_no_match: tuple[Example, ...] = ()
    source: str = ""  # the rule file
    origin: str = ""  # which catalogue it came from: built-in, project, TRIAGE_RULES or --rules
    replaces: Optional[str] = None  # the file of the rule with the same id that this one replaces
    line: Optional[int] = field(default=None, compare=False)  # the line of its `id` in the rule file


@dataclass(frozen=True)
class StageMarker:
    """A line that shows which stage of its life a job is in (a catalogue's stages.yaml)."""

    stage: str  # one of STAGES
    regex: str
    source: str = ""  # the stages file
    line: Optional[int] = field(default=None, compare=False)


@dataclass(frozen=True)
class Job:
    """One job to classify: a name (the path as the user gave it) and the log files it holds."""

    name: str
    files: tuple[str, ...]
    problem: Optional[str] = None  # set when the job cannot be read at all
    meta: Optional[str] = None  # its metadata file (GPUs, start, end, retries), if it has one
    attempts: Optional[int] = None  # how many retry directories it holds, if it keeps retries so


class LogLine(NamedTuple):
    """One line of a log, cleaned for analysis, with where it came from."""

    number: int  # 1-based, counting "\n" only, as grep -n does
    text: str  # ANSI codes and known line prefixes (timestamps, rank tags) removed
    tag: str = ""  # the process tag the prefix named, e.g. "rank1", if any


class Failure(NamedTuple):
    """The failure the locator found to have ended a job."""

    file: str
    line: int
    message: str
    kind: str  # "traceback", "fatal" or "keyword" (a thread's traceback is a "traceback" too)
    exception: Optional[str] = None
    detail: tuple[str, ...] = ()  # lines printed right after the failure line that belong to it
    context: tuple[str, ...] = ()  # lines printed just before the failure block
    in_framework: Optional[bool] = None  # raised inside an installed package (site-packages)?
    source: Optional[str] = None  # the source line that raised, as a traceback shows it (`assert x.shape == y`)


class Match(NamedTuple):
    """Which rule a failure matched, and on what evidence."""

    rule: Rule
    strength: int  # 3 the failure line, 2 its detail or context, 1 the exception type only
    evidence: str  # the pattern or exception type that matched


@dataclass(frozen=True)
class FailureRecord:
    """The result for one job. Its JSON form is the documented output contract."""

    job: str
    status: Status
    category: Optional[str] = None
    dimension: Optional[str] = None
    rule: Optional[str] = None
    file: Optional[str] = None
    line: Optional[int] = None
    message: Optional[str] = None
    exception: Optional[str] = None
    hint: Optional[str] = None
    evidence: Optional[str] = None
    reason: Optional[str] = None
    notes: tuple[str, ...] = field(default=())
    fingerprint: Optional[str] = None  # the same kind of failure has the same one (fingerprints.py)
    ignored: bool = False  # its category or dimension was given to --ignore
    stage: Optional[str] = None  # one of STAGES: where in the job's life it failed (pipeline/stage.py)
    retry: Optional[str] = None  # one of RETRY_ADVICE: the category's advice; "unknown" if unclassified
    gpu_hours: Optional[float] = None  # GPUs x run time of the failed run, where both are known
    retries: Optional[int] = None  # how many times the platform ran the job before this run, if known
    exit_code: Optional[int] = None  # the job's exit status as its logs or metadata report it, if known
    exit_source: Optional[str] = None  # where that status was read: "file:line", or the metadata file

    def to_dict(self) -> dict:
        data = {name: getattr(self, name) for name in _RECORD_FIELDS}  # (asdict deep-copies: slower, same)
        data["status"] = self.status.value
        data["notes"] = list(self.notes)
        return data


_RECORD_FIELDS = tuple(f.name for f in fields(FailureRecord))
