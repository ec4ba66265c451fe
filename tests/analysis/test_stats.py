"""triage stats: the aggregation (every figure worked out by hand), its views, and the command."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from philly_triage._internal.catalogue.load import Catalogue
from philly_triage._internal.cli.main import cli
from philly_triage._internal.cli.common import make_console
from philly_triage.models import RETRY_ADVICE, FailureRecord, Rule, Status
from philly_triage._internal.analysis.stats import RetryWaste, aggregate, hours, share
from philly_triage._internal.analysis.study import load_study
from philly_triage._internal.output.views.stats import BAR_WIDTH, bar, render_stats, stats_markdown, waste_sentence
from tests.conftest import ROOT
from tests.formatting import tables


def rule(rule_id, name, dimension, retry):
    return Rule(id=rule_id, name=name, dimension=dimension, description="d", hint="h", retry=retry)


# A catalogue of its own, so that the figures do not move when the built-in rules change. It has a
# dimension the study does not know (infrastructure), with no job in it, and a name to escape.
CATALOGUE = Catalogue(rules=(
    rule("path_not_found", "Path not found", "execution_environment", "never"),
    rule("library_not_found", "Library | command *not* found", "execution_environment", "environment"),
    rule("gpu_out_of_memory", "GPU out of memory", "deep_learning", "maybe"),
    rule("loss_nan", "Loss is NaN", "deep_learning", "maybe"),
    rule("key_not_found", "Key not found", "general_code", "never"),
    rule("type_mismatch", "Type mismatch", "general_code", "never"),
    rule("corrupt_data", "Corrupt data", "data", "never"),
    rule("nccl_timeout", "NCCL timeout", "infrastructure", "maybe"),
))


def failed(job, category, stage, gpu_hours, retries):
    spec = CATALOGUE.rule(category)
    return FailureRecord(job=job, status=Status.CLASSIFIED, category=category, dimension=spec.dimension,
                         rule=category, stage=stage, retry=spec.retry, gpu_hours=gpu_hours, retries=retries)


RECORDS = [
    #      job   category             stage             GPU h  retries     dimension              advice
    failed("r1", "path_not_found", "initialisation", 0.5, 3),     # execution_environment  never
    failed("r2", "path_not_found", "initialisation", 1.0, 2),     # execution_environment  never
    failed("r3", "library_not_found", "initialisation", None, 1),  # execution_environment  environment
    failed("r4", "gpu_out_of_memory", "training", 8.0, 0),        # deep_learning          maybe
    failed("r5", "loss_nan", "training", 12.0, None),             # deep_learning          maybe
    failed("r6", "key_not_found", "evaluation", 20.0, 1),         # general_code           never
    failed("r7", "type_mismatch", "validation", None, 4),         # general_code           never
    failed("r8", "corrupt_data", None, 2.5, None),                # data                   never
    FailureRecord(job="r9", status=Status.UNCLASSIFIED, stage="training", retry="unknown", gpu_hours=6.0, retries=2),
    FailureRecord(job="r10", status=Status.NO_FAILURE),
    FailureRecord(job="r11", status=Status.ERROR, reason="cannot read"),
]

# 11 jobs; failed = r1..r9 = 9 (8 classified + 1 unclassified).
# Known GPU hours of the failed: r1 0.5, r2 1.0, r4 8.0, r5 12.0, r6 20.0, r8 2.5, r9 6.0 -> 7 known,
# total 0.5 + 1.0 + 8.0 + 12.0 + 20.0 + 2.5 + 6.0 = 50.0, so a gpu_share is hours * 2.
EXPECTED = {
    "schema_version": 1,
    "jobs": 11,
    "failed": 9,
    "by_status": {"classified": 8, "unclassified": 1, "no_failure": 1, "error": 1},
    "gpu_hours": {"known": 7, "total": 50.0},
    "dimensions": [  # of the 8 classified; the study's order, then the catalogue's own dimension
        # r4 + r5: 2/8 = 25.0%; 8.0 + 12.0 = 20.0 h = 40.0% of 50
        {"id": "deep_learning", "count": 2, "share": 25.0, "gpu_hours": 20.0, "gpu_share": 40.0, "study_share": 13.5},
        # r1 + r2 + r3: 3/8 = 37.5%; 0.5 + 1.0 (+ r3 unknown) = 1.5 h = 3.0%
        {"id": "execution_environment", "count": 3, "share": 37.5, "gpu_hours": 1.5, "gpu_share": 3.0,
         "study_share": 48.0},
        # r6 + r7: 2/8 = 25.0%; 20.0 (+ r7 unknown) = 20.0 h = 40.0%
        {"id": "general_code", "count": 2, "share": 25.0, "gpu_hours": 20.0, "gpu_share": 40.0, "study_share": 36.5},
        # r8: 1/8 = 12.5%; 2.5 h = 5.0%
        {"id": "data", "count": 1, "share": 12.5, "gpu_hours": 2.5, "gpu_share": 5.0, "study_share": 2.0},
        # no job; the study has no such dimension
        {"id": "infrastructure", "count": 0, "share": 0.0, "gpu_hours": 0.0, "gpu_share": 0.0, "study_share": None},
    ],
    "categories": [  # count descending, then id; 1/8 = 12.5%
        {"id": "path_not_found", "name": "Path not found", "dimension": "execution_environment", "count": 2,
         "share": 25.0, "gpu_hours": 1.5, "gpu_share": 3.0, "retry": "never"},  # 2/8; 0.5 + 1.0
        {"id": "corrupt_data", "name": "Corrupt data", "dimension": "data", "count": 1,
         "share": 12.5, "gpu_hours": 2.5, "gpu_share": 5.0, "retry": "never"},
        {"id": "gpu_out_of_memory", "name": "GPU out of memory", "dimension": "deep_learning", "count": 1,
         "share": 12.5, "gpu_hours": 8.0, "gpu_share": 16.0, "retry": "maybe"},
        {"id": "key_not_found", "name": "Key not found", "dimension": "general_code", "count": 1,
         "share": 12.5, "gpu_hours": 20.0, "gpu_share": 40.0, "retry": "never"},
        {"id": "library_not_found", "name": "Library | command *not* found", "dimension": "execution_environment",
         "count": 1, "share": 12.5, "gpu_hours": 0.0, "gpu_share": 0.0, "retry": "environment"},  # r3: unknown h
        {"id": "loss_nan", "name": "Loss is NaN", "dimension": "deep_learning", "count": 1,
         "share": 12.5, "gpu_hours": 12.0, "gpu_share": 24.0, "retry": "maybe"},
        {"id": "type_mismatch", "name": "Type mismatch", "dimension": "general_code", "count": 1,
         "share": 12.5, "gpu_hours": 0.0, "gpu_share": 0.0, "retry": "never"},  # r7: unknown h
    ],
    "stages": [  # of the 9 failed: 3/9 = 33.3%, 1/9 = 11.1%
        # r1 r2 r3; 0.5 + 1.0 = 1.5 h = 3.0%
        {"id": "initialisation", "count": 3, "share": 33.3, "gpu_hours": 1.5, "gpu_share": 3.0,
         "study_share": 30.8, "study_gpu_share": 0.9},
        # r4 r5 r9; 8.0 + 12.0 + 6.0 = 26.0 h = 52.0%
        {"id": "training", "count": 3, "share": 33.3, "gpu_hours": 26.0, "gpu_share": 52.0,
         "study_share": None, "study_gpu_share": None},
        # r7, hours unknown
        {"id": "validation", "count": 1, "share": 11.1, "gpu_hours": 0.0, "gpu_share": 0.0,
         "study_share": None, "study_gpu_share": None},
        # r6: 20.0 h = 40.0%
        {"id": "evaluation", "count": 1, "share": 11.1, "gpu_hours": 20.0, "gpu_share": 40.0,
         "study_share": 25.0, "study_gpu_share": 81.0},
        # r8 has no stage: 2.5 h = 5.0%
        {"id": "unknown", "count": 1, "share": 11.1, "gpu_hours": 2.5, "gpu_share": 5.0,
         "study_share": None, "study_gpu_share": None},
    ],
    "retry": [  # of the 9 failed
        # r1 r2 r6 r7 r8: 5/9 = 55.6%; 0.5 + 1.0 + 20.0 + 2.5 = 24.0 h; retries 3 + 2 + 1 + 4 (r8 unknown) = 10
        {"advice": "never", "meaning": RETRY_ADVICE["never"], "count": 5, "share": 55.6, "gpu_hours": 24.0,
         "retries": 10},
        # r4 r5: 2/9 = 22.2%; 8.0 + 12.0 = 20.0 h; retries 0 (r5 unknown)
        {"advice": "maybe", "meaning": RETRY_ADVICE["maybe"], "count": 2, "share": 22.2, "gpu_hours": 20.0,
         "retries": 0},
        # r3: 1/9 = 11.1%; hours unknown; 1 retry
        {"advice": "environment", "meaning": RETRY_ADVICE["environment"], "count": 1, "share": 11.1,
         "gpu_hours": 0.0, "retries": 1},
        # r9 (unclassified): 6.0 h; 2 retries
        {"advice": "unknown", "meaning": RETRY_ADVICE["unknown"], "count": 1, "share": 11.1, "gpu_hours": 6.0,
         "retries": 2},
    ],
    # The "never" jobs r1 r2 r6 r7 r8: retries 10 (as above);
    # wasted = r1 3 x 0.5 + r2 2 x 1.0 + r6 1 x 20.0 = 1.5 + 2.0 + 20.0 = 23.5 (r7: hours unknown, r8: retries unknown);
    # one more retry of each = their known hours 0.5 + 1.0 + 20.0 + 2.5 = 24.0.
    "retry_waste": {"jobs": 5, "retries": 10, "wasted_gpu_hours": 23.5, "per_retry_gpu_hours": 24.0},
}


@pytest.fixture(scope="module")
def stats():
    return aggregate(RECORDS, CATALOGUE)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


# The aggregation

def test_every_figure_is_the_one_worked_out_by_hand(stats):
    document = stats.to_dict()
    study = document.pop("study")
    assert document == EXPECTED
    assert study == {"source": load_study().source, "note": load_study().note}
    assert "ICSE 2020" in study["source"] and "10.1145/3377811.3380362" in study["source"]


def test_the_record_order_does_not_change_the_figures(stats):
    assert aggregate(RECORDS[::-1], CATALOGUE).to_dict() == stats.to_dict()


def test_the_json_contract_round_trips(stats):
    document = json.loads(json.dumps(stats.to_dict()))
    assert list(document) == ["schema_version", "jobs", "failed", "by_status", "gpu_hours", "dimensions",
                              "categories", "stages", "retry", "retry_waste", "study"]
    assert document["dimensions"][4]["study_share"] is None


def test_gpu_shares_are_null_when_no_gpu_hours_are_known():
    records = [
        failed("a", "path_not_found", "training", None, 2),
        FailureRecord(job="b", status=Status.UNCLASSIFIED, retry="unknown"),  # stage None: the "unknown" row
    ]
    document = aggregate(records, CATALOGUE).to_dict()
    assert document["gpu_hours"] == {"known": 0, "total": 0.0}
    rows = document["dimensions"] + document["categories"] + document["stages"]
    assert {row["gpu_share"] for row in rows} == {None}
    assert {row["gpu_hours"] for row in rows} == {0.0}
    assert [row["id"] for row in document["stages"]] == [
        "initialisation", "training", "validation", "evaluation", "unknown",
    ]
    # 1 "never" job, 2 retries, hours unknown: nothing can be said to be wasted
    assert document["retry_waste"] == {"jobs": 1, "retries": 2, "wasted_gpu_hours": 0.0, "per_retry_gpu_hours": 0.0}


def test_no_unknown_stage_row_when_every_stage_is_known_and_no_jobs_at_all():
    document = aggregate([failed("a", "loss_nan", "training", 1.0, 0)], CATALOGUE).to_dict()
    assert [row["id"] for row in document["stages"]] == ["initialisation", "training", "validation", "evaluation"]
    empty = aggregate([], CATALOGUE).to_dict()
    assert (empty["jobs"], empty["failed"], empty["categories"]) == (0, 0, [])
    assert [row["count"] for row in empty["dimensions"]] == [0, 0, 0, 0, 0]
    assert [row["share"] for row in empty["retry"]] == [0.0, 0.0, 0.0, 0.0]


def test_sums_are_rounded_to_two_decimals_and_shares_to_one():
    assert hours([0.1, 0.1, 0.1, None]) == 0.3  # 0.30000000000000004 summed naively
    assert hours([1 / 3, 1 / 3]) == 0.67
    assert share(1, 3) == 33.3 and share(2, 3) == 66.7 and share(1, 0) == 0.0
    records = [failed(job, "key_not_found", "training", 1 / 3, 1) for job in "abc"]
    document = aggregate(records, CATALOGUE).to_dict()
    assert document["gpu_hours"]["total"] == 1.0  # 3 x 1/3
    # each retried once: 1 x 1/3 three times
    assert document["retry_waste"]["wasted_gpu_hours"] == document["retry_waste"]["per_retry_gpu_hours"] == 1.0


def test_a_category_the_catalogue_does_not_have_keeps_the_records_own_dimension():
    record = FailureRecord(job="x", status=Status.CLASSIFIED, category="custom", dimension="mine", retry="maybe")
    document = aggregate([record], CATALOGUE).to_dict()
    assert document["categories"] == [{"id": "custom", "name": "custom", "dimension": "mine", "count": 1,
                                       "share": 100.0, "gpu_hours": 0.0, "gpu_share": None, "retry": "maybe"}]
    assert document["dimensions"][-1] == {"id": "mine", "count": 1, "share": 100.0, "gpu_hours": 0.0,
                                          "gpu_share": None, "study_share": None}


def test_the_study_holds_the_papers_figures():
    study = load_study()
    assert study.dimensions == {"deep_learning": 13.5, "execution_environment": 48.0, "general_code": 36.5,
                                "data": 2.0}
    assert sum(study.dimensions.values()) == 100.0
    assert (study.stage("initialisation").failures, study.stage("initialisation").gpu_time) == (30.8, 0.9)
    assert (study.stage("evaluation").failures, study.stage("evaluation").gpu_time) == (25.0, 81.0)
    assert study.stage("training").failures is None and study.stage("validation").gpu_time is None


# The views

def test_bars_scale_to_the_largest_row():
    assert bar(10, 10) == "█" * BAR_WIDTH
    assert bar(5, 10) == "█" * (BAR_WIDTH // 2)
    assert bar(1, 7) == "███▍"  # 24 x 8 / 7 = 27.4 eighths -> 27 = 3 full cells and 3 eighths
    assert bar(1, 1000) == "▏"  # a job is never drawn as nothing
    assert bar(0, 10) == "" and bar(0, 0) == ""


def plain_chart(stats, color=False):
    stream = io.StringIO()
    render_stats(stats, make_console(stream, color))
    return stream.getvalue()


def test_the_chart_shows_counts_shares_hours_and_the_study(stats):
    text = plain_chart(stats)
    lines = [line.rstrip() for line in text.splitlines()]
    assert lines[0] == "11 jobs: 9 failed (8 classified, 1 unclassified), 1 without a failure, " \
                       "1 that triage could not classify"
    assert lines[1] == "GPU hours known for 7 of 9 failed jobs: 50.00 in all"
    assert "\x1b[" not in text
    row = next(line for line in lines if line.startswith("execution_environment "))
    # the largest dimension (3 jobs) has the full bar; 37.5 - 48.0 = -10.5 points
    assert row.split()[1:] == ["█" * BAR_WIDTH, "3", "37.5%", "1.50", "3.0%", "48.0%", "-10.5"]
    data = next(line for line in lines if line.startswith("data "))
    assert data.split()[1:] == ["████████", "1", "12.5%", "2.50", "5.0%", "2.0%", "+10.5"]  # 1/3 of the bar
    infrastructure = next(line for line in lines if line.startswith("infrastructure "))
    assert infrastructure.split()[1:] == ["0", "0.0%", "0.00", "0.0%", "-", "-"]
    initialisation = next(line for line in lines if line.startswith("initialisation "))
    assert initialisation.endswith("33.3%    1.50        3.0%   30.8% of failures, 0.9% of GPU time")
    assert any(line.startswith("library_not_found ") and line.endswith("execution_environment   environment")
               for line in lines)
    assert any(line.startswith("never ") and RETRY_ADVICE["never"] in line and " 10 " in line for line in lines)
    assert ("5 deterministic failures (4 with a known retry count) were retried 10 times, wasting at least "
            "23.5 GPU hours; one more automatic retry of each would waste at least 24.0 GPU hours.") in lines


def test_the_chart_leaves_out_gpu_and_retry_columns_when_nothing_is_known():
    records = [failed("a", "path_not_found", "training", None, None),
               failed("b", "loss_nan", "training", None, None)]
    text = plain_chart(aggregate(records, CATALOGUE))
    heads = [line.split() for line in text.splitlines() if line.startswith(("Dimension ", "Advice "))]
    assert heads == [["Dimension", "Jobs", "Share", "Study", "Diff"], ["Advice", "Jobs", "Share", "Meaning"]]
    assert "GPU hours: not known for any failed job" in text
    assert "1 deterministic failure: how often the platform retried it is not known; " \
           "its GPU hours are not known." in text


def test_the_chart_is_coloured_only_when_asked(stats):
    assert "\x1b[" in plain_chart(stats, color=True)


def test_waste_sentences():
    assert waste_sentence(RetryWaste(0, 0, 0.0, 0.0, 0, 0)).startswith("No failure is deterministic")
    assert waste_sentence(RetryWaste(12, 30, 140.5, 52.25, 12, 12)) == (
        "12 deterministic failures were retried 30 times, wasting 140.5 GPU hours; "
        "one more automatic retry of each would waste 52.2 GPU hours.")
    assert waste_sentence(RetryWaste(1, 1, 3.0, 3.0, 1, 1)) == (
        "1 deterministic failure was retried 1 time, wasting 3.0 GPU hours; "
        "one more automatic retry of each would waste 3.0 GPU hours.")


def test_markdown_tables_hold_the_same_figures(stats):
    text = stats_markdown(stats)
    assert text.startswith("## triage stats: 11 jobs, 9 failed\n\n")
    dimensions, categories, stages, retry = tables(text)
    assert dimensions[0] == ["Dimension", "Jobs", "Share", "GPU hours", "GPU share", "Study share",
                             "Difference (points)"]
    assert dimensions[2] == ["execution_environment", "3", "37.5%", "1.50", "3.0%", "48.0%", "-10.5"]
    assert dimensions[5] == ["infrastructure", "0", "0.0%", "0.00", "0.0%", "-", "-"]
    # the name's pipe and stars are text, not a new cell or emphasis
    assert categories[5] == ["library_not_found", "Library | command *not* found", "execution_environment",
                             "environment", "1", "12.5%", "0.00", "0.0%"]
    assert all(len(row) == 8 for row in categories)
    assert stages[4] == ["evaluation", "1", "11.1%", "20.00", "40.0%", "25.0%", "81.0%"]
    assert stages[5][0] == "unknown"
    assert retry[1] == ["never", RETRY_ADVICE["never"], "5", "55.6%", "24.00", "10"]
    assert "### Retry waste\n\n5 deterministic failures (4 with a known retry count) were retried 10 times" in text
    assert "Study: Zhang, Xiao, Zhang, Liu, Lin, Yang" in text


def test_markdown_without_gpu_hours_shows_dashes_and_says_none_classified():
    records = [FailureRecord(job="u", status=Status.UNCLASSIFIED, retry="unknown")]
    text = stats_markdown(aggregate(records, CATALOGUE))
    assert "### Categories\n\nNone." in text
    dimensions, stages, retry = tables(text)
    assert dimensions[1] == ["deep_learning", "0", "0.0%", "-", "-", "13.5%", "-"]  # nothing to compare
    assert retry[4] == ["unknown", RETRY_ADVICE["unknown"], "1", "100.0%", "-", "-"]


# The command

def classify_summary(path):
    result = run("classify", path, "-f", "json")
    return json.loads(result.stdout)["summary"]


def test_stats_of_the_sample_logs_count_what_classify_finds():
    result = run("stats", ROOT / "sample_logs", "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    summary = classify_summary(ROOT / "sample_logs")
    assert document["jobs"] == summary["jobs"] == 46
    assert document["by_status"] == {status.value: summary["by_status"].get(status.value, 0) for status in Status}
    assert document["failed"] == document["by_status"]["classified"] + document["by_status"]["unclassified"]
    assert {row["id"]: row["count"] for row in document["dimensions"] if row["count"]} == summary["by_dimension"]
    assert {row["id"]: row["count"] for row in document["categories"]} == summary["by_category"]
    assert sum(row["count"] for row in document["stages"]) == document["failed"]
    assert sum(row["count"] for row in document["retry"]) == document["failed"]
    assert [row["study_share"] for row in document["dimensions"]] == [13.5, 48.0, 36.5, 2.0]


def test_stats_chart_and_markdown_of_the_sample_logs():
    chart = run("stats", ROOT / "sample_logs")
    assert chart.exit_code == 0
    assert chart.stdout.startswith("46 jobs: ")
    assert "Dimensions (share of the" in chart.stdout and "Retry advice" in chart.stdout
    markdown = run("stats", ROOT / "sample_logs", "--format", "markdown", "--jobs", "1")
    assert markdown.exit_code == 0 and len(tables(markdown.stdout)) == 4


def test_output_file_gets_the_format_and_the_terminal_the_chart(tmp_path):
    target = tmp_path / "stats.json"
    result = run("stats", ROOT / "sample_logs", "-o", target)  # the extension names the format
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["jobs"] == 46
    assert result.stdout.startswith("46 jobs: ") and f"triage: wrote {target}" in result.stderr
    markdown = tmp_path / "stats.txt"
    assert run("stats", ROOT / "sample_logs", "-f", "markdown", "-o", markdown).exit_code == 0
    assert markdown.read_text().startswith("## triage stats: 46 jobs")


def test_piped_charts_are_plain_and_the_hint_goes_to_stderr():
    piped = subprocess.run([sys.executable, "-m", "philly_triage", "stats", str(ROOT / "sample_logs"), "-j", "1"],
                           capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)
    assert piped.returncode == 0, piped.stderr
    assert "\x1b[" not in piped.stdout and "█" in piped.stdout
    assert piped.stdout.splitlines()[0].startswith("46 jobs: ")
    assert piped.stderr.startswith("triage: no GPU hours known")


@pytest.mark.parametrize("args, message", [
    (["-o", "stats.xyz"], "cannot tell the format of --output 'stats.xyz'"),
    (["-o", "/no/such/dir/stats.json"], "triage: error: cannot write /no/such/dir/stats.json"),
    (["--gpus", "0"], "Invalid value for '--gpus'"),
    (["--format", "csv"], "Invalid value for '--format'"),
])
def test_usage_errors_exit_2_with_one_line(args, message):
    result = run("stats", ROOT / "sample_logs", *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_a_missing_path_is_counted_as_an_error_not_a_usage_error(tmp_path):
    (tmp_path / "job.log").write_text("step 1\nFileNotFoundError: [Errno 2] No such file or directory: 'x'\n")
    result = run("stats", tmp_path / "job.log", tmp_path / "missing", "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["by_status"] == {"classified": 1, "unclassified": 0, "no_failure": 0, "error": 1}
    assert "triage: no GPU hours known" in result.stderr


TRACEBACK = 'Traceback (most recent call last):\n  File "/app/train.py", line 9, in <module>\n    main()\n'


def test_gpu_hours_come_from_each_jobs_metadata(tmp_path):
    # j1: 4 GPUs x 2.5 h = 10.0 GPU h, retried 3 times, key_not_found (never)
    (tmp_path / "j1").mkdir()
    (tmp_path / "j1" / "stderr.txt").write_text("step 10 loss 0.4\n" + TRACEBACK + "KeyError: 'warmup_steps'\n")
    (tmp_path / "j1" / "job.meta.yaml").write_text(
        "gpus: 4\nstart: 2018-10-05T10:00:00Z\nend: 2018-10-05T12:30:00Z\nretries: 3\n")
    # j2: 2 GPUs x 1.5 h = 3.0 GPU h, retried once, path_not_found (never)
    (tmp_path / "j2").mkdir()
    (tmp_path / "j2" / "stdout.log").write_text(
        TRACEBACK + "FileNotFoundError: [Errno 2] No such file or directory: '/home/me/data/train.csv'\n")
    (tmp_path / "j2" / "job.meta.yml").write_text(
        "gpus: 2\nstart: 2018-10-06T08:00:00+00:00\nend: 2018-10-06T09:30:00+00:00\nretries: 1\n")
    # j3, a single log file: 8 GPUs x 0.25 h = 2.0 GPU h, never retried, gpu_out_of_memory (maybe)
    (tmp_path / "j3.log").write_text(TRACEBACK + "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB\n")
    (tmp_path / "j3.log.meta.json").write_text(json.dumps(
        {"gpus": 8, "start": "2018-10-07T23:50:00Z", "end": "2018-10-08T00:05:00Z", "retries": 0}))
    result = run("stats", tmp_path, "-f", "json", "--jobs", "1")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["jobs"] == 3 and document["failed"] == 3  # metadata files are not jobs
    assert document["gpu_hours"] == {"known": 3, "total": 15.0}  # 10.0 + 3.0 + 2.0
    hours_of = {row["id"]: row["gpu_hours"] for row in document["dimensions"]}
    assert hours_of == {"deep_learning": 2.0, "execution_environment": 3.0, "general_code": 10.0, "data": 0.0}
    shares = {row["id"]: row["gpu_share"] for row in document["dimensions"]}
    assert shares == {"deep_learning": 13.3, "execution_environment": 20.0, "general_code": 66.7, "data": 0.0}
    # never: j1 and j2, retried 3 + 1 = 4 times; wasted 3 x 10.0 + 1 x 3.0 = 33.0; one more of each 13.0
    assert document["retry_waste"] == {"jobs": 2, "retries": 4, "wasted_gpu_hours": 33.0, "per_retry_gpu_hours": 13.0}
    assert {row["advice"]: row["retries"] for row in document["retry"]} == {
        "never": 4, "maybe": 0, "environment": 0, "unknown": 0}
