"""Finding jobs and their log files: directories of jobs, retries, odd paths."""

from __future__ import annotations

import os

from philly_triage.discover import discover_jobs


def make(tmp_path, *files):
    for name in files:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")


def jobs(paths, markers):
    return [(job.name, job.files, job.problem) for job in discover_jobs([str(p) for p in paths], markers)]


def test_each_child_of_a_directory_is_a_job(tmp_path, markers):
    make(tmp_path, "a.log", "b/stdout.txt", "b/stderr.txt", ".hidden.log", "c/logs/deep/worker.log")
    found = jobs([tmp_path], markers)
    assert [name for name, _, _ in found] == [str(tmp_path / n) for n in ("a.log", "b", "c")]
    assert found[1][1] == (str(tmp_path / "b/stderr.txt"), str(tmp_path / "b/stdout.txt"))
    assert found[2][1] == (str(tmp_path / "c/logs/deep/worker.log"),)


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
