"""The report's bar charts: what each chart shows, from stats.aggregate's dict, and where its bars go.

A chart here is plain data: its rows, each bar's length, position, figures and tooltip, all in
SVG user units. templates/charts.html draws it as inline SVG, escaping every label and tooltip
(category and dimension names come from rule files a user wrote). Nothing here writes markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from philly_triage.models import STAGES
from philly_triage._internal.output.report.text import clip, count, hours, plural

COLOURS = 6  # dimension colours in report.css: d0 .. d5
# Chart geometry, in SVG user units (a chart scales to its column's width). Labels and figures get
# the room their text needs, at about CHAR units a character; the bars get the rest, at least MIN_SPAN.
WIDTH, CHAR, MIN_SPAN, BAR, GAP, ROW_GAP, MAX_LABEL = 640, 7.0, 160, 16, 3, 10, 28
NO_GPU_HOURS = ("No GPU hours known: give --gpus N (GPUs per job, with run times from the logs' timestamps), "
                "or put a job.meta.yaml with gpus, start and end beside each job's logs.")


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


@dataclass(frozen=True)
class PlacedBar:
    bar: Bar
    x: float
    y: float
    width: float  # 0 for a value of 0; at least 2 for any other, so the smallest share still shows
    height = BAR

    @property
    def figures_x(self) -> float:
        """Where the text of its figures starts, just right of its end."""
        return self.x + self.width + 6

    @property
    def middle(self) -> float:
        return self.y + BAR / 2


@dataclass(frozen=True)
class PlacedRow:
    label: str  # clipped to MAX_LABEL characters
    x: float  # where the label ends (it is right-aligned)
    y: float  # the middle of the row's bars
    bars: tuple[PlacedBar, ...]


@dataclass(frozen=True)
class Chart:
    """One figure of the page: an SVG bar chart, or (with ``message`` and no rows) a sentence instead."""

    id: str
    title: str
    rows: tuple[PlacedRow, ...] = ()
    height: float = 0.0
    legend: tuple[tuple[str, str], ...] = ()  # (CSS class, label) of each key
    note: str = ""  # a sentence under the chart
    note_id: str = ""
    message: str = ""  # what an empty chart says
    width = WIDTH

    @property
    def description(self) -> str:
        """Every bar's tooltip: the chart in words, for a screen reader."""
        return "; ".join(placed.bar.tip for row in self.rows for placed in row.bars)


def charts(stats: dict) -> list[Chart]:
    """The page's charts, in the order they are shown."""
    colours = {row["id"]: f"d{index % COLOURS}" for index, row in enumerate(stats["dimensions"])}
    return [dimension_chart(stats), category_chart(stats, colours), stage_chart(stats), retry_chart(stats),
            *gpu_charts(stats, colours)]


def dimension_chart(stats: dict) -> Chart:
    rows = stats["dimensions"]
    title = "Failures by dimension, beside the study's"
    if not stats["by_status"]["classified"]:
        return Chart("chart-dimensions", title, message="No job's failure was classified.")
    scale = max([row["share"] for row in rows] + [row["study_share"] or 0 for row in rows])
    drawn = []
    for row in rows:
        # With failures outside the study (the infrastructure dimension), the study's share compares
        # with the share among the failures of the study's kinds.
        of_study = row.get("share_of_study")
        beside = f" ({of_study}% of the study's kinds)" if of_study is not None and of_study != row["share"] else ""
        bars = [Bar(row["share"], scale, f"{count(row['count'])} · {row['share']}%{beside}", "s-count",
                    f"{row['id']}: {count(row['count'])} {plural(row['count'], 'job')}, "
                    f"{row['share']}% of the classified{beside}")]
        if row["study_share"] is not None:
            bars.append(Bar(row["study_share"], scale, f"study {row['study_share']}%", "s-study",
                            f"{row['id']}: {row['study_share']}% of the failures in the study"))
        drawn.append(Row(row["id"], tuple(bars)))
    return place("chart-dimensions", title, drawn, legend=(("s-count", "these jobs"), ("s-study", "the study")))


def category_chart(stats: dict, colours: dict[str, str]) -> Chart:
    rows = stats["categories"]
    title = "Failures by category"
    if not rows:
        return Chart("chart-categories", title, message="No job's failure was classified.")
    scale = max(row["count"] for row in rows)
    drawn = [Row(row["id"], (Bar(row["count"], scale, f"{count(row['count'])} · {row['share']}%",
                                 colours.get(row["dimension"], "d0"),
                                 f"{row['name']} ({row['dimension']}): {count(row['count'])} "
                                 f"{plural(row['count'], 'job')}, {row['share']}% of the classified"),))
             for row in rows]
    shown = dict.fromkeys(row["dimension"] for row in rows)
    return place("chart-categories", title, drawn, legend=tuple((colours.get(d, "d0"), d) for d in shown))


def stage_chart(stats: dict) -> Chart:
    rows = [row for row in stats["stages"] if row["id"] in STAGES or row["count"]]
    title = "Failures by stage: jobs" + (" and GPU hours" if stats["gpu_hours"]["known"] else "")
    if not stats["failed"]:
        return Chart("chart-stages", title, message="No job failed.")
    counts = max(row["count"] for row in rows) or 1
    most_hours = max(row["gpu_hours"] or 0 for row in rows)
    drawn = []
    for row in rows:
        study = f" (study {row['study_share']}%)" if row.get("study_share") is not None else ""
        bars = [Bar(row["count"], counts, f"{count(row['count'])} · {row['share']}%{study}", "s-count",
                    f"{row['id']}: {count(row['count'])} failed {plural(row['count'], 'job')}, "
                    f"{row['share']}%{study}")]
        if most_hours:
            study = f" (study {row['study_gpu_share']}%)" if row.get("study_gpu_share") is not None else ""
            share = f" · {row['gpu_share']}%" if row["gpu_share"] is not None else ""
            bars.append(Bar(row["gpu_hours"], most_hours, f"{hours(row['gpu_hours'])} GPU h{share}{study}",
                            "s-hours", f"{row['id']}: {hours(row['gpu_hours'])} GPU hours{share}{study}"))
        drawn.append(Row(row["id"], tuple(bars)))
    keys = (("s-count", "failed jobs"),) + ((("s-hours", "GPU hours"),) if most_hours else ())
    return place("chart-stages", title, drawn, legend=keys)


def retry_chart(stats: dict) -> Chart:
    rows = stats["retry"]
    title = "Failures by retry advice"
    if not stats["failed"]:
        return Chart("chart-retry", title, message="No job failed.")
    scale = max(row["count"] for row in rows) or 1
    drawn = [Row(row["advice"], (Bar(row["count"], scale, f"{count(row['count'])} · {row['share']}%", "s-count",
                                     f"{row['advice']}: {row['meaning']}"),)) for row in rows]
    waste = retry_waste(stats.get("retry_waste") or {})
    return place("chart-retry", title, drawn, note=waste, note_id="retry-waste" if waste else "")


def retry_waste(waste: dict) -> str:
    """What retrying the failures that retrying cannot help cost, as a sentence; "" when none failed so."""
    jobs, retries = waste.get("jobs", 0), waste.get("retries", 0)
    if not jobs:
        return ""
    said = f"{count(jobs)} deterministic {plural(jobs, 'failure')} (retry advice never): retrying cannot help"
    if retries:
        said += f"; {plural(jobs, 'it was', 'they were')} retried {count(retries)} {plural(retries, 'time')}"
        if waste.get("wasted_gpu_hours"):
            said += f", wasting {hours(waste['wasted_gpu_hours'])} GPU hours"
    if waste.get("per_retry_gpu_hours"):
        said += f"; one more retry of each would waste {hours(waste['per_retry_gpu_hours'])} GPU hours"
    return said + "."


def gpu_charts(stats: dict, colours: dict[str, str]) -> list[Chart]:
    known = stats["gpu_hours"]["known"]
    dimensions = [row for row in stats["dimensions"] if row["gpu_hours"]]
    categories = [row for row in stats["categories"] if row["gpu_hours"]]
    if not known or not (dimensions or categories):
        message = NO_GPU_HOURS if not known else f"GPU hours are known for {count(known)} failed jobs, all of them 0."
        return [Chart("chart-gpu-hours", "GPU hours of the failed runs", message=message)]
    note = f"Known for {count(known)} of {count(stats['failed'])} failed jobs."
    wanted = (  # (id, title, rows, the colour of a row's bar)
        ("chart-gpu-dimensions", "GPU hours by dimension", dimensions, lambda row: colours.get(row["id"], "d0")),
        ("chart-gpu-categories", "GPU hours by category", categories, lambda row: colours.get(row["dimension"], "d0")),
    )
    drawn_charts = []
    for chart_id, title, rows, colour in wanted:
        if not rows:
            drawn_charts.append(Chart(chart_id, title, message="No classified failure has known GPU hours."))
            continue
        scale = max(row["gpu_hours"] for row in rows)
        drawn = [Row(row["id"], (Bar(row["gpu_hours"], scale, gpu_figures(row), colour(row),
                                     f"{row['id']}: {gpu_figures(row)}"),)) for row in rows]
        drawn_charts.append(place(chart_id, title, drawn, note=note))
    return drawn_charts


def gpu_figures(row: dict) -> str:
    share = f" · {row['gpu_share']}%" if row.get("gpu_share") is not None else ""
    return f"{hours(row['gpu_hours'])} GPU h{share}"


def place(chart_id: str, title: str, rows: list[Row], legend: tuple[tuple[str, str], ...] = (),
          note: str = "", note_id: str = "") -> Chart:
    """Lay out a horizontal bar chart: a label left of each row, its figures right of each bar."""
    label_end = CHAR * max(len(clip(row.label, MAX_LABEL)) for row in rows)
    bar_x = label_end + 8
    span = max(MIN_SPAN, WIDTH - bar_x - 6 - CHAR * max(len(bar.figures) for row in rows for bar in row.bars))
    placed_rows, y = [], ROW_GAP / 2
    for row in rows:
        height = len(row.bars) * (BAR + GAP) - GAP
        label_y = y + height / 2
        placed = []
        for bar in row.bars:
            width = span * bar.value / bar.scale if bar.scale else 0.0
            width = max(width, 2.0) if bar.value > 0 else 0.0  # the smallest share still shows
            placed.append(PlacedBar(bar, bar_x, y, width))
            y += BAR + GAP
        placed_rows.append(PlacedRow(clip(row.label, MAX_LABEL), label_end, label_y, tuple(placed)))
        y += ROW_GAP - GAP
    return Chart(chart_id, title, tuple(placed_rows), y + ROW_GAP / 2, legend, note, note_id)
