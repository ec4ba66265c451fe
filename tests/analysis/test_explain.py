"""`triage explain`: the verdict in context, the rule that matched and the ones that lost, and the
locator's reasons for each possible failure it set aside, on real sample logs."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner
from rich.console import Console

from philly_triage._internal.pipeline.verdict import classify_job
from philly_triage._internal.cli.main import cli
from philly_triage._internal.pipeline.engine import Classifier, Options
from philly_triage._internal.analysis.explain import (
    MAX_SHOWN, OTHER_FILE, ExplainError, Explanation, RuleMatch, _note_disagreement, _why_lost, explain_job,
    job_to_explain,
)
from philly_triage._internal.pipeline.lines import ByteLines
from philly_triage._internal.pipeline.locate import Located, considered, locate_in_view
from philly_triage.models import RETRY_ADVICE, Failure, FailureRecord, Rule, Status
from philly_triage._internal.output.views.explain import render_explanation
from tests.conftest import DATA, ROOT

SAMPLES = ROOT / "sample_logs"
CASES = yaml.safe_load((DATA / "locator_cases.yaml").read_text(encoding="utf-8"))


def run(*args):
    return CliRunner().invoke(cli, ["explain", *map(str, args)], catch_exceptions=False)


def explained(name, matcher, markers, **options) -> Explanation:
    classifier = Classifier(matcher.catalogue, markers=markers)
    return explain_job(job_to_explain(str(SAMPLES / name), classifier), classifier, **options)


def verdicts(explanation: Explanation, file_end: str = "") -> dict[int, str]:
    """Line -> verdict for the possible failures of the job's file whose name ends with ``file_end``."""
    return {c.seen.line: c.seen.verdict for c in explanation.candidates if c.file.endswith(file_end)}


def reason_at(explanation: Explanation, line: int, file_end: str = "") -> str:
    return next(c.seen.reason for c in explanation.candidates if c.file.endswith(file_end) and c.seen.line == line)


# --- Matcher.matches ----------------------------------------------------------------------------


def test_matches_ranks_every_rule_and_match_is_the_first(matcher):
    failure = Failure("x.log", 1, "AttributeError: 'NoneType' object has no attribute 'shape'", "traceback",
                      exception="AttributeError")
    ranked = matcher.matches(failure)
    assert [m.rule.id for m in ranked] == ["null_reference", "attribute_not_found"]
    assert [m.strength for m in ranked] == [3, 3]
    assert matcher.match(failure) == ranked[0]


def test_matches_is_empty_for_a_failure_no_rule_knows(matcher):
    failure = Failure("x.log", 1, "Quality gate failed: val_accuracy 0.412 < 0.600, model not promoted", "fatal")
    assert matcher.matches(failure) == [] and matcher.match(failure) is None


# --- locate.considered: the locator's own reasons -------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_considered_chooses_what_the_locator_chooses(case, markers):
    view = ByteLines(case["log"].encode("utf-8"), markers)
    located, _ = locate_in_view("x.log", view, markers)
    chosen = [c.line for c in considered("x.log", view, markers) if c.verdict == "failure"]
    assert chosen == ([] if located is None else [located.failure.line])


def test_a_caught_error_a_teardown_traceback_and_a_keyword_line_are_set_aside(matcher, markers):
    explanation = explained("summarizer-ptrgen-6b12", matcher, markers)
    assert explanation.record.line == 23
    assert verdicts(explanation, "stderr.txt") == {
        4: "outranked",  # "- ERROR - train - quick ROUGE check failed, continuing training"
        11: "survived",  # ValueError: max() arg is an empty sequence, then training went on
        23: "failure",
        24: "noise",  # "Exception ignored in: <function EventFileWriter.__del__ ...>"
        29: "ignored",  # the traceback printed under it
    }
    assert "progress or success lines follow it" in reason_at(explanation, 11, "stderr.txt")
    assert "Exception ignored in" in reason_at(explanation, 29, "stderr.txt")


def test_a_job_with_no_failure_says_why_each_possible_one_was_not_it(matcher, markers):
    explanation = explained("job_20181012_2210_transformer", matcher, markers)
    assert explanation.record.status is Status.NO_FAILURE
    assert explanation.match is None and explanation.excerpt == ()
    assert verdicts(explanation, "stderr.txt") == {3: "noise", 4: "noise", 5: "noise", 8: "noise", 19: "survived"}
    assert next(c.seen.text for c in explanation.candidates if c.seen.line == 19).startswith("ConnectionRefusedError")


def test_other_ranks_launchers_and_the_same_error_again_are_set_aside(matcher, markers):
    explanation = explained("ddp-ranker-2n-4e9a", matcher, markers)
    found = verdicts(explanation, "stderr.txt")
    assert found[50] == "failure"
    assert found[66] == found[110] == "consequence"  # gloo "Connection closed by peer" of the other rank
    assert found[68] == found[86] == found[113] == "wrapper"  # elastic's summary and ChildFailedError
    assert found[1] == found[69] == "noise"
    assert found[157] == "same_burst"  # the launcher repeating the root cause as a plain line
    assert "the traceback at line 50 outranks it" in reason_at(explanation, 157, "stderr.txt")


def test_a_fatal_line_of_the_final_burst_loses_to_its_traceback(matcher, markers):
    explanation = explained("widedeep-watchtime-tf1-2c3e", matcher, markers)
    assert verdicts(explanation, "stderr.txt")[29] == "same_burst"  # ERROR:tensorflow:Model diverged ...
    assert explanation.record.line == 48 and explanation.record.category == "loss_nan"


def test_chained_tracebacks_name_the_cause_and_list_the_other_links(matcher, markers):
    cause = explained("rl-ppo-atari-1f77", matcher, markers)
    assert verdicts(cause, "stderr.txt") == {7: "failure", 9: "chain_link", 19: "chain_link"}
    assert "its cause (line 7) is named instead" in reason_at(cause, 19, "stderr.txt")
    worker = explained("img-cls-effnet-b0-2c8a", matcher, markers)  # a compressed log
    assert verdicts(worker, "stderr.txt.gz") == {20: "chain_link", 34: "failure"}
    assert "the original (line 34)" in reason_at(worker, 20, "stderr.txt.gz")


def test_a_multi_file_job_says_which_file_the_failure_came_from(matcher, markers):
    explanation = explained("bert-pretrain-zh-c3f5", matcher, markers)
    assert verdicts(explanation, "stdout.txt") == {46: OTHER_FILE, 47: "outranked"}
    reason = reason_at(explanation, 46, "stdout.txt")
    assert "bert-pretrain-zh-c3f5/stderr.txt" in reason and "own failure beats" in reason


def test_fatal_lines_far_apart_leave_the_earlier_one_out_of_the_final_burst(tmp_path, matcher, markers, classifier):
    log = tmp_path / "job.log"
    log.write_text("process exited with code 1\n" + "".join(f"cleanup {i}\n" for i in range(15))
                   + "Segmentation fault (core dumped)\n")
    explanation = explain_job(job_to_explain(str(log), classifier), classifier)
    assert verdicts(explanation) == {1: "earlier", 17: "failure"}
    assert "more than 10 lines before it" in reason_at(explanation, 1)


def test_noise_far_from_any_possible_failure_is_listed_too(tmp_path, matcher, markers, classifier):
    # The whole-log reduction keeps noise lines only as context; explain reads the others too.
    log = tmp_path / "job.log"
    body = "".join(f"INFO loading shard {i}\n" for i in range(200))
    log.write_text("WARNING: could not find the error handler config\n" + body
                   + 'Traceback (most recent call last):\n  File "t.py", line 1, in <module>\n'
                     '    warnings.warn("error-prone")\nKeyError: \'lr\'\n')
    explanation = explain_job(job_to_explain(str(log), classifier), classifier)
    assert verdicts(explanation) == {1: "noise", 205: "failure"}  # the warn() frame line is the traceback's


def test_only_the_nearest_possible_failures_are_shown_unless_all_are_asked_for(tmp_path, matcher, markers, classifier):
    log = tmp_path / "job.log"
    log.write_text("".join(f"/app/t.py:{i}: UserWarning: error-prone call {i}\n" for i in range(1, 21))
                   + "KeyError: 'lr'\n")
    job = job_to_explain(str(log), classifier)
    some = explain_job(job, classifier)
    assert some.left_out == 20 - MAX_SHOWN
    assert sorted(verdicts(some)) == list(range(21 - MAX_SHOWN, 22))  # the nearest, in line order
    every = explain_job(job, classifier, all_candidates=True)
    assert every.left_out == 0 and len(every.candidates) == 21


# --- the rule, the reading and the excerpt --------------------------------------------------------


def test_the_rules_that_lost_say_why(matcher, markers):
    priority = explained("job_20181018_1655_yolo", matcher, markers)
    assert (priority.match.rule.id, priority.match.strength) == ("null_reference", 3)
    assert priority.match.where == "the failure line"
    assert [(m.rule.id, m.lost) for m in priority.other_matches] == [
        ("attribute_not_found", "lower priority (45 < 75) with evidence as strong")]
    strength = explained("keras-textcnn-imdb-51c0", matcher, markers)
    assert [(m.rule.id, m.evidence, m.where) for m in strength.other_matches] == [
        ("illegal_argument", "ValueError", "the exception type alone")]
    assert strength.other_matches[0].lost.startswith("weaker evidence")


def test_equal_rules_lose_by_catalogue_order():
    first, second = Rule("a", "A", "data", "", "", priority=50), Rule("b", "B", "data", "", "", priority=50)
    assert _why_lost(RuleMatch(second, "x", 3), RuleMatch(first, "x", 3)) == (
        "as strong and as high a priority, but later in the catalogue than a")


def test_a_reading_after_the_first_is_named_when_the_first_matches_no_rule(tmp_path, matcher, markers, classifier):
    log = tmp_path / "job.log"
    log.write_text(
        'Traceback (most recent call last):\n  File "t.py", line 1, in <module>\nQuuxFrobError: zzz\n\n'
        "The above exception was the direct cause of the following exception:\n\n"
        'Traceback (most recent call last):\n  File "t.py", line 3, in <module>\n'
        "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB\n"
    )
    explanation = explain_job(job_to_explain(str(log), classifier), classifier)
    assert (explanation.record.category, explanation.record.line) == ("gpu_out_of_memory", 9)
    assert any("first reading" in note and "line 3" in note and "line 9" in note for note in explanation.notes)


def test_the_excerpt_starts_at_the_traceback_and_marks_the_failure_line(matcher, markers):
    explanation = explained("bert-pretrain-zh-c3f5", matcher, markers)
    rows = explanation.excerpt
    assert rows[0].line == 6 and rows[0].text.endswith("Traceback (most recent call last):")
    assert [r.line for r in rows if r.failure] == [33]
    assert rows[-1].text == "IndexError: index out of range in self"


def test_the_excerpt_of_a_fatal_line_is_its_context(matcher, markers):
    explanation = explained("seq2seq-wmt-a71c", matcher, markers, context=3)
    assert [r.line for r in explanation.excerpt] == [8, 9, 10, 11]  # the log ends at its failure line
    assert [r.text for r in explanation.excerpt if r.failure][0].startswith("cp: cannot stat")


def test_the_verdict_is_the_record_classify_gives(matcher, markers, classifier):
    job = job_to_explain(str(SAMPLES / "criteo-dlrm-7a21"), classifier)
    assert explain_job(job, classifier).record == classify_job(job, matcher, markers)


def test_a_whole_read_that_finds_another_failure_is_noted():
    record = FailureRecord("j", Status.CLASSIFIED, file="a.log", line=5, message="KeyError: 'x'")
    elsewhere = Located(Failure("a.log", 9, "ValueError: y", "traceback"), (), "traceback", "failure")
    notes: list[str] = []
    _note_disagreement(record, elsewhere, notes)
    assert len(notes) == 1 and "a.log:9" in notes[0] and "classify" in notes[0]
    same: list[str] = []
    here = Located(Failure("a.log", 5, "KeyError: 'x'", "traceback"), (), "traceback", "failure")
    _note_disagreement(record, here, same)
    assert same == []


# --- the view -------------------------------------------------------------------------------------


def rendered(explanation: Explanation, color: bool = False) -> str:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=color, no_color=not color, width=200, soft_wrap=True)
    render_explanation(explanation, console, color)
    return stream.getvalue()


def test_stage_and_gpu_hours_say_unknown_until_known():
    record = FailureRecord("j", Status.CLASSIFIED, category="key_not_found", dimension="general_code",
                           rule="key_not_found", file="a.log", line=3, message="KeyError: 'lr'", retry="never")
    text = rendered(Explanation(record, None, (), (), (), 0, ("a.log",)))
    assert "stage:     unknown" in text and "cost:      unknown GPU hours" in text
    assert f"retry:     never: {RETRY_ADVICE['never']}" in text
    known = FailureRecord(**{**record.__dict__, "stage": "evaluation", "gpu_hours": 6.0, "retries": 2})
    text = rendered(Explanation(known, None, (), (), (), 0, ("a.log",)))
    assert "stage:     evaluation" in text and "6.00 GPU hours, after 2 earlier runs" in text


def test_colour_highlights_the_traceback(matcher, markers):
    text = rendered(explained("rl-ppo-atari-1f77", matcher, markers), color=True)
    assert "\x1b[" in text and "❱" in text  # rich's Syntax marks the highlighted line


# --- the command ----------------------------------------------------------------------------------


def test_text_when_piped_is_plain_with_the_failure_line_marked():
    result = run(SAMPLES / "summarizer-ptrgen-6b12")
    assert result.exit_code == 0 and "\x1b[" not in result.stdout
    assert "verdict:   attribute_not_found  (general_code)" in result.stdout
    assert "> 23 | AttributeError: 'DataParallel' object has no attribute 'generate'" in result.stdout
    assert "stderr.txt:11  survived" in result.stdout


def test_json_shape():
    result = run(SAMPLES / "job_20181018_1655_yolo", "--format", "json", "--context", "2")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {"schema_version", "record", "match", "other_matches", "excerpt", "candidates",
                         "left_out", "advice", "hint", "stage", "cost", "notes"}
    assert data["schema_version"] == 1 and data["record"]["category"] == "null_reference"
    assert data["match"] == {"rule": "null_reference", "source": data["match"]["source"],
                             "evidence": "'NoneType' object", "strength": 3, "where": "the failure line"}
    assert data["match"]["source"].endswith("null_reference.yaml")
    assert data["other_matches"][0]["rule"] == "attribute_not_found" and "lost" in data["other_matches"][0]
    assert [row["line"] for row in data["excerpt"] if row["failure"]] == [12]
    assert set(data["excerpt"][0]) == {"line", "text", "failure"}
    assert all(set(c) == {"file", "line", "kind", "text", "verdict", "reason"} for c in data["candidates"])
    assert data["advice"] == {"retry": "never", "meaning": RETRY_ADVICE["never"]}
    assert data["left_out"] == 0 and data["hint"] == data["record"]["hint"]


def test_the_stage_comes_with_its_marker_line():
    data = json.loads(run(SAMPLES / "job_20181019_0205_seg", "-f", "json").stdout)
    assert data["stage"] == {"stage": "validation", "evidence": {
        "file": str(SAMPLES / "job_20181019_0205_seg" / "stderr.txt"), "line": 5,
        "text": "epoch 1 validation mIoU 0.3417"}}
    text = run(SAMPLES / "job_20181019_0205_seg", "--gpus", "4").stdout
    assert "stage:     validation" in text and "stderr.txt:5  epoch 1 validation mIoU 0.3417" in text
    assert "4 GPUs x 0.0339 h (log timestamps)" in text
    data = json.loads(run(SAMPLES / "job_20181018_1655_yolo", "-f", "json").stdout)
    assert data["stage"] == {"stage": "initialisation", "evidence": None}


def test_a_no_failure_job_exits_0_and_lists_what_was_set_aside():
    result = run(SAMPLES / "mnist-cnn-baseline-19e0", "-f", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["record"]["status"] == "no_failure" and data["match"] is None
    assert {(c["line"], c["verdict"]) for c in data["candidates"] if c["file"].endswith("stdout.txt")} >= {
        (31, "noise"), (82, "survived")}
    assert "Why none of these ended the job" in run(SAMPLES / "mnist-cnn-baseline-19e0").stdout


def test_gpu_hours_come_from_the_job_metadata(tmp_path):
    job = tmp_path / "job"
    job.mkdir()
    (job / "stderr.txt").write_text((SAMPLES / "job_20181013_1130_vae" / "stderr.txt").read_text())
    (job / "job.meta.yaml").write_text("gpus: 4\nstart: 2018-10-13T11:30:00\nend: 2018-10-13T13:00:00\nretries: 2\n")
    record = json.loads(run(job, "-f", "json").stdout)["record"]
    assert (record["gpu_hours"], record["retries"]) == (6.0, 2)


@pytest.mark.parametrize("make,message", [
    (lambda tmp: tmp / "missing.log", "no such file or directory"),
    (lambda tmp: SAMPLES, "holds 46 jobs and explain takes one"),
    (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "no log files in the job directory"),
    (lambda tmp: (tmp / "b.bin").write_bytes(bytes(range(256)) * 40) and tmp / "b.bin", "binary file"),
])
def test_errors_are_one_line_and_exit_2(tmp_path, make, message):
    result = run(make(tmp_path))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("triage: error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_directory_of_jobs_suggests_classify():
    result = run(SAMPLES)
    assert f"triage classify {SAMPLES}" in result.stderr


@pytest.mark.parametrize("layout,jobs", [
    ({"1/stderr.txt": "x", "2/stderr.txt": "x"}, 0),  # retries of one job
    ({"stdout.txt": "x", "logs/stderr.txt": "x"}, 0),  # one job with a folder of logs
    ({"a/stderr.txt": "x", "b/stderr.txt": "x"}, 2),  # two job directories
    ({"job.meta.yaml": "gpus: 1\n", "a/x.log": "x", "b/x.log": "x"}, 0),  # a job, by its metadata
    ({"a/job.meta.yaml": "gpus: 1\n", "a/x.log": "x", "b.log": "x"}, 2),  # a job directory inside
    ({"a.log": "x", "a.log.meta.yaml": "gpus: 1\n", "b.log": "x", "b.log.meta.json": "{}"}, 2),
])
def test_one_job_or_several(tmp_path, markers, layout, jobs, classifier):
    for name, text in layout.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    if jobs:
        with pytest.raises(ExplainError, match=f"holds {jobs} jobs"):
            job_to_explain(str(tmp_path), classifier)
    else:
        assert job_to_explain(str(tmp_path), classifier).files


def test_piped_into_head_as_a_real_process():
    process = subprocess.run(
        [sys.executable, "-m", "philly_triage", "explain", str(SAMPLES / "ddp-ranker-2n-4e9a")],
        capture_output=True, text=True, timeout=120,
    )
    assert process.returncode == 0 and process.stderr == ""
    assert "\x1b[" not in process.stdout and "> 50 | [rank1]: RuntimeError: mat1 and mat2 shapes" in process.stdout
    head = subprocess.run(
        f"{sys.executable} -m philly_triage explain {SAMPLES / 'ddp-ranker-2n-4e9a'} | head -n 1",
        shell=True, capture_output=True, text=True, timeout=120,
    )
    assert head.stdout.startswith("job:") and "Traceback" not in head.stderr


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_an_undecodable_file_name_is_written_as_its_escape(tmp_path, output_format):
    """A file name's byte 0xff is a lone surrogate to Python: the output escapes it, never fails on it."""
    name = os.fsencode(str(tmp_path)) + b"/bad\xffname.log"
    with open(name, "wb") as handle:
        handle.write(b'Traceback (most recent call last):\n  File "a.py", line 1, in <module>\nKeyError: 1\n')
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    result = subprocess.run([sys.executable, "-m", "philly_triage", "explain", os.fsdecode(name), "-f", output_format],
                            capture_output=True, env=env)
    assert result.returncode == 0, result.stderr
    assert b"bad\\udcffname.log" in result.stdout and b"key_not_found" in result.stdout
