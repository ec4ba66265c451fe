"""Measuring the catalogue on labelled logs: loading expectations, scoring, and the printed report."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from rich.console import Console

from philly_triage._internal.pipeline.engine import Classifier, Options
from philly_triage._internal.analysis.evaluate import (
    AlarmJob,
    Confusion,
    FalseAlarm,
    LabelScore,
    Misplaced,
    evaluate,
    labelled_records,
)
from philly_triage._internal.catalogue.expectations import Expectations, ExpectationsError, Expected, load_expectations
from philly_triage.models import FailureRecord, Status
from philly_triage._internal.output.views.evaluation import render_evaluation
from tests.conftest import DATA, ROOT

SAMPLE_LOGS = ROOT / "sample_logs"
SAMPLE_EXPECTED = DATA / "sample_logs.expected.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "expected.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def plain_console() -> tuple[Console, io.StringIO]:
    stream = io.StringIO()
    return Console(file=stream, no_color=True, force_terminal=False, width=120), stream


# --- loading expectations ---------------------------------------------------------------------

BROKEN = {
    "yaml syntax": ("a: loss_nan\nb: [loss_nan\n", 3, "YAML syntax error"),
    "not a mapping": ("- a\n- b\n", 1, "must be a mapping"),
    "unknown key": ("job:\n  category: loss_nan\n  file: f.log\n  lien: 3\n", 4, "unknown key 'lien' (did you mean 'line'?)"),
    "missing category": ("ok: loss_nan\njob:\n  file: f.log\n", 2, "job 'job': missing required key 'category'"),
    "category not a string": ("job:\n  category: [loss_nan]\n", 2, "'category' must be a string"),
    "unknown category": (
        "ok: loss_nan\njob: gpu_out_of_memroy\n", 2, "unknown category 'gpu_out_of_memroy' (did you mean 'gpu_out_of_memory'?)"
    ),
    "unknown status word": ("job:\n  category: no_falure\n", 2, "unknown category 'no_falure' (did you mean 'no_failure'?)"),
    "line zero": ("job:\n  category: loss_nan\n  file: f.log\n  line: 0\n", 4, "'line' must be a positive integer, not 0"),
    "line a string": ("job:\n  category: loss_nan\n  file: f.log\n  line: '12'\n", 4, "'line' must be a positive integer"),
    "line a bool": ("job:\n  category: loss_nan\n  file: f.log\n  line: true\n", 4, "'line' must be a positive integer"),
    "line without file": ("job:\n  category: loss_nan\n  line: 12\n", 3, "'line' needs 'file'"),
    "line on no_failure": ("job:\n  category: no_failure\n  file: f.log\n  line: 12\n", 4, "a no_failure job has no failure line"),
    "empty file name": ("job:\n  category: loss_nan\n  file: ''\n", 3, "'file' must be a non-empty string"),
    "entry a list": ("ok: loss_nan\njob: [loss_nan]\n", 2, "expected a category or a mapping"),
    "numeric job key": ("ok: loss_nan\n20181005: loss_nan\n", 2, "job 20181005 is not a string: quote it"),
}


@pytest.mark.parametrize("text,line,message", BROKEN.values(), ids=BROKEN.keys())
def test_broken_expectations_name_file_line_and_problem(tmp_path, catalogue, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(ExpectationsError) as raised:
        load_expectations(path, catalogue)
    problems = raised.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    assert str(problems[0]).startswith(f"{path}:{line}: ")
    assert message in str(problems[0])


def test_unreadable_expectations_file(tmp_path, catalogue):
    path = tmp_path / "absent.yaml"
    with pytest.raises(ExpectationsError) as raised:
        load_expectations(path, catalogue)
    [problem] = raised.value.problems
    assert str(problem).startswith(f"{path}: cannot read the file")


def test_every_problem_is_reported_at_once(tmp_path, catalogue):
    path = write(tmp_path, "a: loss_nann\nb:\n  category: loss_nan\n  lien: 3\nc:\n  file: x.log\n")
    with pytest.raises(ExpectationsError) as raised:
        load_expectations(path, catalogue)
    assert [p.line for p in raised.value.problems] == [1, 4, 5]
    assert str(raised.value).count(str(path)) == 3


def test_short_and_long_entries(tmp_path, catalogue):
    path = write(
        tmp_path,
        "# a comment\n"
        "short: loss_nan\n"
        "quiet: no_failure\n"
        "long:\n"
        "  category: key_not_found\n"
        "  file: long/stderr.txt\n"
        "  line: 12\n"
        "  source: https://example.org/issue/1\n"
        "  note: reconstructed\n"
        "odd: unclassified\n"
        "broken: error\n",
    )
    expectations = load_expectations(path, catalogue)
    assert expectations.file == str(path)
    assert expectations.jobs == {
        "short": Expected("loss_nan", None, None, 2),
        "quiet": Expected("no_failure", None, None, 3),
        "long": Expected("key_not_found", "long/stderr.txt", 12, 4),
        "odd": Expected("unclassified", None, None, 10),
        "broken": Expected("error", None, None, 11),
    }


def test_the_shipped_expectation_files_load(catalogue):
    for path in (SAMPLE_EXPECTED, DATA / "heldout.expected.yaml"):
        expectations = load_expectations(path, catalogue)
        assert len(expectations.jobs) > 40


# --- a hand-made evaluation with a known answer ----------------------------------------------


def record(job: str, label: str, file: str | None = None, line: int | None = None, message: str | None = None):
    """A record as classify_job would give it, for a job under root 'r'."""
    if label in ("no_failure", "unclassified", "error"):
        return FailureRecord(job=f"r/{job}", status=Status(label), file=file, line=line, message=message)
    return FailureRecord(
        job=f"r/{job}", status=Status.CLASSIFIED, category=label, rule=label, file=file, line=line, message=message
    )


KNOWN = Expectations(
    "known.yaml",
    {
        "a": Expected("gpu_out_of_memory", "a/log", 3),  # right, right place
        "b": Expected("gpu_out_of_memory", "b/log", 5),  # right, wrong line
        "c": Expected("key_not_found", "c/log", 7),  # wrong category, right place
        "d": Expected("no_failure"),  # false alarm
        "e": Expected("no_failure"),  # right
        "m": Expected("loss_nan"),  # never seen
    },
)
KNOWN_RESULTS = [
    ("a", "r", record("a", "gpu_out_of_memory", "r/a/log", 3)),
    ("b", "r", record("b", "gpu_out_of_memory", "r/b/log", 9)),
    ("c", "r", record("c", "index_out_of_range", "r/c/log", 7)),
    ("d", "r", record("d", "loss_nan", "r/d/log", 2, "loss is [nan] at step 7")),
    ("e", "r", record("e", "no_failure")),
    ("z", "r", record("z", "no_failure")),  # no expectation
]


@pytest.fixture
def known():
    return evaluate(KNOWN_RESULTS, KNOWN)


def test_known_accuracy(known):
    assert (known.expectations, known.total, known.correct, known.accuracy) == ("known.yaml", 5, 3, 0.6)


def test_known_label_scores(known):
    assert known.labels == (
        LabelScore("gpu_out_of_memory", tp=2, fp=0, fn=0, support=2, precision=1.0, recall=1.0, f1=1.0),
        LabelScore("no_failure", tp=1, fp=0, fn=1, support=2, precision=1.0, recall=0.5, f1=2 / 3),
        # expected once, never predicted: no precision to speak of
        LabelScore("key_not_found", tp=0, fp=0, fn=1, support=1, precision=None, recall=0.0, f1=0.0),
        # predicted, never expected: no recall to speak of
        LabelScore("index_out_of_range", tp=0, fp=1, fn=0, support=0, precision=0.0, recall=None, f1=0.0),
        LabelScore("loss_nan", tp=0, fp=1, fn=0, support=0, precision=0.0, recall=None, f1=0.0),
    )


def test_known_confusion(known):
    assert known.confusion == (
        Confusion("key_not_found", "index_out_of_range", 1, ("c",)),
        Confusion("no_failure", "loss_nan", 1, ("d",)),
    )


def test_known_localisation(known):
    where = known.localisation
    assert (where.correct, where.total, where.ratio) == (2, 3, 2 / 3)
    assert where.wrong == (Misplaced("b", "b/log", 5, "b/log", 9),)
    assert (where.wrong[0].expected_place, where.wrong[0].got_place) == ("b/log:5", "b/log:9")


def test_known_false_alarms_missing_and_unlabelled(known):
    assert known.false_alarms == (FalseAlarm("loss_nan", (AlarmJob("d", "d/log", 2, "loss is [nan] at step 7"),)),)
    assert known.missing == ("m",)
    assert known.unlabelled == ("z",)
    assert known.duplicates == ()


def test_confusion_is_sorted_by_count_then_names():
    expectations = Expectations("x.yaml", {name: Expected("key_not_found") for name in "pqrs"})
    results = [
        ("s", "r", record("s", "loss_nan")),
        ("q", "r", record("q", "index_out_of_range")),
        ("p", "r", record("p", "index_out_of_range")),
        ("r", "r", record("r", "attribute_not_found")),
    ]
    assert evaluate(results, expectations).confusion == (
        Confusion("key_not_found", "index_out_of_range", 2, ("p", "q")),
        Confusion("key_not_found", "attribute_not_found", 1, ("r",)),
        Confusion("key_not_found", "loss_nan", 1, ("s",)),
    )


def test_false_alarms_without_a_rule_group_by_status():
    expectations = Expectations("x.yaml", {name: Expected("no_failure") for name in "pqr"})
    error = FailureRecord(job="r/r", status=Status.ERROR, reason="cannot read")
    results = [
        ("p", "r", record("p", "unclassified", "r/p/log", 4, "Segmentation fault")),
        ("q", "r", record("q", "unclassified", "r/q/log", 8, "Killed")),
        ("r", "r", error),
    ]
    assert evaluate(results, expectations).false_alarms == (
        FalseAlarm("unclassified", (AlarmJob("p", "p/log", 4, "Segmentation fault"), AlarmJob("q", "q/log", 8, "Killed"))),
        FalseAlarm("error", (AlarmJob("r", None, None, "cannot read"),)),
    )


def test_a_missed_failure_is_a_wrong_place():
    expectations = Expectations("x.yaml", {"a": Expected("loss_nan", "a/log", 3)})
    evaluation = evaluate([("a", "r", record("a", "no_failure"))], expectations)
    assert evaluation.localisation.wrong == (Misplaced("a", "a/log", 3, None, None),)
    assert evaluation.localisation.wrong[0].got_place is None


def test_a_job_seen_twice_counts_once():
    expectations = Expectations("x.yaml", {"a": Expected("loss_nan")})
    results = [("a", "r", record("a", "loss_nan")), ("a", "s", record("a", "key_not_found"))]
    evaluation = evaluate(results, expectations)
    assert (evaluation.total, evaluation.correct, evaluation.duplicates) == (1, 1, ("a",))


def test_nothing_evaluated_has_no_ratios():
    evaluation = evaluate([], Expectations("x.yaml", {"a": Expected("loss_nan")}))
    assert (evaluation.total, evaluation.accuracy, evaluation.localisation.ratio) == (0, None, None)
    assert evaluation.labels == ()
    assert evaluation.missing == ("a",)


# --- keys and roots of real jobs ---------------------------------------------------------------


def test_jobs_under_a_directory_are_keyed_relative_to_it(tmp_path, matcher, markers, classifier):
    (tmp_path / "job-a").mkdir()
    (tmp_path / "job-a" / "stderr.txt").write_text("training...\n", encoding="utf-8")
    (tmp_path / "job-b.log").write_text("training...\n", encoding="utf-8")
    found = [(key, root) for key, root, _ in labelled_records([str(tmp_path)], classifier)]
    assert found == [("job-a", str(tmp_path)), ("job-b.log", str(tmp_path))]


def test_nested_jobs_are_keyed_by_their_path_below_the_directory(tmp_path, matcher, markers, classifier):
    for name in ("2026-12-01/job-a/stderr.txt", "2026-12-01/job-b/stderr.txt", "2026-12-02/job-c/train.log"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("training...\n", encoding="utf-8")
    found = [key for key, _, _ in labelled_records([str(tmp_path)], classifier)]
    assert found == ["2026-12-01/job-a", "2026-12-01/job-b", "2026-12-02/job-c"]
    job = str(tmp_path / "2026-12-01" / "job-a")
    assert [(key, root) for key, root, _ in labelled_records([job], classifier)] == [
        ("job-a", str(tmp_path / "2026-12-01"))]


def test_a_job_given_directly_is_keyed_by_its_name(tmp_path, matcher, markers, classifier):
    (tmp_path / "job-b.log").write_text("training...\n", encoding="utf-8")
    paths = [str(tmp_path / "job-b.log"), str(tmp_path / "absent")]
    found = [(key, root, r.status) for key, root, r in labelled_records(paths, classifier)]
    assert found == [("job-b.log", str(tmp_path), Status.NO_FAILURE), ("absent", str(tmp_path), Status.ERROR)]


def test_a_log_file_given_directly_is_evaluated_like_under_its_directory(catalogue, matcher, markers, classifier):
    expectations = load_expectations(SAMPLE_EXPECTED, catalogue)
    path = os.path.relpath(SAMPLE_LOGS / "gpt-small-ablation-72aa.log")
    evaluation = evaluate(labelled_records([path], classifier), expectations)
    assert (evaluation.total, evaluation.correct, evaluation.unlabelled) == (1, 1, ())
    assert (evaluation.localisation.correct, evaluation.localisation.total) == (1, 1)
    assert len(evaluation.missing) == len(expectations.jobs) - 1


# --- the labelled sample logs ----------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_evaluation(catalogue, matcher, markers, classifier):
    expectations = load_expectations(SAMPLE_EXPECTED, catalogue)
    return evaluate(labelled_records([str(SAMPLE_LOGS)], classifier), expectations)


def test_sample_logs_are_all_classified_and_located(sample_evaluation):
    evaluation = sample_evaluation
    assert (evaluation.total, evaluation.correct, evaluation.accuracy) == (46, 46, 1.0)
    where = evaluation.localisation
    assert (where.correct, where.total, where.ratio, where.wrong) == (42, 42, 1.0, ())
    assert evaluation.confusion == ()
    assert evaluation.false_alarms == ()
    assert (evaluation.missing, evaluation.unlabelled, evaluation.duplicates) == ((), (), ())
    assert all(score.f1 == 1.0 for score in evaluation.labels)
    assert sum(score.support for score in evaluation.labels) == 46


# --- JSON and rendering -------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["known", "sample_evaluation"])
def test_json_round_trip(which, request):
    data = request.getfixturevalue(which).to_dict()
    assert data["schema_version"] == 1
    assert json.loads(json.dumps(data)) == data


def test_json_of_the_known_evaluation(known):
    data = known.to_dict()
    assert data["accuracy"] == 0.6
    assert data["labels"][2] == {
        "label": "key_not_found", "tp": 0, "fp": 0, "fn": 1, "support": 1, "precision": None, "recall": 0.0, "f1": 0.0,
    }
    assert data["localisation"]["wrong"] == [
        {"job": "b", "expected_file": "b/log", "expected_line": 5, "got_file": "b/log", "got_line": 9}
    ]
    assert data["missing"] == ["m"] and data["unlabelled"] == ["z"]


def test_render_known_evaluation_as_plain_text(known):
    console, stream = plain_console()
    render_evaluation(known, console)
    text = stream.getvalue()
    assert "\x1b[" not in text
    for figure in (
        "accuracy 3/5 = 60.0%", "localisation 2/3 = 66.7%",
        "Per category", "gpu_out_of_memory", "0.67", "0.50",
        "Mistakes (expected -> got)", "index_out_of_range", "b/log:5", "b/log:9",
        "False alarms on no_failure jobs", "loss is [nan] at step 7",
        "1 job expected but not found among the paths: m", "1 job without an expectation (not counted): z",
    ):
        assert figure in text, figure
    key_not_found_row = next(line for line in text.splitlines() if line.startswith("key_not_found "))
    assert key_not_found_row.split() == ["key_not_found", "-", "0.00", "0.00", "1"]


def test_render_lists_only_the_first_few_names():
    expectations = Expectations("x.yaml", {f"job{i}": Expected("key_not_found") for i in range(7)})
    results = [(f"job{i}", "r", record(f"job{i}", "loss_nan")) for i in range(5)]
    results += [(f"extra{i}", "r", record(f"extra{i}", "loss_nan")) for i in range(7)]
    console, stream = plain_console()
    render_evaluation(evaluate(results, expectations), console)
    text = stream.getvalue()
    assert "job0, job1, job2, ... (+2 more)" in text
    assert "7 jobs without an expectation (not counted): extra0, extra1, extra2, extra3, extra4, ... (+2 more)" in text
    assert "2 jobs expected but not found among the paths: job5, job6" in text


def test_render_sample_logs(sample_evaluation):
    console, stream = plain_console()
    render_evaluation(sample_evaluation, console)
    text = stream.getvalue()
    assert "accuracy 46/46 = 100.0%   localisation 42/42 = 100.0%" in text
    assert "Mistakes (expected -> got): No mistakes." in text
    assert "No false alarms on no_failure jobs." in text
    assert "not found among the paths" not in text and "without an expectation" not in text


def test_render_with_colour_and_nothing_evaluated():
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=80)
    render_evaluation(evaluate([], Expectations("x.yaml", {})), console)
    assert "0/0 = -" in stream.getvalue()
    assert "No labelled jobs were evaluated." in stream.getvalue()
