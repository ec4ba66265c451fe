"""Bad input, end to end: every job given yields exactly one record, nothing escapes, reasons are clear.

Each case goes through the engine (``Classifier.classify_many``) (or the CLI, where the case could block or needs other
privileges), never through the reader's internals, so the cases hold whatever the reader looks like.
A failure that is in the log must still be found, with its line counted as ``grep -n`` counts it.
"""

from __future__ import annotations

import ctypes
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from philly_triage._internal.pipeline.engine import Classifier
from philly_triage._internal.cli.main import cli
from philly_triage.models import Status

TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "train.py", line 42, in <module>\n'
    "    label = batch['label']\n"
    "KeyError: 'label'\n"
)
FAILURE = "KeyError: 'label'"
PROGRESS = "".join(f"epoch 1 step {step} loss 0.{step % 10}\n" for step in range(1, 101))


# --------------------------------------------------------------------------------------------------
# helpers


def records_for(paths, matcher, markers) -> list:
    return list(Classifier(matcher.catalogue, markers=markers).classify_many([str(p) for p in paths]))


def one_record(path, matcher, markers):
    """The single record of one job given as a path; checks the record contract on the way."""
    records = records_for([path], matcher, markers)
    assert len(records) == 1, f"expected exactly one record for {path}, got {records}"
    (record,) = records
    assert_sound(record)
    return record


def assert_sound(record) -> None:
    """What every record must be, whatever the input: a known status, a readable reason for errors."""
    assert isinstance(record.status, Status)
    if record.status is Status.ERROR:
        assert isinstance(record.reason, str) and record.reason.strip(), record
        assert not record.reason.startswith("internal error"), f"triage crashed: {record.reason}"
        assert record.reason.isprintable() and len(record.reason) < 300, record.reason
        assert "Traceback" not in record.reason
    if record.line is not None:
        assert record.line >= 1
    for note in record.notes:
        assert isinstance(note, str) and note.isprintable(), record.notes


def line_of(data: bytes, needle: bytes) -> int:
    """The 1-based line (counting b"\\n" only, as grep -n does) where ``needle`` first occurs."""
    return data[: data.index(needle)].count(b"\n") + 1


def assert_found(record, path, line: int, category: str = "key_not_found", message: str = FAILURE) -> None:
    assert (record.status, record.category) == (Status.CLASSIFIED, category), record
    assert record.file == str(path), record
    assert record.line == line, record
    assert record.message == message, record


def run_cli(*args, cwd, timeout: float = 30, preexec_fn=None):
    """``triage classify ARGS -f jsonl`` in its own process: a case that blocks fails instead of hanging."""
    command = [sys.executable, "-m", "philly_triage", "classify", *map(str, args), "-f", "jsonl"]
    try:
        process = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=timeout, preexec_fn=preexec_fn
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"triage did not finish within {timeout} s: {' '.join(command)}")
    assert "Traceback" not in process.stderr, process.stderr
    records = [json.loads(line) for line in process.stdout.splitlines()]
    # 3: the run completed but some job could not be classified; its record says why.
    expected = 3 if any(record["status"] == "error" for record in records) else 0
    assert process.returncode == expected, (process.returncode, process.stderr)
    for record in records:
        assert record["status"] in {status.value for status in Status}, record
        if record["status"] == "error":
            assert record["reason"] and not record["reason"].startswith("internal error"), record
    return records


# --------------------------------------------------------------------------------------------------
# binary files, NUL bytes, encodings


@pytest.mark.parametrize("embedded", [b"", b"\nKeyError: 'label'\nRuntimeError: CUDA out of memory\n"])
def test_binary_file_is_an_error_with_a_reason(tmp_path, matcher, markers, embedded):
    """A checkpoint given as a job: an error naming it binary, even with error words inside its bytes."""
    noise = random.Random(0).randbytes(64 * 1024)
    path = tmp_path / "model.pt"
    path.write_bytes(b"PK\x03\x04" + noise[:30000] + embedded + noise[30000:])
    record = one_record(path, matcher, markers)
    assert record.status is Status.ERROR
    assert "binary" in record.reason


def _scattered_nuls() -> bytes:
    lines = PROGRESS.encode().splitlines(keepends=True)
    for index in range(0, len(lines), 7):
        lines[index] = lines[index][:5] + b"\x00" + lines[index][5:]
    return b"".join(lines) + TRACEBACK.encode() + b"\x00\x00wandb: Synced 5 W&B file(s)\n"


NUL_LOGS = {
    # a NUL here and there (a writer that padded a record)
    "scattered": _scattered_nuls,
    # a 4 KiB hole (a node that crashed before the page was written) within the first 8 KiB
    "hole_near_start": lambda: PROGRESS.encode() + b"\x00" * 4096 + TRACEBACK.encode(),
    # a 64 KiB hole after the first few KiB
    "hole_in_the_middle": lambda: (PROGRESS * 10).encode() + b"\x00" * 65536 + TRACEBACK.encode(),
    # the file was extended with zeros after the traceback was written
    "zeros_after_the_failure": lambda: PROGRESS.encode() + TRACEBACK.encode() + b"\x00" * 65536,
}


@pytest.mark.parametrize("shape", sorted(NUL_LOGS))
def test_nul_bytes_inside_a_text_log(tmp_path, matcher, markers, shape):
    """NUL bytes do not make a text log binary, and the failure after (or before) them is still found."""
    data = NUL_LOGS[shape]()
    path = tmp_path / "stderr.txt"
    path.write_bytes(data)
    record = one_record(path, matcher, markers)
    assert_found(record, path, line_of(data, FAILURE.encode()))


def test_invalid_utf8_is_read_and_the_failure_found(tmp_path, matcher, markers):
    data = (
        b"epoch 1 caf\xe9 loss 0.5\n"  # Latin-1
        b"\xc3\x28 not a sequence\n"  # invalid continuation byte
        b"lonely \x80\xbf continuation bytes\n"
        b"surrogate \xed\xa0\x80 and overlong \xc0\xaf\n"
        b'Traceback (most recent call last):\n  File "load.py", line 3, in <module>\n'
        b"FileNotFoundError: [Errno 2] No such file or directory: '/data/caf\xe9/img.jpg'\n"
        b"truncated emoji at the end \xf0\x9f\x98"
    )
    path = tmp_path / "stderr.txt"
    path.write_bytes(data)
    record = one_record(path, matcher, markers)
    assert (record.status, record.category, record.line) == (Status.CLASSIFIED, "path_not_found", 7), record
    assert record.message.startswith("FileNotFoundError: [Errno 2] No such file or directory: '/data/caf")
    assert "\ufffd" in record.message and record.message.endswith("/img.jpg'")


UTF16 = {
    "bom_le": lambda text: b"\xff\xfe" + text.encode("utf-16-le"),
    "bom_be": lambda text: b"\xfe\xff" + text.encode("utf-16-be"),
    "no_bom_le": lambda text: text.encode("utf-16-le"),
    "no_bom_be": lambda text: text.encode("utf-16-be"),
}


@pytest.mark.parametrize(
    "form,steps",
    # 50 steps: a small log in each form; 120,000 steps: about 8 MB of UTF-16, beyond any one read,
    # in the form a sniffer finds hardest (no BOM)
    [(form, 50) for form in sorted(UTF16)] + [("no_bom_le", 120_000)],
)
def test_utf16_logs(tmp_path, matcher, markers, form, steps):
    """A Windows log (UTF-16, CRLF, non-ASCII): the failure is found on its line, with or without a BOM."""
    progress = "".join(f"Époque 1 étape {step} perte 0.5 训练 🚀\r\n" for step in range(steps))
    text = progress + TRACEBACK.replace("\n", "\r\n") + "wandb: Synced 5 W&B file(s) — fin\r\n"
    path = tmp_path / "stdout.txt"
    path.write_bytes(UTF16[form](text))
    record = one_record(path, matcher, markers)
    assert_found(record, path, text[: text.index(FAILURE)].count("\n") + 1)


# --------------------------------------------------------------------------------------------------
# long lines, carriage returns, colour codes


@pytest.mark.slow  # writes and reads 100 MB
def test_a_100_mb_line_then_a_traceback(tmp_path):
    """A 100 MB line without a newline (a tensor printed whole), then the traceback: found, and fast.

    Run as its own process with a time limit, so that a reader that chokes on the line fails the test
    instead of stalling the suite.
    """
    path = tmp_path / "stdout.txt"
    chunk = b"0.1234, " * (1 << 17)  # 1 MiB, no newline
    with open(path, "wb") as handle:
        for _ in range(100):
            handle.write(chunk)
        handle.write(b"\n" + TRACEBACK.encode())
    try:
        started = time.monotonic()
        (record,) = run_cli(path, cwd=tmp_path, timeout=60)
        elapsed = time.monotonic() - started
    finally:
        path.unlink()
    assert (record["status"], record["category"], record["line"]) == ("classified", "key_not_found", 5), record
    assert record["message"] == FAILURE
    assert elapsed < 60


def _tqdm(count: int) -> str:
    return "".join(
        f"\r{100 * i // count:3d}%|{'#' * (10 * i // count):<10}| {i}/{count} [00:{i // 100:02d}<01:35,  9.95it/s]"
        for i in range(count)
    )


CR_LOGS = {
    # the bar, a newline, then the traceback
    "after_newline": (_tqdm(20_000) + "\n" + TRACEBACK, 5, "key_not_found", FAILURE),
    # merged stdout/stderr: the traceback starts on the bar's own line, after its last segment
    "glued_to_the_bar": (_tqdm(20_000) + TRACEBACK, 4, "key_not_found", FAILURE),
    # the OOM killer's notice as the line's last carriage-return segment; no newline in the file at all
    "last_segment": (_tqdm(20_000) + "\rKilled", 1, "cpu_out_of_memory", "Killed"),
}


@pytest.mark.parametrize("shape", sorted(CR_LOGS))
def test_carriage_return_progress_then_a_failure(tmp_path, matcher, markers, shape):
    text, line, category, message = CR_LOGS[shape]
    path = tmp_path / "stderr.txt"
    path.write_bytes(text.encode())
    record = one_record(path, matcher, markers)
    assert_found(record, path, line, category, message)


ANSI_LOGS = {
    # colour around whole lines, and inside a coloured traceback (IPython and rich style)
    "coloured_traceback": (
        "\x1b[32m2023-05-01 12:00:00 epoch 3 step 10 loss 0.51\x1b[0m\n"
        "\x1b[1;31mTraceback (most recent call last):\x1b[0m\n"
        '\x1b[36m  File \x1b[32m"train.py"\x1b[36m, line \x1b[32m42\x1b[36m, in \x1b[35m<module>\x1b[0m\n'
        "\x1b[0;31mKeyError\x1b[0m: 'label'\x1b[K\n",
        4, "key_not_found", FAILURE,
    ),
    # a fatal line wrapped in bold and colour, after a hyperlink and a window title
    "fatal_line": (
        "\x1b]0;job 42: training\x07epoch 1 step 1 loss 0.9\n"
        "see \x1b]8;;https://example.org/run/42\x1b\\the run page\x1b]8;;\x1b\\ for metrics\n"
        "\x1b[2K\r\x1b[1m\x1b[31m[rank0]: torch.OutOfMemoryError: CUDA out of memory."
        " Tried to allocate 2.00 GiB\x1b[0m\n",
        3, "gpu_out_of_memory", "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
    ),
}


@pytest.mark.parametrize("shape", sorted(ANSI_LOGS))
def test_ansi_escape_codes_around_the_failure(tmp_path, matcher, markers, shape):
    text, line, category, message = ANSI_LOGS[shape]
    path = tmp_path / "stderr.txt"
    path.write_text(text, encoding="utf-8")
    record = one_record(path, matcher, markers)
    assert_found(record, path, line, category, message)


# --------------------------------------------------------------------------------------------------
# compressed files


def _gzip_cut_after(kept: bytes, rest: bytes) -> bytes:
    """A gzip file whose first part ``kept`` is complete and which is cut in the middle of ``rest``."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = compressor.compress(kept) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(rest) + compressor.flush()
    assert len(tail) > 1000
    return head + tail[: len(tail) // 2]


def test_truncated_gzip_keeps_the_failure_before_the_cut(tmp_path, matcher, markers):
    rng = random.Random(1)
    kept = (PROGRESS * 5 + TRACEBACK).encode()
    rest = "".join(f"cleanup shard {i:04d} sha256 {rng.getrandbits(256):064x}\n" for i in range(2000)).encode()
    path = tmp_path / "stderr.txt.gz"
    path.write_bytes(_gzip_cut_after(kept, rest))
    record = one_record(path, matcher, markers)
    assert_found(record, path, line_of(kept, FAILURE.encode()))
    assert any("truncated" in note or "damaged" in note for note in record.notes), record.notes


def test_gzip_with_a_damaged_second_member_keeps_the_first(tmp_path, matcher, markers):
    data = gzip.compress((PROGRESS + TRACEBACK).encode())
    path = tmp_path / "stderr.txt.gz"
    path.write_bytes(data + b"\x1f\x8b\x08\x00garbage that is not deflate data" * 3)
    record = one_record(path, matcher, markers)
    assert_found(record, path, line_of((PROGRESS + TRACEBACK).encode(), FAILURE.encode()))
    assert any("truncated" in note or "damaged" in note for note in record.notes), record.notes


@pytest.mark.parametrize("cut", [2, 6, 11])
def test_gzip_cut_in_its_header_is_reported_not_a_crash(tmp_path, matcher, markers, cut):
    path = tmp_path / "stderr.txt.gz"
    path.write_bytes(gzip.compress(TRACEBACK.encode())[:cut])
    record = one_record(path, matcher, markers)
    assert record.status in (Status.ERROR, Status.NO_FAILURE), record
    said = " ".join((record.reason or "",) + record.notes)
    assert "truncated" in said or "damaged" in said, record


def test_plain_text_named_gz_is_read_as_text(tmp_path, matcher, markers):
    path = tmp_path / "stderr.txt.gz"
    path.write_text(PROGRESS + TRACEBACK)
    assert_found(one_record(path, matcher, markers), path, 104)


# --------------------------------------------------------------------------------------------------
# files that cannot be read: permissions, I/O errors, links, FIFOs

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def _without_file_access_override() -> None:
    """In the child before exec: drop the capabilities that let root read any file (chmod 000 then bites)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            os._exit(97)


@pytest.fixture(scope="module")
def unprivileged(tmp_path_factory):
    """A preexec_fn for run_cli under which a mode-000 file cannot be read, even when the tests run as root.

    As root, the child drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from its bounding set before
    it executes Python, so it keeps uid 0 (and its access to the test's own files) but obeys file
    modes. Skips only if this machine lets the process read a mode-000 file anyway.
    """
    preexec = _without_file_access_override if os.geteuid() == 0 else None
    probe = tmp_path_factory.mktemp("probe") / "secret"
    probe.write_text("x")
    probe.chmod(0)
    process = subprocess.run(
        [sys.executable, "-c", f"open({str(probe)!r}).read()"], capture_output=True, preexec_fn=preexec
    )
    if process.returncode == 0:
        pytest.skip("this process can read a mode-000 file (root without a way to drop CAP_DAC_OVERRIDE)")
    return preexec


@pytest.mark.slow  # runs triage in a process of its own
def test_unreadable_file(tmp_path, unprivileged):
    path = tmp_path / "stderr.txt"
    path.write_text(TRACEBACK)
    path.chmod(0)
    (record,) = run_cli(path, cwd=tmp_path, preexec_fn=unprivileged)
    assert record["status"] == "error" and "permission denied" in record["reason"].lower(), record


@pytest.mark.slow  # runs triage in a process of its own
def test_unreadable_directory_given_as_path(tmp_path, unprivileged):
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    (jobs / "a.log").write_text(TRACEBACK)
    jobs.chmod(0)
    try:
        (record,) = run_cli(jobs, cwd=tmp_path, preexec_fn=unprivileged)
    finally:
        jobs.chmod(0o755)
    assert record["status"] == "error" and "permission denied" in record["reason"].lower(), record


@pytest.mark.slow  # runs triage in a process of its own
def test_unreadable_job_directory(tmp_path, unprivileged):
    """A job directory that cannot be listed says so: it is not 'no log files'."""
    (tmp_path / "jobs" / "locked").mkdir(parents=True)
    (tmp_path / "jobs" / "locked" / "stderr.txt").write_text(TRACEBACK)
    (tmp_path / "jobs" / "fine.log").write_text(TRACEBACK)
    (tmp_path / "jobs" / "locked").chmod(0)
    try:
        records = run_cli(tmp_path / "jobs", cwd=tmp_path, preexec_fn=unprivileged)
    finally:
        (tmp_path / "jobs" / "locked").chmod(0o755)
    assert [(r["job"].rsplit("/", 1)[-1], r["status"]) for r in records] == [
        ("fine.log", "classified"), ("locked", "error")
    ], records
    assert "permission denied" in records[1]["reason"].lower(), records[1]


@pytest.mark.slow  # runs triage in a process of its own
def test_unreadable_log_beside_a_good_one(tmp_path, unprivileged):
    job = tmp_path / "jobs" / "job"  # a directory given holds jobs: the job is its child
    job.mkdir(parents=True)
    (job / "stderr.txt").write_text(TRACEBACK)
    (job / "stdout.txt").write_text(PROGRESS)
    (job / "stdout.txt").chmod(0)
    (record,) = run_cli(job.parent, cwd=tmp_path, preexec_fn=unprivileged)
    assert (record["status"], record["category"], record["line"]) == ("classified", "key_not_found", 4), record
    assert any("stdout.txt" in note and "permission denied" in note.lower() for note in record["notes"]), record


def test_file_whose_read_fails_with_an_io_error(tmp_path, matcher, markers):
    """/proc/self/mem stats as an empty regular file, but reading it fails (EIO), also for root."""
    if not os.path.exists("/proc/self/mem"):
        pytest.skip("needs Linux /proc")
    path = tmp_path / "stderr.txt"
    os.symlink("/proc/self/mem", path)
    record = one_record(path, matcher, markers)
    assert record.status is Status.ERROR, record
    assert "input/output error" in record.reason.lower() or "cannot read" in record.reason, record


def test_dangling_symlink(tmp_path, matcher, markers):
    os.symlink(tmp_path / "gone" / "stderr.txt", tmp_path / "stderr.txt")
    record = one_record(tmp_path / "stderr.txt", matcher, markers)
    assert record.status is Status.ERROR and "dangling" in record.reason, record


LOOPS = {
    "self": {"loop.log": "loop.log"},
    "pair": {"a.log": "b.log", "b.log": "a.log"},
}


@pytest.mark.parametrize("shape", sorted(LOOPS))
def test_symlink_loop_is_an_error_that_says_so(tmp_path, matcher, markers, shape):
    """A link that resolves to itself: an error that names the loop, not 'permission denied or I/O error'."""
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    for name, target in LOOPS[shape].items():
        os.symlink(jobs / target, jobs / name)
    for paths in ([jobs / name for name in sorted(LOOPS[shape])], [jobs]):
        records = records_for(paths, matcher, markers)
        assert len(records) == len(LOOPS[shape]), records
        for record in records:
            assert_sound(record)
            assert record.status is Status.ERROR, record
            reason = record.reason.lower()
            assert "loop" in reason or "too many levels of symbolic links" in reason, record


def test_symlink_to_the_enclosing_directory_does_not_hang(tmp_path, matcher, markers):
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    (jobs / "a.log").write_text(TRACEBACK)
    os.symlink(".", jobs / "self")
    os.symlink(jobs, jobs / "up")
    records = records_for([jobs], matcher, markers)
    assert [Path(r.job).name for r in records] == ["a.log", "self", "up"]
    for record in records:
        assert_sound(record)
    assert records[0].category == "key_not_found"


@pytest.mark.slow  # runs triage in a process of its own
def test_fifo_given_as_path_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "pipe.log")
    (tmp_path / "jobs").mkdir()
    os.mkfifo(tmp_path / "jobs" / "pipe.log")
    for path in (tmp_path / "pipe.log", tmp_path / "jobs"):
        (record,) = run_cli(path, cwd=tmp_path, timeout=30)
        assert record["status"] == "error" and "not a regular file" in record["reason"], record


# --------------------------------------------------------------------------------------------------
# empty input


@pytest.mark.parametrize("output", ["table", "json", "jsonl", "csv"])
def test_empty_directory_given_as_path(tmp_path, output):
    """An empty directory holds no jobs: no records, exit 0, and the table's summary says 0 jobs."""
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / ".hidden").write_text(TRACEBACK)  # hidden files are not jobs
    result = CliRunner().invoke(cli, ["classify", str(tmp_path / "jobs"), "-f", output], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    if output == "table":
        assert result.stdout.startswith("JOB")
        assert result.stderr.startswith("0 jobs"), result.stderr
    elif output == "json":
        document = json.loads(result.stdout)
        assert document["records"] == [] and document["summary"]["jobs"] == 0
    elif output == "jsonl":
        assert result.stdout == ""
    else:
        assert result.stdout.splitlines()[0].startswith("job,status,")
        assert len(result.stdout.splitlines()) == 1


EMPTY_LOGS = {
    "empty": b"",
    "newlines": b"\n" * 1000,
    "whitespace": b" \t\r\n" * 1000,
    "empty_gzip": gzip.compress(b""),
}


@pytest.mark.parametrize("shape", sorted(EMPTY_LOGS))
def test_empty_file(tmp_path, matcher, markers, shape):
    path = tmp_path / "stderr.txt"
    path.write_bytes(EMPTY_LOGS[shape])
    record = one_record(path, matcher, markers)
    assert record.status is Status.NO_FAILURE, record
    assert (record.file, record.line, record.message) == (None, None, None)
    if shape == "empty":
        assert any("empty" in note for note in record.notes), record


# --------------------------------------------------------------------------------------------------
# many jobs


@pytest.mark.slow  # 100,000 files
def test_a_directory_of_100000_jobs(tmp_path, matcher, markers):
    """100,000 one-file jobs (mostly empty, every 10,000th failing): 100,000 records, in order."""
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    failing = FAILURE.encode() + b"\n"
    for index in range(100_000):
        descriptor = os.open(jobs / f"job{index:06d}.log", flags, 0o644)
        if index % 10_000 == 0:
            os.write(descriptor, failing)
        os.close(descriptor)
    try:
        counts = {status: 0 for status in Status}
        previous = ""
        total = 0
        for record in Classifier(matcher.catalogue, markers=markers).classify_many([str(jobs)]):
            assert record.job > previous, (previous, record.job)
            previous = record.job
            counts[record.status] += 1
            total += 1
            if record.status is Status.CLASSIFIED:
                assert record.category == "key_not_found" and record.line == 1
    finally:
        shutil.rmtree(jobs)
    assert total == 100_000
    assert counts == {Status.CLASSIFIED: 10, Status.UNCLASSIFIED: 0, Status.NO_FAILURE: 99_990, Status.ERROR: 0}


# --------------------------------------------------------------------------------------------------
# a job directory with a good log and a broken one


def _binary(path: Path) -> None:
    path.write_bytes(random.Random(2).randbytes(16384))


def _truncated_archive(path: Path) -> None:
    path.write_bytes(gzip.compress(PROGRESS.encode())[:7])


def _damaged_xz(path: Path) -> None:
    path.write_bytes(b"\xfd7zXZ\x00" + b"\x00not xz" * 50)


def _io_error(path: Path) -> None:
    os.symlink("/proc/self/mem", path)


def _dangling(path: Path) -> None:
    os.symlink(path.parent / "gone.txt", path)


def _loop(path: Path) -> None:
    os.symlink(path, path)


BROKEN = {
    "binary": _binary,
    "truncated_archive": _truncated_archive,
    "damaged_xz": _damaged_xz,
    "io_error": _io_error,
    "dangling_symlink": _dangling,
    "symlink_loop": _loop,
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_job_mixing_a_good_log_and_a_broken_one(tmp_path, matcher, markers, kind):
    """The good log's failure is reported; the broken file is named in the notes."""
    job = tmp_path / "jobs" / "job"  # a directory given holds jobs: the job is its child
    job.mkdir(parents=True)
    (job / "stderr.txt").write_text(PROGRESS + TRACEBACK)
    BROKEN[kind](job / "stdout.txt")
    record = one_record(job.parent, matcher, markers)
    assert record.job == str(job)
    assert_found(record, job / "stderr.txt", 104)
    assert any("stdout.txt" in note for note in record.notes), record


@pytest.mark.slow  # runs triage in a process of its own
def test_job_mixing_a_good_log_and_a_fifo(tmp_path):
    job = tmp_path / "jobs" / "job"  # a directory given holds jobs: the job is its child
    job.mkdir(parents=True)
    (job / "stderr.txt").write_text(PROGRESS + TRACEBACK)
    os.mkfifo(job / "stdout.txt")
    (record,) = run_cli(job.parent, cwd=tmp_path, timeout=30)
    assert (record["status"], record["category"], record["line"]) == ("classified", "key_not_found", 104), record
    assert any("stdout.txt" in note and "not a regular file" in note for note in record["notes"]), record


def test_every_kind_of_bad_path_at_once_yields_one_record_each(tmp_path, matcher, markers):
    """All the bad kinds side by side in one directory: one sound record per child, in order."""
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    for kind, make in BROKEN.items():
        make(jobs / f"{kind}.log")
    (jobs / "empty.log").write_bytes(b"")
    (jobs / "empty_dir").mkdir()
    (jobs / "good.log").write_text(TRACEBACK)
    records = records_for([jobs, tmp_path / "missing"], matcher, markers)
    names = sorted([f"{kind}.log" for kind in BROKEN] + ["empty.log", "empty_dir", "good.log"]) + ["missing"]
    assert [Path(r.job).name for r in records] == names
    for record in records:
        assert_sound(record)
    by_name = {Path(r.job).name: r for r in records}
    assert by_name["good.log"].category == "key_not_found"
    assert by_name["empty.log"].status is Status.NO_FAILURE
    for name in ("binary.log", "io_error.log", "dangling_symlink.log", "symlink_loop.log", "missing", "empty_dir"):
        assert by_name[name].status is Status.ERROR, by_name[name]

