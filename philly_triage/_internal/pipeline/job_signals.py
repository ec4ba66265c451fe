"""Whether a directory is one job or a directory of jobs, by the job signals it holds.

A job signal is the job's metadata file, a numbered retry directory (markers.yaml ``retry_dirs``),
or a file or folder named like one stream of a job's output (markers.yaml ``job_streams``). The
rule itself is told in discover.py.
"""

from __future__ import annotations

import os
import re
from typing import Optional

from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline.job_files import Listing, meta_file_for

COMPRESSED = re.compile(r"\.(?:gz|bz2|xz)$", re.IGNORECASE)  # a stream's name is read without it


def one_job_because(listing: Listing, markers: Markers) -> Optional[str]:
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
            inner = Listing.of(path, markers)
        except OSError:
            continue  # part of this job: its files note it
        if meta_file_for(path, is_directory=True, present=inner.meta_names):
            return None
        if _signal(inner, markers) is not None:
            jobs_inside.append(path)
    return None if len(jobs_inside) >= 2 else f"it holds {signal}"


def is_one_job_inside(listing: Listing, markers: Markers) -> bool:
    """Whether a folder found in a directory of jobs is one job (rather than a directory of jobs)."""
    if one_job_because(listing, markers) is not None:
        return True
    if _signal(listing, markers) is not None:
        return False  # a signal, but several jobs inside it
    if not listing.files and not listing.linked_dirs:
        return not listing.subdirs  # a folder of folders groups jobs; an empty one is a job with no logs
    return not _signal_below(listing, markers)


def _signal_below(listing: Listing, markers: Markers) -> bool:
    """Whether a folder below this one is a job by a signal of its own (or cannot be listed, so that
    it gets a record of its own). Links to directories are not followed: they could loop."""
    for path in listing.subdirs:
        try:
            inner = Listing.of(path, markers)
        except OSError:
            return True
        if _signal(inner, markers) is not None or _signal_below(inner, markers):
            return True
    return False


def _signal(listing: Listing, markers: Markers) -> Optional[str]:
    """The job signal a directory holds, in words ("job.meta.yaml", "stdout.txt", "retry directories 1/ 2/"), or None."""
    meta = meta_file_for(listing.directory, is_directory=True, present=listing.meta_names)
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
