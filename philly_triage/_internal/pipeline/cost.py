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
from dataclasses import dataclass
from typing import Any, Iterator, Optional, Sequence

from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline.read import LogError, open_log
from philly_triage._internal.catalogue.yaml_source import Unreadable, YamlFileError, load_yaml_file

META_SUFFIXES = (".meta.yaml", ".meta.yml", ".meta.json")
JOB_META_NAMES = tuple("job" + suffix for suffix in META_SUFFIXES)
META_FIELDS = ("gpus", "start", "end", "retries", "exit_code")
HEAD_BYTES, TAIL_BYTES = 256 << 10, 256 << 10
MAX_META_BYTES = 1 << 20
MAX_COUNT = 1_000_000  # more GPUs or retries than this is a mistake, not a job


def is_meta_file(name: str) -> bool:
    """Whether a file name is a job metadata file (never a log)."""
    return name.endswith(META_SUFFIXES)


def meta_file_for(path: str, is_directory: bool) -> Optional[str]:
    """The metadata file of the job at ``path``, if it has one."""
    names = JOB_META_NAMES if is_directory else tuple(os.path.basename(path) + s for s in META_SUFFIXES)
    folder = path if is_directory else os.path.dirname(path)
    for name in names:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
    return None


@dataclass(frozen=True)
class JobMeta:
    gpus: Optional[int] = None
    start: Optional[dt.datetime] = None
    end: Optional[dt.datetime] = None
    retries: Optional[int] = None
    exit_code: Optional[int] = None  # the job's exit status as its platform recorded it


@dataclass(frozen=True)
class Cost:
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


def _hours(start: dt.datetime, end: dt.datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 3600)


def read_meta(path: str) -> tuple[JobMeta, Optional[str]]:
    """The metadata of a job, and ``file:line: problem`` for what could not be used: a bad value
    costs that value (a bad file, the file), and never stops a run."""
    try:
        document = load_yaml_file(path, MAX_META_BYTES, lenient=True)
    except YamlFileError as err:
        where = path if err.line is None else f"{path}:{err.line}"
        return JobMeta(), f"{where}: {err.message}"
    data = document.data
    if not isinstance(data, dict):
        return JobMeta(), f"{path}: must be a mapping with gpus, start, end, retries and exit_code"
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key in META_FIELDS:
        if key not in data:
            continue
        problem = _meta_problem(key, data[key])
        if problem is None:
            values[key] = _moment(data[key]) if key in ("start", "end") else data[key]
        else:
            problems.append(f"{path}:{document.line_of(key)}: {problem}")
    if "start" in values and "end" in values and values["end"] < values["start"]:
        problems.append(f"{path}:{document.line_of('end')}: 'end' is before 'start'")
        del values["start"], values["end"]
    return JobMeta(**values), "; ".join(problems) or None


def _meta_problem(key: str, value: Any) -> Optional[str]:
    """Why a metadata value cannot be used, or None."""
    if isinstance(value, Unreadable):
        return f"'{key}': {value.problem}"
    if key == "exit_code":
        if not _is_int(value) or not -255 <= value <= 255:
            return "'exit_code' must be an integer from -255 to 255"
    elif key in ("gpus", "retries"):
        least = 1 if key == "gpus" else 0
        if not _is_int(value) or not least <= value <= MAX_COUNT:
            return f"'{key}' must be an integer of at least {least} and at most {MAX_COUNT:,}"
    elif _moment(value) is None:
        return f"'{key}' must be an ISO 8601 time (2026-11-24T10:00:00Z) or epoch seconds"
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
