"""One job's files: its logs (of its retries only the latest), and its metadata file, never a log."""

from __future__ import annotations

import os

from philly_triage._internal.pipeline.job_files import Listing, is_meta_file, job_at, meta_file_for, path_kind


def make(tmp_path, *names):
    for name in names:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")


def test_metadata_files_are_named_for_their_job(tmp_path):
    make(tmp_path, "job/job.meta.yaml", "job/stdout.txt", "run.log", "run.log.meta.json")
    assert meta_file_for(str(tmp_path / "job"), is_directory=True) == str(tmp_path / "job" / "job.meta.yaml")
    assert meta_file_for(str(tmp_path / "run.log"), is_directory=False) == str(tmp_path / "run.log.meta.json")
    assert meta_file_for(str(tmp_path / "job" / "stdout.txt"), is_directory=False) is None
    assert is_meta_file("job.meta.yml") and is_meta_file("x.log.meta.json") and not is_meta_file("meta.log")


def test_a_job_directory_gives_its_logs_and_only_the_latest_retry(tmp_path, markers):
    make(tmp_path, "job/job.meta.yaml", "job/.hidden.log", "job/launcher.log", "job/1/stdout.txt", "job/2/stdout.txt")
    job = job_at(str(tmp_path / "job"), markers)
    names = [os.path.relpath(path, tmp_path / "job") for path in job.files]
    assert names == ["launcher.log", os.path.join("2", "stdout.txt")]
    assert job.meta == str(tmp_path / "job" / "job.meta.yaml")
    assert job.attempts == 2 and job.problem is None


def test_a_listing_sorts_entries_and_finds_retries(tmp_path, markers):
    make(tmp_path, "b.log", "a.log", "retry-3/x.log", "rank0/x.log")
    listing = Listing.of(str(tmp_path), markers)
    assert [os.path.basename(p) for p in listing.files] == ["a.log", "b.log"]
    assert {os.path.basename(p): n for p, n in listing.retries.items()} == {"retry-3": 3}
    assert [os.path.basename(p) for p in listing.children()] == ["a.log", "b.log", "rank0", "retry-3"]


def test_what_is_at_a_path(tmp_path, markers):
    make(tmp_path, "f.log")
    assert path_kind(str(tmp_path / "f.log")) == "file"
    assert path_kind(str(tmp_path)) == "dir"
    assert path_kind(str(tmp_path / "nothing")) == "missing"
    os.mkfifo(tmp_path / "pipe")
    assert path_kind(str(tmp_path / "pipe")) == "other"
    assert job_at(str(tmp_path / "pipe"), markers).problem == "not a regular file or directory"


def test_a_listing_knows_the_metadata_files_and_lookups_through_it_agree_with_the_disk(tmp_path, markers):
    (tmp_path / "a.log").write_text("x\n")
    (tmp_path / "a.log.meta.json").write_text("{}")
    (tmp_path / "b.log").write_text("x\n")
    (tmp_path / "b.log.meta.yaml").mkdir()  # not a file: no metadata
    job = tmp_path / "job"
    job.mkdir()
    (job / "stdout.txt").write_text("x\n")
    (job / "job.meta.yml").write_text("gpus: 2\n")
    listing = Listing.of(str(tmp_path), markers)
    assert listing.meta_names == {"a.log.meta.json", "b.log.meta.yaml"}
    for name in ("a.log", "b.log"):
        path = str(tmp_path / name)
        assert meta_file_for(path, False, present=listing.meta_names) == meta_file_for(path, False)
    inner = Listing.of(str(job), markers)
    assert job_at(str(job), markers, inner) == job_at(str(job), markers)
    assert job_at(str(job), markers).meta == str(job / "job.meta.yml")
    assert job_at(str(tmp_path / "a.log"), markers, beside=listing.meta_names).meta == str(tmp_path / "a.log.meta.json")
