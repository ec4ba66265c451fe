"""Follow running jobs (``triage watch``): the failures that end them, as their logs show them.

Polling, with ``os.stat`` only: every poll finds the jobs under the paths again through the engine
(``Classifier.find``, the rule ``classify`` reads paths by), so files and job directories that
appear later are followed, and stats each job's files. A job whose files changed is classified
again through the engine once its files have been quiet for ``settle`` seconds (a traceback a job
survives is followed by more output within that time, and the verdict on the longer log is then
no failure). A job whose files never go quiet is classified every ``BUSY_RECHECK`` seconds too, and
its failure reported when two such readings in a row find the same one (the log went on past it).

A failure is reported once: a failure is known by the file it is in (device and inode, so a
rotated file ``log -> log.1`` keeps its failures and the new ``log`` starts afresh), that file's
truncation count (a file that shrank is a new run of the log), its line and message. A job is
reported again only for a failure it did not have before: after a rotation or a truncation, or a
later failure at another line. The failures the jobs already show when following starts are not
reported unless ``existing`` is set: a watcher restarted does not report again what it reported.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from philly_triage._internal.pipeline.engine import Classifier
from philly_triage.models import FailureRecord, Job

SETTLE = 0.5  # seconds of quiet after a change before a job is classified again
INTERVAL = 0.25  # seconds between polls
BUSY_RECHECK = 5.0  # a job whose logs never go quiet is classified at least this often
WAITING = ("no such file or directory", "no log files in the job directory")  # problems that may pass


@dataclass(frozen=True)
class Seen:
    """One file as a poll saw it."""

    path: str
    file_id: Optional[tuple[int, int]]  # (device, inode); None when it cannot be looked at
    size: int = 0
    mtime: float = 0.0


@dataclass
class JobState:
    """What the follower knows of one job: its files as last seen, and since when they changed."""

    files: tuple[Seen, ...]
    changed: Optional[float] = None  # when its files last changed, None when it is classified since
    busy_since: Optional[float] = None  # when the current run of changes began
    busy_failure: Optional[tuple] = None  # the failure the last reading of the busy job found


@dataclass
class Follower:
    """The jobs under ``paths``, followed one ``poll`` at a time; each poll returns the new failures.

    ``wanted`` says which records are failures to report (default: classified or unclassified);
    ``warn`` gets one line for each problem a job has (once per job and problem).
    """

    classifier: Classifier
    paths: Sequence[str]
    wanted: Callable[[FailureRecord], bool] = lambda record: record.status.failed
    settle: float = SETTLE
    existing: bool = False
    warn: Callable[[str], None] = lambda line: None
    clock: Callable[[], float] = time.time
    jobs: dict[str, JobState] = field(default_factory=dict)
    reported: set = field(default_factory=set)  # the keys of the failures reported (or there at start)
    sizes: dict[tuple[int, int], tuple] = field(default_factory=dict)  # each file's (size, mtime) as last seen
    truncations: dict[tuple[int, int], int] = field(default_factory=dict)
    warned: set = field(default_factory=set)

    def start(self) -> list[FailureRecord]:
        """Take in the jobs there now; their failures are reported only if ``existing``."""
        found = []
        for job in self._current_jobs():
            self.jobs[job.name] = JobState(self._look(job))
            found.append(self._classify(job))
        return [record for record in found if self._new_failure(record, report=self.existing)]

    def poll(self, final: bool = False) -> list[FailureRecord]:
        """Look at every job once; classify those whose files changed and went quiet (all that
        changed, when ``final``); the failures not reported before, in the order of the jobs."""
        now = self.clock()
        jobs = self._current_jobs()
        for gone in set(self.jobs) - {job.name for job in jobs}:
            del self.jobs[gone]
        failures = []
        for job in jobs:
            state = self.jobs.get(job.name)
            files = self._look(job)
            if state is None:  # a job that appeared since the last poll
                state = self.jobs[job.name] = JobState((), changed=now, busy_since=now)
            if files != state.files:
                changed = max((seen.mtime for seen in files), default=now)
                state.changed = min(now, max(changed, now - INTERVAL))  # the file's time, within the poll
                state.busy_since = state.busy_since or state.changed
                state.files = files
            if state.changed is None:
                continue
            if final or now - state.changed >= self.settle:
                record = self._classify(job)
                state.changed = state.busy_since = state.busy_failure = None
            elif now - (state.busy_since or now) >= BUSY_RECHECK:
                record = self._classify(job)
                state.busy_since = now
                key, state.busy_failure = state.busy_failure, self._key(record) if record.status.failed else None
                if key is None or key != state.busy_failure:
                    continue  # not yet the same failure twice
            else:
                continue
            if self._new_failure(record, report=True):
                failures.append(record)
        return failures

    def wait(self, interval: float) -> float:
        """How long to sleep before the next poll: ``interval``, or less when a changed job's quiet
        time ends sooner (so that a failure is reported ``settle`` seconds after it is written)."""
        due = [state.changed + self.settle for state in self.jobs.values() if state.changed is not None]
        return max(0.0, min([interval] + [when - self.clock() for when in due]))

    def _current_jobs(self) -> list[Job]:
        """The jobs under the paths now; a path not there yet (or not readable) is waited for."""
        jobs = []
        for job in self.classifier.find(self.paths).jobs:
            if job.problem is None:
                jobs.append(job)
            else:
                self._warn_once(job.name, job.problem)
        return jobs

    def _look(self, job: Job) -> tuple[Seen, ...]:
        """Stat the job's files (and metadata file); note files that shrank (truncated)."""
        seen = []
        for path in job.files + ((job.meta,) if job.meta else ()):
            try:
                st = os.stat(path)
            except OSError:
                seen.append(Seen(path, None))
                continue
            file_id = (st.st_dev, st.st_ino)
            size, mtime = self.sizes.get(file_id, (0, None))
            # Shrank, or written again without growing (truncated and refilled to the same size
            # between two looks): a new run of the log. Appends only ever make it grow.
            if st.st_size < size or (st.st_size == size and mtime is not None and st.st_mtime != mtime):
                self.truncations[file_id] = self.truncations.get(file_id, 0) + 1
            self.sizes[file_id] = (st.st_size, st.st_mtime)
            seen.append(Seen(path, file_id, st.st_size, st.st_mtime))
        return tuple(seen)

    def _classify(self, job: Job) -> FailureRecord:
        record = self.classifier.classify(job)
        if record.reason is not None and not record.status.failed:
            self._warn_once(job.name, record.reason)
        return record

    def _new_failure(self, record: FailureRecord, report: bool) -> bool:
        """Whether ``record`` is a wanted failure not reported before; remember it as reported."""
        if not record.status.failed:
            return False
        key = self._key(record)
        if key in self.reported:
            return False
        self.reported.add(key)
        return report and self.wanted(record)

    def _key(self, record: FailureRecord) -> tuple:
        """What a failure is known by: its file (device, inode, truncations), line and message."""
        if record.file is not None:
            try:
                st = os.stat(record.file)
                file_id = (st.st_dev, st.st_ino)
                return (file_id, self.truncations.get(file_id, 0), record.line, record.message)
            except OSError:
                pass
        return (record.job, record.file, record.line, record.message, record.category)

    def _warn_once(self, job: str, problem: str) -> None:
        if (job, problem) not in self.warned:
            self.warned.add((job, problem))
            waiting = " (waiting for it)" if problem in WAITING else ""
            self.warn(f"{job}: {problem}{waiting}")

