"""The page of ``triage report``: one self-contained HTML file of charts, jobs and their log excerpts.

The page needs nothing but itself. Its style and script (assets/) are inline, its charts are SVG
(charts.py lays them out), so they show without the script, and its Content-Security-Policy lets
it load nothing at all: it reads the same from a CI artifact, an e-mail or a laptop offline.

The markup is in templates/ (Jinja2): page.html, charts.html and jobs.html. Autoescaping is on, so
every string from a log, a rule or a path is escaped as text, its control characters shown as
U+FFFD; only the page's own style and script go in unescaped, as Markup. A name a template uses
but is not given is an error (StrictUndefined), not an empty string.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Optional, Sequence

import jinja2
from markupsafe import Markup

from philly_triage import __version__
from philly_triage._internal.analysis.excerpt import ExcerptLine, read_excerpt
from philly_triage._internal.output.report import text
from philly_triage._internal.output.report.charts import NO_GPU_HOURS, charts
from philly_triage._internal.output.report.text import MAX_CHARS
from philly_triage._internal.pipeline.digest import sha256
from philly_triage.models import RETRY_ADVICE, STAGES, FailureRecord

__all__ = ["AFTER", "BEFORE", "MAX_CHARS", "MAX_EXCERPTS", "NO_GPU_HOURS", "excerpts_for", "render_report"]

PACKAGE = "philly_triage._internal.output.report"
BEFORE, AFTER = 12, 6  # lines of log shown before and after the failure line
MAX_EXCERPTS = 2000  # failed jobs whose excerpts the page holds: a page of 10,000 jobs stays a few MB
# The jobs table: (key, heading, how the column sorts).
COLUMNS = (
    ("job", "Job", "text"), ("status", "Status", "text"), ("category", "Category", "text"),
    ("dimension", "Dimension", "text"), ("stage", "Stage", "text"), ("retry", "Retry advice", "text"),
    ("gpu_hours", "GPU hours", "number"), ("location", "Log file:line", "text"), ("message", "Failure line", "text"),
)


@dataclass(frozen=True)
class Job:
    """What the jobs table shows of one record, beyond the record's own fields."""

    index: int  # its position among the records: its details row is detail-<index>
    record: FailureRecord
    stage_key: str  # sorts the stages in pipeline order: "1".."4", or an unknown stage's name
    gpu_key: str  # the GPU hours as a number to sort by; "" when not known
    location: str  # file:line of the failure line
    category_name: str
    has_excerpt: bool  # a failed job with a failure line
    excerpt: Optional[list[ExcerptLine]]  # None: left out; []: its log could not be read


def excerpts_for(records: Sequence[FailureRecord], most: int = MAX_EXCERPTS) -> dict[int, list[ExcerptLine]]:
    """The lines around the failure line of the first ``most`` failed jobs, by position in ``records``.

    A job whose log cannot be read any more has an empty excerpt; a job beyond ``most`` has none.
    """
    excerpts: dict[int, list[ExcerptLine]] = {}
    for index, record in enumerate(records):
        if len(excerpts) >= most:
            break
        if has_excerpt(record):
            excerpts[index] = read_excerpt(record.file, record.line - BEFORE, record.line + AFTER)
    return excerpts


def render_report(records: Sequence[FailureRecord], stats: dict, excerpts: dict[int, list[ExcerptLine]],
                  generated: datetime, sources: Sequence[str] = ()) -> str:
    """The whole page: a summary, the charts of ``stats`` (stats.aggregate's dict) and every job."""
    style, script = asset("report.css"), asset("report.js")
    policy = (f"default-src 'none'; style-src '{digest(style)}'; script-src '{digest(script)}'; "
              "base-uri 'none'; form-action 'none'")
    names = {row["id"]: row["name"] for row in stats["categories"]}
    jobs = [job(index, record, names, excerpts.get(index)) for index, record in enumerate(records)]
    study = stats.get("study") or {}
    return environment().get_template("page.html").render(
        policy=policy, version=__version__, style=Markup(style), script=Markup(script),  # the page's own, trusted
        stats=stats, generated=generated.isoformat(sep=" ", timespec="seconds"), sources=list(sources),
        figures=summary(stats), charts=charts(stats), columns=COLUMNS, jobs=jobs,
        left_out=sum(1 for one in jobs if one.has_excerpt and one.excerpt is None), held=len(excerpts),
        study_source=study.get("source") or "", study_note=study.get("note") or "",
    )


def summary(stats: dict) -> list[tuple[str, str, str]]:
    """The figures at the top of the page: (key, label, value)."""
    status, hours = stats["by_status"], stats["gpu_hours"]
    return [
        ("jobs", "Jobs", text.count(stats["jobs"])), ("failed", "Failed", text.count(stats["failed"])),
        ("classified", "Classified", text.count(status["classified"])),
        ("unclassified", "Unclassified", text.count(status["unclassified"])),
        ("no_failure", "No failure", text.count(status["no_failure"])),
        ("error", "Could not classify", text.count(status["error"])),
        ("gpu_known", "GPU hours known for", f"{text.count(hours['known'])} of {text.count(stats['failed'])} failed"),
        ("gpu_total", "GPU hours (known)", text.hours(hours["total"])),
    ]


def job(index: int, record: FailureRecord, names: dict[str, str], excerpt: Optional[list[ExcerptLine]]) -> Job:
    stage_key = str(STAGES.index(record.stage) + 1) if record.stage in STAGES else (record.stage or "")
    location = f"{record.file}:{record.line}" if record.file and record.line else (record.file or "")
    return Job(index=index, record=record, stage_key=stage_key,
               gpu_key="" if record.gpu_hours is None else f"{record.gpu_hours:g}", location=location,
               category_name=names.get(record.category or "", record.category or ""),
               has_excerpt=has_excerpt(record), excerpt=excerpt)


def has_excerpt(record: FailureRecord) -> bool:
    return record.status.failed and bool(record.file) and bool(record.line)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates, escaping every value as HTML; an undefined name fails the rendering."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(PACKAGE, "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=True),
        undefined=jinja2.StrictUndefined,
        finalize=text.printable,  # every value written, before it is escaped
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters.update(clip=text.clip, hours=text.hours, count=text.count, breakable=text.breakable)
    env.globals.update(plural=text.plural, retry_advice=RETRY_ADVICE)
    return env


def asset(name: str) -> str:
    return resources.files(PACKAGE).joinpath("assets").joinpath(name).read_text(encoding="utf-8")


def digest(source: str) -> str:
    """The CSP source that allows exactly this inline style or script."""
    return "sha256-" + base64.b64encode(sha256(source.encode("utf-8")).digest()).decode("ascii")
