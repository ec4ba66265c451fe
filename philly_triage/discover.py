"""Find the jobs under the paths a user gives, and the log files of each job.

A file given is one job. A directory given holds jobs: each direct child is one job, a file or a
directory whose files (recursively) form that job. Retries kept as numbered subdirectories
(``1/``, ``2/``, ``retry-2``, ``attempt_3``) count only through the highest-numbered one, as the
study kept only the last retry of each job. Hidden files and directories are skipped, and so are
job metadata files (``job.meta.yaml``, ``X.log.meta.json``: see gpu_time.py), which are not logs.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import Iterator

from philly_triage.gpu_time import is_meta_file, meta_file_for
from philly_triage.markers import Markers
from philly_triage.models import Job


def discover_jobs(paths: list[str], markers: Markers) -> Iterator[Job]:
    """Yield the jobs under each path, in a stable order; a path that is not there is a job too."""
    for path in paths:
        kind = _kind(path)
        if kind == "dir":
            try:
                children = sorted(
                    entry for entry in os.listdir(path) if not entry.startswith(".") and not is_meta_file(entry)
                )
            except OSError as err:
                yield Job(path, (), problem=f"cannot list directory: {err.strerror or err}")
                continue
            for child in children:
                yield job_at(os.path.join(path, child), markers)
        else:
            yield job_at(path, markers)


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
    A job directory that cannot be listed raises OSError; a subdirectory that cannot be, is skipped.
    """
    try:
        listing = _Listing.of(directory, markers)
    except OSError:
        if top:
            raise
        return
    yield from listing.files_of_latest(markers)


@dataclass(frozen=True)
class _Listing:
    """One directory of a job: its files, its subdirectories, and which of those are retries (by number)."""

    files: list[str]
    subdirs: list[str]
    retries: dict[str, int]

    @classmethod
    def of(cls, directory: str, markers: Markers) -> "_Listing":
        entries = [e for e in os.scandir(directory) if not e.name.startswith(".") and not is_meta_file(e.name)]
        files, subdirs = [], []
        for entry in sorted(entries, key=lambda e: e.name):
            try:
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(entry)
                    continue
                if entry.is_symlink() and entry.is_dir():
                    continue  # a link to a directory is not followed: it could loop
            except OSError:
                pass
            files.append(entry.path)
        retries = {}
        for entry in subdirs:
            number = markers.retry_number(entry.name)
            if number is not None:
                retries[entry.path] = number
        return cls(files, [entry.path for entry in subdirs], retries)

    def files_of_latest(self, markers: Markers) -> Iterator[str]:
        """Its files, then those of its subdirectories, of the retries only the highest-numbered."""
        yield from self.files
        latest = max(self.retries, key=lambda p: (self.retries[p], p)) if self.retries else None
        for path in self.subdirs:
            if path in self.retries and path != latest:
                continue
            yield from job_files(path, markers, top=False)
