"""triage report without a browser: the page's structure, its escaping, its charts and the command.

The page is read back with a small tree builder on the standard library's HTML parser, so these
tests check elements and attributes, not substrings of markup. tests/test_report_browser.py loads
the page in a real Chromium.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from html.parser import HTMLParser
from typing import Optional

import jinja2
import pytest
from click.testing import CliRunner

from philly_triage import __version__
from philly_triage._internal.cli.main import cli
from philly_triage._internal.analysis.excerpt import ExcerptLine
from philly_triage.models import RETRY_ADVICE, FailureRecord, Status
from philly_triage._internal.pipeline.parallel import WorkerError
from philly_triage._internal.output.report.page import (
    AFTER, BEFORE, MAX_CHARS, NO_GPU_HOURS, environment, excerpts_for, render_report,
)
from tests.conftest import ROOT
from tests.new_process import run_new

HOSTILE_JOB = 'jobs/x"><img src=x onerror=alert(1)>'
SCRIPT = "<script>alert(1)</script>"
GENERATED = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)

RECORDS = [
    FailureRecord(job="jobs/oom", status=Status.CLASSIFIED, category="gpu_out_of_memory", dimension="deep_learning",
                  rule="gpu_out_of_memory", file="jobs/oom/stderr.txt", line=14,
                  message="RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB", exception="RuntimeError",
                  hint="Lower the batch size.", evidence="CUDA out of memory", stage="training", retry="maybe",
                  gpu_hours=12.5, retries=1),
    FailureRecord(job="jobs/path", status=Status.CLASSIFIED, category="path_not_found",
                  dimension="execution_environment", rule="path_not_found", file="jobs/path.log", line=3,
                  message="FileNotFoundError: [Errno 2] No such file or directory: '/data/x'",
                  exception="FileNotFoundError", hint="Read paths from arguments.", evidence="No such file",
                  stage="initialisation", retry="never", gpu_hours=0.25, retries=3),
    FailureRecord(job=HOSTILE_JOB, status=Status.CLASSIFIED, category="key_not_found", dimension="general_code",
                  rule="key_not_found", file="jobs/hostile.log", line=2, message=SCRIPT, exception="KeyError",
                  hint="Use <b>get</b> & check", evidence="&<>", stage="evaluation", retry="never"),
    FailureRecord(job="jobs/unknown", status=Status.UNCLASSIFIED, file="jobs/unknown.log", line=7,
                  message="Fatal: something \x1b[31mred\x00", reason="no rule matched the failure", retry="unknown",
                  notes=("a <note> & more",)),
    FailureRecord(job="jobs/fine", status=Status.NO_FAILURE, reason="no failure found"),
    FailureRecord(job="jobs/broken", status=Status.ERROR, reason="cannot read the log: Permission denied"),
]
EXCERPTS = {
    0: [ExcerptLine(n, f"step {n}") for n in range(2, 14)] + [ExcerptLine(14, RECORDS[0].message),
                                                               ExcerptLine(15, "exit 1")],
    1: [ExcerptLine(1, "start"), ExcerptLine(2, "cp: cannot stat"), ExcerptLine(3, RECORDS[1].message)],
    2: [ExcerptLine(1, "</ol></td></tr></tbody></table>" + SCRIPT), ExcerptLine(2, SCRIPT)],
    3: [ExcerptLine(7, "x" * 2000)],
}


def stats(known: int = 2, total: float = 12.75) -> dict:
    """The stats dict of RECORDS (stats.aggregate's contract); GPU hours known for ``known`` jobs."""
    hours = total > 0
    return {
        "schema_version": 1, "jobs": 6, "failed": 4,
        "by_status": {"classified": 3, "unclassified": 1, "no_failure": 1, "error": 1},
        "gpu_hours": {"known": known, "total": total},
        "dimensions": [
            {"id": "deep_learning", "count": 1, "share": 33.3, "gpu_hours": 12.5 if hours else 0.0,
             "gpu_share": 98.0 if hours else None, "study_share": 13.5},
            {"id": "execution_environment", "count": 1, "share": 33.3, "gpu_hours": 0.25 if hours else 0.0,
             "gpu_share": 2.0 if hours else None, "study_share": 48.0},
            {"id": "general_code", "count": 1, "share": 33.3, "gpu_hours": 0.0,
             "gpu_share": 0.0 if hours else None, "study_share": 36.5},
            {"id": "data", "count": 0, "share": 0.0, "gpu_hours": 0.0, "gpu_share": 0.0 if hours else None,
             "study_share": 2.0},
            {"id": "my_own", "count": 0, "share": 0.0, "gpu_hours": 0.0, "gpu_share": None, "study_share": None},
        ],
        "categories": [
            {"id": "gpu_out_of_memory", "name": "GPU out of memory", "dimension": "deep_learning", "count": 1,
             "share": 33.3, "gpu_hours": 12.5 if hours else 0.0, "gpu_share": 98.0 if hours else None, "retry": "maybe"},
            {"id": "key_not_found", "name": "Key <not> found", "dimension": "general_code", "count": 1,
             "share": 33.3, "gpu_hours": 0.0, "gpu_share": 0.0 if hours else None, "retry": "never"},
            {"id": "path_not_found", "name": "Path not found", "dimension": "execution_environment", "count": 1,
             "share": 33.3, "gpu_hours": 0.25 if hours else 0.0, "gpu_share": 2.0 if hours else None, "retry": "never"},
        ],
        "stages": [
            {"id": "initialisation", "count": 1, "share": 25.0, "gpu_hours": 0.25 if hours else 0.0,
             "gpu_share": 2.0 if hours else None, "study_share": 30.8, "study_gpu_share": 0.9},
            {"id": "training", "count": 1, "share": 25.0, "gpu_hours": 12.5 if hours else 0.0,
             "gpu_share": 98.0 if hours else None, "study_share": None, "study_gpu_share": None},
            {"id": "validation", "count": 0, "share": 0.0, "gpu_hours": 0.0, "gpu_share": 0.0 if hours else None,
             "study_share": None, "study_gpu_share": None},
            {"id": "evaluation", "count": 1, "share": 25.0, "gpu_hours": 0.0, "gpu_share": 0.0 if hours else None,
             "study_share": 25.0, "study_gpu_share": 81.0},
            {"id": "unknown", "count": 1, "share": 25.0, "gpu_hours": 0.0, "gpu_share": 0.0 if hours else None,
             "study_share": None, "study_gpu_share": None},
        ],
        "retry": [
            {"advice": advice, "meaning": RETRY_ADVICE[advice], "count": count, "share": share,
             "gpu_hours": gpu, "retries": retries}
            for advice, count, share, gpu, retries in (
                ("never", 2, 50.0, 0.25, 3), ("maybe", 1, 25.0, 12.5, 1),
                ("environment", 0, 0.0, 0.0, 0), ("unknown", 1, 25.0, 0.0, 0))
        ],
        "retry_waste": {"jobs": 2, "retries": 3, "wasted_gpu_hours": 0.75 if hours else 0.0,
                        "per_retry_gpu_hours": 0.25 if hours else 0.0},
        "study": {"source": "Zhang et al., ICSE 2020 <doi>", "note": "The study kept the last retry & classified all."},
    }


# --- reading the page back ------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def all(self, tag: Optional[str] = None, cls: Optional[str] = None, **attrs) -> list[Node]:
        """Every element below this one with that tag, class token and attribute values."""
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if ((tag is None or child.tag == tag) and (cls is None or cls in (child.attrs.get("class") or "").split())
                    and all(child.attrs.get(name.replace("_", "-")) == value for name, value in attrs.items())):
                found.append(child)
            found += child.all(tag, cls, **attrs)
        return found

    def one(self, tag: Optional[str] = None, cls: Optional[str] = None, **attrs) -> Node:
        found = self.all(tag, cls, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} class={cls} {attrs}> elements"
        return found[0]


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.open[-1].children.append(node)
        if tag not in VOID:
            self.open.append(node)

    def handle_startendtag(self, tag, attrs):
        self.open[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        assert tag in VOID or self.open[-1].tag == tag, f"</{tag}> closes <{self.open[-1].tag}>"
        if tag not in VOID:
            self.open.pop()

    def handle_data(self, data):
        self.open[-1].children.append(data)


def parse(page: str) -> Node:
    builder = TreeBuilder()
    builder.feed(page)
    builder.close()
    assert builder.open == [builder.root], "unclosed elements: " + ", ".join(n.tag for n in builder.open[1:])
    return builder.root


def page(records=RECORDS, excerpts=EXCERPTS, **stats_args) -> str:
    return render_report(records, stats(**stats_args), excerpts, GENERATED, ["jobs/"])


@pytest.fixture(scope="module")
def doc() -> Node:
    return parse(page())


def rows(doc: Node) -> list[Node]:
    return doc.all("tr", cls="job")


def cells(row: Node) -> dict[str, Node]:
    return {cell.attrs["class"].split()[0]: cell for cell in row.all("td")}


# --- self-contained -------------------------------------------------------------------------------

def test_the_page_loads_nothing(doc):
    html_text = page()
    assert "<link" not in html_text.lower()
    for element in doc.all():
        for name in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
            assert name not in element.attrs, f"<{element.tag} {name}=...>"
        assert not any(name.startswith("on") for name in element.attrs), element.attrs  # no inline handlers
    assert not re.search(r"(src|href)\s*=\s*[\"']?https?://", html_text, re.I)
    assert "@import" not in html_text and "url(" not in html_text and "@font-face" not in html_text


def test_the_content_security_policy_allows_exactly_the_inline_style_and_script(doc):
    policy = doc.one("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    (style,), (script,) = doc.all("style"), doc.all("script")
    for element, directive in ((style, "style-src"), (script, "script-src")):
        digest = base64.b64encode(hashlib.sha256(element.text().encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in policy


# --- escaping -------------------------------------------------------------------------------------

def test_text_from_logs_is_text_never_markup(doc):
    html_text = page()
    assert SCRIPT not in html_text and "<img" not in html_text
    assert html_text.count("</table>") == 1 and "&lt;/ol&gt;&lt;/td&gt;" in html_text
    assert len(doc.all("script")) == 1 and not doc.all("img")  # only the page's own script
    hostile = next(row for row in rows(doc) if HOSTILE_JOB in row.text())
    assert cells(hostile)["message"].text() == SCRIPT  # shown as the text it is
    assert cells(hostile)["job"].one("button").text() == HOSTILE_JOB
    detail = doc.one("tr", id=hostile.one("button").attrs["aria-controls"])
    assert [item.text() for item in detail.all("li")] == ["</ol></td></tr></tbody></table>" + SCRIPT, SCRIPT]
    facts = detail.text()
    assert "Use <b>get</b> & check" in facts and "&<>" in facts and not detail.all("b")


def hostile(field: str) -> str:
    """Text that closes the elements raw text could end (a textarea, a title, a style) and then runs a script."""
    return f'{field}</textarea></title></style><script>alert("{field}")</script><img src=x onerror=alert(1)>'


def label(field: str) -> str:
    """A chart's label for ``hostile(field)``: clipped to 28 characters."""
    return hostile(field)[:27] + "\u2026"


def hostile_page() -> str:
    """A page where every string that comes from a log, a rule file, a path or the study is hostile."""
    records = [
        FailureRecord(job=hostile("job"), status=Status.CLASSIFIED, category=hostile("category"),
                      dimension=hostile("dimension"), rule="r", file=hostile("file"), line=3, message=hostile("message"),
                      exception=hostile("exception"), hint=hostile("hint"), evidence=hostile("evidence"),
                      stage=hostile("stage"), retry=hostile("retry"), gpu_hours=1.0, retries=2,
                      notes=(hostile("note"),)),
        FailureRecord(job="jobs/gone", status=Status.UNCLASSIFIED, file=hostile("gone"), line=5, message="m",
                      reason=hostile("reason")),
    ]
    stats = {
        "schema_version": 1, "jobs": 2, "failed": 2,
        "by_status": {"classified": 1, "unclassified": 1, "no_failure": 0, "error": 0},
        "gpu_hours": {"known": 1, "total": 1.0},
        "dimensions": [{"id": hostile("dimension"), "count": 1, "share": 100.0, "gpu_hours": 1.0, "gpu_share": 100.0,
                        "study_share": None}],
        "categories": [{"id": hostile("category"), "name": hostile("name"), "dimension": hostile("dimension"),
                        "count": 1, "share": 100.0, "gpu_hours": 1.0, "gpu_share": 100.0, "retry": "never"}],
        "stages": [{"id": hostile("stage"), "count": 1, "share": 50.0, "gpu_hours": 1.0, "gpu_share": 100.0,
                    "study_share": None, "study_gpu_share": None},
                   {"id": "unknown", "count": 1, "share": 50.0, "gpu_hours": 0.0, "gpu_share": 0.0,
                    "study_share": None, "study_gpu_share": None}],
        "retry": [{"advice": hostile("retry"), "meaning": hostile("meaning"), "count": 1, "share": 50.0,
                   "gpu_hours": 1.0, "retries": 2}],
        "retry_waste": {"jobs": 0, "retries": 0, "wasted_gpu_hours": 0.0, "per_retry_gpu_hours": 0.0},
        "study": {"source": hostile("study source"), "note": hostile("study note")},
    }
    excerpts = {0: [ExcerptLine(2, hostile("log line")), ExcerptLine(3, hostile("failure line"))], 1: []}
    return render_report(records, stats, excerpts, GENERATED, [hostile("source")])


# The elements the templates write: a hostile string that became markup would add one.
ELEMENTS = {"#document", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "code", "dl",
            "div", "dt", "dd", "section", "figure", "figcaption", "span", "svg", "desc", "text", "rect", "table",
            "thead", "tbody", "tr", "th", "td", "button", "ol", "li", "strong", "footer", "script", "wbr"}


def test_hostile_text_is_escaped_in_every_place_it_appears():
    html_text = hostile_page()
    for markup in ("</textarea", "</title></style>", "<script>alert", "<img"):
        assert markup not in html_text  # not once, anywhere: every place escapes it
    doc = parse(html_text)  # every element closes where the templates close it
    assert {node.tag for node in doc.all()} | {"#document"} <= ELEMENTS and len(doc.all("script")) == 1
    row, detail = rows(doc)[0], doc.one("tr", id="detail-0")
    cell = {key: node.text() for key, node in cells(row).items()}
    facts = {dt.text(): dd for dt, dd in zip(detail.all("dt"), detail.all("dd"))}
    chart = {figure.attrs["id"]: figure for figure in doc.all("figure", cls="chart")}
    labels = {chart_id: [text.text() for text in figure.all("text", cls="label")] for chart_id, figure in chart.items()}
    tips = {chart_id: [title.text() for title in figure.all("title") if "id" not in title.attrs]
            for chart_id, figure in chart.items()}
    for field in ("job", "category", "dimension", "stage", "retry", "message"):  # the jobs table's columns
        assert cell[field] == hostile(field), field
    assert cell["location"] == hostile("file") + ":3"
    assert cells(row)["stage"].attrs["data-key"] == hostile("stage")  # an unknown stage sorts by its name
    assert facts["Category"].text() == f'{hostile("name")} ({hostile("category")}, {hostile("dimension")})'
    assert facts["Category"].one("code").text() == hostile("category")
    for name, field in (("Exception", "exception"), ("Evidence", "evidence")):
        assert facts[name].one("code").text() == hostile(field)
    assert facts["Hint"].text() == hostile("hint") and facts["Note"].text() == hostile("note")
    assert facts["Retry advice"].one("strong").text() == hostile("retry")
    assert [item.text() for item in detail.one("ol", cls="log").all("li")] == [hostile("log line"),
                                                                               hostile("failure line")]
    assert detail.one("ol").attrs["aria-label"] == f"{hostile('file')}, lines 2 to 3; the failure at line 3"
    gone = doc.one("tr", id="detail-1")
    assert hostile("gone") in gone.one("p", cls="note").text() and hostile("reason") in gone.one("dd").text()
    assert labels["chart-dimensions"] == labels["chart-gpu-dimensions"] == [label("dimension")]
    assert labels["chart-categories"] == labels["chart-gpu-categories"] == [label("category")]
    assert labels["chart-stages"] == [label("stage"), "unknown"] and labels["chart-retry"] == [label("retry")]
    assert chart["chart-categories"].one("span", cls="legend").text() == hostile("dimension")
    assert tips["chart-categories"] == [f"{hostile('name')} ({hostile('dimension')}): 1 job, 100.0% of the classified"]
    assert tips["chart-retry"] == [f"{hostile('retry')}: {hostile('meaning')}"]
    assert chart["chart-retry"].one("desc").text() == tips["chart-retry"][0]
    assert doc.one("header").one("code").text() == hostile("source")
    assert doc.one("footer").text() == f"Study figures: {hostile('study source')}. {hostile('study note')}"


def test_a_value_the_templates_are_not_given_is_an_error_not_an_empty_string():
    with pytest.raises(jinja2.UndefinedError):
        environment().get_template("page.html").render()
    assert environment().from_string("{{ text }}").render(text="<b>&") == "&lt;b&gt;&amp;"  # escaped by default


def test_the_page_style_and_script_are_the_assets_as_they_are():
    doc = parse(page())
    assets = ROOT / "philly_triage" / "_internal" / "output" / "report" / "assets"
    assert doc.one("style").text() == (assets / "report.css").read_text(encoding="utf-8")  # not escaped: Markup
    assert doc.one("script").text() == (assets / "report.js").read_text(encoding="utf-8")


def test_control_characters_are_shown_as_replacement_characters(doc):
    row = next(row for row in rows(doc) if "jobs/unknown" in row.text())
    assert cells(row)["message"].text() == "Fatal: something \ufffd[31mred\ufffd"


def test_names_and_notes_from_the_catalogue_are_escaped(doc):
    assert doc.one("tr", id="detail-2").all("dd")[0].text() == "Key <not> found (key_not_found, general_code)"
    unknown = doc.one("tr", id="detail-3")
    assert "a <note> & more" in unknown.text()
    assert "Zhang et al., ICSE 2020 <doi>" in doc.one("footer").text()


# --- the summary and the charts -------------------------------------------------------------------

def test_the_header_counts_the_jobs_and_names_the_version_and_time(doc):
    figures = {dd.attrs["data-figure"]: dd.text() for dd in doc.all("dd") if "data-figure" in dd.attrs}
    assert figures == {"jobs": "6", "failed": "4", "classified": "3", "unclassified": "1", "no_failure": "1",
                       "error": "1", "gpu_known": "2 of 4 failed", "gpu_total": "12.75"}
    meta = doc.one("header").one("p", cls="meta").text()
    assert f"triage {__version__}" in meta and "2024-05-06 07:08:09+00:00" in meta and "jobs/" in meta
    assert doc.one("head").one("title").text() == "triage report: 6 jobs"


CHARTS = ["chart-dimensions", "chart-categories", "chart-stages", "chart-retry", "chart-gpu-dimensions",
          "chart-gpu-categories"]


def test_every_chart_is_an_svg_with_a_title_and_bars(doc):
    assert [figure.attrs["id"] for figure in doc.all("figure", cls="chart")] == CHARTS
    for chart_id in CHARTS:
        svg = doc.one("figure", id=chart_id).one("svg")
        assert svg.attrs["role"] == "img" and svg.attrs["aria-labelledby"] == f"{chart_id}-title"
        assert svg.one("title", id=f"{chart_id}-title").text()
        bars = svg.all("rect", cls="bar")
        assert bars and all(float(bar.attrs["width"]) > 0 for bar in bars if float(bar.attrs["data-value"]) > 0)
        assert all(bar.one("title").text() for bar in bars)  # each bar's tooltip


def test_the_charts_are_well_formed_svg():
    for svg in re.findall(r"<svg.*?</svg>", page(), re.S):
        ET.fromstring(svg)


def test_bars_are_as_long_as_their_values(doc):
    bars = doc.one("figure", id="chart-gpu-categories").all("rect", cls="bar")
    assert [float(bar.attrs["data-value"]) for bar in bars] == [12.5, 0.25]
    widths = [float(bar.attrs["width"]) for bar in bars]
    assert widths[1] / widths[0] == pytest.approx(0.25 / 12.5, abs=0.003)


def test_the_dimension_chart_sets_the_study_beside_each_share(doc):
    chart = doc.one("figure", id="chart-dimensions")
    labels = [text.text() for text in chart.all("text", cls="label")]
    assert labels == ["deep_learning", "execution_environment", "general_code", "data", "my_own"]
    study = [float(bar.attrs["data-value"]) for bar in chart.all("rect", cls="s-study")]
    assert study == [13.5, 48.0, 36.5, 2.0]  # my_own: not a dimension of the study
    figures = [text.text() for text in chart.all("text", cls="figures")]
    assert figures[:2] == ["1 · 33.3%", "study 13.5%"]


def test_the_stage_chart_shows_jobs_and_gpu_hours_with_the_study(doc):
    chart = doc.one("figure", id="chart-stages")
    assert [text.text() for text in chart.all("text", cls="label")] == [
        "initialisation", "training", "validation", "evaluation", "unknown"]
    figures = [text.text() for text in chart.all("text", cls="figures")]
    assert figures[0] == "1 · 25.0% (study 30.8%)" and figures[1] == "0.25 GPU h · 2.0% (study 0.9%)"
    assert [float(bar.attrs["data-value"]) for bar in chart.all("rect", cls="s-hours")] == [0.25, 12.5, 0.0, 0.0, 0.0]


def test_without_gpu_hours_the_page_says_so():
    doc = parse(page(known=0, total=0.0))
    empty = doc.one("figure", id="chart-gpu-hours")
    assert "empty" in empty.attrs["class"] and empty.one("p").text() == NO_GPU_HOURS
    assert not doc.all("figure", id="chart-gpu-categories")
    assert not doc.one("figure", id="chart-stages").all("rect", cls="s-hours")


def test_the_retry_chart_says_what_retrying_deterministic_failures_wasted(doc):
    chart = doc.one("figure", id="chart-retry")
    assert [text.text() for text in chart.all("text", cls="label")] == ["never", "maybe", "environment", "unknown"]
    assert chart.one("p", id="retry-waste").text() == (
        "2 deterministic failures (retry advice never): retrying cannot help; they were retried 3 times, "
        "wasting 0.75 GPU hours; one more retry of each would waste 0.25 GPU hours.")


def test_a_page_with_no_failure_has_empty_charts_not_broken_ones():
    records = [FailureRecord(job="ok", status=Status.NO_FAILURE)]
    empty = {"schema_version": 1, "jobs": 1, "failed": 0,
             "by_status": {"classified": 0, "unclassified": 0, "no_failure": 1, "error": 0},
             "gpu_hours": {"known": 0, "total": 0.0},
             "dimensions": [{"id": "data", "count": 0, "share": 0.0, "gpu_hours": 0.0, "gpu_share": None,
                             "study_share": 2.0}],
             "categories": [], "stages": [], "retry": [],
             "retry_waste": {"jobs": 0, "retries": 0, "wasted_gpu_hours": 0.0, "per_retry_gpu_hours": 0.0},
             "study": {"source": "s", "note": "n"}}
    doc = parse(render_report(records, empty, {}, GENERATED))
    figures = doc.all("figure", cls="chart")
    assert figures and all("empty" in figure.attrs["class"] for figure in figures)
    assert len(rows(doc)) == 1


# --- the jobs table -------------------------------------------------------------------------------

def test_every_job_has_a_row_and_a_details_row_under_it(doc):
    assert [cells(row)["job"].text() for row in rows(doc)] == [record.job for record in RECORDS]
    table = doc.one("table", id="jobs")
    for index, body in enumerate(table.all("tbody")):
        summary, detail = [child for child in body.children if isinstance(child, Node)]
        button = summary.one("button", cls="toggle")
        assert button.attrs["aria-expanded"] == "false" and button.attrs["aria-controls"] == detail.attrs["id"]
        assert detail.attrs["id"] == f"detail-{index}" and "hidden" in detail.attrs


def test_the_row_shows_each_column(doc):
    first = cells(rows(doc)[0])
    assert {key: cell.text() for key, cell in first.items()} == {
        "job": "jobs/oom", "status": "classified", "category": "gpu_out_of_memory", "dimension": "deep_learning",
        "stage": "training", "retry": "maybe", "gpu_hours": "12.50", "location": "jobs/oom/stderr.txt:14",
        "message": "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB"}
    headings = [th.text() for th in doc.one("table", id="jobs").one("thead").all("th")]
    assert headings == ["Job", "Status", "Category", "Dimension", "Stage", "Retry advice", "GPU hours",
                        "Log file:line", "Failure line"]


def test_sort_keys_order_numbers_and_stages_and_leave_unknowns_empty(doc):
    table = [cells(row) for row in rows(doc)]
    assert [row["gpu_hours"].attrs["data-key"] for row in table] == ["12.5", "0.25", "", "", "", ""]
    assert [row["stage"].attrs["data-key"] for row in table] == ["2", "1", "4", "", "", ""]
    numeric = [th.attrs["data-type"] for th in doc.one("thead").all("th")]
    assert numeric == ["text"] * 6 + ["number"] + ["text"] * 2
    assert all(th.one("button").attrs["type"] == "button" for th in doc.one("thead").all("th"))  # keyboard reaches it


def test_the_details_hold_the_excerpt_with_the_failure_line_marked(doc):
    detail = doc.one("tr", id="detail-0")
    log = detail.one("ol", cls="log")
    assert log.attrs["start"] == "2"
    items = log.all("li")
    assert len(items) == 14 and items[0].text() == "step 2"
    failure = log.one("li", cls="failure")
    assert items.index(failure) + 2 == 14 == int(failure.attrs["data-line"])
    assert failure.text() == RECORDS[0].message
    facts = {dt.text(): dd.text() for dt, dd in zip(detail.all("dt"), detail.all("dd"))}
    assert facts["Hint"] == "Lower the batch size." and facts["Evidence"] == "CUDA out of memory"
    assert facts["Retry advice"] == "maybe: " + RETRY_ADVICE["maybe"]
    assert facts["Earlier runs"] == "the platform ran this job 1 time before this run"
    assert facts["Category"] == "GPU out of memory (gpu_out_of_memory, deep_learning)"


def test_job_names_and_paths_may_wrap_after_separators_only():
    name = "runs/2024-05-06_transformer-xl.wt103/seed<1>&co"
    records = [replace(RECORDS[0], job=name, file=name + "/stderr.txt"), *RECORDS[1:]]
    html_text = page(records=records)
    assert ("runs/<wbr>2024-<wbr>05-<wbr>06_<wbr>transformer-<wbr>xl.<wbr>wt103/<wbr>seed&lt;1&gt;&amp;co</button>"
            in html_text)  # escaped, then a break after each separator that a word follows
    assert "runs/<wbr>2024-<wbr>05-<wbr>06_<wbr>transformer-<wbr>xl.<wbr>wt103/<wbr>seed&lt;1&gt;&amp;co/<wbr>stderr.<wbr>txt:14" in html_text
    row = cells(rows(parse(html_text))[0])
    assert row["job"].one("button").text() == name and row["location"].text() == name + "/stderr.txt:14"
    for cell in (row["job"].one("button"), row["location"]):
        pieces = [child for child in cell.children if isinstance(child, str)]
        assert len(pieces) == len(cell.all("wbr")) + 1 >= 8  # no two <wbr> together, none at either end
        assert all(piece[-1] in "/-_." for piece in pieces[:-1])  # each <wbr> follows a separator


def test_long_lines_are_clipped(doc):
    line = doc.one("tr", id="detail-3").one("li", cls="failure").text()
    assert len(line) == MAX_CHARS and line.endswith("\u2026")


def test_jobs_without_a_failure_show_their_reason_and_no_excerpt(doc):
    for index in (4, 5):
        detail = doc.one("tr", id=f"detail-{index}")
        assert not detail.all("ol") and RECORDS[index].reason in detail.text()


def test_excerpts_left_out_are_said_so():
    doc = parse(page(excerpts={0: EXCERPTS[0], 1: []}))
    assert doc.one("p", id="excerpts-left-out").text() == (
        "Excerpts of 2 failed jobs are left out: the report holds those of the first 2.")
    assert "left out" in doc.one("tr", id="detail-2").text() and not doc.one("tr", id="detail-2").all("ol")
    assert "could not be read" in doc.one("tr", id="detail-1").text()
    assert not parse(page()).all("p", id="excerpts-left-out")


# --- reading the excerpts -------------------------------------------------------------------------

def test_excerpts_are_read_around_each_failed_jobs_line(tmp_path):
    log = tmp_path / "job.log"
    log.write_text("".join(f"line {n}\n" for n in range(1, 41)))
    failed = [FailureRecord(job=f"j{n}", status=Status.CLASSIFIED, file=str(log), line=20) for n in range(3)]
    records = [FailureRecord(job="ok", status=Status.NO_FAILURE)] + failed + [
        FailureRecord(job="gone", status=Status.UNCLASSIFIED, file=str(tmp_path / "gone.log"), line=5)]
    excerpts = excerpts_for(records)
    assert sorted(excerpts) == [1, 2, 3, 4]
    assert [line.number for line in excerpts[1]] == list(range(20 - BEFORE, 20 + AFTER + 1))
    assert excerpts[1][BEFORE].text == "line 20"
    assert excerpts[4] == []  # the log is gone: an empty excerpt, said so on the page
    assert sorted(excerpts_for(records, most=2)) == [1, 2]  # the first two failed jobs only


# --- the command ----------------------------------------------------------------------------------

def run(*args):
    return CliRunner().invoke(cli, ["report", *map(str, args)], catch_exceptions=False)


def classified(*args) -> list[dict]:
    result = CliRunner().invoke(cli, ["classify", *map(str, args), "-f", "json"], catch_exceptions=False)
    return json.loads(result.stdout)["records"]


def test_the_command_writes_a_row_for_every_job_of_sample_logs(tmp_path):
    out = tmp_path / "report.html"
    result = run(ROOT / "sample_logs", "-o", out)
    assert result.exit_code == 0, result.output
    records = classified(ROOT / "sample_logs")
    assert result.stderr == f"triage: wrote {out} ({len(records)} jobs)\n" and result.stdout == ""
    doc = parse(out.read_text(encoding="utf-8"))
    assert [cells(row)["job"].text() for row in rows(doc)] == [record["job"] for record in records]
    assert [cells(row)["category"].text() for row in rows(doc)] == [record["category"] or "" for record in records]
    failed = [index for index, record in enumerate(records) if record["status"] in ("classified", "unclassified")]
    for index in failed:  # every failed job's excerpt, its failure line marked at its line
        mark = doc.one("tr", id=f"detail-{index}").one("li", cls="failure")
        assert int(mark.attrs["data-line"]) == records[index]["line"]
    figures = {dd.attrs["data-figure"]: dd.text() for dd in doc.all("dd") if "data-figure" in dd.attrs}
    assert figures["jobs"] == str(len(records)) and figures["failed"] == str(len(failed))


def test_gpu_hours_come_from_metadata_files_and_gpus(tmp_path):
    job = tmp_path / "logs" / "big-run"
    job.mkdir(parents=True)
    (job / "stderr.txt").write_text('Traceback (most recent call last):\n  File "t.py", line 1, in <module>\n'
                                    "KeyError: 'label'\n")
    (job / "job.meta.yaml").write_text("gpus: 4\nstart: 2018-10-05T10:00:00Z\nend: 2018-10-05T11:30:00Z\nretries: 2\n")
    (tmp_path / "logs" / "timed.log").write_text(
        "2018-10-05 10:00:00 start\n2018-10-05 12:00:00 step 1\nZeroDivisionError: division by zero\n")
    out = tmp_path / "report.html"
    assert run(tmp_path / "logs", "-o", out, "--gpus", "2", "-j", "1").exit_code == 0
    doc = parse(out.read_text(encoding="utf-8"))
    hours = {cells(row)["job"].text().rsplit("/", 1)[-1]: cells(row)["gpu_hours"].text() for row in rows(doc)}
    assert hours == {"big-run": "6.00", "timed.log": "4.00"}  # 4 GPUs x 1.5 h; --gpus 2 x 2 h from the timestamps
    assert doc.one("dd", data_figure="gpu_total").text() == "10.00"
    bars = doc.one("figure", id="chart-gpu-categories").all("rect", cls="bar")
    assert sorted(float(bar.attrs["data-value"]) for bar in bars) == [4.0, 6.0]


def test_output_is_required():
    result = run(ROOT / "sample_logs")
    assert result.exit_code == 2 and "Missing option '--output'" in result.stderr


def test_a_dash_writes_the_page_to_stdout():
    result = run(ROOT / "sample_logs" / "gpt-small-ablation-72aa.log", "-o", "-")
    assert result.exit_code == 0 and result.stdout.startswith("<!DOCTYPE html>")
    assert result.stderr == "triage: wrote the report to stdout (1 job)\n"


@pytest.mark.parametrize("where", ["missing/dir/report.html", "."])
def test_an_unwritable_output_fails_before_any_job_is_classified(tmp_path, monkeypatch, where):
    def no_classifying(*args, **kwargs):
        raise AssertionError("classified before checking the output")

    monkeypatch.setattr("philly_triage._internal.pipeline.engine.Classifier.outcomes", no_classifying)
    monkeypatch.chdir(tmp_path)
    result = run(ROOT / "sample_logs", "-o", where)
    reason = "No such file or directory" if where != "." else "Is a directory"
    assert result.exit_code == 2
    assert result.stderr == f"triage: error: cannot write the report to {where}: {reason}\n"


def test_a_run_that_fails_leaves_no_report_behind(tmp_path, monkeypatch):
    def broken_pool(*args, **kwargs):
        raise WorkerError("cannot start a worker process: no memory")

    monkeypatch.setattr("philly_triage._internal.pipeline.engine.Classifier.outcomes", broken_pool)
    out = tmp_path / "report.html"
    result = run(ROOT / "sample_logs", "-o", out)
    assert result.exit_code == 2 and "cannot start a worker process" in result.stderr
    assert "Traceback" not in result.output and not out.exists()


def test_report_is_a_listed_command():
    result = CliRunner().invoke(cli, ["--help"])
    assert re.search(r"^\s+report\s", result.stdout, re.M)


# The Python code only triage report runs: jinja2 and markupsafe are loaded by it, and by no other command.
@pytest.mark.parametrize("command", [["classify", "-j", "1"], ["report", "-j", "1", "-o", "-"]])
def test_only_the_report_imports_jinja2(command):
    log = ROOT / "sample_logs" / "gpt-small-ablation-72aa.log"
    _, loaded = run_new([command[0], log, *command[1:]], ["jinja2", "markupsafe"])
    assert ("jinja2" in loaded) == (command[0] == "report"), loaded
