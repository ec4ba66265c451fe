"""Hostile input and a hostile platform, one case per finding of issue 21: each of these hung triage,
escaped as a traceback, gave an internal error or a clean verdict it could not have known.

Cases that could hang run in a child process with a generous timeout (a hang fails the test, it
does not stop the suite); the time they take is never asserted, only that they finish.
The randomised versions of these families are in test_fuzz_faults.py.
"""

from __future__ import annotations

import errno
import gzip
import json
import lzma
import os
import subprocess
import sys
import textwrap

import pytest

from philly_triage._internal.pipeline import reduce as sparse
from philly_triage._internal.catalogue.load import CatalogueError, load_catalogue
from philly_triage._internal.pipeline.verdict import classify_job
from philly_triage._internal.pipeline.job_files import job_at
from philly_triage._internal.catalogue.expectations import ExpectationsError, load_expectations
from philly_triage._internal.pipeline.cost import read_meta
from philly_triage._internal.catalogue.markers import load_markers
from philly_triage.models import Status
from philly_triage._internal.pipeline.read import open_log
from philly_triage._internal.catalogue.rule_file import load_rule_file
from philly_triage._internal.catalogue.stage_file import load_stage_file
from philly_triage._internal.catalogue.yaml_source import YamlSyntaxError, load_yaml

from tests.whole.test_robustness import TRACEBACK, FAILURE, PROGRESS, assert_sound, run_cli, unprivileged  # noqa: F401

HANG = 120  # seconds: far beyond what any of these takes now, far below what they took before


def run_python(code: str, timeout: float = HANG) -> str:
    """Run ``code`` in a child Python (this checkout's triage) and return its stdout; fail on a hang."""
    try:
        process = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                                 timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"did not finish within {timeout} s (a hang):\n{code}")
    assert process.returncode == 0 and "Traceback" not in process.stderr, process.stderr
    return process.stdout


def a_rule(pattern: str = "WidgetError") -> str:
    return textwrap.dedent(f"""\
        id: widget_error
        name: Widget error
        dimension: general_code
        description: A widget failed.
        hint: Fix the widget.
        patterns:
          - '{pattern}'
        examples:
          match:
            - '{pattern}: it broke'
        """)


# --------------------------------------------------------------------------------------------------
# 1. runs of bare carriage returns: the whole-log reduction walks them in linear time

CR_RUN = 4 << 20  # 4 MB of "\r": took minutes (quadratic in the chunk) before


def _carriage_log() -> bytes:
    return (PROGRESS.encode() + b"\r" * CR_RUN + b"\n" + TRACEBACK.encode() + b"\r" * (CR_RUN // 2)
            + b"\nerror\n" + b"\r" * CR_RUN)


@pytest.mark.slow  # megabytes, compressed three ways
@pytest.mark.parametrize("name,pack", [("stderr.txt", bytes), ("stderr.txt.xz", lzma.compress),
                                       ("stderr.txt.gz", gzip.compress)])
def test_megabytes_of_bare_carriage_returns_are_read_whole_in_bounded_time(tmp_path, name, pack):
    data = _carriage_log()
    (tmp_path / name).write_bytes(pack(data))
    (record,) = run_cli(tmp_path / name, "--full", cwd=tmp_path, timeout=HANG)
    assert (record["status"], record["category"]) == ("classified", "key_not_found"), record
    assert record["line"] == data[: data.index(FAILURE.encode())].count(b"\n") + 1, record


def test_the_reduction_visits_a_run_of_carriage_returns_once_not_once_per_segment(markers, monkeypatch):
    """Counted, not timed: the walk looks for separators a bounded number of times per kept line."""
    calls = {"end": 0, "start": 0}
    line_end, line_start = sparse._line_end, sparse._line_start

    def counting_end(data, start):
        calls["end"] += 1
        return line_end(data, start)

    def counting_start(data, offset):
        calls["start"] += 1
        return line_start(data, offset)

    monkeypatch.setattr(sparse, "_line_end", counting_end)
    monkeypatch.setattr(sparse, "_line_start", counting_start)
    run = b"\r" * (256 << 10)
    lines, _ = sparse.reduce_log([b"error one\n" + run + b"\n" + run + b"error two\n" + run], "x.log", markers)
    assert [line.text for line in lines if "error" in line.text] == ["error one", "error two"]
    assert calls["end"] + calls["start"] < 200, calls


# --------------------------------------------------------------------------------------------------
# 3. a file that is (or becomes) a FIFO is never opened in a way that blocks

LOADERS = {
    "metadata": "from philly_triage._internal.pipeline.cost import read_meta; print(read_meta(PATH)[1])",
    "rule file": "from philly_triage._internal.catalogue.rule_file import load_rule_file; print(load_rule_file(Path(PATH))[1][0])",
    "stages file": "from philly_triage._internal.catalogue.stage_file import load_stage_file; print(load_stage_file(Path(PATH))[1][0])",
    "markers": textwrap.dedent("""\
        from philly_triage._internal.catalogue.markers import load_markers
        from philly_triage._internal.catalogue.load import CatalogueError
        try:
            load_markers(Path(PATH))
        except CatalogueError as err:
            print(err.problems[0])"""),
    "expectations": textwrap.dedent("""\
        from philly_triage._internal.catalogue.expectations import load_expectations, ExpectationsError
        from philly_triage._internal.catalogue.load import load_catalogue
        try:
            load_expectations(Path(PATH), load_catalogue())
        except ExpectationsError as err:
            print(err.problems[0])"""),
}


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_a_fifo_where_a_yaml_file_should_be_is_refused_not_waited_on(tmp_path, kind):
    fifo = tmp_path / "job.meta.yaml"
    os.mkfifo(fifo)
    out = run_python(f"from pathlib import Path\nPATH = {str(fifo)!r}\n" + LOADERS[kind], timeout=30)
    assert "FIFO" in out and "job.meta.yaml" in out, out


def test_a_fifo_given_as_a_rule_source_is_named_as_one(tmp_path):
    fifo = tmp_path / "rules.yaml"
    os.mkfifo(fifo)
    with pytest.raises(CatalogueError) as refused:
        load_catalogue([fifo])
    assert [(p.file, p.message) for p in refused.value.problems] == [
        (str(fifo), "cannot read the file: a FIFO, not a regular file")]


def test_a_file_swapped_for_a_fifo_after_it_was_checked_does_not_block(tmp_path):
    """The race of the campaign: discovery (or a stat) sees a regular file, then a FIFO is opened.
    Simulated by a stat that still says 'regular file': only a check made after opening sees the FIFO."""
    job = tmp_path / "job"
    job.mkdir()
    (job / "stderr.txt").write_text(TRACEBACK)
    os.mkfifo(job / "stdout.txt")
    os.mkfifo(job / "job.meta.yaml")
    out = run_python(f"""
        import os, os.path, stat, json
        real_stat = os.stat
        regular = real_stat({str(job / "stderr.txt")!r})
        def lying_stat(path, *args, **kwargs):  # the swap happens just after each check
            info = real_stat(path, *args, **kwargs)
            return regular if stat.S_ISFIFO(info.st_mode) else info
        from philly_triage._internal.pipeline.verdict import classify_job
        from philly_triage._internal.catalogue.load import load_catalogue
        from philly_triage._internal.pipeline.match import Matcher
        from philly_triage._internal.catalogue.markers import default_markers
        from philly_triage.models import Job
        markers, matcher = default_markers(), Matcher(load_catalogue())
        os.stat = lying_stat
        os.path.isfile = lambda path: True
        job = Job({str(job)!r}, ({str(job / "stderr.txt")!r}, {str(job / "stdout.txt")!r}), meta={str(job / "job.meta.yaml")!r})
        print(json.dumps(classify_job(job, matcher, markers).to_dict()))
        """, timeout=60)
    record = json.loads(out)
    assert (record["status"], record["category"]) == ("classified", "key_not_found"), record
    assert any("job.meta.yaml" in note and "FIFO" in note for note in record["notes"]), record
    assert any("stdout.txt" in note for note in record["notes"]), record


# --------------------------------------------------------------------------------------------------
# 4 and 5. YAML: alias bombs, values that cannot be built, nesting, recursion: a problem with a line

def billion_laughs(levels: int = 9) -> str:
    return "lol0: &l0 [lol]\n" + "".join(
        f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, levels + 1))


HOSTILE_YAML = {
    "alias bomb": (billion_laughs(), 6),  # refused where the expansion passes the bound (9 ** 5 < 100,000 < 9 ** 6)
    "impossible month": ("a: 1\nwhen: 2020-13-45\n", 2),
    "30 February": ("a: 1\nwhen: 2020-02-30\n", 2),
    "impossible date as a key": ("a: 1\n2020-02-30: x\n", 2),
    "!!timestamp hello": ("a: !!timestamp hello\n", 1),
    "!!float text": ("a: 1\nb: !!float text\n", 2),
    "!!int x": ("a: !!int x\n", 1),
    "!!bool never": ("a: !!bool never\n", 1),
    "5,000-digit integer": ("a: 1\nb: " + "7" * 5000 + "\n", 2),
    "zone offset of 25 h": ("a: 2020-01-01T00:00:00+25:00\n", 1),
    "deep flow nesting": ("a: " + "[" * 5000 + "]" * 5000 + "\n", 1),
    "deep block nesting": ("".join(" " * i + "k:\n" for i in range(500)), 64),
    "recursive alias": ("a: &a [*a]\n", 1),
    "recursive mapping": ("a: 1\nb: &b {c: *b}\n", 2),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_YAML))
def test_hostile_yaml_is_refused_with_its_line(case):
    text, line = HOSTILE_YAML[case]
    with pytest.raises(YamlSyntaxError) as refused:
        load_yaml(text)
    assert refused.value.line == line, refused.value.problem
    assert refused.value.problem.isprintable() and len(refused.value.problem) < 300


@pytest.mark.parametrize("case", sorted(HOSTILE_YAML))
def test_hostile_yaml_in_each_file_triage_reads_is_a_problem_with_file_and_line(tmp_path, case, catalogue):
    text, line = HOSTILE_YAML[case]
    path = tmp_path / "x.yaml"
    path.write_text(text)
    _, problems = load_rule_file(path)
    assert [(p.file, p.line) for p in problems] == [(str(path), line)], problems
    _, problems = load_stage_file(path)
    assert [(p.file, p.line) for p in problems] == [(str(path), line)], problems
    with pytest.raises(CatalogueError) as refused:
        load_markers(path)
    assert [(p.file, p.line) for p in refused.value.problems] == [(str(path), line)]
    with pytest.raises(ExpectationsError) as refused:
        load_expectations(path, catalogue)
    assert [(p.file, p.line) for p in refused.value.problems] == [(str(path), line)]
    _, problem = read_meta(str(path))  # a bad value of a key it does not read costs nothing
    assert problem is None or problem.startswith(f"{path}:{line}: "), problem


def test_an_alias_bomb_in_a_rules_directory_is_refused_in_bounded_time(tmp_path):
    """Before: each level multiplied time and memory by 9 (7 levels: 6 s and 1.1 GB; 9 did not end)."""
    rules = tmp_path / ".triage" / "rules"
    rules.mkdir(parents=True)
    (rules / "bomb.yaml").write_text(a_rule() + billion_laughs(12).replace("lol", "x-lol"))
    (tmp_path / "job").mkdir()
    (tmp_path / "job" / "job.meta.yaml").write_text("gpus: 2\n" + billion_laughs(12))
    out = run_python(f"""
        from pathlib import Path
        from philly_triage._internal.catalogue.load import load_catalogue, CatalogueError
        from philly_triage._internal.pipeline.cost import read_meta
        try:
            load_catalogue([Path({str(rules)!r})])
        except CatalogueError as err:
            print(err.problems[0])
        print(read_meta({str(tmp_path / "job" / "job.meta.yaml")!r})[1])
        """)
    assert "bomb.yaml:" in out and "alias" in out and "job.meta.yaml:" in out, out


def test_aliases_that_stay_small_still_load():
    document = load_yaml("base: &b {x: 1}\nother: *b\nlist: [*b, *b]\n")
    assert document.data["list"] == [{"x": 1}, {"x": 1}] and document.line_of("other", "x") == 2


# --------------------------------------------------------------------------------------------------
# 6. bad metadata values: a note per value, never an internal error; the stage and the rest are kept

BAD_META = {
    "start: 2020-13-45T00:00:00Z\n": "'start'",
    "start: 2020-02-30\n": "'start'",
    "start: 99999999999999999999\n": "'start'",
    "start: 1e30\n": "'start'",
    "start: .nan\n": "'start'",
    "start: 0001-01-01T00:30:00+01:00\n": "'start'",
    "end: 9999-12-31T23:30:00-01:00\n": "'end'",
    "start: 2020-01-01T00:00:00+24:00\n": "'start'",
    "start: '2020-01-01T00:00:00+99:00'\n": "'start'",
    "retries: 99999999999999999999999\n": "'retries'",
    "exit_code: 1e400\n": "'exit_code'",
}


@pytest.mark.parametrize("value", sorted(BAD_META))
def test_a_bad_metadata_value_is_a_note_and_costs_only_that_value(tmp_path, matcher, markers, value):
    job = tmp_path / "job"
    job.mkdir()
    (job / "stderr.txt").write_text("epoch 1 step 5 loss 0.4\n" + TRACEBACK)
    (job / "job.meta.yaml").write_text("gpus: 4\n" + value)
    meta, problem = read_meta(str(job / "job.meta.yaml"))
    assert meta.gpus == 4 and problem == problem.strip() and f"job.meta.yaml:2: {BAD_META[value]}" in problem
    record = classify_job(job_at(str(job), markers), matcher, markers)
    assert_sound(record)
    assert (record.status, record.category, record.stage) == (Status.CLASSIFIED, "key_not_found", "training"), record
    assert not any("internal error" in note for note in record.notes), record.notes
    assert any(f"job.meta.yaml:2: {BAD_META[value]}" in note for note in record.notes), record.notes


def test_a_recursive_alias_in_metadata_is_a_note_not_an_internal_error(tmp_path, matcher, markers):
    job = tmp_path / "job"
    job.mkdir()
    (job / "stderr.txt").write_text(TRACEBACK)
    (job / "job.meta.yaml").write_text("gpus: 2\na: &a [*a]\n")
    record = classify_job(job_at(str(job), markers), matcher, markers)
    assert_sound(record)
    assert record.status is Status.CLASSIFIED and record.stage is not None, record
    assert any("job.meta.yaml:2:" in note and "recursive alias" in note for note in record.notes), record.notes


# --------------------------------------------------------------------------------------------------
# 7. a folder inside a job that cannot be listed: never a clean verdict

@pytest.mark.slow  # runs triage in a process of its own
@pytest.mark.parametrize("layout", ["subfolder", "latest retry"])
def test_an_unlistable_folder_inside_a_job_keeps_it_from_a_clean_verdict(tmp_path, unprivileged, layout):  # noqa: F811
    job = tmp_path / "jobs" / "job"
    if layout == "subfolder":
        locked = job / "logs"
        (job / "stdout.txt").parent.mkdir(parents=True)
        (job / "stdout.txt").write_text(PROGRESS)
    else:
        (job / "1").mkdir(parents=True)
        (job / "1" / "stderr.txt").write_text(PROGRESS)
        locked = job / "2"
    locked.mkdir(parents=True)
    (locked / "stderr.txt").write_text(TRACEBACK)
    locked.chmod(0)
    try:
        (record,) = run_cli(job.parent, cwd=tmp_path, preexec_fn=unprivileged)
    finally:
        locked.chmod(0o755)
    assert record["status"] == "error" and str(locked) in record["reason"], record


# --------------------------------------------------------------------------------------------------
# 8. a log that changes while it is read: what was read is analysed, and the record says it changed


def _truncating_after_open(monkeypatch, size: int):
    """Each log is cut to ``size`` bytes right after triage opened it (a rotation, a rewrite)."""
    from philly_triage._internal.pipeline import scan

    real = scan.open_log

    def open_then_truncate(path):
        source = real(path)
        os.truncate(path, min(size, os.path.getsize(path)))
        return source

    monkeypatch.setattr(scan, "open_log", open_then_truncate)


@pytest.mark.parametrize("full", [False, True])
def test_a_log_truncated_while_it_is_read_is_not_a_clean_verdict(tmp_path, matcher, markers, monkeypatch, full):
    path = tmp_path / "stdout.txt"
    path.write_text(PROGRESS * 50)
    _truncating_after_open(monkeypatch, 100)
    record = classify_job(job_at(str(path), markers), matcher, markers, full=full)
    assert_sound(record)
    assert record.status is Status.ERROR and "changed while it was read" in record.reason, record


def test_a_read_that_fails_midway_keeps_what_was_read(tmp_path, matcher, markers, monkeypatch):
    """EOVERFLOW (errno 75), as a file replaced under the reader gave in the campaign."""
    path = tmp_path / "stderr.txt"
    path.write_text(PROGRESS * 100 + TRACEBACK)
    source = open_log(str(path))
    reads = {"n": 0}
    real_read = source.handle.read

    def failing_read(*args):
        reads["n"] += 1
        if reads["n"] > 1:
            raise OSError(errno.EOVERFLOW, os.strerror(errno.EOVERFLOW))
        return real_read(*args)

    source.handle = type("Flaky", (), {"read": staticmethod(failing_read), "seek": source.handle.seek,
                                        "close": source.handle.close})()
    assert source.read(0, 10) == PROGRESS.encode()[:10]
    assert source.read(0, 10) == b"" and "changed while it was read" in source.damaged
    assert source.count_newlines(100) == 0 and list(source.chunks()) == []
    source.close()


# --------------------------------------------------------------------------------------------------
# 9. a rule file that is not UTF-8 names its line; a /proc file is not an empty log


def test_a_rule_file_that_is_not_utf8_names_the_line_and_byte(tmp_path):
    path = tmp_path / "rule.yaml"
    path.write_bytes(a_rule().encode().replace(b"A widget failed.", b"A widget \xe9chou\xe9."))
    _, problems = load_rule_file(path)
    assert [(p.line, p.message) for p in problems] == [(4, "not UTF-8: byte 0xe9 at line 4, column 23 (byte 82 of the file)")]


@pytest.mark.slow  # runs triage in a process of its own
def test_a_proc_file_reads_as_its_content_not_as_an_empty_log():
    """/proc files say size 0 and hold text: read to their end, not trusted to be empty."""
    if not os.path.exists("/proc/self/environ"):
        pytest.skip("needs Linux /proc")
    assert os.stat("/proc/self/environ").st_size == 0
    env = dict(os.environ, TRIAGE_TEST_LOG="\nRuntimeError: CUDA error: out of memory\n")
    code = ("import json, philly_triage as triage; "
            "print(json.dumps([r.to_dict() for r in triage.classify_many(['/proc/self/environ'])]))")
    process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=HANG)
    assert process.returncode == 0, process.stderr
    (record,) = json.loads(process.stdout)
    assert record["category"] == "gpu_out_of_memory" and "empty file" not in record["notes"], record
