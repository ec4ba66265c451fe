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
so are job metadata files (``job.meta.yaml``, ``X.log.meta.json``: see job_files.py), which are not
logs. Nothing under a path is left out without a record or a note: a folder that cannot be listed
is an ``error`` record, or, inside a job, one of the job's files, which the reader notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable, Iterator, NamedTuple, Optional, Sequence

from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline.job_files import Listing, job_at, path_kind
from philly_triage._internal.pipeline.job_signals import is_one_job_inside, one_job_because
from philly_triage.models import Job


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


class PathReading(NamedTuple):
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


def find_jobs(paths: list[str], markers: Markers, reading: Reading = Reading.AUTO,
              on_second: Optional[Callable[[], None]] = None) -> Discovery:
    """All the jobs under ``paths`` and how each path was read (for a summary that says so).

    ``on_second`` is called once, as soon as a second job is found: a run starts its worker
    processes then, while the list of jobs is short (see parallel.EarlyWorkers)."""
    stream = JobStream(paths, markers, reading)
    jobs: list[Job] = []
    for job in stream:
        jobs.append(job)
        if len(jobs) == 2 and on_second is not None:
            on_second()
    return Discovery(tuple(jobs), tuple(stream.readings))


class JobStream:
    """The jobs under ``paths``, found as they are iterated (once), so that a run can classify
    them as they come and never hold them all; once iterated through, ``readings`` says how each
    path was read. ``keep`` (select.Picker) may change or leave out each job on the way: it gets
    the job and the path given it was found under, and returns the job kept or None.
    """

    def __init__(self, paths: Sequence[str], markers: Markers, reading: Reading = Reading.AUTO,
                 keep: Optional[Callable[[Job, str], Optional[Job]]] = None) -> None:
        self.paths, self.markers, self.reading, self.keep = list(paths), markers, reading, keep
        self.readings: list[PathReading] = []
        self.found = 0  # jobs given so far
        self.complete = False  # every path has been searched

    def __iter__(self) -> Iterator[Job]:
        for path in self.paths:
            found = _PathJobs(path, self.markers, self.reading)
            kept = 0
            for job in found:
                chosen = job if self.keep is None else self.keep(job, path)
                if chosen is not None:
                    kept += 1
                    self.found += 1
                    yield chosen
            self.readings.append(found.reading(kept))
        self.complete = True


def discover_jobs(paths: list[str], markers: Markers, reading: Reading = Reading.AUTO) -> Iterator[Job]:
    """Yield the jobs under each path, in a stable order, as they are found; a path that is not there is a job too."""
    yield from JobStream(paths, markers, reading)


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
        kind = path_kind(path)
        if kind != "dir":
            job = job_at(path, markers)
            self.kind, self.why = (FILE, "") if job.problem is None else (PROBLEM, job.problem)
            yield job
            return
        try:
            listing = Listing.of(path, markers)
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
                yield job_at(child, markers, beside=listing.meta_names)
        else:
            why = one_job_because(listing, markers)
            if why is not None:
                self.kind, self.why = JOB_DIRECTORY, why
                yield job_at(path, markers, listing)
            else:
                self.kind = JOBS_DIRECTORY
                yield from self._jobs_in(listing)

    def _jobs_in(self, listing: Listing) -> Iterator[Job]:
        """The jobs of a directory of jobs: each file one job, each folder read by the rule."""
        markers = self.markers
        subdirs = set(listing.subdirs)
        for child in listing.children():
            if child not in subdirs:
                # a file, a link, a FIFO: the reader says what is wrong with it
                yield job_at(child, markers, beside=listing.meta_names)
                continue
            try:
                inner = Listing.of(child, markers)
            except OSError as err:
                yield Job(child, (), problem=f"cannot list directory: {err.strerror or err}")
                continue
            if is_one_job_inside(inner, markers):
                yield job_at(child, markers, inner)
            else:
                self.folders += 1
                yield from self._jobs_in(inner)
