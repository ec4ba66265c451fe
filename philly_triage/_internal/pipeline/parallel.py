"""Classify jobs in worker processes, and hand back their records in the order of the jobs.

Each worker gets the run's Classifier (engine.py): a forked worker shares the parent's, a spawned
one builds its own matcher from the catalogue and options the Classifier pickles as, so workers
start the same way under every start method, not only fork. The parent keeps a couple of jobs handed to each worker and collects the answers; a
record is handed on as soon as it and every record before it are in, so the output keeps the order
of the jobs and still streams.

A worker that dies (killed, or crashed below Python) costs only the job it was working on: that job
gets an ``error`` record, a new worker takes the dead one's place, and the run goes on. Workers
ignore the stop signals (Ctrl-C, SIGTERM, SIGHUP), which reach a whole process group: the parent
handles them, and stops the workers when the iterator is closed. A worker never outlives the
parent: it holds no copy of the parent's ends of the pipes (so it reads EOF when the parent is
gone), and the kernel kills it when the parent dies (``PR_SET_PDEATHSIG`` on Linux; elsewhere a
thread that watches the parent's pid).
"""

from __future__ import annotations

import atexit
import os
import selectors
import signal
import sys
from collections import deque
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import TYPE_CHECKING, Iterable, Iterator, NamedTuple, Optional

from philly_triage._internal.pipeline.memory import Trimmer
from philly_triage._internal.pipeline.worker_life import (
    STOP_SIGNALS, die_with_parent, set_signal, stop_signals_blocked, unblock_stop_signals,
)
from philly_triage.models import FailureRecord, Job, Status

if TYPE_CHECKING:  # multiprocessing itself is imported only by runs that start workers
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from philly_triage._internal.pipeline.engine import Classifier

# Jobs handed to a worker ahead of its answers. Two: a worker that finishes a job has the next one
# at hand instead of idling for a round trip to the parent. A worker works through its jobs in
# order, so when it dies the first job it has not answered is the one it died on.
IN_FLIGHT = 2
# Jobs taken ahead of the first record not yet written. Records are written in the order of the
# jobs, so those that finish before an earlier one (a long log ahead of thousands of small ones)
# wait in the parent: this bounds them (a few MB), and the workers wait instead.
AHEAD = 4096
READY = "ready"  # a worker's first message: its matcher is built
STOP_TIMEOUT = 2.0  # seconds a worker gets to exit before it is killed


class Outcome(NamedTuple):
    """One job's record, and the (rule id, pattern) pairs that first exceeded their time budget on it."""

    record: FailureRecord
    timed_out: frozenset = frozenset()
    read: tuple = ()  # from an object store: (bytes read, bytes of the objects opened, objects opened)


class WorkerError(RuntimeError):
    """The worker processes could not be started."""


def run_in_workers(classifier: Classifier, jobs: Iterable[Job], processes: int,
                   start_method: Optional[str] = None, early: Optional["EarlyWorkers"] = None) -> Iterator[Outcome]:
    """One Outcome per job, in the order of ``jobs``, each as soon as it and those before it are
    done, from ``processes`` worker processes (never more than there are jobs) that classify with
    ``classifier.outcome``. ``jobs`` may be an iterator (jobs as discovery finds them): a job is
    taken from it when a worker has room for it. ``start_method`` overrides
    ``default_start_method()``. Workers that ``early`` started while the jobs were found are used
    if there are. Close the iterator, or run it to its end, to stop the workers.
    """
    source = iter(jobs)
    first = list(islice(source, processes))  # as many workers as jobs, when they are fewer
    if not first:
        if early is not None:
            early.close()
        return
    pool = early.take(len(first)) if early is not None else None
    pool = pool or _Pool(classifier, len(first), start_method or default_start_method())
    finished = False
    try:
        yield from pool.run(chain(first, source))
        finished = True
    finally:
        pool.stop(graceful=finished)


class EarlyWorkers:
    """Worker processes started while a run's jobs are still being found, once there are two.

    A forked worker's memory begins as a copy of the parent's, and every page of that copy counts
    in the worker's resident size: started after discovery, each worker would carry the whole list
    of jobs (about 0.5 KB a job: 10 MB at 20,000 jobs, twice over with two workers). Called (it is
    discovery's ``on_second``), it starts ``processes`` workers; the run ``take``s them; ``close``
    stops those nobody took (the jobs found were fewer than two after all, say).
    """

    def __init__(self, classifier: Classifier, processes: int, start_method: Optional[str] = None):
        self.classifier, self.processes, self.start_method = classifier, processes, start_method
        self.pool: Optional[_Pool] = None

    def __call__(self) -> None:
        if self.pool is None and self.processes > 1:
            self.pool = _Pool(self.classifier, self.processes, self.start_method or default_start_method())

    def take(self, size: int) -> Optional["_Pool"]:
        """The workers started, at most ``size`` of them (the others stopped), or None."""
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.keep(size)
        return pool

    def close(self) -> None:
        """Stop the workers if nobody took them."""
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.stop(graceful=True)


def available_cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def default_start_method() -> Optional[str]:
    """fork where it is available and safe (not on macOS): a forked worker starts in milliseconds.

    Elsewhere None, the platform's default (spawn), which works too, only slower to start.
    """
    import multiprocessing

    if sys.platform != "darwin" and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return None


def _work(conn: Connection, classifier: Classifier, parent: Optional[int] = None,
          inherited: tuple = ()) -> None:
    """A worker process: answer each (index, job) the parent sends, in order, until it sends None.

    ``parent`` is the pid of the process that started it (None: unknown, a forkserver's).
    ``inherited`` is the parent's ends of the pipes that a forked worker got a copy of (its own and
    the other workers'), which it closes: while a copy stays open here, the worker whose pipe it is
    would never read EOF once the parent is gone.
    """
    for name in STOP_SIGNALS:  # the parent handles them; they came blocked (_Pool._start), now unblock
        set_signal(name, signal.SIG_IGN)
    unblock_stop_signals()
    for other in inherited:
        other.close()
    die_with_parent(parent)
    trimmer = Trimmer()
    try:
        conn.send(READY)
        while True:
            task = conn.recv()
            if task is None:
                return
            index, job = task
            conn.send((index, classifier.outcome(job)))
            trimmer.after_job()
    except (EOFError, OSError):  # the parent is gone: nobody is left to answer
        return


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    jobs: deque = field(default_factory=deque)  # indexes handed to it and not answered yet, oldest first
    ready: bool = False


class _Pool:
    """Worker processes, the jobs each holds, and the replacement of those that die."""

    def __init__(self, classifier: Classifier, size: int, start_method: Optional[str]):
        import multiprocessing

        self.context = multiprocessing.get_context(start_method)
        self.classifier = classifier
        self.workers: list[_Worker] = []
        self.selector = selectors.DefaultSelector()  # the workers' pipes: one poll says who answered
        # Writing to a dead worker's pipe must be an error to handle, not a SIGPIPE that ends triage
        # (the CLI restores SIGPIPE's default action so that `| head` ends quietly).
        self.sigpipe = set_signal("SIGPIPE", signal.SIG_IGN)
        # Workers ignore SIGTERM, so multiprocessing's own clean-up at exit (terminate, then wait)
        # would wait forever for the workers of an iterator nobody closed: kill them first.
        atexit.register(self.stop, graceful=False)
        self.stopped = False
        try:
            for _ in range(size):
                self._start()
        except BaseException:
            self.stop(graceful=False)
            raise

    def _start(self) -> None:
        """Start one more worker and add it to the pool."""
        ours, theirs = self.context.Pipe()
        # A forked worker starts with a copy of every descriptor the parent holds: it closes the
        # parent's ends of the pipes first thing. Other start methods pass only what they are given.
        # A forkserver's workers are its children, not ours: they watch whichever parent they have.
        method = self.context.get_start_method()
        inherited = tuple(w.conn for w in self.workers) + (ours,) if method == "fork" else ()
        parent = os.getpid() if method in ("fork", "spawn") else None
        process = self.context.Process(
            target=_work, args=(theirs, self.classifier, parent, inherited), daemon=True,
        )
        # Blocked until the worker is in the pool: a signal before the worker ignores it is the
        # parent's alone, and one that comes meanwhile finds the worker there to stop.
        with stop_signals_blocked():
            try:
                process.start()
            except OSError as err:
                ours.close()
                raise WorkerError(f"cannot start a worker process: {err}") from err
            finally:
                theirs.close()  # the worker's end: once the worker exits, reading ours says EOF
            worker = _Worker(process, ours)
            self.selector.register(ours, selectors.EVENT_READ, worker)
            self.workers.append(worker)

    def keep(self, size: int) -> None:
        """Let all but ``size`` workers exit (a pool started before the jobs were counted)."""
        for worker in self.workers[size:]:
            self.selector.unregister(worker.conn)
            try:
                worker.conn.send(None)
            except OSError:
                pass
            _reap(worker.process)
            worker.conn.close()
        del self.workers[size:]

    def run(self, jobs: Iterator[Job]) -> Iterator[Outcome]:
        """Each job's Outcome in the order of ``jobs``, as soon as it and those before it are in.

        Jobs are taken from the iterator only as workers have room, and at most AHEAD beyond the
        first whose record is not out yet; the parent holds only the jobs handed out and not
        answered (``held``), and the answers that came before an earlier job's (``done``): its
        memory does not grow with the number of jobs."""
        self._source, self._taken, self._next = jobs, 0, 0
        todo: deque = deque()  # indexes taken and to hand out again (a dead worker's)
        held: dict[int, Job] = {}
        done: dict[int, Outcome] = {}
        while True:
            while self._next in done:
                yield done.pop(self._next)
                self._next += 1
            self._hand_out(held, todo)  # after the records out: they may open the window
            if self._next == self._taken and self._source is None:
                return  # every job taken has been answered, and there are no more
            for worker in self._heard_from():
                self._collect(worker, held, todo, done)

    def _next_job(self, held: dict, todo: deque) -> Optional[int]:
        """The index of the next job to hand out: one a dead worker left, else a new one (none
        while AHEAD jobs wait on the first record not out yet)."""
        if todo:
            return todo.popleft()
        if self._source is None or self._taken - self._next >= AHEAD:
            return None
        job = next(self._source, None)
        if job is None:
            self._source = None
            return None
        held[self._taken] = job
        self._taken += 1
        return self._taken - 1

    def _hand_out(self, held: dict, todo: deque) -> None:
        for worker in self.workers:
            while len(worker.jobs) < IN_FLIGHT:
                index = self._next_job(held, todo)
                if index is None:
                    return
                try:
                    worker.conn.send((index, held[index]))
                except OSError:  # it died; _collect finds out and replaces it
                    todo.appendleft(index)
                    break
                worker.jobs.append(index)

    def _heard_from(self) -> list[_Worker]:
        """The workers that sent something or died (their pipe says EOF), after waiting for one."""
        return [key.data for key, _ in self.selector.select()]

    def _collect(self, worker: _Worker, held: dict, todo: deque, done: dict) -> None:
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker, held, todo, done)
            return
        if message == READY:
            worker.ready = True
            return
        index, outcome = message
        worker.jobs.remove(index)
        del held[index]
        done[index] = outcome

    def _replace(self, worker: _Worker, held: dict, todo: deque, done: dict) -> None:
        """A worker died: the job it was on gets an error record, its other jobs go back in line."""
        self.selector.unregister(worker.conn)
        worker.conn.close()
        _reap(worker.process)
        self.workers.remove(worker)
        how = _how_it_ended(worker.process.exitcode)
        if not worker.ready:
            raise WorkerError(f"a worker process ended while starting ({how})")
        if worker.jobs:
            index = worker.jobs.popleft()
            reason = f"the triage worker process classifying this job died ({how})"
            done[index] = Outcome(FailureRecord(job=held.pop(index).name, status=Status.ERROR, reason=reason))
            todo.extendleft(reversed(worker.jobs))
        self._start()

    def stop(self, graceful: bool) -> None:
        """Let idle workers exit (graceful), or kill them; either way none is left behind.

        Killed, not terminated: workers ignore SIGTERM (it is the parent's), and hold nothing that
        an abrupt end could damage. The stop signals wait until every worker is reaped: one raised
        halfway would leave workers that nobody stops.
        """
        if self.stopped:
            return
        self.stopped = True
        atexit.unregister(self.stop)
        with stop_signals_blocked():
            for worker in self.workers:
                if graceful:
                    try:
                        worker.conn.send(None)
                    except OSError:
                        pass
                else:
                    worker.process.kill()
            for worker in self.workers:
                _reap(worker.process)
                worker.conn.close()
            self.workers = []
            self.selector.close()
        if self.sigpipe is not None:
            set_signal("SIGPIPE", self.sigpipe)
            self.sigpipe = None


def _reap(process: BaseProcess) -> None:
    """Wait for a worker that is ending; kill it if it has not ended within STOP_TIMEOUT."""
    process.join(STOP_TIMEOUT)
    if process.exitcode is None:
        process.kill()
        process.join()


def _how_it_ended(exitcode: int) -> str:
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


