"""SARIF 2.1.0: the whole run as one static-analysis log, for GitHub code scanning and SARIF viewers.

Each category of the catalogue is a rule of the log (a reportingDescriptor), and so is
``unclassified``, for failures that no rule knows. A classified or unclassified job is a result
that points at the log line of its failure; a job that could not be read is a tool execution
notification, and the run's execution was then not successful; a job with no failure gives
nothing. A run that a signal stopped is not successful either: its invocation names the signal and
holds a notification that says how many jobs were done.
"""

from __future__ import annotations

import os
from pathlib import PurePath
from typing import Optional
from urllib.parse import quote

import philly_triage
from philly_triage._internal.pipeline.fingerprint import FINGERPRINT_VERSION
from philly_triage._internal.output.formats.base import Formatter, Interruption
from philly_triage._internal.output.formats.json_format import to_json
from philly_triage.models import FailureRecord, Rule, Status

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"  # the one GitHub code scanning documents
SARIF_VERSION = "2.1.0"
TOOL_NAME = "triage"
INFORMATION_URI = "https://pypi.org/project/philly-triage/"
SOURCE_ROOT = "%SRCROOT%"  # the base that relative artifact URIs are resolved against
FINGERPRINT_KEY = f"triageFingerprint/v{FINGERPRINT_VERSION}"
UNCLASSIFIED = "unclassified"
UNCLASSIFIED_HELP = "Read the failure at the location shown; if it recurs, add a rule for it to the catalogue."
IGNORED_JUSTIFICATION = "category or dimension given to --ignore"
RESULT_LEVELS = {Status.CLASSIFIED: "error", Status.UNCLASSIFIED: "warning"}
RESULT_PROPERTIES = ("job", "dimension", "category", "exception", "evidence", "hint")


class SarifFormatter(Formatter):
    """One SARIF log with one run, written when the run finishes."""

    def finish(self) -> None:
        self.stream.write(to_json(self.document(), indent=2) + "\n")

    def document(self) -> dict:
        """The SARIF log of the records so far."""
        rules = self.descriptors()
        index = {rule["id"]: i for i, rule in enumerate(rules)}
        run: dict = {
            "tool": {"driver": driver(rules)},
            # Relative log paths are relative to where triage ran: say where that was.
            "originalUriBaseIds": {SOURCE_ROOT: {"uri": file_uri(PurePath(os.getcwd())).rstrip("/") + "/"}},
            "invocations": [invocation(self.records, self.interruption)],
            "results": [result(r, index) for r in self.records if r.status in RESULT_LEVELS],
        }
        if self.hidden:
            run["properties"] = {"hidden": dict(self.hidden)}
        return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}

    def descriptors(self) -> list[dict]:
        """The catalogue's rules in order, then categories only the records name, then unclassified."""
        rules = [rule_descriptor(rule) for rule in (self.catalogue.rules if self.catalogue else ())]
        known = {rule["id"] for rule in rules}
        for record in self.records:
            if record.status is Status.CLASSIFIED and record.category and record.category not in known:
                known.add(record.category)
                rules.append(category_descriptor(record.category, record.dimension))
        return rules + [unclassified_descriptor()]


def driver(rules: list[dict]) -> dict:
    """The toolComponent that describes triage and its rules."""
    return {
        "name": TOOL_NAME,
        "version": philly_triage.__version__,
        "semanticVersion": philly_triage.__version__,
        "informationUri": INFORMATION_URI,
        "rules": rules,
    }


def pascal_case(rule_id: str) -> str:
    """A rule's SARIF name: its id as one PascalCase identifier (gpu_out_of_memory: GpuOutOfMemory)."""
    return "".join(part[:1].upper() + part[1:] for part in rule_id.replace("-", "_").split("_"))


def category_descriptor(category: str, dimension: Optional[str]) -> dict:
    """A rule known only by its id and dimension (from the records, when there is no catalogue)."""
    descriptor: dict = {"id": category, "name": pascal_case(category), "defaultConfiguration": {"level": "error"}}
    if dimension:
        descriptor["properties"] = {"dimension": dimension, "tags": [dimension]}
    return descriptor


def rule_descriptor(rule: Rule) -> dict:
    """A catalogue rule as a reportingDescriptor. Its hint is Markdown already (code spans)."""
    return {
        "id": rule.id,
        "name": pascal_case(rule.id),
        "shortDescription": {"text": rule.name},
        "fullDescription": {"text": rule.description},
        "help": {"text": rule.hint, "markdown": rule.hint},
        "defaultConfiguration": {"level": "error"},
        "properties": {"dimension": rule.dimension, "tags": [rule.dimension]},
    }


def unclassified_descriptor() -> dict:
    """The rule of the failures that no rule of the catalogue recognises."""
    return {
        "id": UNCLASSIFIED,
        "name": pascal_case(UNCLASSIFIED),
        "shortDescription": {"text": "Unclassified failure"},
        "fullDescription": {"text": "The job failed, but no rule of the catalogue recognises its failure."},
        "help": {"text": UNCLASSIFIED_HELP, "markdown": UNCLASSIFIED_HELP},
        "defaultConfiguration": {"level": "warning"},
    }


def result(record: FailureRecord, rule_index: dict[str, int]) -> dict:
    """The SARIF result of a classified or unclassified record."""
    rule_id = record.category if record.status is Status.CLASSIFIED and record.category else UNCLASSIFIED
    text = f"{rule_id}: {record.message}" if record.message else rule_id
    sarif: dict = {
        "ruleId": rule_id,
        "ruleIndex": rule_index[rule_id],
        "level": RESULT_LEVELS[record.status],
        "message": {"text": text},
    }
    if record.file:
        sarif["locations"] = [location(record.file, record.line)]
    if record.fingerprint:
        sarif["partialFingerprints"] = {FINGERPRINT_KEY: record.fingerprint}
    if record.ignored:
        sarif["suppressions"] = [{"kind": "external", "justification": IGNORED_JUSTIFICATION}]
    sarif["properties"] = {name: getattr(record, name) for name in RESULT_PROPERTIES if getattr(record, name)}
    return sarif


def invocation(records: list[FailureRecord], interruption: Optional[Interruption] = None) -> dict:
    """The run's invocation: successful unless a job could not be classified (one notification each)
    or a signal stopped the run (a notification first, and the signal)."""
    errors = [r for r in records if r.status is Status.ERROR]
    notifications = [notification(r) for r in errors]
    sarif: dict = {"executionSuccessful": not errors and interruption is None}
    if interruption is not None:
        notifications.insert(0, {"level": "error", "message": {"text": interruption.describe()}})
        sarif["exitSignalName"] = interruption.signal
        if interruption.number is not None:
            sarif["exitSignalNumber"] = interruption.number
    sarif["toolExecutionNotifications"] = notifications
    return sarif


def notification(record: FailureRecord) -> dict:
    """The notification of a job that triage could not classify."""
    return {
        "level": "error",
        "message": {"text": record.reason or "the job could not be classified"},
        "locations": [location(record.file or record.job, None)],
        "properties": {"job": record.job},
    }


def location(path: str, line: Optional[int]) -> dict:
    """A SARIF location: the file, and the line when there is a real one (1-based)."""
    physical: dict = {"artifactLocation": artifact_location(path)}
    if isinstance(line, int) and not isinstance(line, bool) and line >= 1:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def artifact_location(path: str, flavour: type[PurePath] = PurePath) -> dict:
    """A file path as a SARIF artifactLocation, reading it as a path of ``flavour`` (this system's).

    A relative path is a relative URI reference against %SRCROOT%, with forward slashes; an
    absolute one is a ``file:`` URI. Both are percent-encoded (UTF-8; on POSIX a name's
    undecodable bytes are encoded as they are, as ``Path.as_uri`` does).
    """
    pure = flavour(path)
    if not pure.is_absolute():
        return {"uri": quote(pure.as_posix(), errors="surrogateescape"), "uriBaseId": SOURCE_ROOT}
    return {"uri": file_uri(pure)}


def file_uri(path: PurePath) -> str:
    """The ``file:`` URI of an absolute path: file:///tmp/x, file:///C:/x or file://server/share/x."""
    posix = path.as_posix()
    if not path.drive:
        return "file://" + quote(posix, errors="surrogateescape")
    if posix.startswith("//"):  # a UNC path: its server is the URI's authority
        return "file:" + quote(posix)
    return "file:///" + path.drive + quote(posix[len(path.drive):])  # the drive letter's colon stays
