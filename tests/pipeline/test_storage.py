"""storage.py and its URL branches: what a URL is, the options, the ranged reader and its byte
count, the retry, a back end that is not installed, and that a file:// URL gives the records of
its local path (fsspec's local filesystem goes through every URL branch, with no server)."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from philly_triage._internal.pipeline import ranged, remote_log, storage
from philly_triage._internal.pipeline.job_files import Listing, job_at
from philly_triage._internal.pipeline.read import open_log
from philly_triage._internal.pipeline.scan import scan_log
from tests.conftest import ROOT

pytest.importorskip("fsspec")

SAMPLE = ROOT / "sample_logs"
OOM_TAIL = (b"Traceback (most recent call last):\n  File \"train.py\", line 10, in <module>\n    main()\n"
            b"torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n")


def url(path: Path) -> str:
    return "file://" + str(path)


@pytest.mark.parametrize("path, expected", [
    ("s3://bucket/runs/", True), ("az://container/x", True), ("abfs://c@acct.dfs.core.windows.net/x", True),
    ("gs://b/k", True), ("https://host/stdout.txt", True), ("file:///tmp/x", True),
    ("sample_logs/", False), ("/abs/path", False), ("C:\\logs\\x.log", False), ("-", False), ("a:/b", False),
])
def test_what_is_a_url(path, expected):
    assert storage.is_url(path) is expected


def test_storage_options_are_read_as_their_types():
    assert storage.parse_option("endpoint_url=http://127.0.0.1:9000") == ("endpoint_url", "http://127.0.0.1:9000")
    assert storage.parse_option("anon=true") == ("anon", True)
    assert storage.parse_option("default_block_size=1048576") == ("default_block_size", 1048576)
    assert storage.parse_option('client_kwargs={"region_name": "eu-west-1"}') == (
        "client_kwargs", {"region_name": "eu-west-1"})
    with pytest.raises(ValueError, match="KEY=VALUE"):
        storage.parse_option("anon")


def test_a_scheme_no_back_end_reads_is_a_usage_problem():
    with pytest.raises(storage.StorageUnavailable, match="no storage back end reads nosuch://"):
        storage.check_available("nosuch://bucket/x")


def test_a_back_end_not_installed_names_the_extra_to_install():
    # In a fresh process, where s3fs cannot be imported (as if it were not installed).
    code = ("import sys; sys.modules['s3fs'] = None\n"
            "from philly_triage._internal.pipeline import storage\n"
            "try:\n    storage.check_available('s3://bucket/runs/')\n"
            "except storage.StorageUnavailable as err:\n    print(err)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.startswith("reading s3:// URLs needs a library that is not installed")
    assert out.stdout.strip().endswith("pip install 'philly-triage[s3]'")


def test_transient_errors_are_retried_and_others_are_not(monkeypatch):
    monkeypatch.setattr(storage, "BACKOFF", 0.001)
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < storage.ATTEMPTS:
            raise TimeoutError("read timed out")
        return b"ok"

    assert storage.retried(flaky) == b"ok" and len(calls) == storage.ATTEMPTS
    calls.clear()

    def denied():
        calls.append(1)
        raise PermissionError("Access Denied")

    with pytest.raises(PermissionError, match="^Access Denied$"):
        storage.retried(denied)
    assert len(calls) == 1
    calls.clear()

    def always_throttled():
        calls.append(1)
        raise OSError("SlowDown: please reduce your request rate")

    with pytest.raises(OSError, match="SlowDown"):
        storage.retried(always_throttled)
    assert len(calls) == storage.ATTEMPTS


def test_a_window_widened_towards_the_start_fetches_only_the_new_bytes(tmp_path):
    path = tmp_path / "big.log"
    path.write_bytes(b"x" * 99 + b"\n" + b"a line\n" * 100_000)
    handle = ranged.RangedFile(url(path))
    size = handle.size
    before = ranged.bytes_read()[0]
    handle.seek(size - 1000)
    tail = handle.read(1000)
    handle.seek(size - 5000)
    wider = handle.read(5000)
    assert wider.endswith(tail) and len(wider) == 5000
    assert ranged.bytes_read()[0] - before == 5000  # 1000, then the 4000 before them
    handle.seek(0)
    assert handle.read(100) == b"x" * 99 + b"\n"


def test_a_prefix_lists_as_a_directory(markers):
    local = Listing.of(str(SAMPLE / "resnet50-imagenet-3f9c"), markers)
    remote = Listing.of(url(SAMPLE / "resnet50-imagenet-3f9c"), markers)
    to_url = {p: "file://" + p for p in local.files + local.subdirs}
    assert [to_url[p] for p in local.files] == remote.files
    assert [to_url[p] for p in local.subdirs] == remote.subdirs
    assert {to_url[p]: n for p, n in local.retries.items()} == remote.retries


def test_a_missing_object_is_a_job_with_the_problem(markers):
    job = job_at("file:///no/such/place/x.log", markers)
    assert job.files == () and job.problem.startswith("no such object or prefix")


def test_a_compressed_object_is_read_forwards(tmp_path):
    path = tmp_path / "train.log.gz"
    path.write_bytes(gzip.compress(b"epoch 1\n" * 1000 + OOM_TAIL))
    source = open_log(url(path))
    try:
        assert not source.seekable
        assert b"".join(source.chunks()).endswith(OOM_TAIL)
    finally:
        source.close()


def test_line_numbers_of_a_large_object_count_from_the_bytes_read(tmp_path, markers):
    small, large = tmp_path / "small.log", tmp_path / "large.log"
    small.write_bytes(b"step 1 loss 0.5\n" * 1000 + OOM_TAIL)
    large.write_bytes(b"step 1 loss 0.5\n" * ((remote_log.COUNT_LIMIT // 16) * 3) + OOM_TAIL)
    for path in (small, large):
        local, remote = scan_log(str(path), markers), scan_log(url(path), markers)
        assert remote.located.failure.message == local.located.failure.message
        if path is small:
            assert remote.located.failure.line == local.located.failure.line and remote.notes == local.notes
        else:
            assert remote.located.failure.line < local.located.failure.line
            assert any("line numbers count from byte" in note for note in remote.notes)


def test_a_file_url_gives_the_records_of_its_local_path(classifier):
    local = list(classifier.classify_many([str(SAMPLE)]))
    remote = list(classifier.classify_many([url(SAMPLE)]))
    prefix = "file://"
    assert len(remote) == len(local) == 46
    for mine, theirs in zip(remote, local):
        assert mine.job == prefix + theirs.job
        assert mine.file == (prefix + theirs.file if theirs.file else None)
        mapped = {k: (v.replace(prefix, "") if isinstance(v, str) else v) for k, v in mine.to_dict().items()}
        mapped["notes"] = [n.replace(prefix, "") for n in mine.notes]
        assert mapped == theirs.to_dict()


def test_a_local_run_imports_no_object_store_library():
    code = ("import sys; from philly_triage import Classifier; "
            "list(Classifier().classify_many(['sample_logs'], workers=1)); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('fsspec', 's3fs', 'adlfs', 'gcsfs', 'botocore', 'aiobotocore', 'aiohttp', 'azure')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
