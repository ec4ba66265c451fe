"""The Dask runner (pipeline/dask_runner.py) on a real LocalCluster of two worker processes: the same
records as the local pool, in the order of the jobs, whatever order the batches finish in; the
patterns that overran their time budget; a worker killed mid-run costs no record, and a batch that
fails for good gets an error record per job; the jobs of an S3 prefix are read by the workers."""

from __future__ import annotations

import json
import os
import signal
import time

import dask
import distributed
import pytest
from distributed import LocalCluster, get_task_stream

from philly_triage._internal.catalogue.load import load_catalogue
from philly_triage._internal.catalogue.sources import resolve_sources
from philly_triage._internal.pipeline.dask_runner import DaskError, DaskRunner, open_session, run_on_dask
from philly_triage._internal.pipeline.engine import Classifier, Options
from philly_triage.models import Status
from tests.conftest import DATA, ROOT
from tests.pipeline.test_parallel import slow_jobs  # a rule whose pattern overruns its budget, and its jobs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"}) as cluster:
        with distributed.Client(cluster, set_as_default=False) as client:
            yield client


def lines(records) -> list[str]:
    return [json.dumps(record.to_dict(), sort_keys=True) for record in records]


def local_pool(classifier: Classifier, jobs) -> list[str]:
    return lines(outcome.record for outcome in classifier.outcomes(jobs, 2))


def test_the_records_equal_the_local_pools_on_the_samples_and_the_held_out_set(client, catalogue):
    classifier = Classifier(catalogue)
    jobs = classifier.find([ROOT / "sample_logs", DATA / "heldout"]).jobs
    assert len(jobs) > 100
    got = lines(o.record for o in classifier.outcomes(jobs, runner=DaskRunner(client, batch_size=7)))
    assert got == local_pool(classifier, jobs)


def test_batches_that_finish_out_of_order_still_give_the_records_in_job_order(client, catalogue, tmp_path):
    """300 jobs in batches of 10; the first batch holds the ten heaviest logs, read whole (--full),
    so later batches finish before it: the task stream shows it, and the order is still the jobs'."""
    logs = tmp_path / "logs"
    logs.mkdir()
    heavy = "step 1 loss 0.5 lr 0.001 throughput 123 samples/s\n" * 150_000 + "KeyError: 'label'\n"
    for index in range(300):
        body = heavy if index < 10 else f"epoch {index}\nRuntimeError: CUDA out of memory. Tried to allocate {index} MiB\n"
        (logs / f"job{index:03}.log").write_text(body)
    classifier = Classifier(catalogue, Options(full=True))
    jobs = classifier.find([logs]).jobs
    assert [job.name for job in jobs] == [str(logs / f"job{i:03}.log") for i in range(300)]
    with get_task_stream(client) as stream:
        got = lines(o.record for o in run_on_dask(client, classifier, jobs, batch_size=10, window=30))
    assert got == local_pool(classifier, jobs)
    assert [json.loads(line)["job"] for line in got] == [job.name for job in jobs]
    ended = {task["key"].rsplit("-", 1)[-1]: task["startstops"][-1]["stop"] for task in stream.data}
    assert len(ended) == 30
    assert sum(stop < ended["0"] for stop in ended.values()) >= 2, "some later batch finished before the first"


def test_a_timed_out_pattern_comes_back_with_its_outcome(client, tmp_path):
    rules, logs = slow_jobs(tmp_path)
    classifier = Classifier(load_catalogue(resolve_sources([rules], use_builtin=False)))
    jobs = classifier.find([logs]).jobs
    outcomes = list(run_on_dask(client, classifier, jobs, batch_size=1))
    assert len(outcomes) == 3
    assert set().union(*(o.timed_out for o in outcomes)) == {("slow_rule", "(?s:^RuntimeError: (a|a)*$)")}


def test_no_jobs_give_no_outcomes_and_send_nothing(client, catalogue):
    assert list(run_on_dask(client, Classifier(catalogue), [])) == []


def test_a_worker_killed_mid_run_costs_no_record(client, catalogue, tmp_path):
    """Dask gives the batch of a worker that died to another: every job still gets its own record."""
    logs = tmp_path / "logs"
    logs.mkdir()
    body = "step 1 loss 0.5\n" * 40_000 + "RuntimeError: NCCL error in: ProcessGroupNCCL.cpp, unhandled system error\n"
    for index in range(40):
        (logs / f"job{index:02}.log").write_text(body)
    classifier = Classifier(catalogue, Options(full=True))
    jobs = classifier.find([logs]).jobs
    outcomes = run_on_dask(client, classifier, jobs, batch_size=4, window=10)
    got = [next(outcomes)]
    victim = sorted(client.scheduler_info()["workers"])[0]
    try:
        client.run(os._exit, 1, workers=[victim], on_error="return")
    except Exception:  # noqa: BLE001 - the worker died answering: that is the point
        pass
    got += list(outcomes)
    assert lines(o.record for o in got) == local_pool(classifier, jobs)
    deadline = time.monotonic() + 30
    while len(client.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)  # the nanny starts a new worker in its place
    assert victim not in client.scheduler_info()["workers"], "the worker was killed and replaced"


def test_an_s3_prefix_gives_the_local_pools_records_and_the_workers_read_the_store(client, catalogue):
    """The jobs under an S3 prefix (moto's server, in this process) classified on the cluster: the
    records of the local pool, and every log byte read by the workers, none by this process."""
    pytest.importorskip("s3fs")
    pytest.importorskip("moto.server")
    from philly_triage._internal.pipeline import storage
    from tests.stores import CountingMotoServer, upload_tree

    server = CountingMotoServer()
    try:
        fs = server.filesystem()
        fs.mkdir("logs")
        upload_tree(fs, ROOT / "sample_logs", "logs/runs")
        options = Options(storage=(("endpoint_url", server.endpoint), ("key", "x"), ("secret", "x")))
        classifier = Classifier(catalogue, options)
        jobs = classifier.find(["s3://logs/runs/"]).jobs
        assert len(jobs) == len(list((ROOT / "sample_logs").iterdir()))
        read_here = storage.bytes_read()[0]
        outcomes = list(run_on_dask(client, classifier, jobs, batch_size=8))
        assert storage.bytes_read()[0] == read_here, "no log byte went through the client"
        assert sum(o.read[0] for o in outcomes if o.read) > 100_000, "the workers read the logs"
        assert lines(o.record for o in outcomes) == local_pool(classifier, jobs)
    finally:
        storage.configure({})
        server.stop()


def test_a_batch_whose_workers_keep_dying_gets_an_error_record_per_job(catalogue, tmp_path):
    """With no second chance (allowed-failures 0), the batch of a killed worker fails for good: its
    jobs get error records that say so, in their places; every other job gets its usual record."""
    logs = tmp_path / "logs"
    logs.mkdir()
    # Each line is a warning with an error word, each different: cleaned and judged one by one, so a
    # batch of 4 takes about a second, and both workers are still busy when the first record is in.
    # (A log of progress lines alone is now read in milliseconds: every batch was done before the kill.)
    warnings = "".join(f"/opt/lib/python3.10/site-packages/torch/utils/data.py:{i}: UserWarning: an error was retried ({i} times)\n"
                       for i in range(40_000))
    body = warnings + "step 1 loss 0.5\n" * 100 + "RuntimeError: NCCL error in: ProcessGroupNCCL.cpp, unhandled system error\n"
    for index in range(24):
        (logs / f"job{index:02}.log").write_text(body)
    classifier = Classifier(catalogue, Options(full=True))
    jobs = classifier.find([logs]).jobs
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"}) as cluster:
            with distributed.Client(cluster, set_as_default=False) as client:
                outcomes = run_on_dask(client, classifier, jobs, batch_size=4, window=6)
                got = [next(outcomes)]
                victim = sorted(client.scheduler_info()["workers"])[0]
                deadline = time.monotonic() + 30
                while not client.processing([victim]).get(victim) and time.monotonic() < deadline:
                    time.sleep(0.05)  # killed while it works on a batch, not between two
                try:
                    client.run(os._exit, 1, workers=[victim], on_error="return")
                except Exception:  # noqa: BLE001 - the worker died answering
                    pass
                got += list(outcomes)
    records = [o.record for o in got]
    assert [r.job for r in records] == [job.name for job in jobs]
    failed = [i for i, r in enumerate(records) if r.status is Status.ERROR]
    assert failed and len(failed) % 4 == 0, "whole batches of 4"
    assert all(records[i].reason.startswith("the Dask workers classifying this job's batch died (KilledWorker")
               for i in failed)
    want = local_pool(classifier, jobs)
    assert [line for i, line in enumerate(lines(records)) if i not in failed] == [
        line for i, line in enumerate(want) if i not in failed]


def test_sigpipe_is_ignored_while_a_session_is_open_and_given_back_after():
    """The CLI makes SIGPIPE end triage (for `| head`); a write to the socket of a cluster process
    that Ctrl-C just ended must not: the session ignores it, as the local worker pool does."""
    previous = signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        with open_session("local", 1):
            assert signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGPIPE) == signal.SIG_DFL
        with pytest.raises(DaskError):
            open_session("tcp://127.0.0.1:1", None)  # nothing listens there
        assert signal.getsignal(signal.SIGPIPE) == signal.SIG_DFL, "given back when the session cannot open"
    finally:
        signal.signal(signal.SIGPIPE, previous)
