"""--exclude and --include (pipeline/select.py): globs relative to the path given, names at any
depth without a slash, ** across directories, on jobs and on each job's files."""

from __future__ import annotations

from pathlib import Path

import pytest

from philly_triage._internal.pipeline.discover import Discovery, PathReading, JOBS_DIRECTORY
from philly_triage._internal.pipeline.engine import Classifier, Options
from philly_triage._internal.pipeline.select import (
    EVERY_FILE_LEFT_OUT, Selected, Selection, check_glob, relative_to, select, translate,
)
from philly_triage.models import Job

OOM = 'Traceback (most recent call last):\n  File "t.py", line 1, in <module>\ntorch.OutOfMemoryError: CUDA out of memory.\n'


@pytest.mark.parametrize("glob,path,is_dir,matched", [
    ("*.pt", "model.pt", False, True),
    ("*.pt", "job-a/ckpt/model.pt", False, True),  # no slash: a name at any depth
    ("*.pt", "job-a/model.pt.txt", False, False),
    ("core*", "core.1234", False, True),
    ("checkpoints", "job-a/checkpoints/epoch1.log", False, True),  # a directory: all in it
    ("job-a/*.err", "job-a/train.err", False, True),  # a slash: from the path given down
    ("job-a/*.err", "x/job-a/train.err", False, False),
    ("/core", "core", False, True),  # a leading slash only anchors
    ("/core", "job/core", False, False),
    ("job-a/*", "job-a/rank1/x.log", False, True),  # job-a/rank1 matches: everything in it
    ("**/rank1/*.log", "a/b/rank1/x.log", False, True),  # ** spans directories
    ("**/rank1/*.log", "rank1/x.log", False, True),  # ... or none
    ("runs/**", "runs/2026/a/x.log", False, True),
    ("runs/**/x.log", "runs/x.log", False, True),
    ("?.log", "a.log", False, True),
    ("?.log", "ab.log", False, False),
    ("[ab].log", "b.log", False, True),
    ("[!ab].log", "c.log", False, True),
    ("[!ab].log", "a.log", False, False),
    ("logs/", "logs", False, False),  # a trailing slash: directories only
    ("logs/", "logs", True, True),
    ("logs/", "logs/x.txt", False, True),
    ("*.LOG", "x.log", False, False),  # case matters, as in ripgrep and git
    (r"\*.log", "*.log", False, True),  # a backslash escapes
])
def test_a_glob_matches_a_path_or_one_of_its_directories(glob, path, is_dir, matched):
    assert Selection(exclude=(glob,)).wants(path, is_dir) is not matched


def test_include_reads_only_what_it_matches_and_exclude_wins():
    selection = Selection(include=("*.log", "job-b"), exclude=("rank1",))
    assert selection.wants("job-a/train.log")
    assert selection.wants("job-b/stdout.txt")  # its directory matches
    assert not selection.wants("job-a/stdout.txt")
    assert not selection.wants("job-a/rank1/train.log")


def test_the_path_given_itself_is_never_left_out():
    assert Selection(include=("nothing",), exclude=("*",)).wants("")


@pytest.mark.parametrize("path,root,relative", [
    ("logs/job-a/x.txt", "logs", "job-a/x.txt"),
    ("./logs/job-a", "./logs/", "job-a"),
    ("logs", "logs", ""),
    ("logs/", "logs", ""),
    ("s3://bucket/runs/job-a/stdout.txt", "s3://bucket/runs", "job-a/stdout.txt"),  # URLs: after the prefix
    ("s3://bucket/runs/job-a/stdout.txt", "s3://bucket/runs/", "job-a/stdout.txt"),
    ("elsewhere/x.log", "logs", "x.log"),
])
def test_paths_are_matched_relative_to_the_path_given(path, root, relative):
    assert relative_to(path, root) == relative


def test_translate_keeps_names_apart():
    assert translate("a*b") == "a[^/]*b"
    assert translate("**/x") == "(?:.*/)?x"


@pytest.mark.parametrize("glob", ["", "  ", "[z-a]"])
def test_a_glob_that_cannot_be_used_is_named(glob):
    assert check_glob(glob)


def discovery() -> Discovery:
    jobs = (
        Job("logs/core", ("logs/core",)),
        Job("logs/job-a", ("logs/job-a/stdout.txt", "logs/job-a/model.pt")),
        Job("logs/job-b", ("logs/job-b/stderr.txt",)),
        Job("logs/broken", (), problem="cannot list directory: Permission denied"),
        Job("other.log", ("other.log",)),
    )
    readings = (PathReading("logs", JOBS_DIRECTORY, 4), PathReading("other.log", "file", 1))
    return Discovery(jobs, readings)


def test_select_leaves_out_jobs_and_files_and_counts_them():
    found = select(discovery(), Selection(exclude=("core", "*.pt", "broken", "*.log")))
    assert isinstance(found, Selected)
    assert [j.name for j in found.jobs] == ["logs/job-a", "logs/job-b", "other.log"]  # other.log was named
    assert found.jobs[0].files == ("logs/job-a/stdout.txt",)
    assert [r.jobs for r in found.readings] == [2, 1]
    assert (found.jobs_left_out, found.files_left_out) == (2, 1)
    assert found.describe() == "--exclude/--include left out 2 jobs and 1 file"


def test_a_job_with_no_file_left_disappears_unless_it_was_named():
    found = select(discovery(), Selection(include=("*.txt",)))
    assert [j.name for j in found.jobs] == ["logs/job-a", "logs/job-b", "other.log"]
    named = select(Discovery((Job("job-b", ("job-b/stderr.txt",)),), (PathReading("job-b", "job directory", 1),)),
                   Selection(exclude=("*.txt",)))
    assert named.jobs == (Job("job-b", (), problem=EVERY_FILE_LEFT_OUT),)


def test_no_globs_change_nothing():
    found = discovery()
    assert select(found, Selection()) is found


def test_the_engine_finds_what_the_options_select(tmp_path: Path):
    logs = tmp_path / "logs"
    (logs / "job-a").mkdir(parents=True)
    (logs / "job-a" / "stdout.txt").write_text(OOM)
    (logs / "job-a" / "model.pt").write_bytes(bytes(range(256)) * 20)
    (logs / "core").write_bytes(b"\x7fELF\x00\x01" * 1000)
    plain = Classifier().find([logs])
    assert len(plain.jobs) == 2
    engine = Classifier(options=Options(exclude=("core", "*.pt")))
    (job,) = engine.find([logs]).jobs
    assert job.files == (str(logs / "job-a" / "stdout.txt"),)
    record = engine.classify(job)
    assert record.category == "gpu_out_of_memory" and not record.notes  # the binary is not even noted


def test_worker_processes_classify_what_the_parent_selected(tmp_path: Path):
    logs = tmp_path / "logs"
    for name in ("job-a", "job-b", "job-c"):
        (logs / name).mkdir(parents=True)
        (logs / name / "stdout.txt").write_text(OOM)
        (logs / name / "model.pt").write_bytes(bytes(range(256)) * 20)
    engine = Classifier(options=Options(exclude=("*.pt", "job-c")))
    many = list(engine.classify_many([logs], workers=2))
    assert [(r.job, r.category, r.notes) for r in many] == [
        (str(logs / name), "gpu_out_of_memory", ()) for name in ("job-a", "job-b")]


def test_a_stream_of_jobs_selects_what_find_selects(tmp_path: Path):
    logs = tmp_path / "logs"
    for name in ("job-a", "job-b", "job-c"):
        (logs / name).mkdir(parents=True)
        (logs / name / "stdout.txt").write_text(OOM)
        (logs / name / "model.pt").write_bytes(b"\x00" * 100)
    (logs / "notes.txt").write_text("done\n")
    engine = Classifier(options=Options(exclude=("*.pt", "job-c")))
    found = engine.find([logs, logs / "job-a"])
    stream = engine.stream([logs, logs / "job-a"])
    assert not stream.complete and stream.readings == []
    assert tuple(stream) == found.jobs
    assert stream.complete and stream.found == len(found.jobs)
    assert tuple(stream.readings) == found.readings
    assert stream.keep.describe() == found.describe() == "--exclude/--include left out 1 job and 3 files"
    assert Classifier().stream([logs]).keep is None, "without globs nothing is picked"
