"""The page of ``triage report``: one self-contained HTML file of charts, jobs and their log excerpts.

The page needs nothing but itself. Its style and script (report_assets/) are inline, its charts are
SVG drawn here, so they show without the script, and its Content-Security-Policy lets it load
nothing at all: it reads the same from a CI artifact, an e-mail or a laptop offline. Every string
that comes from a log, a rule or a path is escaped as text.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Optional, Sequence

from philly_triage import __version__
from philly_triage._internal.analysis.excerpt import ExcerptLine, read_excerpt
from philly_triage.models import RETRY_ADVICE, STAGES, FailureRecord, Status

BEFORE, AFTER = 12, 6  # lines of log shown before and after the failure line
MAX_EXCERPTS = 2000  # failed jobs whose excerpts the page holds: a page of 10,000 jobs stays a few MB
MAX_CHARS = 500  # of one log line or failure message on the page
FAILED = (Status.CLASSIFIED, Status.UNCLASSIFIED)
COLOURS = 6  # dimension colours in report.css: d0 .. d5
# C0 and C1 control characters (but tab and newline) are not text; a page shows them as U+FFFD.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The jobs table: (key, heading, how the column sorts).
COLUMNS = (
    ("job", "Job", "text"), ("status", "Status", "text"), ("category", "Category", "text"),
    ("dimension", "Dimension", "text"), ("stage", "Stage", "text"), ("retry", "Retry advice", "text"),
    ("gpu_hours", "GPU hours", "number"), ("location", "Log file:line", "text"), ("message", "Failure line", "text"),
)
# Chart geometry, in SVG user units (a chart scales to its column's width). Labels and figures get
# the room their text needs, at about CHAR units a character; the bars get the rest, at least MIN_SPAN.
WIDTH, CHAR, MIN_SPAN, BAR, GAP, ROW_GAP, MAX_LABEL = 640, 7.0, 160, 16, 3, 10, 28
NO_GPU_HOURS = ("No GPU hours known: give --gpus N (GPUs per job, with run times from the logs' timestamps), "
                "or put a job.meta.yaml with gpus, start and end beside each job's logs.")

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="generator" content="triage {version}">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
{body}
<script>{script}</script>
</body>
</html>
"""


def excerpts_for(records: Sequence[FailureRecord], most: int = MAX_EXCERPTS) -> dict[int, list[ExcerptLine]]:
    """The lines around the failure line of the first ``most`` failed jobs, by position in ``records``.

    A job whose log cannot be read any more has an empty excerpt; a job beyond ``most`` has none.
    """
    excerpts: dict[int, list[ExcerptLine]] = {}
    for index, record in enumerate(records):
        if len(excerpts) >= most:
            break
        if _has_excerpt(record):
            excerpts[index] = read_excerpt(record.file, record.line - BEFORE, record.line + AFTER)
    return excerpts


def render_report(records: Sequence[FailureRecord], stats: dict, excerpts: dict[int, list[ExcerptLine]],
                  generated: datetime, sources: Sequence[str] = ()) -> str:
    """The whole page: a summary, the charts of ``stats`` (stats.aggregate's dict) and every job."""
    style, script = _asset("report.css"), _asset("report.js")
    policy = (f"default-src 'none'; style-src '{_digest(style)}'; script-src '{_digest(script)}'; "
              "base-uri 'none'; form-action 'none'")
    jobs = stats["jobs"]
    body = "\n".join([
        _header(stats, generated, sources),
        _charts(stats),
        _jobs_table(records, stats, excerpts),
        _footer(stats),
    ])
    return PAGE.format(policy=policy, version=__version__, title=f"triage report: {jobs:,} {_plural(jobs, 'job')}",
                       style=style, body=body, script=script)


# --- the summary ------------------------------------------------------------------------------------

def _header(stats: dict, generated: datetime, sources: Sequence[str]) -> str:
    status, hours = stats["by_status"], stats["gpu_hours"]
    figures = [
        ("jobs", "Jobs", f"{stats['jobs']:,}"), ("failed", "Failed", f"{stats['failed']:,}"),
        ("classified", "Classified", f"{status['classified']:,}"),
        ("unclassified", "Unclassified", f"{status['unclassified']:,}"),
        ("no_failure", "No failure", f"{status['no_failure']:,}"),
        ("error", "Could not classify", f"{status['error']:,}"),
        ("gpu_known", "GPU hours known for", f"{hours['known']:,} of {stats['failed']:,} failed"),
        ("gpu_total", "GPU hours (known)", _hours(hours["total"])),
    ]
    items = "".join(f'<div><dt>{label}</dt><dd data-figure="{key}">{value}</dd></div>' for key, label, value in figures)
    where = f" from {', '.join(f'<code>{_e(path)}</code>' for path in sources)}" if sources else ""
    when = generated.isoformat(sep=" ", timespec="seconds")
    return (f'<header><h1>Why the jobs failed</h1><p class="meta">Generated {_e(when)} by triage {_e(__version__)}'
            f'{where}.</p><dl class="summary">{items}</dl></header>')


def _footer(stats: dict) -> str:
    study = stats.get("study") or {}
    parts = [f"Study figures: {_e(study['source'])}." if study.get("source") else "", _e(study.get("note") or "")]
    return f'<footer><p>{" ".join(part for part in parts if part)}</p></footer>'


# --- the charts -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    value: float  # its length, on the scale of its chart
    scale: float  # the value that fills the whole span
    figures: str  # the text right of it
    kind: str  # its CSS class: s-count, s-study, s-hours, or a dimension's colour d0..d5
    tip: str  # its tooltip and accessible text


@dataclass(frozen=True)
class Row:
    label: str
    bars: tuple[Bar, ...]


def _charts(stats: dict) -> str:
    colours = {row["id"]: f"d{index % COLOURS}" for index, row in enumerate(stats["dimensions"])}
    figures = [_dimension_chart(stats), _category_chart(stats, colours), _stage_chart(stats), _retry_chart(stats)]
    figures += _gpu_charts(stats, colours)
    return (f'<section aria-labelledby="charts-heading"><h2 id="charts-heading">Failures</h2>'
            f'<div class="charts">{"".join(figures)}</div></section>')


def _dimension_chart(stats: dict) -> str:
    rows = stats["dimensions"]
    title = "Failures by dimension, beside the study's"
    if not stats["by_status"]["classified"]:
        return _empty("chart-dimensions", title, "No job's failure was classified.")
    scale = max([row["share"] for row in rows] + [row["study_share"] or 0 for row in rows])
    drawn = []
    for row in rows:
        bars = [Bar(row["share"], scale, f"{row['count']:,} · {row['share']}%", "s-count",
                    f"{row['id']}: {row['count']:,} {_plural(row['count'], 'job')}, {row['share']}% of the classified")]
        if row["study_share"] is not None:
            bars.append(Bar(row["study_share"], scale, f"study {row['study_share']}%", "s-study",
                            f"{row['id']}: {row['study_share']}% of the failures in the study"))
        drawn.append(Row(row["id"], tuple(bars)))
    return _chart("chart-dimensions", title, drawn, _legend([("s-count", "these jobs"), ("s-study", "the study")]))


def _category_chart(stats: dict, colours: dict[str, str]) -> str:
    rows = stats["categories"]
    title = "Failures by category"
    if not rows:
        return _empty("chart-categories", title, "No job's failure was classified.")
    scale = max(row["count"] for row in rows)
    drawn = [Row(row["id"], (Bar(row["count"], scale, f"{row['count']:,} · {row['share']}%",
                                 colours.get(row["dimension"], "d0"),
                                 f"{row['name']} ({row['dimension']}): {row['count']:,} "
                                 f"{_plural(row['count'], 'job')}, {row['share']}% of the classified"),))
             for row in rows]
    shown = dict.fromkeys(row["dimension"] for row in rows)
    return _chart("chart-categories", title, drawn, _legend([(colours.get(d, "d0"), d) for d in shown]))


def _stage_chart(stats: dict) -> str:
    rows = [row for row in stats["stages"] if row["id"] in STAGES or row["count"]]
    title = "Failures by stage: jobs" + (" and GPU hours" if stats["gpu_hours"]["known"] else "")
    if not stats["failed"]:
        return _empty("chart-stages", title, "No job failed.")
    counts = max(row["count"] for row in rows) or 1
    hours = max(row["gpu_hours"] or 0 for row in rows)
    drawn = []
    for row in rows:
        study = f" (study {row['study_share']}%)" if row.get("study_share") is not None else ""
        bars = [Bar(row["count"], counts, f"{row['count']:,} · {row['share']}%{study}", "s-count",
                    f"{row['id']}: {row['count']:,} failed {_plural(row['count'], 'job')}, {row['share']}%{study}")]
        if hours:
            study = f" (study {row['study_gpu_share']}%)" if row.get("study_gpu_share") is not None else ""
            share = f" · {row['gpu_share']}%" if row["gpu_share"] is not None else ""
            bars.append(Bar(row["gpu_hours"], hours, f"{_hours(row['gpu_hours'])} GPU h{share}{study}", "s-hours",
                            f"{row['id']}: {_hours(row['gpu_hours'])} GPU hours{share}{study}"))
        drawn.append(Row(row["id"], tuple(bars)))
    keys = [("s-count", "failed jobs")] + ([("s-hours", "GPU hours")] if hours else [])
    return _chart("chart-stages", title, drawn, _legend(keys))


def _retry_chart(stats: dict) -> str:
    rows = stats["retry"]
    title = "Failures by retry advice"
    if not stats["failed"]:
        return _empty("chart-retry", title, "No job failed.")
    scale = max(row["count"] for row in rows) or 1
    drawn = [Row(row["advice"], (Bar(row["count"], scale, f"{row['count']:,} · {row['share']}%", "s-count",
                                     f"{row['advice']}: {row['meaning']}"),)) for row in rows]
    return _chart("chart-retry", title, drawn, "", _retry_waste(stats.get("retry_waste") or {}))


def _retry_waste(waste: dict) -> str:
    jobs, retries = waste.get("jobs", 0), waste.get("retries", 0)
    if not jobs:
        return ""
    said = (f"{jobs:,} deterministic {_plural(jobs, 'failure')} (retry advice never): retrying cannot help")
    if retries:
        said += f"; {_plural(jobs, 'it was', 'they were')} retried {retries:,} {_plural(retries, 'time')}"
        if waste.get("wasted_gpu_hours"):
            said += f", wasting {_hours(waste['wasted_gpu_hours'])} GPU hours"
    if waste.get("per_retry_gpu_hours"):
        said += f"; one more retry of each would waste {_hours(waste['per_retry_gpu_hours'])} GPU hours"
    return f'<p class="note" id="retry-waste">{said}.</p>'


def _gpu_charts(stats: dict, colours: dict[str, str]) -> list[str]:
    known = stats["gpu_hours"]["known"]
    dimensions = [row for row in stats["dimensions"] if row["gpu_hours"]]
    categories = [row for row in stats["categories"] if row["gpu_hours"]]
    if not known or not (dimensions or categories):
        message = NO_GPU_HOURS if not known else f"GPU hours are known for {known:,} failed jobs, all of them 0."
        return [_empty("chart-gpu-hours", "GPU hours of the failed runs", message)]
    note = f'<p class="note">Known for {known:,} of {stats["failed"]:,} failed jobs.</p>'
    charts = []
    for chart_id, title, rows, colour in (
        ("chart-gpu-dimensions", "GPU hours by dimension", dimensions, lambda row: colours.get(row["id"], "d0")),
        ("chart-gpu-categories", "GPU hours by category", categories, lambda row: colours.get(row["dimension"], "d0")),
    ):
        if not rows:
            charts.append(_empty(chart_id, title, "No classified failure has known GPU hours."))
            continue
        scale = max(row["gpu_hours"] for row in rows)
        drawn = [Row(row["id"], (Bar(row["gpu_hours"], scale, _gpu_figures(row), colour(row),
                                     f"{row['id']}: {_gpu_figures(row)}"),)) for row in rows]
        charts.append(_chart(chart_id, title, drawn, "", note))
    return charts


def _gpu_figures(row: dict) -> str:
    share = f" · {row['gpu_share']}%" if row.get("gpu_share") is not None else ""
    return f"{_hours(row['gpu_hours'])} GPU h{share}"


def _chart(chart_id: str, title: str, rows: list[Row], legend: str = "", after: str = "") -> str:
    """A horizontal bar chart as inline SVG: a label left of each row, its figures right of each bar."""
    label_end = CHAR * max(len(_clip(row.label, MAX_LABEL)) for row in rows)
    bar_x = label_end + 8
    span = max(MIN_SPAN, WIDTH - bar_x - 6 - CHAR * max(len(bar.figures) for row in rows for bar in row.bars))
    shapes, y = [], ROW_GAP / 2
    for row in rows:
        height = len(row.bars) * (BAR + GAP) - GAP
        shapes.append(f'<text class="label" x="{label_end:.0f}" y="{y + height / 2:.1f}" text-anchor="end" '
                      f'dominant-baseline="central">{_e(_clip(row.label, MAX_LABEL))}</text>')
        for bar in row.bars:
            width = span * bar.value / bar.scale if bar.scale else 0.0
            width = max(width, 2.0) if bar.value > 0 else 0.0  # the smallest share still shows
            shapes.append(f'<rect class="bar {bar.kind}" x="{bar_x:.0f}" y="{y:.1f}" width="{width:.1f}" '
                          f'height="{BAR}" '
                          f'data-value="{bar.value}"><title>{_e(bar.tip)}</title></rect>'
                          f'<text class="figures" x="{bar_x + width + 6:.1f}" y="{y + BAR / 2:.1f}" '
                          f'dominant-baseline="central">{_e(bar.figures)}</text>')
            y += BAR + GAP
        y += ROW_GAP - GAP
    described = "; ".join(bar.tip for row in rows for bar in row.bars)
    svg = (f'<svg viewBox="0 0 {WIDTH} {y + ROW_GAP / 2:.0f}" role="img" aria-labelledby="{chart_id}-title" '
           f'aria-describedby="{chart_id}-desc"><title id="{chart_id}-title">{_e(title)}</title>'
           f'<desc id="{chart_id}-desc">{_e(described)}</desc>{"".join(shapes)}</svg>')
    return f'<figure class="chart" id="{chart_id}"><figcaption>{_e(title)}{legend}</figcaption>{svg}{after}</figure>'


def _empty(chart_id: str, title: str, message: str) -> str:
    return (f'<figure class="chart empty" id="{chart_id}"><figcaption>{_e(title)}</figcaption>'
            f'<p>{_e(message)}</p></figure>')


def _legend(keys: list[tuple[str, str]]) -> str:
    keys_shown = "".join(f'<span class="key {kind}"></span>{_e(label)}' for kind, label in keys)
    return f'<span class="legend">{keys_shown}</span>'


# --- the jobs ---------------------------------------------------------------------------------------

def _jobs_table(records: Sequence[FailureRecord], stats: dict, excerpts: dict[int, list[ExcerptLine]]) -> str:
    names = {row["id"]: row["name"] for row in stats["categories"]}
    left_out = sum(1 for index, record in enumerate(records) if _has_excerpt(record) and index not in excerpts)
    note = ""
    if left_out:
        note = (f'<p class="note" id="excerpts-left-out">Excerpts of {left_out:,} failed '
                f'{_plural(left_out, "job")} are left out: the report holds those of the first {len(excerpts):,}.</p>')
    head = "".join(f'<th scope="col" class="{key}" data-type="{kind}"><button type="button">{label}</button></th>'
                   for key, label, kind in COLUMNS)
    bodies = "\n".join(_job(index, record, names, excerpts.get(index)) for index, record in enumerate(records))
    return (f'<section aria-labelledby="jobs-heading"><h2 id="jobs-heading">Jobs</h2>'
            f'<p class="note">Click a column heading to sort by it (again to reverse); click a job to see its log '
            f'around the failure.</p>{note}<table class="jobs" id="jobs"><thead><tr>{head}</tr></thead>\n'
            f'{bodies}\n</table></section>')


def _job(index: int, record: FailureRecord, names: dict[str, str], excerpt: Optional[list[ExcerptLine]]) -> str:
    """A job's row and, hidden under it, the row of its details; sorting moves the two together."""
    stage_key = str(STAGES.index(record.stage) + 1) if record.stage in STAGES else (record.stage or "")
    where = f"{record.file}:{record.line}" if record.file and record.line else (record.file or "")
    cells = "".join([
        f'<td class="job"><button type="button" class="toggle" aria-expanded="false" aria-controls="detail-{index}">'
        f'{_e(record.job)}</button></td>',
        _cell("status", record.status.value),
        _cell("category", record.category),
        _cell("dimension", record.dimension),
        _cell("stage", record.stage, key=stage_key),
        _cell("retry", record.retry),
        _cell("gpu_hours number", _hours(record.gpu_hours),
              key="" if record.gpu_hours is None else f"{record.gpu_hours:g}"),
        _cell("location", where),
        _cell("message", _clip(record.message or "")),
    ])
    return (f'<tbody><tr class="job s-{record.status.value}">{cells}</tr>'
            f'<tr class="detail" id="detail-{index}" hidden><td colspan="{len(COLUMNS)}">'
            f'{_details(record, names, excerpt)}</td></tr></tbody>')


def _cell(kind: str, text: Optional[str], key: Optional[str] = None) -> str:
    keyed = f' data-key="{_e(key)}"' if key is not None else ""
    return f'<td class="{kind}"{keyed}>{_e(text or "")}</td>'


def _details(record: FailureRecord, names: dict[str, str], excerpt: Optional[list[ExcerptLine]]) -> str:
    facts = []
    if record.category:
        facts.append(("Category", f"{_e(names.get(record.category, record.category))} "
                                  f"(<code>{_e(record.category)}</code>, {_e(record.dimension or '')})"))
    if record.exception:
        facts.append(("Exception", f"<code>{_e(record.exception)}</code>"))
    if record.evidence:
        facts.append(("Evidence", f"<code>{_e(record.evidence)}</code>"))
    if record.hint:
        facts.append(("Hint", _e(record.hint)))
    if record.retry:
        facts.append(("Retry advice", f"<strong>{_e(record.retry)}</strong>: {_e(RETRY_ADVICE.get(record.retry, ''))}"))
    if record.retries is not None:
        times = f"{record.retries:,} {_plural(record.retries, 'time')}"
        facts.append(("Earlier runs", f"the platform ran this job {times} before this run"))
    if record.reason:
        facts.append(("Reason", _e(record.reason)))
    facts += [("Note", _e(note)) for note in record.notes]
    listed = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts)
    return (f'<dl class="facts">{listed}</dl>' if listed else "") + _excerpt(record, excerpt)


def _excerpt(record: FailureRecord, excerpt: Optional[list[ExcerptLine]]) -> str:
    if not _has_excerpt(record):
        return ""
    if excerpt is None:
        return '<p class="note">This job\'s excerpt is left out (see above the table).</p>'
    if not excerpt:
        return f'<p class="note">The log {_e(record.file or "")} could not be read when the report was made.</p>'
    lines = "".join(
        f'<li class="failure" data-line="{line.number}">{_e(_clip(line.text))}</li>' if line.number == record.line
        else f"<li>{_e(_clip(line.text))}</li>"
        for line in excerpt
    )
    label = f"{record.file}, lines {excerpt[0].number} to {excerpt[-1].number}; the failure at line {record.line}"
    return f'<ol class="log" start="{excerpt[0].number}" aria-label="{_e(label)}">{lines}</ol>'


# --- small helpers ----------------------------------------------------------------------------------

def _has_excerpt(record: FailureRecord) -> bool:
    return record.status in FAILED and bool(record.file) and bool(record.line)


def _asset(name: str) -> str:
    return resources.files("philly_triage._internal.output.report").joinpath("assets").joinpath(name).read_text(encoding="utf-8")


def _digest(text: str) -> str:
    """The CSP source that allows exactly this inline style or script."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _e(text: str) -> str:
    """Text (from a log, a rule, a path) as HTML text or an attribute value, control characters shown as U+FFFD."""
    return html.escape(CONTROL.sub("\ufffd", text), quote=True)


def _clip(text: str, most: int = MAX_CHARS) -> str:
    return text if len(text) <= most else text[: most - 1] + "\u2026"


def _hours(value: Optional[float]) -> str:
    if value is None:
        return ""
    return "<0.01" if 0 < value < 0.005 else f"{value:,.2f}"  # a short run's hours are not nothing


def _plural(count: int, one: str, many: Optional[str] = None) -> str:
    return one if count == 1 else (many or one + "s")
