"""Fuzz and fault injection (Hypothesis) for the families of issue 21: YAML hostility in every file
triage reads, metadata values, runs of carriage returns, and files that vanish, shrink, grow or turn
into FIFOs while a run reads them.

Whatever the input, each property asks the same of triage: it finishes (every example runs under an
alarm, so a hang fails the example instead of stopping the suite), nothing escapes but the errors a
loader documents, every job yields exactly one sound record that serialises to valid JSON, and no
record or note says "internal error".

Two sizes: a small profile by default, which CI runs in about a minute, and a large one under
``TRIAGE_FUZZ=large`` (a nightly run: over 100,000 inputs in all; ``TRIAGE_FUZZ_SCALE=0.25`` runs a
quarter of it). ``TRIAGE_FUZZ_TALLY=FILE`` adds up what the run did (inputs by family, tracebacks,
hangs, internal errors, invalid JSON, lost records) in FILE as JSON.
"""

from __future__ import annotations

import atexit
import contextlib
import gzip
import json
import lzma
import os
import shutil
import signal
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from philly_triage._internal.catalogue.load import CatalogueError, load_catalogue
from philly_triage._internal.pipeline.verdict import classify_job, classify_text
from philly_triage._internal.pipeline.discover import discover_jobs
from philly_triage._internal.catalogue.expectations import ExpectationsError, load_expectations
from philly_triage._internal.pipeline.cost import read_meta
from philly_triage._internal.catalogue.markers import load_markers
from philly_triage.models import Status
from philly_triage._internal.catalogue.rule_file import load_rule_file
from philly_triage._internal.catalogue.stage_file import load_stage_file

pytestmark = pytest.mark.slow  # Hypothesis: hundreds of hostile inputs per property

LARGE = os.environ.get("TRIAGE_FUZZ") == "large"
TALLY: Counter = Counter()


SCALE = float(os.environ.get("TRIAGE_FUZZ_SCALE", "1"))  # a share of the large profile, for a shorter night


def examples(small: int, large: int) -> int:
    return max(small, int(large * SCALE)) if LARGE else small


def fuzz(small: int, large: int) -> settings:
    """Hypothesis settings for a property: ``small`` examples by default, ``large`` under TRIAGE_FUZZ=large."""
    return settings(max_examples=examples(small, large), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def _write_tally() -> None:
    target = os.environ.get("TRIAGE_FUZZ_TALLY")
    if target and TALLY:
        Path(target).write_text(json.dumps(dict(sorted(TALLY.items())), indent=1) + "\n")


atexit.register(_write_tally)

class Hang(BaseException):
    """An example ran past its time bound (a BaseException: triage's own ``except Exception`` that
    turns its bugs into records must not swallow it)."""


@contextlib.contextmanager
def bounded(seconds: float):
    """Fail (raise Hang) when the body runs longer than ``seconds``: a hang, not a slow machine."""
    def expire(signum, frame):
        raise Hang(f"no result within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def counted(family: str):
    """Count one input of ``family``, and what went wrong with it, in the tally."""
    TALLY[f"inputs: {family}"] += 1
    TALLY["inputs"] += 1
    if TALLY["inputs"] % 1000 == 0:
        _write_tally()  # a long run shows how far it got
    try:
        yield
    except Hang:
        TALLY["hangs"] += 1
        raise AssertionError("a hang") from None
    except AssertionError:
        TALLY["failed checks"] += 1
        raise
    except Exception:
        TALLY["tracebacks"] += 1
        raise


def check_record(record, job_name: str) -> None:
    """One sound record: its job, a known status, a reason for an error, no internal error, valid JSON."""
    assert record.job == job_name, (record.job, job_name)
    assert isinstance(record.status, Status)
    texts = [record.reason or ""] + list(record.notes)
    if any("internal error" in text for text in texts):
        TALLY["internal errors"] += 1
        raise AssertionError(f"internal error: {record}")
    if record.status is Status.ERROR:
        assert record.reason and record.reason.strip(), record
    try:
        document = json.dumps(record.to_dict(), allow_nan=False, ensure_ascii=False)
        assert json.loads(document)["job"] == job_name
    except (ValueError, TypeError) as err:
        TALLY["invalid JSON"] += 1
        raise AssertionError(f"record is not valid JSON ({err}): {record}") from None


def classify_all(root: str, matcher, markers, full: bool = False) -> list:
    """Discover and classify every job under ``root``: one record per job found, none lost."""
    jobs = list(discover_jobs([root], markers))
    records = []
    for job in jobs:
        record = classify_job(job, matcher, markers, full=full)
        check_record(record, job.name)
        records.append(record)
    if len(records) != len(jobs) or not records:
        TALLY["lost records"] += 1
        raise AssertionError(f"{len(jobs)} jobs, {len(records)} records")
    return records


TRACEBACK = ("Traceback (most recent call last):\n  File \"train.py\", line 42, in <module>\n"
             "    label = batch['label']\nKeyError: 'label'\n")
PROGRESS = "".join(f"epoch 1 step {step} loss 0.{step % 10}\n" for step in range(1, 41))


# --------------------------------------------------------------------------------------------------
# YAML hostility, for every kind of file triage reads

def bomb(levels: int, width: int = 9) -> str:
    return "b0: &b0 [lol]\n" + "".join(
        f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * width)}]\n" for i in range(1, levels + 1))


HOSTILE_SCALARS = [
    "2020-13-45", "2020-02-30", "2020-02-30T10:00:00Z", "!!timestamp hello", "!!float text", "!!int x",
    "!!bool never", "!!null x", "!!binary '***'", "!!set {a}", "!!omap [x]", "!!pairs 3", "!!str", "!!map x",
    "!!python/object:os.system x", "!custom x", "9" * 5000, "-" + "1" * 4400, ".nan", ".inf", "-.inf", "1e30",
    "1e400", "99999999999999999999", "0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00",
    "2020-01-01T00:00:00+24:00", "2020-01-01 00:00:00 +99:99", "0x_", "0o9", "0b2", "~", "''", '""', "null",
    "yes", "*undefined", "&a [*a]", "&a {k: *a}", "[", "{", "]", "}", "'unterminated", "|", ">", "- x",
    "? x", ": x", "%YAML 1.1", "---", "...", "\t", "\x00", "\x85", "\ufeff", "\ud7ff", "é", "\u2028",
    "🚀" * 10, "x" * 70000, "a: b: c", "[*a, *a]", "{<<: *a}", "<<: [1]",
]
KEYS = ["id", "name", "dimension", "description", "hint", "patterns", "examples", "match", "no_match",
        "stages", "training", "validation", "gpus", "start", "end", "retries", "exit_code", "jobs",
        "triggers", "line_prefixes", "progress_lines", "2020-02-30", "? [a]", "<<", "&k key", "*k", ""]


@st.composite
def yaml_node(draw, depth: int = 0):
    kind = draw(st.sampled_from(["scalar", "scalar", "text", "list", "map", "flow"] if depth < 4 else ["scalar"]))
    if kind == "scalar":
        return draw(st.sampled_from(HOSTILE_SCALARS))
    if kind == "text":
        return json.dumps(draw(st.text(max_size=30)))
    children = draw(st.lists(yaml_node(depth + 1), max_size=4))
    if kind == "flow":
        return "[" + ", ".join(children) + "]"
    indent = "  " * (depth + 1)
    if kind == "list":
        return "".join(f"\n{indent}- {child}" for child in children) or "[]"
    keys = draw(st.lists(st.sampled_from(KEYS), max_size=4))
    return "".join(f"\n{indent}{key}: {child}" for key, child in zip(keys, children)) or "{}"


@st.composite
def hostile_yaml(draw) -> bytes:
    parts = []
    for key in draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=6)):
        parts.append(f"{key}: {draw(yaml_node())}\n")
    extra = draw(st.sampled_from(["", "bomb", "deep", "recursive", "anchor", "none"]))
    if extra == "bomb":
        parts.append(bomb(draw(st.integers(1, 12)), draw(st.integers(2, 12))))
    elif extra == "deep":
        depth = draw(st.integers(10, 3000))
        parts.append("deep: " + "[" * depth + "]" * depth + "\n")
    elif extra == "recursive":
        parts.append(draw(st.sampled_from(["r: &r [*r]\n", "r: &r {k: *r}\n", "r: &r {<<: *r}\n", "&r [*r]: 1\n"])))
    elif extra == "anchor":
        parts.insert(0, "anchor: &a {x: 1, y: [1, 2]}\n")
    raw = "".join(draw(st.permutations(parts))).encode("utf-8", "surrogatepass")
    mutation = draw(st.sampled_from(["none", "none", "cut", "bytes", "bom", "latin1"]))
    if mutation == "cut":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif mutation == "bytes":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    elif mutation == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif mutation == "latin1":
        raw = raw.decode("utf-8", "replace").encode("latin-1", "replace")
    return raw


def _line_ok(line, raw: bytes) -> bool:
    return line is None or 1 <= line <= raw.count(b"\n") + 2


def _load_as(kind: str, path: Path, catalogue) -> list:
    """Give the file at ``path`` to the reader of ``kind``: the problems it reports (none if it loaded)."""
    if kind == "rule file":
        return load_rule_file(path)[1]
    if kind == "stages file":
        return load_stage_file(path.rename(path.with_name("stages.yaml")))[1]
    if kind == "metadata":
        _, problem = read_meta(str(path))
        assert problem is None or problem.startswith(str(path)), problem
        return []
    load, error = {
        "markers": (load_markers, CatalogueError),
        "expectations": (lambda p: load_expectations(p, catalogue), ExpectationsError),
        "rules directory": (lambda p: load_catalogue([p.parent]), CatalogueError),
        "stages in a rules directory": (lambda p: load_catalogue([p.rename(p.with_name("stages.yaml")).parent]),
                                        CatalogueError),
    }[kind]
    try:
        load(path)
    except error as err:
        assert err.problems, err
        return err.problems
    return []


FILE_KINDS = ["rule file", "stages file", "metadata", "markers", "expectations", "rules directory",
              "stages in a rules directory"]


@fuzz(150, 40_000)
@given(raw=hostile_yaml(), kind=st.sampled_from(FILE_KINDS))
@example(raw=bomb(12).encode(), kind="rules directory")
# Found by the large profile: NEL (U+0085) is a line break to YAML, not to an editor; lines count "\n".
@example(raw=b"id: 2020-13-45\nid: 2020-13-45\nid: \xc2\x85\nid: \xc2\x85\na", kind="rule file")
@example(raw=b"gpus: 2\nstart: 2020-02-30\nend: !!timestamp x\na: &a [*a]\n", kind="metadata")
def test_hostile_yaml_in_every_file_triage_reads(catalogue, raw, kind):
    with counted("YAML file"), tempfile.TemporaryDirectory() as directory, bounded(60):
        path = Path(directory) / "rules" / "x.yaml"
        path.parent.mkdir()
        path.write_bytes(raw)
        problems = _load_as(kind, path, catalogue)
        assert all(_line_ok(p.line, raw) and isinstance(p.message, str) for p in problems), problems


# --------------------------------------------------------------------------------------------------
# metadata values: a bad value costs that value, never the verdict, the stage or an internal error

META_VALUES = st.one_of(
    st.sampled_from(HOSTILE_SCALARS),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr).map(lambda s: s.replace("inf", ".inf").replace("nan", ".nan")),
    st.datetimes().map(lambda moment: moment.isoformat()),
    st.builds(lambda d, h, m: f"{d.isoformat()}T00:00:00{'+' if h >= 0 else '-'}{abs(h):02d}:{m:02d}",
              st.dates(), st.integers(-30, 30), st.integers(0, 99)),
    st.text(max_size=20).map(json.dumps),
)


@fuzz(60, 24_000)
@given(values=st.dictionaries(st.sampled_from(["gpus", "start", "end", "retries", "exit_code", "other"]),
                              META_VALUES, max_size=6))
@example(values={"start": "99999999999999999999", "end": "1e30", "gpus": "4"})
@example(values={"start": "0001-01-01T00:00:00+01:00", "end": "9999-12-31T23:00:00-05:00", "gpus": "2"})
def test_metadata_values_cost_only_themselves(matcher, markers, values):
    with counted("metadata"), tempfile.TemporaryDirectory() as directory, bounded(60):
        job = Path(directory) / "job"
        job.mkdir()
        (job / "stderr.txt").write_text(PROGRESS + TRACEBACK)
        text = "".join(f"{key}: {value}\n" for key, value in values.items())
        (job / "job.meta.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
        (record,) = classify_all(str(job), matcher, markers)
        assert (record.status, record.category, record.stage) == (Status.CLASSIFIED, "key_not_found", "training"), record


# --------------------------------------------------------------------------------------------------
# runs of carriage returns: linear, and the same answer read from the end, whole, or as text

CR_PIECES = ["\r", "\n", " ", "\r\n", "x", "step 3 loss 0.5", "error", "Killed", TRACEBACK, PROGRESS,
             " 40%|####      | 4/10\r", "RuntimeError: CUDA error: out of memory"]


@st.composite
def carriage_text(draw) -> str:
    pieces = []
    for _ in range(draw(st.integers(1, 12))):
        if draw(st.booleans()):
            pieces.append(draw(st.sampled_from(["\r", "\n", " \r", "\r\n"])) * draw(st.integers(1, examples(200_000, 600_000))))
        else:
            pieces.append(draw(st.sampled_from(CR_PIECES)))
    return "".join(pieces)


@fuzz(15, 1_000)
@given(text=carriage_text(), packing=st.sampled_from(["plain", "gz", "xz"]))
@example(text="error\n" + "\r" * (1 << 20) + "\n" + TRACEBACK, packing="xz")
def test_runs_of_carriage_returns_read_alike_and_in_bounded_time(matcher, markers, text, packing):
    with counted("carriage returns"), tempfile.TemporaryDirectory() as directory, bounded(120):
        expected = classify_text(text, matcher, markers)
        data = text.encode("utf-8")
        name = {"plain": "stderr.txt", "gz": "stderr.txt.gz", "xz": "stderr.txt.xz"}[packing]
        path = os.path.join(directory, name)
        Path(path).write_bytes({"plain": bytes, "gz": gzip.compress, "xz": lzma.compress}[packing](data))
        for full in (False, True):
            (record,) = classify_all(path, matcher, markers, full=full)
            got = (record.status, record.category, record.line, record.message)
            want = (expected.status, expected.category, expected.line, expected.message)
            assert got == want, (full, got, want)


# --------------------------------------------------------------------------------------------------
# files that vanish, shrink, grow, are replaced or turn into FIFOs while a run reads them

FAULTS = ["vanish", "shrink", "grow", "fifo", "directory", "replace", "loop", "garbage", "empty"]


def _job_tree(root: Path, draw) -> None:
    """A directory of jobs: plain and compressed logs, retries, metadata, a folder of logs."""
    for index in range(draw(st.integers(1, 3))):
        job = root / f"job-{index}"
        layout = draw(st.sampled_from(["flat", "retries", "nested", "file"]))
        if layout == "file":
            (root / f"run-{index}.log").write_text(PROGRESS + TRACEBACK)
            continue
        folder = job / "2" if layout == "retries" else job / "logs" if layout == "nested" else job
        folder.mkdir(parents=True)
        if layout == "retries":
            (job / "1").mkdir()
            (job / "1" / "stderr.txt").write_text(PROGRESS)
        (folder / "stdout.txt").write_text(PROGRESS * draw(st.integers(1, 60)))
        log = TRACEBACK if draw(st.booleans()) else PROGRESS
        if draw(st.booleans()):
            (folder / "stderr.txt.gz").write_bytes(gzip.compress((PROGRESS * 50 + log).encode()))
        else:
            (folder / "stderr.txt").write_text(PROGRESS * 50 + log)
        if draw(st.booleans()):
            (job / "job.meta.yaml").write_text("gpus: 2\nstart: 2026-11-24T10:00:00Z\nend: 2026-11-24T11:00:00Z\n")


def _apply(fault: str, target: Path, size: int) -> None:
    """Do ``fault`` to ``target`` (whatever it is by then); a fault that cannot be done is skipped."""
    with contextlib.suppress(OSError):
        if fault == "grow":  # non-blocking: the target may be a FIFO by now, with no reader
            descriptor = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK)
            try:
                os.write(descriptor, b"x" * size + b"\nKilled\n")
            finally:
                os.close(descriptor)
            return
        if fault == "shrink":
            os.truncate(target, size % (max(1, os.path.getsize(target)) + 1))
            return
        if fault == "empty":
            os.truncate(target, 0)
            return
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink()
        if fault == "fifo":
            os.mkfifo(target)
        elif fault == "directory":
            target.mkdir()
        elif fault == "replace":
            target.write_bytes(b"RuntimeError: CUDA error: out of memory\n" * (size % 50))
        elif fault == "loop":
            os.symlink(target.name, target)
        elif fault == "garbage":
            target.write_bytes(b"\x1f\x8b" + os.urandom(size % 4096))


@contextlib.contextmanager
def faults_at(plan, tree: Path):
    """Apply each fault of ``plan`` (call number, fault, target index, size) just before the call-th
    time triage opens, stats or lists anything: the file changes between a check and its use."""
    calls = {"n": 0, "applying": False}
    pending = sorted(plan)
    real = {name: getattr(os, name) for name in ("open", "stat", "scandir", "lstat")}

    def hooked(name):
        def call(*args, **kwargs):
            if not calls["applying"]:
                calls["n"] += 1
                calls["applying"] = True
                try:
                    while pending and pending[0][0] <= calls["n"]:
                        _, fault, index, size = pending.pop(0)
                        paths = sorted(tree.rglob("*"))
                        if paths:
                            _apply(fault, paths[index % len(paths)], size)
                finally:
                    calls["applying"] = False
            return real[name](*args, **kwargs)
        return call

    for name in real:
        setattr(os, name, hooked(name))
    try:
        yield
    finally:
        for name, function in real.items():
            setattr(os, name, function)


@st.composite
def fault_cases(draw):
    plan = draw(st.lists(st.tuples(st.integers(1, 150), st.sampled_from(FAULTS), st.integers(0, 99),
                                   st.integers(0, 1 << 16)), min_size=1, max_size=4))
    return plan, draw(st.booleans())


@fuzz(40, 40_000)
@given(data=st.data(), case=fault_cases())
def test_files_that_change_during_a_run(matcher, markers, data, case):
    plan, full = case
    with counted("filesystem faults"), tempfile.TemporaryDirectory() as directory:
        tree = Path(directory) / "jobs"
        tree.mkdir()
        _job_tree(tree, data.draw)
        with bounded(60), faults_at(plan, tree):
            jobs = list(discover_jobs([str(tree)], markers))
            for job in jobs:
                check_record(classify_job(job, matcher, markers, full=full), job.name)
        TALLY["records"] += len(jobs)


def test_a_fifo_turning_up_mid_run_is_refused_not_waited_on(matcher, markers, tmp_path):
    """The campaign's hang, deterministically: every file becomes a FIFO just before it is opened."""
    tree = tmp_path / "jobs"
    tree.mkdir()
    job = tree / "job"
    job.mkdir()
    (job / "stderr.txt").write_text(TRACEBACK)
    (job / "job.meta.yaml").write_text("gpus: 2\n")
    jobs = list(discover_jobs([str(tree)], markers))
    real_open = os.open

    def fifo_then_open(path, flags, *args, **kwargs):
        if str(path).startswith(str(tree)) and os.path.isfile(path):
            os.unlink(path)
            os.mkfifo(path)
        return real_open(path, flags, *args, **kwargs)

    with bounded(30):
        os.open = fifo_then_open
        try:
            (record,) = [classify_job(j, matcher, markers) for j in jobs]
        finally:
            os.open = real_open
    check_record(record, str(job))
    assert record.status is Status.ERROR and "not a regular file" in record.reason, record
    assert any("job.meta.yaml" in note and "FIFO" in note for note in record.notes), record

