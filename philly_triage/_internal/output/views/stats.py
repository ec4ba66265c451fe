"""Show the statistics of ``triage stats``: bar charts for a terminal, or Markdown tables.

Both show the same things in the same order: a headline, then dimensions (beside the study's
shares), categories, stages (beside the study's figures), retry advice, and what retrying
deterministic failures wasted. The terminal leaves out the GPU columns when no GPU hours are
known, and the retries column when no retry counts are.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional, Sequence

from rich import box
from rich.table import Table
from rich.text import Text

from philly_triage._internal.output.markdown import CONTROLS, code, one_line, plural, table
from philly_triage._internal.analysis.stats import RetryWaste, Stats

if TYPE_CHECKING:
    from rich.console import Console

BAR_WIDTH = 24  # cells of the longest bar
EIGHTHS = " ▏▎▍▌▋▊▉"  # a partial cell, in eighths; a full cell is █
NUMERIC = {"Jobs", "Share", "GPU h", "GPU share", "Study", "Diff", "Retries"}  # right-aligned
MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>|#!~&])")


def bar(count: int, largest: int, width: int = BAR_WIDTH) -> str:
    """A bar of unicode blocks, ``width`` cells for ``largest``; any count above 0 shows at least ▏."""
    if count <= 0 or largest <= 0:
        return ""
    eighths = max(1, round(8 * width * count / largest))
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


def percent(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.1f}%"


def points(share: Optional[float], study: Optional[float], classified: int) -> str:
    """The difference from the study's share, in percentage points: '+2.5', '-8.0'; '-' without a
    study share, outside the study, or without classified jobs to compare."""
    return "-" if share is None or study is None or not classified else f"{share - study:+.1f}"


def outside_sentence(stats: Stats) -> str:
    """What the comparison with the study leaves out: '' when every classified failure is of the
    study's kind."""
    if not stats.outside_study:
        return ""
    dimensions = ", ".join(row.id for row in stats.dimensions if not row.study and row.count)
    return (f"{plural(stats.outside_study, 'classified failure')} ({dimensions}) "
            f"{'is' if stats.outside_study == 1 else 'are'} outside the study's taxonomy, which left platform "
            f"failures out: counted here, but compared with the study are the other "
            f"{plural(stats.in_study, 'failure')} only.")


def study_fact(failures: Optional[float], gpu_time: Optional[float]) -> str:
    """What the study says of a stage, e.g. '30.8% of failures, 0.9% of GPU time'; '' when nothing."""
    parts = ([f"{failures:.1f}% of failures"] if failures is not None else []) + (
        [f"{gpu_time:.1f}% of GPU time"] if gpu_time is not None else [])
    return ", ".join(parts)


def headline(stats: Stats) -> str:
    counts = stats.by_status
    return (f"{plural(stats.jobs, 'job')}: {stats.failed} failed ({counts['classified']} classified, "
            f"{counts['unclassified']} unclassified), {counts['no_failure']} without a failure, "
            f"{counts['error']} that triage could not classify")


def gpu_line(stats: Stats) -> str:
    if not stats.gpu_hours_known:
        return "GPU hours: not known for any failed job"
    return (f"GPU hours known for {stats.gpu_hours_known} of {stats.failed} failed jobs: "
            f"{stats.gpu_hours_total:.2f} in all")


def waste_sentence(waste: RetryWaste) -> str:
    """What automatic retries of deterministic failures cost, in words; a lower bound when some
    retry counts or GPU hours are not known."""
    if not waste.jobs:
        return 'No failure is deterministic (retry advice "never"), so no retry of one was wasted.'
    subject = plural(waste.jobs, "deterministic failure")
    complete = waste.retries_known == waste.gpu_hours_known == waste.jobs
    if not waste.retries_known:
        said = f"{subject}: how often the platform retried {'it' if waste.jobs == 1 else 'them'} is not known"
    else:
        known = "" if waste.retries_known == waste.jobs else f" ({waste.retries_known} with a known retry count)"
        said = f"{subject}{known} {'was' if waste.jobs == 1 else 'were'} retried {plural(waste.retries, 'time')}"
        if waste.gpu_hours_known:
            said += f", wasting {'' if complete else 'at least '}{waste.wasted_gpu_hours:.1f} GPU hours"
    if not waste.gpu_hours_known:
        return f"{said}; {'its' if waste.jobs == 1 else 'their'} GPU hours are not known."
    least = "" if waste.gpu_hours_known == waste.jobs else "at least "
    return f"{said}; one more automatic retry of each would waste {least}{waste.per_retry_gpu_hours:.1f} GPU hours."


# The terminal

def render_stats(stats: Stats, console: Console) -> None:
    """The headline, four bar charts and the retry-waste sentence; plain text when colour is off."""
    gpu, classified = stats.gpu_hours_known > 0, stats.by_status["classified"]
    outside = stats.outside_study > 0  # then "Of study" (the share among the study's kinds) is what compares
    console.print(Text(headline(stats), style="bold"))
    console.print(Text(gpu_line(stats)))
    _chart(console, f"Dimensions (share of the {plural(classified, 'classified failure')}; "
                    + (f"of study: of the {plural(stats.in_study, 'failure')} of the study's kinds; " if outside else "")
                    + "the study's share of all failures)",
           ["Dimension", "Jobs", "Share"] + _gpu_heads(gpu) + (["Of study"] if outside else []) + ["Study", "Diff"],
           [[row.id, row.count, percent(row.share)] + _gpu_cells(gpu, row.gpu_hours, row.gpu_share)
            + ([percent(row.share_of_study)] if outside else [])
            + [percent(row.study_share), points(row.share_of_study, row.study_share, stats.in_study)]
            for row in stats.dimensions])
    if outside:
        console.print(Text(outside_sentence(stats), style="dim"))
    _chart(console, "Categories (share of the classified failures)",
           ["Category", "Jobs", "Share"] + _gpu_heads(gpu) + ["Dimension", "Retry"],
           [[row.id, row.count, percent(row.share)] + _gpu_cells(gpu, row.gpu_hours, row.gpu_share)
            + [row.dimension, row.retry] for row in stats.categories])
    _chart(console, f"Stages (share of the {plural(stats.failed, 'failed job')})",
           ["Stage", "Jobs", "Share"] + _gpu_heads(gpu) + ["In the study"],
           [[row.id, row.count, percent(row.share)] + _gpu_cells(gpu, row.gpu_hours, row.gpu_share)
            + [study_fact(row.study_share, row.study_gpu_share)] for row in stats.stages])
    retries = stats.retries_known > 0
    _chart(console, "Retry advice (share of the failed jobs)",
           ["Advice", "Jobs", "Share"] + (["GPU h"] if gpu else []) + (["Retries"] if retries else []) + ["Meaning"],
           [[row.advice, row.count, percent(row.share)] + ([f"{row.gpu_hours:.2f}"] if gpu else [])
            + ([str(row.retries)] if retries else []) + [row.meaning] for row in stats.retry])
    console.print()
    console.print(Text(waste_sentence(stats.retry_waste)))
    console.print(Text(f"Study: {stats.source}. {stats.note}", style="dim"))


def _gpu_heads(gpu: bool) -> list[str]:
    return ["GPU h", "GPU share"] if gpu else []


def _gpu_cells(gpu: bool, gpu_hours: float, gpu_share: Optional[float]) -> list[str]:
    return [f"{gpu_hours:.2f}", percent(gpu_share)] if gpu else []


def _chart(console: Console, title: str, heads: list[str], rows: list[list]) -> None:
    """A titled table whose rows are [label, count, cells...]; a bar scaled to the largest count
    goes between the label and the count. Numbers are right-aligned, words left."""
    console.print()
    if not rows:
        console.print(Text(f"{title}: none", style="bold"))
        return
    console.print(Text(title, style="bold"))
    chart = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    chart.add_column(heads[0], no_wrap=True)
    chart.add_column("", no_wrap=True, style="cyan", min_width=BAR_WIDTH)
    for head in heads[1:]:
        chart.add_column(head, justify="right" if head in NUMERIC else "left", no_wrap=head != heads[-1],
                         overflow="fold")
    largest = max(row[1] for row in rows)
    for label, count, *cells in rows:
        # Text, not markup: ids and names come from rule files and may hold "[...]".
        chart.add_row(Text(label), bar(count, largest), str(count), *(Text(str(c)) for c in cells))
    console.print(chart)


# Markdown

def stats_markdown(stats: Stats) -> str:
    """The statistics as GitHub-flavoured Markdown: a heading, a line of counts, one table per chart.
    GPU hours and retries show '-' when none are known at all."""
    def gpu(value: float) -> str:
        return f"{value:.2f}" if stats.gpu_hours_known else "-"

    def retries(value: int) -> str:
        return str(value) if stats.retries_known else "-"

    outside = stats.outside_study > 0
    dimensions = [
        (code(r.id), str(r.count), percent(r.share), gpu(r.gpu_hours), percent(r.gpu_share))
        + ((percent(r.share_of_study),) if outside else ())
        + (percent(r.study_share), points(r.share_of_study, r.study_share, stats.in_study))
        for r in stats.dimensions
    ]
    categories = [
        (code(r.id), text(r.name), code(r.dimension), code(r.retry), str(r.count), percent(r.share),
         gpu(r.gpu_hours), percent(r.gpu_share))
        for r in stats.categories
    ]
    stages = [
        (code(r.id), str(r.count), percent(r.share), gpu(r.gpu_hours), percent(r.gpu_share),
         percent(r.study_share), percent(r.study_gpu_share))
        for r in stats.stages
    ]
    retry = [
        (code(r.advice), text(r.meaning), str(r.count), percent(r.share), gpu(r.gpu_hours), retries(r.retries))
        for r in stats.retry
    ]
    blocks = [
        f"## triage stats: {plural(stats.jobs, 'job')}, {stats.failed} failed",
        prose(f"{headline(stats)}. {gpu_line(stats)}."),
        _section("Dimensions", "Share is of the classified failures; the study's share is of all its failures."
                 + (f" {prose(outside_sentence(stats))}" if outside else ""),
                 ("Dimension", "Jobs", "Share", "GPU hours", "GPU share") + (("Share of study",) if outside else ())
                 + ("Study share", "Difference (points)"), dimensions, numeric=7 if outside else 6),
        _section("Categories", "Share is of the classified failures.",
                 ("Category", "Name", "Dimension", "Retry", "Jobs", "Share", "GPU hours", "GPU share"),
                 categories, numeric=4),
        _section("Stages", "Share is of the failed jobs; the study's figures are of its sampled failures.",
                 ("Stage", "Jobs", "Share", "GPU hours", "GPU share", "Study share", "Study GPU share"),
                 stages, numeric=6),
        _section("Retry advice", "Share is of the failed jobs; Retries sums the known retries.",
                 ("Advice", "Meaning", "Jobs", "Share", "GPU hours", "Retries"), retry, numeric=4),
        "### Retry waste\n\n" + prose(waste_sentence(stats.retry_waste)),
        prose(f"Study: {stats.source}. {stats.note}"),
    ]
    return "\n\n".join(blocks) + "\n"


def _section(title: str, caption: str, headers: tuple[str, ...], rows: Sequence[tuple[str, ...]],
             numeric: int) -> str:
    if not rows:
        return f"### {title}\n\nNone."
    return f"### {title}\n\n{caption}\n\n" + table(headers, list(rows), numeric=numeric)


def text(value: str) -> str:
    """A table cell of words (from a rule file, say): on one line, cut short as markdown_format cuts
    cells, Markdown's special characters escaped."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", one_line(value))


def prose(value: str) -> str:
    """A paragraph: whitespace runs made one space, Markdown's special characters escaped."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", CONTROLS.sub("\ufffd", " ".join(value.split())))
