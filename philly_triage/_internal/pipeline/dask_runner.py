"""Classify jobs on a Dask distributed cluster, and hand back their Outcomes in the order of the jobs.

The same iterator of Outcomes as ``parallel.run_in_workers``, from the workers of a Dask cluster
instead of local processes. The client lists the jobs once (the engine's ``find``) and sends them
in batches of ``BATCH_SIZE``: a Job is its name and its files' paths or URLs, so no log byte passes
through the client or the scheduler; each worker reads its jobs itself, straight from their paths.

The run's Classifier reaches the workers once, as its pickle (catalogue and options, about 80 KB)
scattered to every worker, and each batch names it: a worker that joins later gets it from the
others. Each worker thread builds its engine from it once (``_ENGINES``) and keeps it for every
batch of the run, and for the runs after it up to RUNS_KEPT.

At most ``window`` batches are out at once, counted from the first batch not yet handed on, so the
scheduler, the client and the reorder buffer hold a bounded number of batches however many jobs the
run has. A batch's Outcomes are handed on as soon as it and every batch before it are in.

A worker that dies takes its batch with it: the scheduler gives the batch to another worker, up to
``distributed.scheduler.allowed-failures`` times (3 by default); a batch that fails for good (it kept
killing workers, or raised) gets an ``error`` record for each of its jobs. Every job yields exactly
one record. Closing the iterator early (Ctrl-C, a closed pipe) cancels the batches still out.

Only imported by a run given ``--dask``: the default install and run never import Dask.
"""

from __future__ import annotations

import logging
import pickle
import signal
import threading
import uuid
from typing import TYPE_CHECKING, Iterator, Optional, Sequence

import dask
import distributed
from distributed import as_completed

from philly_triage._internal.pipeline import storage
from philly_triage._internal.pipeline.digest import sha256
from philly_triage._internal.pipeline.parallel import Outcome, available_cores
from philly_triage._internal.pipeline.worker_life import set_signal
from philly_triage.models import FailureRecord, Job, Status

if TYPE_CHECKING:
    from philly_triage._internal.pipeline.engine import Classifier

# Jobs per Dask task. A task costs the scheduler about a millisecond and a round trip, and Dask's
# guidance is tasks of 100 ms or more; a small job classifies in 2-5 ms, so 64 make a task of
# 0.1-0.3 s. Small enough that records still stream, that the work spreads over the workers on runs
# of a few thousand jobs, and that a worker that dies costs at most 64 jobs' work to redo.
BATCH_SIZE = 64
BATCHES_PER_THREAD = 4  # the window: batches out per worker thread, so none waits for its next one
LOCAL = "local"
CHILD_IGNORES = ("SIGINT", "SIGHUP")  # the LocalCluster's workers leave these to triage

RUNS_KEPT = 2  # on a worker: the runs whose engines are kept (a long-lived cluster serves many runs)
_ENGINES: dict[tuple[str, int], "Classifier"] = {}  # on a worker: (run token, thread) -> the engine built
_RUNS: list[str] = []  # on a worker: the run tokens of _ENGINES, newest last
_LOCK = threading.Lock()


class DaskError(RuntimeError):
    """The Dask scheduler cannot be reached, or the local cluster cannot be started."""


def classify_batch(token: str, jobs: Sequence[Job], blob: bytes) -> list[Outcome]:
    """On a worker: each job's Outcome, with this thread's engine for the run ``token`` names
    (built from ``blob``, the run's pickled Classifier, by the first batch of the run here)."""
    key = (token, threading.get_ident())
    engine = _ENGINES.get(key)
    if engine is None:
        with _LOCK:
            if token not in _RUNS:
                _RUNS.append(token)
            for old in _RUNS[:-RUNS_KEPT]:
                for stale in [k for k in _ENGINES if k[0] == old]:
                    _ENGINES.pop(stale, None)
            del _RUNS[:-RUNS_KEPT]
        engine = _ENGINES[key] = pickle.loads(blob)
    elif getattr(engine.options, "storage", ()):  # a run of other options may have come in between
        storage.configure(dict(engine.options.storage))
    return [engine.outcome(job) for job in jobs]


class DaskRunner:
    """Runs a Classifier's jobs on the cluster a Client is connected to (``Classifier.outcomes``'s runner)."""

    def __init__(self, client: distributed.Client, batch_size: int = BATCH_SIZE, window: Optional[int] = None) -> None:
        self.client = client
        self.batch_size = batch_size
        self.window = window

    def __call__(self, classifier: Classifier, jobs: Sequence[Job]) -> Iterator[Outcome]:
        return run_on_dask(self.client, classifier, jobs, self.batch_size, self.window)


def run_on_dask(client: distributed.Client, classifier: Classifier, jobs: Sequence[Job],
                batch_size: int = BATCH_SIZE, window: Optional[int] = None) -> Iterator[Outcome]:
    """One Outcome per job, in the order of ``jobs``, classified in batches of ``batch_size`` on the
    cluster of ``client``, each handed on as soon as its batch and those before it are in. At most
    ``window`` batches are out at once (default: BATCHES_PER_THREAD per worker thread, at least 8).
    Close the iterator, or run it to its end, to cancel what is still out."""
    batches = [tuple(jobs[i:i + batch_size]) for i in range(0, len(jobs), batch_size)]
    if not batches:
        return
    if window is None:
        window = max(8, BATCHES_PER_THREAD * sum(client.nthreads().values()))
    blob = pickle.dumps(classifier)
    run = uuid.uuid4().hex[:8]
    token = f"{sha256(blob).hexdigest()[:16]}-{run}"
    # Sent once to every worker; Dask hands it to workers that join later, from those that have it.
    [engine] = client.scatter([blob], broadcast=True, hash=False)
    out: dict[distributed.Future, int] = {}  # batches out, and their index
    done: dict[int, list[Outcome]] = {}  # the reorder buffer: batches in, ahead of the next one due
    pending = as_completed(loop=client.loop)
    submitted = next_due = 0
    try:
        while next_due < len(batches):
            while submitted < len(batches) and submitted - next_due < window:
                future = client.submit(classify_batch, token, batches[submitted], engine, pure=False,
                                       key=f"triage-batch-{run}-{submitted}")
                out[future] = submitted
                pending.add(future)
                submitted += 1
            future = next(pending)
            index = out.pop(future)
            done[index] = _batch_outcomes(future, batches[index])
            future.release()
            while next_due in done:
                yield from done.pop(next_due)
                next_due += 1
    finally:
        if out:
            client.cancel(list(out), force=True)
        engine.release()


def _batch_outcomes(future: distributed.Future, batch: Sequence[Job]) -> list[Outcome]:
    """A finished batch's Outcomes; an error record for each of its jobs when the batch failed."""
    try:
        outcomes = future.result()
    except Exception as err:  # KilledWorker (it kept killing workers), or an error raised on a worker
        if isinstance(err, distributed.KilledWorker):
            why = "the Dask workers classifying this job's batch died"
        else:
            why = "the Dask task classifying this job's batch failed"
        reason = f"{why} ({type(err).__name__}: {_one_line(err)})"
        return [Outcome(FailureRecord(job=job.name, status=Status.ERROR, reason=reason)) for job in batch]
    if len(outcomes) != len(batch):  # never expected: say so on each job rather than lose one
        reason = f"the Dask task for this job's batch answered {len(outcomes)} records for {len(batch)} jobs"
        return [Outcome(FailureRecord(job=job.name, status=Status.ERROR, reason=reason)) for job in batch]
    return outcomes


class Session:
    """A Client, and the LocalCluster it is a client of when this run started one; closing the
    session closes both (``with session:`` closes it however the block ends).

    While it is open, SIGPIPE is ignored, as the local worker pool does (parallel.py): a write to
    the socket of a cluster process that has just died (Ctrl-C reaches the whole process group)
    must be an error Dask handles, not a SIGPIPE that ends triage (the CLI restores SIGPIPE's
    default action so that `| head` ends quietly)."""

    def __init__(self, client: distributed.Client, cluster: Optional[distributed.LocalCluster] = None,
                 sigpipe=None) -> None:
        self.client = client
        self.cluster = cluster
        self.sigpipe = sigpipe  # SIGPIPE's handler before the session (None: not changed)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            try:
                if self.cluster is not None:
                    self.cluster.close()
            finally:
                _restore_sigpipe(self.sigpipe)
                self.sigpipe = None


def open_session(address: str, workers: Optional[int] = None) -> Session:
    """A Client of the scheduler at ``address`` (tcp://host:port, tls://..., any address Dask
    takes), or of a LocalCluster started here for ``local``: ``workers`` processes (default one per
    core) of one thread each, closed with the session.

    Raises DaskError when the scheduler cannot be reached (within Dask's connect timeout,
    ``distributed.comm.timeouts.connect``) or the local cluster cannot start."""
    sigpipe = set_signal("SIGPIPE", signal.SIG_IGN)  # given back when the session closes
    try:
        return _session(address, workers, sigpipe)
    except BaseException:
        _restore_sigpipe(sigpipe)
        raise


def _session(address: str, workers: Optional[int], sigpipe) -> Session:
    cluster = None
    try:
        if address == LOCAL:
            cluster = distributed.LocalCluster(
                n_workers=workers or available_cores(), threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR, preload=[__name__],
                # No dashboard; the scheduler's own HTTP server (health, metrics) on a free port of
                # this host, rather than 8787, which another cluster may hold (Dask would warn).
                scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
            )
            return Session(distributed.Client(cluster, set_as_default=False), cluster, sigpipe)
        timeout = dask.config.get("distributed.comm.timeouts.connect")
        return Session(distributed.Client(address, timeout=timeout, set_as_default=False), sigpipe=sigpipe)
    except (OSError, TimeoutError, ValueError, RuntimeError) as err:
        if cluster is not None:
            cluster.close()
        where = "start a local Dask cluster" if address == LOCAL else f"reach the Dask scheduler at {address}"
        raise DaskError(f"cannot {where}: {_one_line(err)}") from None


def _restore_sigpipe(previous) -> None:
    if previous is not None:
        set_signal("SIGPIPE", previous)


def dask_setup(worker) -> None:
    """Run in each worker process the LocalCluster starts (its ``preload``): SIGINT and SIGHUP are
    ignored there. Ctrl-C reaches the whole process group, and it is triage's to handle (it cancels
    the batches and closes the cluster), not each worker's to die of with a traceback. (Until a
    worker gets here, in the second or so it takes to start, Ctrl-C still ends it with one.)"""
    for name in CHILD_IGNORES:
        set_signal(name, signal.SIG_IGN)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__
