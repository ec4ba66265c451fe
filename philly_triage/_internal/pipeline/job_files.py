"""The one job at a path: a log file, or a directory of the job's log files, and its metadata file.

A job directory's files are its own files and those of its subdirectories, of its numbered retries
only the highest-numbered one (as the study kept only the last retry of each job). Hidden files and
job metadata files are not logs: a job directory holds its metadata at its top as
``job.meta.yaml`` (``.yml``, ``.json``); a job that is one log file ``X`` has it beside it as
``X.meta.yaml`` (``.yml``, ``.json``). What the metadata says is read in cost.py.
"""

from __future__ import annotations

import os
import stat
from typing import Iterator, NamedTuple, Optional

from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline import storage
from philly_triage.models import Job

META_SUFFIXES = (".meta.yaml", ".meta.yml", ".meta.json")
JOB_META_NAMES = tuple("job" + suffix for suffix in META_SUFFIXES)


def is_meta_file(name: str) -> bool:
    """Whether a file name is a job metadata file (never a log)."""
    return name.endswith(META_SUFFIXES)


def meta_file_for(path: str, is_directory: bool, present: Optional[frozenset[str]] = None) -> Optional[str]:
    """The metadata file of the job at ``path``, if it has one. ``present``, when known, is the names
    of the metadata files in the folder it would be in (a Listing's ``meta_names``): only those are
    looked at, which saves a stat per name for the many jobs that have none."""
    if storage.is_url(path):
        return _object_meta_file_for(path, is_directory)
    names = JOB_META_NAMES if is_directory else tuple(os.path.basename(path) + s for s in META_SUFFIXES)
    if present is not None:
        names = tuple(name for name in names if name in present)
    folder = path if is_directory else os.path.dirname(path)
    for name in names:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def path_kind(path: str) -> str:
    """What is at ``path``: "file", "dir", "other" (a FIFO, a device), "missing" or "unreadable"."""
    if storage.is_url(path):
        return storage.path_kind(path)[0]
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"
    return "dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


def job_at(path: str, markers: Markers, listing: Optional["Listing"] = None,
           beside: Optional[frozenset[str]] = None) -> Job:
    """The one job at ``path``: a log file, or a directory of the job's log files. A caller that
    listed the directory already gives its ``listing``; one that listed the folder a file is in
    gives the metadata file names there (``beside``)."""
    if listing is not None:
        kind, said = "dir", ""  # listed already: a directory
    else:
        kind, said = storage.path_kind(path) if storage.is_url(path) else (path_kind(path), "")
    if kind == "file":
        return Job(path, (path,), meta=meta_file_for(path, is_directory=False, present=beside))
    if kind == "dir":
        try:
            listing = listing if listing is not None else Listing.of(path, markers)
        except OSError as err:
            return Job(path, (), problem=f"cannot list directory: {err.strerror or err}")
        files = tuple(listing.files_of_latest(markers))
        problem = None if files else "no log files in the job directory"
        attempts = len(listing.retries) or None
        return Job(path, files, problem, meta_file_for(path, is_directory=True, present=listing.meta_names), attempts)
    if storage.is_url(path) and kind in ("missing", "unreadable"):
        if kind == "missing":  # the store's message, unless it only repeats the path
            return Job(path, (), problem="no such object or prefix" + (f": {said}" if said and said not in path else ""))
        return Job(path, (), problem=f"cannot read: {said}")
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
        listing = Listing.of(directory, markers)
    except OSError:
        if top:
            raise
        yield directory
        return
    yield from listing.files_of_latest(markers)


class Listing(NamedTuple):
    """One directory: its files, its subdirectories, its links to directories, and which
    subdirectories are retries (by number). Hidden entries and metadata files are left out."""

    directory: str
    files: list[str]
    subdirs: list[str]
    retries: dict[str, int]
    linked_dirs: list[str]
    meta_names: Optional[frozenset[str]] = None  # the metadata files' names in it (None: not known)

    @classmethod
    def of(cls, directory: str, markers: Markers) -> "Listing":
        if storage.is_url(directory):
            return cls._of_prefix(directory, markers)
        with os.scandir(directory) as scan:
            visible = [e for e in scan if not e.name.startswith(".")]
        entries = [e for e in visible if not is_meta_file(e.name)]
        meta_names = frozenset(e.name for e in visible if is_meta_file(e.name))
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
        return cls(directory, files, [entry.path for entry in subdirs], retries, linked, meta_names)

    @classmethod
    def _of_prefix(cls, prefix: str, markers: Markers) -> "Listing":
        """A store's prefix, read as a directory: its objects are files, its sub-prefixes folders."""
        entries = sorted((e for e in storage.list_dir(prefix) if not e[1].startswith(".") and not is_meta_file(e[1])),
                         key=lambda e: e[1])
        files = [url for url, _, is_dir in entries if not is_dir]
        subdirs = [url for url, _, is_dir in entries if is_dir]
        retries = {}
        for url, name, is_dir in entries:
            number = markers.retry_number(name) if is_dir else None
            if number is not None:
                retries[url] = number
        return cls(prefix, files, subdirs, retries, [])

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


def _object_meta_file_for(url: str, is_directory: bool) -> Optional[str]:
    """The metadata object of the job at ``url`` (a prefix or an object), if it has one."""
    names = JOB_META_NAMES if is_directory else tuple(os.path.basename(url) + s for s in META_SUFFIXES)
    folder = url if is_directory else storage.parent(url)
    for name in names:
        candidate = storage.join(folder, name)
        if storage.is_file(candidate):
            return candidate
    return None
