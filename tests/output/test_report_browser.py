"""triage report in a real browser: Debian's headless Chromium, driven by Selenium.

The report of sample_logs/ is opened from a file:// URL, as a person opens an attachment: it must
draw its charts, sort its table, open a job's excerpt, by mouse and by keyboard, and log no
error (its Content-Security-Policy would log any attempt to load something). Chromium and
chromedriver come from Debian's packages (chromium, chromium-driver); Selenium is told where
both are, so it never downloads a browser. Without them these tests fail and say what to install.
"""

from __future__ import annotations

import struct
import tempfile
import zlib
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from philly_triage._internal.cli.main import cli
from philly_triage._internal.output.report.page import render_report
from tests.conftest import ROOT
from tests.output.test_report import EXCERPTS, RECORDS, stats

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
INSTALL = "install them with: apt-get install -y chromium chromium-driver (as root, or with sudo)"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,900")
ATTACK = ('</textarea></title><img src=x onerror="document.title=\'pwned\'">'
          '<script>document.title="pwned"</script>')

# The text of each column of the jobs table, in the order the rows are shown.
COLUMN = """return Array.from(document.querySelectorAll('#jobs tbody tr.job td.' + arguments[0]),
                             function (cell) { return cell.getAttribute('data-key') !== null
                                                      ? cell.getAttribute('data-key') : cell.textContent; });"""


@pytest.fixture(scope="module")
def browser():
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        pytest.fail(f"the report's browser tests need Chromium and chromedriver, and {' and '.join(missing)} "
                    f"is missing: {INSTALL}", pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.TemporaryDirectory(prefix="triage-chromium-")
    options.add_argument(f"--user-data-dir={profile.name}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        profile.cleanup()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The report of sample_logs/, with --gpus 1 so that the logs' timestamps give GPU hours."""
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(cli, ["report", str(ROOT / "sample_logs"), "-o", str(out), "--gpus", "1"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def page(browser, report):
    """The sample report, freshly loaded; after the test, the browser must have logged no error."""
    browser.get(report.as_uri())
    browser.get_log("browser")  # start each test with an empty log
    yield browser
    assert severe(browser) == []


def severe(browser) -> list[dict]:
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def click_heading(browser, column: str) -> None:
    browser.find_element("css selector", f"#jobs thead th.{column} button").click()


def aria_sort(browser) -> dict[str, str]:
    return browser.execute_script("""var sorted = {};
        document.querySelectorAll('#jobs thead th').forEach(function (th) {
            if (th.hasAttribute('aria-sort')) { sorted[th.className] = th.getAttribute('aria-sort'); } });
        return sorted;""")


def test_the_page_loads_with_no_console_error(browser, report):
    browser.get(report.as_uri())
    browser.find_element("css selector", "#jobs thead th.gpu_hours button").click()
    browser.find_element("css selector", "#jobs tbody tr.job td.status").click()
    entries = browser.get_log("browser")
    assert [entry for entry in entries if entry["level"] == "SEVERE"] == []
    assert browser.title.startswith("triage report: 46 jobs")


def test_every_chart_draws_bars_of_their_size(page):
    charts = page.execute_script("""
        return Array.from(document.querySelectorAll('figure.chart')).map(function (figure) {
            var svg = figure.querySelector('svg');
            var box = svg.viewBox.baseVal;
            return {id: figure.id, title: svg.querySelector('title').textContent, width: box.width,
                    bars: Array.from(svg.querySelectorAll('rect.bar')).map(function (bar) {
                        var r = bar.getBoundingClientRect();
                        return {value: parseFloat(bar.dataset.value), width: r.width, height: r.height,
                                hours: bar.classList.contains('s-hours')}; }),
                    texts: Array.from(svg.querySelectorAll('text')).map(function (text) {
                        var b = text.getBBox(); return [b.x, b.x + b.width]; })};
        });""")
    assert [chart["id"] for chart in charts] == ["chart-dimensions", "chart-categories", "chart-stages",
                                                 "chart-retry", "chart-gpu-dimensions", "chart-gpu-categories"]
    for chart in charts:
        drawn = [bar for bar in chart["bars"] if bar["value"] > 0]
        assert drawn and chart["title"], chart["id"]
        assert all(bar["width"] > 0 and bar["height"] > 0 for bar in drawn), chart["id"]
        assert all(bar["width"] == 0 for bar in chart["bars"] if bar["value"] == 0), chart["id"]
        # Every label and figure fits inside the chart: none is cut off at either edge.
        assert all(left >= 0 and right <= chart["width"] + 1 for left, right in chart["texts"]), chart["id"]
        for hours in (False, True):  # jobs and shares on one scale (the study's too), GPU hours on another
            series = [bar for bar in drawn if bar["hours"] == hours]
            largest = max(series, key=lambda bar: bar["value"], default=None)
            for bar in series:  # drawn to scale (a tiny value still gets a visible sliver)
                expected = largest["width"] * bar["value"] / largest["value"]
                assert bar["width"] == pytest.approx(expected, abs=2.5), chart["id"]


def test_sorting_by_category_then_reversing(page):
    before = page.execute_script(COLUMN, "category")
    click_heading(page, "category")
    ascending = page.execute_script(COLUMN, "category")
    named = [value for value in before if value]
    assert ascending == sorted(named) + [""] * (len(before) - len(named))  # the jobs without one last
    assert aria_sort(page) == {"category": "ascending"}
    click_heading(page, "category")
    descending = page.execute_script(COLUMN, "category")
    assert descending == sorted(named, reverse=True) + [""] * (len(before) - len(named))
    assert aria_sort(page) == {"category": "descending"}
    # Each job's details row moved with it.
    pairs = page.execute_script("""return Array.from(document.querySelectorAll('#jobs tbody')).map(function (body) {
        return [body.rows[0].querySelector('button.toggle').getAttribute('aria-controls'), body.rows[1].id]; });""")
    assert all(controls == detail for controls, detail in pairs) and len(pairs) == 46


def test_sorting_a_numeric_column_sorts_by_number(page):
    click_heading(page, "gpu_hours")
    keys = page.execute_script(COLUMN, "gpu_hours")
    numbers = [float(key) for key in keys if key]
    assert len(numbers) == 42 and numbers == sorted(numbers) and numbers[0] < numbers[-1]
    assert keys[len(numbers):] == [""] * 4  # the 4 jobs that did not fail have no GPU hours: last
    click_heading(page, "gpu_hours")
    keys = page.execute_script(COLUMN, "gpu_hours")
    assert [float(key) for key in keys if key] == sorted(numbers, reverse=True) and keys[-4:] == [""] * 4
    assert aria_sort(page) == {"gpu_hours": "descending"}
    click_heading(page, "job")
    assert aria_sort(page) == {"job": "ascending"}


def test_clicking_a_row_shows_its_excerpt_with_the_failure_line_marked(page):
    row = page.find_element("css selector", "#jobs tbody tr.job.s-classified")
    button = row.find_element("css selector", "button.toggle")
    detail = page.find_element("id", button.get_attribute("aria-controls"))
    assert not detail.is_displayed() and button.get_attribute("aria-expanded") == "false"
    row.find_element("css selector", "td.category").click()
    assert detail.is_displayed() and button.get_attribute("aria-expanded") == "true"
    excerpt = detail.find_element("css selector", "ol.log")
    marked = excerpt.find_element("css selector", "li.failure")
    assert marked.is_displayed()
    line = int(row.find_element("css selector", "td.location").text.rsplit(":", 1)[1])
    position = page.execute_script("return Array.prototype.indexOf.call(arguments[0].parentNode.children, arguments[0]);",
                                   marked)
    assert int(excerpt.get_attribute("start")) + position == line == int(marked.get_attribute("data-line"))
    plain = excerpt.find_element("css selector", "li:not(.failure)")
    background = page.execute_script("return getComputedStyle(arguments[0]).backgroundColor;", marked)
    assert background != page.execute_script("return getComputedStyle(arguments[0]).backgroundColor;", plain)
    assert "Retry advice" in detail.text and "Hint" in detail.text and "Evidence" in detail.text
    row.find_element("css selector", "td.status").click()
    assert not detail.is_displayed() and button.get_attribute("aria-expanded") == "false"


def test_the_keyboard_sorts_and_opens_jobs(page):
    from selenium.webdriver.common.keys import Keys

    heading = page.find_element("css selector", "#jobs thead th.status button")
    heading.send_keys(Keys.ENTER)
    assert aria_sort(page) == {"status": "ascending"}
    button = page.find_elements("css selector", "#jobs tbody button.toggle")[3]
    detail = page.find_element("id", button.get_attribute("aria-controls"))
    button.send_keys(Keys.ENTER)
    assert detail.is_displayed()
    assert page.switch_to.active_element == button  # focus stays where the person is
    button.send_keys(Keys.SPACE)
    assert not detail.is_displayed()


def test_a_screenshot_of_the_page_is_a_picture_of_it(page, tmp_path):
    shot = tmp_path / "report.png"
    assert page.save_screenshot(str(shot))
    width, height, pixels = decode_png(shot.read_bytes())
    ratio = page.execute_script("return window.devicePixelRatio")
    assert (width, height) == (round(page.execute_script("return window.innerWidth") * ratio),
                               round(page.execute_script("return window.innerHeight") * ratio))
    colours = set(pixels)
    assert len(colours) > 50  # text, bars, panels: not a blank or single-colour page
    accent = tuple(int(part) for part in page.execute_script("""
        return getComputedStyle(document.querySelector('#chart-dimensions rect.s-count')).fill
            .match(/\\d+/g).slice(0, 3);"""))
    assert pixels.count(accent) > 500  # the dimension chart's bars are on screen, in their colour


def test_hostile_log_text_stays_text_in_the_browser(browser, tmp_path):
    records = [replace(RECORDS[0], job=ATTACK, message=ATTACK, hint=ATTACK), *RECORDS[1:]]
    excerpts = {**EXCERPTS, 0: [replace(line, text=ATTACK) if line.number == 14 else line for line in EXCERPTS[0]]}
    hostile_stats = stats()
    hostile_stats["categories"][0]["name"] = ATTACK
    out = tmp_path / "hostile.html"
    out.write_text(render_report(records, hostile_stats, excerpts, datetime.now(timezone.utc), [ATTACK]),
                   encoding="utf-8")
    browser.get(out.as_uri())
    assert browser.title == "triage report: 6 jobs"  # no injected script ran, no title was closed early
    assert browser.execute_script("return document.querySelectorAll('img, textarea').length") == 0
    assert browser.execute_script("return document.scripts.length") == 1  # the page's own
    row = browser.find_element("css selector", "#jobs tbody tr.job")
    assert row.find_element("css selector", "td.job").text.endswith(ATTACK)  # after the toggle's triangle
    assert row.find_element("css selector", "td.message").text == ATTACK
    assert browser.find_element("css selector", "header p.meta code").text == ATTACK
    row.find_element("css selector", "td.status").click()
    assert browser.find_element("css selector", "#detail-0 li.failure").text == ATTACK
    facts = browser.find_elements("css selector", "#detail-0 dl.facts dd")
    assert facts[0].text.startswith(ATTACK) and any(fact.text == ATTACK for fact in facts)  # category name, hint
    tip = browser.execute_script("return document.querySelector('#chart-categories rect.bar title').textContent")
    assert tip.startswith(ATTACK)  # the chart's tooltip
    assert severe(browser) == []


# The lines an element's text is drawn on, measured character by character.
DRAWN_LINES = """var lines = [], current = '', top = null;
    var walker = document.createTreeWalker(arguments[0], NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        var node = walker.currentNode;
        for (var i = 0; i < node.data.length; i++) {
            var range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
            var rect = range.getClientRects()[0];
            if (!rect) { continue; }
            if (top !== null && rect.top > top + 2) { lines.push(current); current = ''; }
            top = rect.top; current += node.data[i];
        } }
    lines.push(current); return lines;"""


@pytest.mark.parametrize("width", [1280, 700])
def test_a_long_job_name_wraps_at_its_separators_not_inside_words(browser, tmp_path, width):
    name = "experiments/2024-05-06_transformer-xl_wikitext103/sweep_learning-rate_0.0003/seed-1234/attempt_2"
    records = [replace(RECORDS[0], job=name, file=name + "/stderr.txt"), *RECORDS[1:]]
    out = tmp_path / "long.html"
    out.write_text(render_report(records, stats(), EXCERPTS, datetime.now(timezone.utc), []), encoding="utf-8")
    size = browser.get_window_size()
    browser.set_window_size(width, 900)
    try:
        browser.get(out.as_uri())
        for selector, text in (("td.job button", name), ("td.location", name + "/stderr.txt:14")):
            lines = browser.execute_script(DRAWN_LINES, browser.find_element("css selector", f"#jobs tbody tr.job {selector}"))
            assert "".join(lines) == text and len(lines) > 2, lines  # it wraps, and shows every character
            assert all(line[-1] in "/-_." for line in lines[:-1]), lines  # each line ends at a separator
    finally:
        browser.set_window_size(size["width"], size["height"])
    assert severe(browser) == []


def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Width, height and RGB pixels of an 8-bit RGB or RGBA PNG (what Chromium writes), by the PNG spec."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, chunks, header = 8, [], None
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])[0]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(b"".join(chunks)), width * channels
    pixels, previous = [], bytearray(stride)
    for row in range(height):
        start = row * (stride + 1)
        line = unfilter(raw[start], bytearray(raw[start + 1:start + 1 + stride]), previous, channels)
        pixels += zip(line[0::channels], line[1::channels], line[2::channels])
        previous = line
    return width, height, pixels


def unfilter(kind: int, line: bytearray, previous: bytearray, step: int) -> bytearray:
    if kind == 1:  # Sub
        for i in range(step, len(line)):
            line[i] = (line[i] + line[i - step]) & 0xFF
    elif kind == 2:  # Up
        line = bytearray((a + b) & 0xFF for a, b in zip(line, previous))
    elif kind == 3:  # Average
        for i in range(len(line)):
            left = line[i - step] if i >= step else 0
            line[i] = (line[i] + (left + previous[i]) // 2) & 0xFF
    elif kind == 4:  # Paeth
        for i in range(len(line)):
            a = line[i - step] if i >= step else 0
            b, c = previous[i], previous[i - step] if i >= step else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
    else:
        assert kind == 0, f"unknown PNG filter {kind}"
    return line
