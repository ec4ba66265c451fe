"""Read a baseline: the fingerprints of failures an earlier run already reported.

A baseline is any earlier output of ``triage classify`` that carries records: the JSON document,
JSONL, or SARIF. From a JSON or JSONL record the fingerprint is computed again from its category
(or status) and message, so that a baseline written by an older triage, whose masking or
fingerprint field differed, still says which failures are known; the stored fingerprint counts
too. From SARIF, each result's ``partialFingerprints`` are read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

from philly_triage._internal.pipeline.fingerprint import FINGERPRINT_VERSION, fingerprint
from philly_triage.models import Status

SARIF_KEY = f"triageFingerprint/v{FINGERPRINT_VERSION}"
FAILED = {status.value for status in Status if status.failed}  # as the JSON records spell them


class BaselineError(ValueError):
    """A baseline file that cannot be read; the message names the file (and line) and the problem."""


def load_baseline(path: Path) -> frozenset:
    """The fingerprints of the failures recorded in ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise BaselineError(f"{path}: cannot read the baseline: {reason}") from None
    try:
        document = json.loads(text) if text.strip() else []
    except json.JSONDecodeError:
        return frozenset(_fingerprints(_jsonl_records(path, text)))
    return frozenset(_from_document(path, document))


def _from_document(path: Path, document) -> Iterator[str]:
    """Fingerprints from one JSON value: triage's JSON document, SARIF, a record or a list of them."""
    if isinstance(document, dict) and isinstance(document.get("records"), list):
        yield from _fingerprints(document["records"])
    elif isinstance(document, dict) and isinstance(document.get("runs"), list):
        yield from _sarif_fingerprints(document["runs"])
    elif isinstance(document, dict) and "status" in document:
        yield from _fingerprints([document])
    elif isinstance(document, list):
        yield from _fingerprints(document)
    else:
        raise BaselineError(
            f"{path}: not an output of triage classify (--format json, jsonl or sarif): "
            "no 'records', 'runs' or record found"
        )


def _jsonl_records(path: Path, text: str) -> Iterator[dict]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise BaselineError(f"{path}:{number}: not JSON or JSONL: {err.msg} (column {err.colno})") from None
        if not isinstance(record, dict):
            raise BaselineError(f"{path}:{number}: a JSONL line must hold one record (a JSON object)")
        yield record


def _fingerprints(records: Iterable) -> Iterator[str]:
    for record in records:
        if not isinstance(record, dict) or record.get("status") not in FAILED:
            continue
        stored = record.get("fingerprint")
        if isinstance(stored, str) and stored:
            yield stored
        kind = record.get("category") if record["status"] == Status.CLASSIFIED.value else record["status"]
        message = record.get("message")
        if isinstance(kind, str) and (message is None or isinstance(message, str)):
            yield fingerprint(kind, message)


def _sarif_fingerprints(runs: list) -> Iterator[str]:
    for run in runs:
        results = run.get("results") if isinstance(run, dict) else None
        for result in results if isinstance(results, list) else ():
            prints = result.get("partialFingerprints") if isinstance(result, dict) else None
            if isinstance(prints, dict) and isinstance(prints.get(SARIF_KEY), str):
                yield prints[SARIF_KEY]
