"""Property tests (Hypothesis): whatever a log holds, triage gives one sound record, and where it
reports a failure, the line it names holds that failure.

Bounded for CI: each property runs a fixed number of examples with no per-example deadline (a
classification reads files and can take a few milliseconds more on a loaded machine).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import re
import tempfile
import zlib
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from philly_triage._internal.pipeline import scan
from philly_triage._internal.pipeline.engine import Classifier, Options
from philly_triage.models import Status

pytestmark = pytest.mark.slow  # Hypothesis: hundreds of logs per property

STATUSES = set(Status)


class Triage:
    """The built-in catalogue and markers, with a short repr for Hypothesis's falsifying examples."""

    def __init__(self, matcher, markers):
        self.matcher, self.markers = matcher, markers

    def text(self, text: str):
        return Classifier(self.matcher.catalogue, markers=self.markers).classify_text(text)

    def paths(self, paths: list, full: bool = False, reduced: bool = False) -> list:
        """The records of ``paths``; ``reduced``: under ``full``, every log is reduced chunk by
        chunk, however small (as a plain log over scan.ONE_WINDOW is)."""
        with mock.patch.object(scan, "ONE_WINDOW", 0 if reduced else scan.ONE_WINDOW):
            return list(Classifier(self.matcher.catalogue, Options(full=full), self.markers).classify_many(paths))

    def __repr__(self) -> str:
        return "<triage with the built-in catalogue>"


@pytest.fixture(scope="module")
def triage(matcher, markers):
    return Triage(matcher, markers)


# --------------------------------------------------------------------------------------------------
# arbitrary bytes, through a file

BYTE_FRAGMENTS = [
    b"\x00", b"\x00" * 64, b"\xff\xfe", b"\xfe\xff", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00",
    b"\n", b"\r", b"\r\n", b"\x1b[31m", b"\x1b]0;title", b"\x07", b"\xc3", b"\xe9", b"\xf0\x9f\x98",
    b"Traceback (most recent call last):\n", b'  File "x.py", line 3, in f\n', b"KeyError: 'x'\n",
    b"Killed\n", b"epoch 3 step 10 loss 0.5\n", b"training completed\n",
    "RuntimeError: boom\n".encode("utf-16-le"), "Traceback (most recent call last):\n".encode("utf-16"),
]

arbitrary_bytes = st.one_of(
    st.binary(max_size=3000),
    st.lists(st.one_of(st.binary(max_size=40), st.sampled_from(BYTE_FRAGMENTS)), max_size=60).map(b"".join),
)

COMPRESSORS = {
    "plain": lambda data: data,
    "gzip": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "gzip_two_members": lambda data: gzip.compress(data[: len(data) // 2]) + gzip.compress(data[len(data) // 2 :]),
}
MAGIC = {
    b"\x1f\x8b": lambda: zlib.decompressobj(wbits=47),
    b"BZh": bz2.BZ2Decompressor,
    b"\xfd7zXZ\x00": lzma.LZMADecompressor,
}


def lenient_decompress(raw: bytes) -> bytes:
    """What a lenient reader can get out of ``raw`` if it starts like an archive: every member, up to damage."""
    make = next((m for magic, m in MAGIC.items() if raw.startswith(magic)), None)
    if make is None:
        return raw
    out, pending = [], raw
    while pending:
        decompressor = make()
        try:
            out.append(decompressor.decompress(pending))
        except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError):
            break
        if not decompressor.eof:
            break
        pending = decompressor.unused_data
    return b"".join(out)


def max_lines(stored: bytes, payload: bytes) -> int:
    """An upper bound on the lines of the file's text: its "\\n" count + 1, however it decodes.

    A decoded "\\n" (UTF-8 or UTF-16, any errors replaced) always comes from its own 0x0A byte, so the
    text has at most as many newlines as the bytes it was decoded from.
    """
    candidates = (stored, payload, lenient_decompress(stored), lenient_decompress(payload))
    return max(data.count(b"\n") for data in candidates) + 1


@settings(max_examples=250, deadline=None)
@given(
    data=arbitrary_bytes,
    compression=st.sampled_from(sorted(COMPRESSORS)),
    cut=st.none() | st.floats(0, 1),
    full=st.booleans(),
    reduced=st.booleans(),
)
def test_arbitrary_bytes_give_one_sound_record(triage, data, compression, cut, full, reduced):
    stored = COMPRESSORS[compression](data)
    if cut is not None:  # a truncated file
        stored = stored[: int(len(stored) * cut)]
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "stderr.txt.gz" if compression != "plain" else "stderr.txt")
        with open(path, "wb") as handle:
            handle.write(stored)
        records = triage.paths([path], full=full, reduced=reduced)
        assert len(records) == 1
        (record,) = records
        assert record.job == path
        assert record.status in STATUSES
        if record.status is Status.ERROR:
            assert record.reason and not record.reason.startswith("internal error"), record.reason
        if record.line is not None:
            assert record.file == path
            assert 1 <= record.line <= max_lines(stored, data), (record.line, max_lines(stored, data))
        if record.status in (Status.CLASSIFIED, Status.UNCLASSIFIED):
            assert record.line is not None and record.message


# --------------------------------------------------------------------------------------------------
# realistic line structures, through classify_text

TRACEBACK_HEADERS = ["Traceback (most recent call last):"]
FRAMES = [
    '  File "x.py", line 3, in f',
    '  File "/opt/conda/lib/python3.10/site-packages/torch/nn/modules/module.py", line 1501, in _call_impl',
    "    return forward_call(*args, **kwargs)",
    "    ^^^^^^^^^^^^^^^^^^^^",
    "  [Previous line repeated 996 more times]",
]
EXCEPTIONS = [
    "ValueError: bad",
    "KeyError: 'label'",
    "AssertionError",
    "ZeroDivisionError: division by zero",
    "IndexError: list index out of range",
    "TypeError: unsupported operand type(s) for +: 'int' and 'str'",
    "ModuleNotFoundError: No module named 'apex'",
    "FileNotFoundError: [Errno 2] No such file or directory: 'data/train.csv'",
    "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB",
    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB",
    "RuntimeError: the flux capacitor overheated",
    "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
    "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
]
CHAIN_MARKERS = [
    "The above exception was the direct cause of the following exception:",
    "During handling of the above exception, another exception occurred:",
]
WARNINGS = [
    "UserWarning: error handling will change in 2.0",
    "/x/y.py:12: FutureWarning: this will fail in a future version",
    "WARNING: failed to fetch metadata, retrying",
    "[W socket.cpp:601] [c10d] The client socket has failed to connect",
    "ERROR: pip's dependency resolver does not currently take into account all the packages",
    "val_error: 0.13",
]
PROGRESS = [
    "epoch 3 step 10 loss 0.5",
    "{'loss': 0.25, 'learning_rate': 5e-05, 'epoch': 1.2}",
    " 45%|####5     | 45/100 [00:05<00:06,  9.95it/s]",
    "Iteration 300: loss=1.234",
]
FATAL = [  # lines that are the failure themselves
    "Killed",
    "terminate called after throwing an instance of 'std::bad_alloc'",
    "  what():  std::bad_alloc",
    "bash: line 1:  4242 Killed                  python train.py",
    "/bin/sh: 1: deepspeed: command not found",
    "ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: '/usr/lib/python3'",
]
REPORTS = [  # a process's death notice or a launcher's report: the cause is elsewhere
    "Segmentation fault (core dumped)",
    "[launcher] process 0 exited with code 1",
    "torch.distributed.elastic.multiprocessing.errors.ChildFailedError:",
]
OTHER = [
    "",
    "   ",
    "Saving checkpoint to /ckpt/step_100.pt",
    "训练开始 🚀 données Ωμέγα",
    "Exception ignored in: <function _MultiProcessingDataLoaderIter.__del__ at 0x7f>",
    "wandb: ERROR run failed",
    "page\x0cbreak and vertical\x0btab",  # str.splitlines would split these; grep -n does not
    "unicode line separator\u2028and next line\x85inside one line",
    "error",
]
PREFIXES = ["", "2023-05-01 12:00:00,123 ", "[rank1]: ", "[1,0]<stderr>: ", "[2023-05-01T12:00:00Z] ", "worker-0: "]
COLOURS = [("", ""), ("\x1b[31m", "\x1b[0m"), ("\x1b[1;31m", "\x1b[0m\x1b[K"), ("\x1b[2K", "")]
CR_BARS = ["", " 10%|#         | 10/100\r", "\r 99%|##########| 99/100\r"]

random_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\x1b\n\r"), max_size=40
)
fragment = st.one_of(
    st.sampled_from(
        TRACEBACK_HEADERS + FRAMES + EXCEPTIONS + CHAIN_MARKERS + WARNINGS + PROGRESS + FATAL + REPORTS + OTHER
    ),
    random_text,
)


@st.composite
def log_line(draw, fragments=fragment):
    """One line as a job prints it: maybe after a progress bar's \\r segments, maybe prefixed, maybe coloured."""
    text = draw(fragments)
    prefix = draw(st.sampled_from(PREFIXES))
    start, end = draw(st.sampled_from(COLOURS))
    line = start + prefix + text + end if draw(st.booleans()) else prefix + start + text + end
    return draw(st.sampled_from(CR_BARS)) + line


@st.composite
def traceback_block(draw):
    """A whole Python traceback: header, frames, exception line (the common case, made likely)."""
    frames = draw(st.lists(st.sampled_from(FRAMES), min_size=1, max_size=4))
    return ["Traceback (most recent call last):", *frames, draw(st.sampled_from(EXCEPTIONS))]


line_lists = st.lists(
    st.one_of(log_line().map(lambda line: [line]), traceback_block()), max_size=30
).map(lambda blocks: [line for block in blocks for line in block])
SEPARATORS = ["\n", "\r\n", "\r"]


@st.composite
def joined(draw, lines):
    """Lines joined as a job writes them: "\n", "\r\n", "\r" alone, or a mix; maybe no final newline."""
    lines = draw(lines)
    style = draw(st.sampled_from(SEPARATORS + ["mixed"]))
    seps = [draw(st.sampled_from(SEPARATORS)) if style == "mixed" else style for _ in lines]
    if seps and draw(st.booleans()):
        seps[-1] = ""
    return "".join(line + sep for line, sep in zip(lines, seps))


ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def grep_lines(text: str) -> list[str]:
    """The lines grep -n numbers: split on "\\n" only, colour codes removed within each line."""
    return [ANSI.sub("", line) for line in text.split("\n")]


def assert_line_holds_failure(record, text: str) -> None:
    lines = grep_lines(text)
    assert 1 <= record.line <= len(lines), (record.line, len(lines))
    line = lines[record.line - 1]
    message = record.message or ""
    assert "\n" not in message
    shown = message.rstrip(".… ")[:60]
    assert message in line or shown in line or (record.exception and record.exception in line), (
        record.line, message, line,
    )


@settings(max_examples=300, deadline=None)
@given(text=joined(line_lists))
def test_line_structures_give_a_sound_deterministic_record(triage, text):
    record = triage.text(text)
    assert record.status in STATUSES
    assert record.status is not Status.ERROR, record.reason
    if record.status in (Status.CLASSIFIED, Status.UNCLASSIFIED):
        assert record.line is not None
    if record.line is not None:
        assert_line_holds_failure(record, text)
    triage.text("Traceback (most recent call last):\n  File \"y.py\", line 1\nOSError: other\n")
    assert triage.text(text) == record


FILLER = ["epoch 1 step 5 loss 0.42", "Saving checkpoint to /ckpt/step_100.pt", "data loader ready", ""]


@st.composite
def bulk(draw):
    """Many lines of one kind: enough to push the failure beyond a first read from the end of the file."""
    return [draw(st.sampled_from(FILLER))] * draw(st.integers(100, 3000))


long_line_lists = st.lists(
    st.one_of(log_line().map(lambda line: [line]), traceback_block(), bulk()), max_size=12
).map(lambda blocks: [line for block in blocks for line in block])


@settings(max_examples=60, deadline=None)
@given(text=joined(long_line_lists))
# Found by this property: an error, a death notice, then 17 KB of progress (the error lies just outside
# the first window read from the end).
@example(text="ValueError: bad\nSegmentation fault (core dumped)\n" + "epoch 1 step 5 loss 0.42\n" * 700)
# Found by this property: blank lines after an error, then progress bars after 100 other lines.
@example(
    text="Traceback (most recent call last):\nValueError: bad\n" + "\n" * 12 + "x\n" * 100
    + " 10%|#         | 10/100\rx\n" * 2
)
def test_a_file_reads_as_its_text_does_from_the_end_or_whole(triage, text):
    """The file holding a text gives the record its text gives, whether read from its end or whole.

    The bulk blocks make logs of up to a few hundred KB, so that a read from the end has to widen its
    window before it may conclude.
    """
    expected = triage.text(text)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "stderr.txt")
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        for full, reduced, how in ((False, False, "from the end"), (True, False, "whole (--full)"), (True, True, "reduced (--full)")):
            (record,) = triage.paths([path], full=full, reduced=reduced)
            got = (record.status, record.category, record.line, record.message, record.exception)
            want = (expected.status, expected.category, expected.line, expected.message, expected.exception)
            assert got == want, f"read {how}: {got}, its text: {want}"
    if expected.line is not None:
        assert_line_holds_failure(expected, text)


# --------------------------------------------------------------------------------------------------
# a failure the job survived

SURVIVED = (
    "epoch 9 step 1 loss 0.1\nepoch 9 step 2 loss 0.1\nepoch 9 step 3 loss 0.1\n"
    "training completed successfully\n"
)


failure_endings = st.one_of(traceback_block(), st.sampled_from(EXCEPTIONS + FATAL).map(lambda x: [x]))


@settings(max_examples=150, deadline=None)
@given(lines=line_lists, ending=failure_endings)
def test_progress_and_success_after_a_failure_mean_no_failure(triage, lines, ending):
    """Training that goes on and completes after the error that closes a log shows the job survived it."""
    text = "\n".join(lines + ending) + "\n"
    assert triage.text(text).status in STATUSES
    after = triage.text(text + SURVIVED)
    assert after.status is Status.NO_FAILURE, (after.status, after.line, after.message)


@settings(max_examples=100, deadline=None)
@given(lines=line_lists, ending=st.lists(st.sampled_from(REPORTS), min_size=1, max_size=2))
def test_progress_and_success_after_a_launcher_report_give_a_sound_record(triage, lines, ending):
    """After a launcher's report the answer may go either way (other ranks may still print progress),
    but it is a sound record, and the same one each time."""
    text = "\n".join(lines + ending) + "\n" + SURVIVED
    record = triage.text(text)
    assert record.status in STATUSES and record.status is not Status.ERROR
    if record.line is not None:
        assert_line_holds_failure(record, text)
    assert triage.text(text) == record
