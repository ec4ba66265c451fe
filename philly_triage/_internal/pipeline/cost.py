"""What a failed run cost: GPUs x run time, from the job's metadata file or its logs' timestamps.

A job's metadata file is YAML or JSON with any of ``gpus``, ``start``, ``end`` (ISO 8601 times, or
seconds since the epoch) and ``retries``. A job directory holds it at its top as ``job.meta.yaml``
(``.yml``, ``.json``); a job that is one log file ``X`` has it beside it as ``X.meta.yaml`` (``.yml``,
``.json``). Without start and end, the run time is the span of the timestamped lines of the job's
logs (markers.yaml, ``timestamps``); without ``gpus``, the count given by ``--gpus``.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any, Iterator, NamedTuple, Optional, Sequence

from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline.read import LogError, open_log
from philly_triage._internal.catalogue.schema import load_schema, violations
from philly_triage._internal.catalogue.yaml_source import (
    Unreadable, YamlDocument, YamlFileError, load_yaml_file, parse_yaml_bytes,
)
from philly_triage._internal.pipeline.ranged import read_bytes
from philly_triage._internal.pipeline.storage import is_url, message

META_FIELDS = ("gpus", "start", "end", "retries", "exit_code")
HEAD_BYTES, TAIL_BYTES = 256 << 10, 256 << 10
MAX_META_BYTES = 1 << 20


class JobMeta(NamedTuple):
    gpus: Optional[int] = None
    start: Optional[dt.datetime] = None
    end: Optional[dt.datetime] = None
    retries: Optional[int] = None
    exit_code: Optional[int] = None  # the job's exit status as its platform recorded it


class Cost(NamedTuple):
    """A failed run's GPUs, run time and GPU hours (None where unknown), and what they came from."""

    gpus: Optional[int] = None
    hours: Optional[float] = None
    gpu_hours: Optional[float] = None
    retries: Optional[int] = None
    source: Optional[str] = None  # where the run time came from: the metadata file or "log timestamps"
    problem: Optional[str] = None  # a metadata file that could not be used, and why


def job_cost(meta_path: Optional[str], files: Sequence[str], markers: Markers, gpus: Optional[int],
             attempts: Optional[int] = None, known: Optional[tuple[JobMeta, Optional[str]]] = None) -> Cost:
    """The cost of a job's failed run. ``gpus`` counts when the metadata does not; ``attempts`` is
    how many retry directories the job keeps (the earlier ones are its retries). ``known`` is what
    ``read_meta`` gave for the metadata file, when it was read already."""
    meta, problem = known if known is not None else (read_meta(meta_path) if meta_path else (JobMeta(), None))
    gpus = meta.gpus if meta.gpus is not None else gpus
    retries = meta.retries if meta.retries is not None else (attempts - 1 if attempts else None)
    hours, source = None, None
    if meta.start is not None and meta.end is not None:
        hours, source = _hours(meta.start, meta.end), os.path.basename(meta_path or "")
    elif gpus is not None:
        span = log_span(files, markers)
        if span is not None:
            hours, source = _hours(*span), "log timestamps"
    gpu_hours = round(gpus * hours, 4) if gpus is not None and hours is not None else None
    return Cost(gpus, None if hours is None else round(hours, 4), gpu_hours, retries, source, problem)


def _load_meta(path: str) -> YamlDocument:
    """The metadata file parsed: a local file, or an object in a store (a URL); raise YamlFileError."""
    if not is_url(path):
        return load_yaml_file(path, MAX_META_BYTES, lenient=True)
    try:
        raw = read_bytes(path, MAX_META_BYTES)
    except OSError as err:
        raise YamlFileError(None, f"cannot read the file: {message(err)}") from None
    if len(raw) > MAX_META_BYTES:
        raise YamlFileError(None, f"larger than {MAX_META_BYTES >> 20} MB, not a file triage reads")
    return parse_yaml_bytes(raw, lenient=True)


def _hours(start: dt.datetime, end: dt.datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 3600)


def read_meta(path: str) -> tuple[JobMeta, Optional[str]]:
    """The metadata of a job, and ``file:line: problem`` for what could not be used: a bad value
    costs that value (a bad file, the file), and never stops a run.

    The schema (schemas/job-meta.schema.json) judges each value; what is left here is what it
    cannot say: that a time is one Python can read, and that the run does not end before it starts.
    """
    try:
        document = _load_meta(path)
    except YamlFileError as err:
        where = path if err.line is None else f"{path}:{err.line}"
        return JobMeta(), f"{where}: {err.message}"
    data = document.data
    found = violations(document, "job-meta", data=as_schema_data(data))

    def at(*key: str) -> str:
        line = document.line_of(*key)
        return path if line is None else f"{path}:{line}"

    if not isinstance(data, dict):
        return JobMeta(), f"{at()}: {found[0].message}"
    problems: dict[str, str] = {}
    for violation in found:
        problems.setdefault(violation.path[0], f"{at(violation.path[0])}: {violation.message}")
    values: dict[str, Any] = {}
    for key in (key for key in META_FIELDS if key in data and key not in problems):
        value = data[key]
        moment = _moment(value) if key in ("start", "end") else None
        if isinstance(value, Unreadable):
            problems[key] = f"{at(key)}: '{key}': {value.problem}"
        elif key in ("start", "end") and moment is None:
            problems[key] = f"{at(key)}: '{key}' {load_schema('job-meta')['$defs']['time']['errorMessage']}"
        else:
            values[key] = moment or value
    notes = [problems[key] for key in META_FIELDS if key in problems]
    if "start" in values and "end" in values and values["end"] < values["start"]:
        notes.append(f"{at('end')}: 'end' is before 'start'")
        del values["start"], values["end"]
    return JobMeta(**values), "; ".join(notes) or None


def as_schema_data(data: Any) -> Any:
    """The document as its schema sees it: YAML's own times as the ISO text they were written as,
    and without the values that could not be read (a problem of their own)."""
    if not isinstance(data, dict):
        return data
    return {key: value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
            for key, value in data.items() if not isinstance(value, Unreadable)}


def _moment(value: Any) -> Optional[dt.datetime]:
    """A time as naive UTC: YAML's own timestamps, ISO 8601 strings, or seconds since the epoch;
    None for anything else, and for a time that naive UTC cannot hold (NaN, 1e30, year 1 at +01:00)."""
    try:
        return _as_utc(value)
    except (ValueError, OverflowError, OSError):  # out of the range a datetime holds
        return None


def _as_utc(value: Any) -> Optional[dt.datetime]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, dt.timezone.utc).replace(tzinfo=None)
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    else:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment


def log_span(files: Sequence[str], markers: Markers) -> Optional[tuple[dt.datetime, dt.datetime]]:
    """The first and the last timestamp of the job's logs, if they have any.

    Timestamps that name their year are preferred: a log that mixes them with glog's year-less ones
    (PyTorch's launcher prints those) is timed by the dated ones alone.
    """
    spans = [span for path in files for span in (_file_span(path, markers),) if span is not None]
    dated = [(first, last) for first, last, has_year in spans if has_year]
    chosen = dated or [(first, last) for first, last, _ in spans]
    if not chosen:
        return None
    start, end = min(first for first, _ in chosen), max(last for _, last in chosen)
    if end < start and not dated:  # glog lines have no year: the run crossed New Year
        end += dt.datetime(end.year + 1, 1, 1) - dt.datetime(end.year, 1, 1)  # (replace() fails on 29 February)
    return start, end


def _file_span(path: str, markers: Markers) -> Optional[tuple[dt.datetime, dt.datetime, bool]]:
    """The first timestamp (in the head of the log), the last (in its tail), and whether they are dated."""
    try:
        source = open_log(path)
    except LogError:
        return None
    try:
        if source.seekable:
            head = source.read(0, min(source.size, HEAD_BYTES))
            tail = source.read(max(0, source.size - TAIL_BYTES), source.size)
            pieces = [head, tail]
        else:
            pieces = list(_first_and_last_chunks(source.chunks()))
    except OSError:
        return None
    finally:
        source.close()
    for dated in (True, False):
        first, last = _first_time(pieces[0], markers, dated), _last_time(pieces[-1], markers, dated)
        if first is not None and last is not None:
            return first, last, dated
    return None


def _first_and_last_chunks(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The first chunk of a log read forwards, and its last (which is the first for a short log)."""
    first = last = None
    for chunk in chunks:
        if first is None:
            first = chunk
        last = chunk
    if first is not None:
        yield first
        yield last


def _first_time(data: bytes, markers: Markers, dated: bool) -> Optional[dt.datetime]:
    for line in data.split(b"\n"):
        moment = line_time(line, markers, dated)
        if moment is not None:
            return moment
    return None


def _last_time(data: bytes, markers: Markers, dated: bool) -> Optional[dt.datetime]:
    for line in reversed(data.split(b"\n")):
        moment = line_time(line, markers, dated)
        if moment is not None:
            return moment
    return None


def line_time(line: bytes, markers: Markers, dated: bool = True) -> Optional[dt.datetime]:
    """The time a line was printed at, by a pattern that names the year (``dated``) or not."""
    if not line[:1].strip():
        return None  # blank or indented: not a timestamped line
    text = line[:64].decode("utf-8", "replace")
    for pattern in markers.timestamps:
        if ("year" in pattern.groupindex) != dated:
            continue
        found = pattern.match(text)
        if found:
            parts = found.groupdict()
            try:
                return dt.datetime(
                    int(parts.get("year") or 2000), int(parts["month"]), int(parts["day"]),
                    int(parts["hour"]), int(parts["minute"]), int(parts["second"]),
                )
            except (KeyError, TypeError, ValueError):
                continue
    return None
