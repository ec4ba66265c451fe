"""triage classify on URLs, against real storage servers the tests start: moto's S3 server, Azure's
Blob emulator Azurite, and a web server. A tree in a store gives the records of its local copy
(names mapped), in the same order, with the same exit status; a large object is judged from a few
ranged reads of its end; a store's error is an ``error`` record, and a back end that is not
installed a one-line usage error."""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.stores import (
    REQUIRE_AZURITE, S3_ENV, Azurite, CountingMotoServer, azurite_installed, free_port, records, run_triage,
    upload_tree,
)

pytest.importorskip("s3fs")
pytest.importorskip("moto.server")

ROOT = Path(__file__).resolve().parents[2]
SAMPLE, HELDOUT = ROOT / "sample_logs", ROOT / "tests" / "data" / "heldout"
OOM_TAIL = (b"Traceback (most recent call last):\n  File \"train.py\", line 10, in <module>\n    main()\n"
            b"torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n")
BIG = 100_000_000  # bytes of the large object (moto keeps it in the test process: kept modest)


def extra_tree(root: Path) -> Path:
    """Jobs with what sample_logs lacks: metadata files (a job directory's, a log file's), numbered
    retries with a compressed latest log, a metadata file that is broken."""
    job = root / "extra" / "ddp-meta-job"
    (job / "1").mkdir(parents=True)
    (job / "2").mkdir()
    (job / "job.meta.yaml").write_text("gpus: 8\nstart: 2026-12-01T10:00:00Z\nend: 2026-12-01T12:30:00Z\n")
    (job / "1" / "stdout.txt").write_text("epoch 1\nRuntimeError: NCCL error: unhandled system error\n")
    (job / "2" / "stdout.txt.gz").write_bytes(gzip.compress(b"epoch 1\nepoch 2\n" + OOM_TAIL))
    solo = root / "extra" / "solo-run.log"
    solo.write_bytes(b"loading data\n" + OOM_TAIL)
    (root / "extra" / "solo-run.log.meta.json").write_text('{"gpus": 2, "start": 1764583200, "end": 1764590400}')
    broken = root / "extra" / "broken-meta"
    broken.mkdir()
    (broken / "stdout.txt").write_bytes(OOM_TAIL)
    (broken / "job.meta.yaml").write_text("gpus: [unclosed\n")
    return root / "extra"


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """moto's S3 server with sample_logs/, the held-out logs and the extra jobs in bucket "logs"."""
    saved = {name: os.environ.get(name) for name in S3_ENV}
    os.environ.update(S3_ENV)  # for the uploads made in this process (each triage run gets S3_ENV too)
    server = CountingMotoServer()
    fs = server.filesystem()
    fs.mkdir("logs")
    extra = extra_tree(tmp_path_factory.mktemp("trees"))
    for local, prefix in ((SAMPLE, "runs"), (HELDOUT, "heldout"), (extra, "extra")):
        upload_tree(fs, local, f"logs/{prefix}")
    server.extra = extra
    yield server
    server.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def s3_args(server) -> list[str]:
    return ["--storage-option", f"endpoint_url={server.endpoint}"]


def same_as_local(remote_url: str, local: Path, *options: str, env=None) -> None:
    remote = run_triage("classify", remote_url, "-f", "jsonl", *options, env=env)
    mine = run_triage("classify", f"{local}/", "-f", "jsonl", *[o for o in options if "storage-option" not in o
                                                                    and "=" not in o])
    assert "Traceback" not in remote.stderr
    assert remote.returncode == mine.returncode
    got, want = records(remote, remote_url, f"{local}/"), records(mine)
    assert [r["job"] for r in got] == [r["job"] for r in want]  # the same jobs, in the same order
    for one, other in zip(got, want):
        assert one == other


@pytest.mark.slow
@pytest.mark.parametrize("prefix, local", [("runs", SAMPLE), ("heldout", HELDOUT)], ids=["sample_logs", "heldout"])
def test_a_tree_in_s3_gives_the_records_of_its_local_copy(s3, prefix, local):
    same_as_local(f"s3://logs/{prefix}/", local, *s3_args(s3), env=S3_ENV)


@pytest.mark.slow
def test_metadata_retries_and_compressed_logs_in_s3_give_the_local_records(s3):
    same_as_local("s3://logs/extra/", s3.extra, "--gpus", "4", *s3_args(s3), env=S3_ENV)
    remote = records(run_triage("classify", "s3://logs/extra/", "-f", "jsonl", *s3_args(s3), env=S3_ENV))
    by_job = {r["job"].rsplit("/", 1)[1]: r for r in remote}
    assert by_job["ddp-meta-job"]["gpu_hours"] == 20.0 and by_job["ddp-meta-job"]["retries"] == 1
    assert by_job["ddp-meta-job"]["file"] == "s3://logs/extra/ddp-meta-job/2/stdout.txt.gz"
    assert by_job["solo-run.log"]["gpu_hours"] == 4.0
    assert any("job.meta.yaml" in note for note in by_job["broken-meta"]["notes"])


@pytest.mark.slow
def test_a_large_object_is_judged_from_ranged_reads_of_its_end(s3):
    fs = s3.filesystem()
    line = b"step 1234 loss 0.123 lr 0.0001 throughput 1234.5 samples/s\n"
    block = line * ((8 << 20) // len(line))
    with fs.open("logs/big/train.log", "wb", block_size=32 << 20) as handle:
        written = 0
        while written < BIG:
            handle.write(block)
            written += len(block)
        handle.write(OOM_TAIL)
    size = fs.info("logs/big/train.log")["size"]
    s3.reset_counts()
    result = run_triage("classify", "s3://logs/big/train.log", "-j", "1", *s3_args(s3), env=S3_ENV)
    fs.rm("logs/big/train.log")
    assert result.returncode == 0, result.stderr
    assert "gpu_out_of_memory" in result.stdout
    said = [line for line in result.stderr.splitlines() if line.startswith("triage: read ")]
    assert said and said[0].endswith(f"of {size / 1e6:.1f} MB from the store (1 object)"), result.stderr
    amount, unit = said[0].split()[2:4]
    shown = float(amount) * {"B": 1, "kB": 1e3, "MB": 1e6}[unit]
    assert shown < size / 100
    assert 0 < s3.counts["get_bytes"] < size / 100  # the server's own count of what it sent


@pytest.mark.slow
def test_a_store_error_is_an_error_record_with_the_stores_message(s3):
    for url, words in (("s3://no-such-bucket/runs/", "The specified bucket does not exist"),
                       ("s3://logs/no/such/prefix/", "no such object or prefix"),
                       ("s3://logs/runs/no-such-job.log", "no such object or prefix")):
        result = run_triage("classify", url, "-f", "jsonl", *s3_args(s3), env=S3_ENV)
        assert result.returncode == 3 and "Traceback" not in result.stderr
        [record] = records(result)
        assert record["status"] == "error" and words in record["reason"], record


@pytest.mark.slow
def test_bad_credentials_are_an_error_record(tmp_path):
    """A second moto server, in its own process, that checks credentials (no request is let in
    without a known key): the key "x" is refused."""
    port = free_port()
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "0"}
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "moto server did not start"
                time.sleep(0.1)
        result = run_triage("classify", "s3://logs/runs/", "-f", "jsonl",
                            "--storage-option", f"endpoint_url=http://127.0.0.1:{port}", env=S3_ENV)
    finally:
        server.terminate()
        server.wait(10)
    assert result.returncode == 3 and "Traceback" not in result.stderr
    [record] = records(result)
    assert record["status"] == "error"
    assert record["reason"].startswith("cannot read: access denied"), record["reason"]


def test_a_back_end_that_is_not_installed_is_a_usage_error():
    code = ("import sys; sys.modules['s3fs'] = None; sys.argv = ['triage', 'classify', 's3://logs/runs/']; "
            "from philly_triage._internal.cli.main import main; main()")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()  # one line, no traceback
    assert line.startswith("triage: error: reading s3:// URLs needs") and line.endswith("pip install 'philly-triage[s3]'")


def test_an_unknown_scheme_and_a_bad_storage_option_are_usage_errors():
    result = run_triage("classify", "nosuch://bucket/x")
    assert result.returncode == 2 and result.stderr.startswith("triage: error: no storage back end reads nosuch://")
    result = run_triage("classify", "s3://logs/runs/", "--storage-option", "anon")
    assert result.returncode == 2 and "KEY=VALUE" in result.stderr and "Traceback" not in result.stderr


def test_a_file_url_gives_the_records_of_the_local_path():
    same_as_local(f"file://{SAMPLE}/", SAMPLE)


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """A static web server that answers Range requests, as real ones do (Python's does not)."""

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        spec = self.headers.get("Range")
        path = self.translate_path(self.path)
        if not spec or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        first, _, last = spec.removeprefix("bytes=").partition("-")
        start = int(first) if first else max(0, size - int(last))
        stop = min(size - 1, int(last)) if first and last else size - 1
        with open(path, "rb") as handle:
            handle.seek(start)
            data = handle.read(stop - start + 1)
        self.send_response(206)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Range", f"bytes {start}-{stop}/{size}")
        self.send_header("Content-Length", str(stop - start + 1))
        self.end_headers()
        return io.BytesIO(data)


@pytest.mark.slow
def test_a_log_on_a_web_server_gives_the_local_record():
    pytest.importorskip("aiohttp")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(RangeHandler, directory=str(SAMPLE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        for name in ("gpt-small-ablation-72aa.log", "pegasus-cnndm-summ-e6a2.log.gz"):
            remote = run_triage("classify", f"{base}/{name}", "-f", "jsonl")
            local = run_triage("classify", str(SAMPLE / name), "-f", "jsonl")
            assert remote.returncode == local.returncode
            assert records(remote, f"{base}/", f"{SAMPLE}/") == records(local)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def azurite():
    if not azurite_installed():
        if os.environ.get(REQUIRE_AZURITE) == "1":
            pytest.fail("Azurite is not installed (sh tools/install-azurite.sh) and TRIAGE_REQUIRE_AZURITE=1")
        pytest.skip("Azurite is not installed: run sh tools/install-azurite.sh (needs Node.js and npm)")
    pytest.importorskip("adlfs")
    server = Azurite()
    yield server
    server.stop()


@pytest.mark.slow
def test_a_tree_in_azure_blob_storage_gives_the_records_of_its_local_copy(azurite):
    import adlfs

    fs = adlfs.AzureBlobFileSystem(connection_string=azurite.connection_string)
    fs.mkdir("logs")
    upload_tree(fs, SAMPLE, "logs/runs")
    option = ["--storage-option", f"connection_string={azurite.connection_string}"]
    same_as_local("az://logs/runs/", SAMPLE, *option)
    same_as_local("abfs://logs/runs/", SAMPLE, *option)
    missing = run_triage("classify", "az://no-such-container/runs/", "-f", "jsonl", *option)
    assert missing.returncode == 3 and "Traceback" not in missing.stderr
    assert records(missing)[0]["reason"].startswith("no such object or prefix")
