"""Finding jobs and their log files: directories of jobs, retries, odd paths."""

from __future__ import annotations

import os

import pytest

from philly_triage._internal.pipeline.discover import (
    JOB_DIRECTORY, JOBS_DIRECTORY, PROBLEM, JobStream, PathReading, Reading, discover_jobs, find_jobs,
)
from tests.conftest import DATA, ROOT


def make(tmp_path, *files):
    for name in files:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")


def jobs(paths, markers):
    return [(job.name, job.files, job.problem) for job in discover_jobs([str(p) for p in paths], markers)]


def test_each_child_of_a_directory_is_a_job(tmp_path, markers):
    make(tmp_path, "a.log", "b/stdout.txt", "b/stderr.txt", ".hidden.log", "c/train.log", "c/logs/deep/worker.log")
    found = jobs([tmp_path], markers)
    assert [name for name, _, _ in found] == [str(tmp_path / n) for n in ("a.log", "b", "c")]
    assert found[1][1] == (str(tmp_path / "b/stderr.txt"), str(tmp_path / "b/stdout.txt"))
    assert found[2][1] == (str(tmp_path / "c/train.log"), str(tmp_path / "c/logs/deep/worker.log"))


def test_a_folder_that_holds_only_folders_groups_jobs(tmp_path, markers):
    make(tmp_path, "a.log", "c/logs/deep/worker.log")
    assert [name for name, _, _ in jobs([tmp_path], markers)] == [str(tmp_path / n) for n in ("a.log", "c/logs/deep")]


def test_a_file_given_is_one_job(tmp_path, markers):
    make(tmp_path, "job.log")
    assert jobs([tmp_path / "job.log"], markers) == [(str(tmp_path / "job.log"), (str(tmp_path / "job.log"),), None)]


def test_only_the_latest_retry_counts(tmp_path, markers):
    make(tmp_path, "j/1/stderr.txt", "j/2/stderr.txt", "j/10/stderr.txt", "j/meta.txt")
    make(tmp_path, "k/retry-1/log.txt", "k/retry-3/log.txt", "k/attempt_2/log.txt")
    found = dict((name, files) for name, files, _ in jobs([tmp_path], markers))
    assert found[str(tmp_path / "j")] == (str(tmp_path / "j/meta.txt"), str(tmp_path / "j/10/stderr.txt"))
    assert found[str(tmp_path / "k")] == (str(tmp_path / "k/retry-3/log.txt"),)


def test_rank_directories_are_not_retries(tmp_path, markers):
    make(tmp_path, "j/rank0/log.txt", "j/rank1/log.txt")
    ((_, files, _),) = jobs([tmp_path], markers)
    assert len(files) == 2


def test_missing_path_and_dangling_link_are_jobs_with_a_problem(tmp_path, markers):
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling")
    found = jobs([tmp_path / "missing.log", tmp_path / "dangling"], markers)
    assert [problem for _, _, problem in found] == ["no such file or directory", "dangling symbolic link"]


def test_symlink_loop_does_not_hang(tmp_path, markers):
    (tmp_path / "j").mkdir()
    os.symlink(tmp_path / "j", tmp_path / "j" / "loop")
    make(tmp_path, "j/log.txt")
    ((_, files, _),) = jobs([tmp_path], markers)
    assert files == (str(tmp_path / "j/log.txt"),)


def test_empty_job_directory(tmp_path, markers):
    (tmp_path / "empty").mkdir()
    assert jobs([tmp_path], markers) == [(str(tmp_path / "empty"), (), "no log files in the job directory")]


# --------------------------------------------------------------------------------------------------
# one job directory is one job; a directory of jobs gives one per job, nested or not


def names(paths, markers, reading=Reading.AUTO):
    return [job.name for job in discover_jobs([str(p) for p in paths], markers, reading)]


def test_a_job_directory_given_is_one_job(tmp_path, markers):
    make(tmp_path, "job-42/stdout.txt", "job-42/stderr.txt")
    found = find_jobs([str(tmp_path / "job-42")], markers)
    ((job,),) = [found.jobs]
    assert (job.name, job.files) == (str(tmp_path / "job-42"), (
        str(tmp_path / "job-42/stderr.txt"), str(tmp_path / "job-42/stdout.txt")))
    assert found.readings == (PathReading(str(tmp_path / "job-42"), JOB_DIRECTORY, 1, "it holds stderr.txt"),)


def test_a_directory_of_jobs_gives_one_per_job(tmp_path, markers):
    make(tmp_path, "a.log", "b/stdout.txt", "b/stderr.txt", "c/job.meta.yaml", "c/train.log", "d/train.log")
    found = find_jobs([str(tmp_path)], markers)
    assert [job.name for job in found.jobs] == [str(tmp_path / n) for n in ("a.log", "b", "c", "d")]
    assert found.readings == (PathReading(str(tmp_path), JOBS_DIRECTORY, 4),)


def test_nested_date_folders_give_every_job(tmp_path, markers):
    make(tmp_path, "runs/2026-12-01/job-a/stdout.txt", "runs/2026-12-01/job-a/stderr.txt",
         "runs/2026-12-01/job-b/stderr.txt", "runs/2026-12-02/job-c/stderr.txt", "runs/loose.log")
    found = find_jobs([str(tmp_path / "runs")], markers)
    assert [job.name for job in found.jobs] == [
        str(tmp_path / n) for n in ("runs/2026-12-01/job-a", "runs/2026-12-01/job-b", "runs/2026-12-02/job-c",
                                    "runs/loose.log")]
    assert found.readings == (PathReading(str(tmp_path / "runs"), JOBS_DIRECTORY, 4, folders=2),)


def test_nested_jobs_of_plain_logs_are_each_one_job(tmp_path, markers):
    """A folder of plain logs inside a directory of jobs is one job, however its logs are named."""
    make(tmp_path, "2026-12-01/job-x/train.log", "2026-12-01/job-y/train.log", "2026-12-01/job-y/eval.log")
    found = list(discover_jobs([str(tmp_path)], markers))
    assert [(job.name, len(job.files)) for job in found] == [
        (str(tmp_path / "2026-12-01/job-x"), 1), (str(tmp_path / "2026-12-01/job-y"), 2)]


def test_job_names_keep_the_path_as_given(tmp_path, markers, monkeypatch):
    make(tmp_path, "runs/2026-12-01/job-a/stderr.txt")
    monkeypatch.chdir(tmp_path)
    assert names(["runs/"], markers) == ["runs/2026-12-01/job-a"]
    assert names(["runs/2026-12-01/job-a/"], markers) == ["runs/2026-12-01/job-a/"]


def test_a_job_directory_given_with_retries_is_one_job(tmp_path, markers):
    make(tmp_path, "j/1/stdout.txt", "j/1/stderr.txt", "j/2/stdout.txt", "j/2/stderr.txt")
    found = find_jobs([str(tmp_path / "j")], markers)
    ((job,),) = [found.jobs]
    assert job.files == (str(tmp_path / "j/2/stderr.txt"), str(tmp_path / "j/2/stdout.txt")) and job.attempts == 2
    assert found.readings[0].why == "it holds retry directories 1/ 2/"


@pytest.mark.parametrize("layout,expected", [
    (["stdout.txt", "stderr.txt"], ["."]),
    (["stderr.txt.gz", "stdout.txt"], ["."]),  # a compressed stream is still a stream
    (["job.meta.yaml", "train.log", "eval.log"], ["."]),  # a job, by its metadata
    (["retry-1/x.log", "retry-2/x.log"], ["."]),
    (["user_logs/std_log.txt", "azureml-logs/70_driver_log.txt", "logs/azureml/a.txt"], ["."]),  # Azure ML
    (["rank0/x.log", "rank1/x.log"], ["."]),  # one job's ranks
    (["rank0.log", "rank1.log", "launcher.log"], ["."]),
    (["slurm-42.out", "slurm-42.err"], ["."]),
    (["train-7.out", "train-7.err"], ["."]),
    (["stdout.txt", "logs/stderr.txt"], ["."]),  # one job with a folder of logs
    # files of two jobs: a directory of jobs
    (["slurm-41.out", "slurm-42.out"], ["slurm-41.out", "slurm-42.out"]),
    (["train-7.out", "train-7.err", "train-8.out"], ["train-7.err", "train-7.out", "train-8.out"]),
    # a stray stream beside two jobs: a directory of jobs, so that neither job is lost
    (["stdout.txt", "a/stderr.txt", "b/stderr.txt"], ["a", "b", "stdout.txt"]),
    (["stdout.txt", "a/job.meta.yaml", "a/x.log"], ["a", "stdout.txt"]),
    # no signal: each child is one job, as before
    (["a.log", "b.log"], ["a.log", "b.log"]),
    (["slurm-9921734.log", "application_1538454711270_0906.log"], ["application_1538454711270_0906.log",
                                                                   "slurm-9921734.log"]),
])
def test_what_makes_a_directory_given_one_job(tmp_path, markers, layout, expected):
    make(tmp_path / "d", *layout)
    found = names([tmp_path / "d"], markers)
    assert found == [str(tmp_path / "d") if e == "." else str(tmp_path / "d" / e) for e in expected]


def test_the_same_folder_is_one_job_given_or_found(tmp_path, markers):
    make(tmp_path, "runs/job-42/stdout.txt", "runs/job-42/stderr.txt", "runs/job-43/stderr.txt")
    given = list(discover_jobs([str(tmp_path / "runs/job-42")], markers))
    found = [j for j in discover_jobs([str(tmp_path / "runs")], markers) if j.name == str(tmp_path / "runs/job-42")]
    assert given == found and len(given) == 1


def test_job_and_jobs_in_force_the_reading(tmp_path, markers):
    make(tmp_path, "runs/2026-12-01/job-a/stderr.txt", "runs/2026-12-01/job-b/stderr.txt", "runs/x.log")
    runs = tmp_path / "runs"
    assert names([runs], markers, Reading.JOB) == [str(runs)]
    assert names([runs], markers, Reading.JOBS_IN) == [str(runs / "2026-12-01"), str(runs / "x.log")]
    assert names([runs / "2026-12-01/job-a"], markers, Reading.JOBS_IN) == [str(runs / "2026-12-01/job-a/stderr.txt")]
    (job,) = discover_jobs([str(runs)], markers, Reading.JOB)
    assert len(job.files) == 3
    found = find_jobs([str(runs)], markers, Reading.JOB)
    assert found.readings[0].kind == JOB_DIRECTORY and found.readings[0].forced is Reading.JOB
    assert names([runs / "x.log"], markers, Reading.JOB) == [str(runs / "x.log")]  # a file is a job either way


def test_existing_layouts_read_as_before(markers):
    """The bundled layouts: each direct child one job, as --jobs-in (the old reading) gives."""
    for root in (ROOT / "sample_logs", DATA / "heldout", DATA / "stage_logs"):
        assert list(discover_jobs([str(root)], markers)) == list(discover_jobs([str(root)], markers, Reading.JOBS_IN))
    assert len(list(discover_jobs([str(ROOT / "sample_logs")], markers))) == 46


def test_paths_that_are_not_there_are_read_as_problems(tmp_path, markers):
    found = find_jobs([str(tmp_path / "missing")], markers)
    assert found.readings == (PathReading(str(tmp_path / "missing"), PROBLEM, 1, "no such file or directory"),)


# --------------------------------------------------------------------------------------------------
# nothing is dropped: a folder that cannot be listed is a record, or a file of its job


def _refusing(monkeypatch, refused):
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path) in refused:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unlistable_folder_in_a_directory_of_jobs_is_a_job_with_a_problem(tmp_path, markers, monkeypatch):
    make(tmp_path, "runs/2026-12-01/job-a/stderr.txt", "runs/2026-12-02/job-b/stderr.txt")
    _refusing(monkeypatch, {str(tmp_path / "runs/2026-12-02")})
    found = jobs([tmp_path / "runs"], markers)
    assert [(name, problem) for name, _, problem in found] == [
        (str(tmp_path / "runs/2026-12-01/job-a"), None),
        (str(tmp_path / "runs/2026-12-02"), "cannot list directory: Permission denied"),
    ]


def test_an_unlistable_folder_inside_a_job_is_one_of_its_files(tmp_path, markers, monkeypatch):
    """It is not skipped: the reader notes it on the job's record."""
    make(tmp_path, "job/stderr.txt", "job/logs/x.log")
    _refusing(monkeypatch, {str(tmp_path / "job/logs")})
    ((_, files, problem),) = jobs([tmp_path / "job"], markers)
    assert files == (str(tmp_path / "job/stderr.txt"), str(tmp_path / "job/logs")) and problem is None


def test_an_unlistable_folder_below_a_folder_of_logs_gets_its_own_record(tmp_path, markers, monkeypatch):
    make(tmp_path, "runs/job-x/train.log", "runs/job-x/sub/y.log")
    _refusing(monkeypatch, {str(tmp_path / "runs/job-x/sub")})
    found = jobs([tmp_path / "runs"], markers)
    assert [(name, problem) for name, _, problem in found] == [
        (str(tmp_path / "runs/job-x/sub"), "cannot list directory: Permission denied"),
        (str(tmp_path / "runs/job-x/train.log"), None),
    ]


# --------------------------------------------------------------------------------------------------
# the stream names (markers.yaml job_streams)

STREAMS = ["stdout", "stderr.txt", "STDERR.TXT", "stdout.log", "stderr_0.txt", "std_log.txt",
           "std_log_process_0.txt", "70_driver_log.txt", "user_logs", "azureml-logs", "output.log",
           "slurm-9921734.out", "slurm-12_3.err", "train-7.out", "rank0", "rank.1", "local_rank_2.log",
           "worker-0.log", "worker_1"]
NOT_STREAMS = ["train.log", "job-00001.log", "big.log", "slurm-9921734.log", "application_1538454711270_0906.log",
               "pytorchjob-whisper-ft-worker-0.log", "log.txt", "events.out.tfevents.1700000000.host",
               "gpt-small-ablation-72aa.log", "stdout.txt.bak", "node1", "2026-12-01"]


@pytest.mark.parametrize("name", STREAMS)
def test_stream_names(markers, name):
    assert markers.job_stream(name) is not None


@pytest.mark.parametrize("name", NOT_STREAMS)
def test_names_that_are_not_streams(markers, name):
    assert markers.job_stream(name) is None


def test_a_job_stream_finds_the_jobs_as_it_is_iterated(markers, tmp_path):
    (tmp_path / "a.log").write_text("x\n")
    (tmp_path / "b.log").write_text("y\n")
    paths = [str(ROOT / "sample_logs"), str(tmp_path / "missing"), str(tmp_path)]
    found = find_jobs(paths, markers)
    stream = JobStream(paths, markers)
    taken = iter(stream)
    first = next(taken)
    assert stream.found == 1 and not stream.complete and stream.readings == [], "nothing is found ahead"
    assert (first, *taken) == found.jobs
    assert stream.complete and stream.found == len(found.jobs) and tuple(stream.readings) == found.readings
