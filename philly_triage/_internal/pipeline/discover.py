"""Find the jobs under the paths a user gives, and the log files of each job.

Every command reads its paths here, through one rule (the README's "Discovers" step):

- A file is one job.
- A directory is **one job** when it holds a *job signal*: its metadata file (``job.meta.yaml``), a
  numbered retry directory (``1/``, ``retry-2``: markers.yaml ``retry_dirs``), or a file or folder
  named like one stream of a job's output (``stdout.txt``, ``std_log.txt``, ``slurm-42.out``,
  ``rank0/``: markers.yaml ``job_streams``). Two exceptions make it a directory of jobs after all:
  stream files that name two different jobs (``slurm-41.out``, ``slurm-42.out``), and two or more
  subdirectories that are jobs by a signal of their own (or one with its own metadata file).
- Any other directory is a **directory of jobs**: each file in it is one job, and each
  subdirectory is read by the same rule, so nested layouts (``runs/2026-12-01/job-a/``) work.
  Inside a directory of jobs, a folder without a signal that holds files of its own is one job when
  no folder below it has a signal (``runs/job-x/train.log`` is the job ``runs/job-x``); a folder
  that holds only folders groups jobs, and is read as a directory of jobs.

``--job`` reads each directory given as one job, ``--jobs-in`` as a directory of jobs, one per
direct child (``Reading``). In a job, numbered retries count only through the highest-numbered one,
as the study kept only the last retry of each job. Hidden files and directories are skipped, and
so are job metadata files (``job.meta.yaml``, ``X.log.meta.json``: see gpu_time.py), which are not
logs. Nothing under a path is left out without a record or a note: a folder that cannot be listed
is an ``error`` record, or, inside a job, one of the job's files, which the reader notes.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from enum import Enum
from typing import Iterator, Optional

from philly_triage._internal.pipeline.cost import is_meta_file, meta_file_for
from philly_triage._internal.catalogue.markers import Markers
from philly_triage.models import Job

COMPRESSED = re.compile(r"\.(?:gz|bz2|xz)$", re.IGNORECASE)  # a stream's name is read without it


class Reading(Enum):
    """How the directories given are read: by the rule, or as one job each, or as directories of jobs."""

    AUTO = "auto"
    JOB = "job"  # --job
    JOBS_IN = "jobs-in"  # --jobs-in: each direct child is one job (no nesting)


# How one path given was read (PathReading.kind).
FILE = "file"
JOB_DIRECTORY = "job directory"
JOBS_DIRECTORY = "directory of jobs"
PROBLEM = "problem"  # not there, or not readable: its one job says why


@dataclass(frozen=True)
class PathReading:
    """How one path given was read, and the jobs found under it."""

    path: str
    kind: str
    jobs: int
    why: str = ""  # a job directory: what makes it one; a problem: the problem
    folders: int = 0  # a directory of jobs: the folders of jobs nested in it
    forced: Optional[Reading] = None  # the option that chose the reading, if one did


@dataclass(frozen=True)
class Discovery:
    """The jobs under the paths given, in order, and how each path was read."""

    jobs: tuple[Job, ...]
    readings: tuple[PathReading, ...]


def find_jobs(paths: list[str], markers: Markers, reading: Reading = Reading.AUTO) -> Discovery:
    """All the jobs under ``paths`` and how each path was read (for a summary that says so)."""
    jobs: list[Job] = []
    readings = []
    for path in paths:
        found = _PathJobs(path, markers, reading)
        before = len(jobs)
        jobs.extend(found)
        readings.append(found.reading(len(jobs) - before))
    return Discovery(tuple(jobs), tuple(readings))


def discover_jobs(paths: list[str], markers: Markers, reading: Reading = Reading.AUTO) -> Iterator[Job]:
    """Yield the jobs under each path, in a stable order, as they are found; a path that is not there is a job too."""
    for path in paths:
        yield from _PathJobs(path, markers, reading)


class _PathJobs:
    """The jobs under one path given, as an iterable; afterwards, how the path was read."""

    def __init__(self, path: str, markers: Markers, reading: Reading) -> None:
        self.path = path
        self.markers = markers
        self.forced = None if reading is Reading.AUTO else reading
        self.reading_chosen = reading
        self.kind = PROBLEM
        self.why = ""
        self.folders = 0

    def reading(self, jobs: int) -> PathReading:
        return PathReading(self.path, self.kind, jobs, self.why, self.folders, self.forced)

    def __iter__(self) -> Iterator[Job]:
        path, markers = self.path, self.markers
        kind = _kind(path)
        if kind != "dir":
            job = job_at(path, markers)
            self.kind, self.why = (FILE, "") if job.problem is None else (PROBLEM, job.problem)
            yield job
            return
        try:
            listing = _Listing.of(path, markers)
        except OSError as err:
            self.why = f"cannot list directory: {err.strerror or err}"
            yield Job(path, (), problem=self.why)
            return
        if self.reading_chosen is Reading.JOB:
            self.kind = JOB_DIRECTORY
            yield job_at(path, markers)
        elif self.reading_chosen is Reading.JOBS_IN:
            self.kind = JOBS_DIRECTORY
            for child in listing.children():
                yield job_at(child, markers)
        else:
            why = _one_job_because(listing, markers)
            if why is not None:
                self.kind, self.why = JOB_DIRECTORY, why
                yield job_at(path, markers)
            else:
                self.kind = JOBS_DIRECTORY
                yield from self._jobs_in(listing)

    def _jobs_in(self, listing: "_Listing") -> Iterator[Job]:
        """The jobs of a directory of jobs: each file one job, each folder read by the rule."""
        markers = self.markers
        subdirs = set(listing.subdirs)
        for child in listing.children():
            if child not in subdirs:
                yield job_at(child, markers)  # a file, a link, a FIFO: the reader says what is wrong with it
                continue
            try:
                inner = _Listing.of(child, markers)
            except OSError as err:
                yield Job(child, (), problem=f"cannot list directory: {err.strerror or err}")
                continue
            if _is_one_job_inside(inner, markers):
                yield job_at(child, markers)
            else:
                self.folders += 1
                yield from self._jobs_in(inner)


def _one_job_because(listing: "_Listing", markers: Markers) -> Optional[str]:
    """What makes a directory one job ("it holds stdout.txt"), or None when it is a directory of jobs."""
    signal = _signal(listing, markers)
    if signal is None:
        return None
    jobs_inside = []
    for path in listing.subdirs:
        name = os.path.basename(path)
        if markers.retry_number(name) is not None or _stream(name, markers) is not None:
            continue  # a retry of this job, or one rank's folder of it
        try:
            inner = _Listing.of(path, markers)
        except OSError:
            continue  # part of this job: its files note it
        if meta_file_for(path, is_directory=True):
            return None
        if _signal(inner, markers) is not None:
            jobs_inside.append(path)
    return None if len(jobs_inside) >= 2 else f"it holds {signal}"


def _is_one_job_inside(listing: "_Listing", markers: Markers) -> bool:
    """Whether a folder found in a directory of jobs is one job (rather than a directory of jobs)."""
    if _one_job_because(listing, markers) is not None:
        return True
    if _signal(listing, markers) is not None:
        return False  # a signal, but several jobs inside it
    if not listing.files and not listing.linked_dirs:
        return not listing.subdirs  # a folder of folders groups jobs; an empty one is a job with no logs
    return not _signal_below(listing, markers)


def _signal_below(listing: "_Listing", markers: Markers) -> bool:
    """Whether a folder below this one is a job by a signal of its own (or cannot be listed, so that
    it gets a record of its own). Links to directories are not followed: they could loop."""
    for path in listing.subdirs:
        try:
            inner = _Listing.of(path, markers)
        except OSError:
            return True
        if _signal(inner, markers) is not None or _signal_below(inner, markers):
            return True
    return False


def _signal(listing: "_Listing", markers: Markers) -> Optional[str]:
    """The job signal a directory holds, in words ("job.meta.yaml", "stdout.txt", "retry directories 1/ 2/"), or None."""
    meta = meta_file_for(listing.directory, is_directory=True)
    if meta:
        return os.path.basename(meta)
    if listing.retries:
        names = sorted((os.path.basename(p) for p in listing.retries), key=lambda n: (markers.retry_number(n), n))
        return "retry directories " + " ".join(f"{n}/" for n in names)
    streams = []
    for path in listing.children():
        found = _stream(os.path.basename(path), markers)
        if found is not None:
            streams.append((path, found.groupdict().get("job")))
    if not streams:
        return None
    if len({job for _, job in streams if job is not None}) > 1:
        return None  # files of several jobs (slurm-41.out, slurm-42.out): a directory of jobs
    path = streams[0][0]
    folder = path in listing.subdirs or path in listing.linked_dirs
    return os.path.basename(path) + ("/" if folder else "")


def _stream(name: str, markers: Markers) -> Optional[re.Match]:
    return markers.job_stream(COMPRESSED.sub("", name))


def _kind(path: str) -> str:
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"
    return "dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


def job_at(path: str, markers: Markers) -> Job:
    """The one job at ``path``: a log file, or a directory of the job's log files."""
    kind = _kind(path)
    if kind == "file":
        return Job(path, (path,), meta=meta_file_for(path, is_directory=False))
    if kind == "dir":
        try:
            listing = _Listing.of(path, markers)
        except OSError as err:
            return Job(path, (), problem=f"cannot list directory: {err.strerror or err}")
        files = tuple(listing.files_of_latest(markers))
        problem = None if files else "no log files in the job directory"
        attempts = len(listing.retries) or None
        return Job(path, files, problem, meta_file_for(path, is_directory=True), attempts)
    if kind == "missing":
        problem = "dangling symbolic link" if os.path.islink(path) else "no such file or directory"
        return Job(path, (), problem=problem)
    if kind == "other":
        return Job(path, (), problem="not a regular file or directory")
    return Job(path, (), problem=f"cannot read: {_stat_error(path)}")


def _stat_error(path: str) -> str:
    """Why ``path`` cannot be looked at (a symbolic link loop, permission denied, ...)."""
    try:
        os.stat(path)
    except OSError as err:
        return err.strerror or str(err)
    return "unknown error"


def job_files(directory: str, markers: Markers, top: bool = True) -> Iterator[str]:
    """The log files of one job directory: its own files, and of its retries only the latest.

    Entries that are neither files nor directories (FIFOs, dangling or looping links) are given
    too, so that the reader says what is wrong with them; links to directories are not followed.
    A job directory that cannot be listed raises OSError; a subdirectory that cannot be listed is
    given as one of the job's files, so that the job's record notes it instead of leaving it out.
    """
    try:
        listing = _Listing.of(directory, markers)
    except OSError:
        if top:
            raise
        yield directory
        return
    yield from listing.files_of_latest(markers)


@dataclass(frozen=True)
class _Listing:
    """One directory: its files, its subdirectories, its links to directories, and which
    subdirectories are retries (by number). Hidden entries and metadata files are left out."""

    directory: str
    files: list[str]
    subdirs: list[str]
    retries: dict[str, int]
    linked_dirs: list[str]

    @classmethod
    def of(cls, directory: str, markers: Markers) -> "_Listing":
        with os.scandir(directory) as scan:
            entries = [e for e in scan if not e.name.startswith(".") and not is_meta_file(e.name)]
        files, subdirs, linked = [], [], []
        for entry in sorted(entries, key=lambda e: e.name):
            try:
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(entry)
                    continue
                if entry.is_symlink() and entry.is_dir():
                    linked.append(entry.path)  # a link to a directory is not followed in a job: it could loop
                    continue
            except OSError:
                pass
            files.append(entry.path)
        retries = {}
        for entry in subdirs:
            number = markers.retry_number(entry.name)
            if number is not None:
                retries[entry.path] = number
        return cls(directory, files, [entry.path for entry in subdirs], retries, linked)

    def children(self) -> list[str]:
        """Every entry, in the order of their names."""
        return sorted(self.files + self.subdirs + self.linked_dirs, key=os.path.basename)

    def files_of_latest(self, markers: Markers) -> Iterator[str]:
        """Its files, then those of its subdirectories, of the retries only the highest-numbered."""
        yield from self.files
        latest = max(self.retries, key=lambda p: (self.retries[p], p)) if self.retries else None
        for path in self.subdirs:
            if path in self.retries and path != latest:
                continue
            yield from job_files(path, markers, top=False)
