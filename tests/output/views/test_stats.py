"""The views of `triage stats` (output/views/stats.py): the terminal chart, its bars, the Markdown
tables and the retry-waste sentence, over the figures worked out by hand in tests/analysis/test_stats.py."""

from __future__ import annotations

import io

from philly_triage._internal.analysis.stats import RetryWaste, aggregate
from philly_triage._internal.cli.common import make_console
from philly_triage._internal.output.views.stats import BAR_WIDTH, bar, render_stats, stats_markdown, waste_sentence
from philly_triage.models import RETRY_ADVICE, FailureRecord, Status
from tests.analysis.test_stats import CATALOGUE, failed, stats  # noqa: F401 - stats is a fixture
from tests.formatting import tables


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


def test_failures_outside_the_study_get_their_own_column_and_a_sentence():
    # r1..r8 of the hand-worked records and 2 NCCL timeouts (infrastructure, study: false)
    from tests.analysis.test_stats import RECORDS

    with_outside = aggregate(RECORDS + [failed(job, "nccl_timeout", "training", 1.0, 0) for job in ("n1", "n2")],
                             CATALOGUE)
    lines = [line.rstrip() for line in plain_chart(with_outside).splitlines()]
    heads = next(line for line in lines if line.startswith("Dimension "))
    assert heads.split()[-3:] == ["study", "Study", "Diff"] and "Of study" in heads
    row = next(line for line in lines if line.startswith("execution_environment "))
    # 3 of 10 classified = 30.0%, 3 of the 8 of the study's kinds = 37.5%: 37.5 - 48.0 = -10.5, as without them
    assert row.split()[2:4] == ["3", "30.0%"] and row.split()[-3:] == ["37.5%", "48.0%", "-10.5"]
    infra = next(line for line in lines if line.startswith("infrastructure "))
    assert infra.split()[-3:] == ["-", "-", "-"]
    assert ("2 classified failures (infrastructure) are outside the study's taxonomy, which left platform failures "
            "out: counted here, but compared with the study are the other 8 failures only.") in " ".join(lines)
    markdown = stats_markdown(with_outside)
    dimensions = tables(markdown)[0]
    assert dimensions[0] == ["Dimension", "Jobs", "Share", "GPU hours", "GPU share", "Share of study", "Study share",
                             "Difference (points)"]
    assert ["execution_environment", "3", "30.0%", "1.50", "2.9%", "37.5%", "48.0%", "-10.5"] in dimensions
    assert "outside the study" in markdown
    # without such failures, nothing changes: no column, no sentence
    alone = aggregate(RECORDS, CATALOGUE)
    assert "Of study" not in plain_chart(alone) and "outside the study" not in stats_markdown(alone)
