"""Shared fixtures: the built-in catalogue, compiled once per test session; a private catalogue cache.

Also the two markers (registered in pyproject.toml): ``slow`` tests are left out of the quick run,
``pytest -m "not slow"``; ``browser`` tests drive Debian's Chromium and are skipped with a reason
where it is not installed, unless TRIAGE_REQUIRE_BROWSER=1 (as CI sets), under which they fail.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from philly_triage._internal.catalogue.load import load_catalogue
from philly_triage._internal.catalogue.markers import default_markers
from philly_triage._internal.pipeline.engine import Classifier
from philly_triage._internal.pipeline.match import Matcher

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CACHE_VARS = ("TRIAGE_CACHE_DIR", "TRIAGE_NO_CACHE")
_saved_cache_env: dict = {}

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
REQUIRE_BROWSER = "TRIAGE_REQUIRE_BROWSER"
# Files whose every test drives the browser: marked here, so that they need no marker of their own.
BROWSER_FILES = ("tests/output/test_report_browser.py",)
# Slow tests in files that do not mark their own (other files use @pytest.mark.slow or pytestmark),
# by node id without parameters; tests/whole/test_suite_marks.py checks each still names a test.
SLOW = (
    "tests/pipeline/test_scan.py::test_reading_less_gives_the_same_records",  # every labelled log, 5 ways
    "tests/pipeline/test_scan.py::test_the_pure_python_engine_gives_the_same_records",
    "tests/pipeline/test_scan.py::test_a_failure_far_before_the_end_is_found",  # a log of megabytes
    "tests/pipeline/test_parallel.py::test_spawned_workers_give_the_same_records",  # spawns a pool
    "tests/pipeline/test_parallel.py::test_a_timed_out_pattern_is_reported_once_with_workers",
    "tests/pipeline/test_parallel.py::test_jsonl_streams_each_record_before_later_jobs_are_read",  # triage in a process
    "tests/catalogue/test_cache.py::test_the_command_line_reads_the_cache",  # triage in a process
    "tests/catalogue/test_schemas.py::test_a_warm_cache_run_does_not_import_jsonschema",  # Python in a process
    "tests/catalogue/test_schemas.py::test_without_a_cache_the_shipped_markers_are_trusted_and_other_markers_checked",
    "tests/test_api.py::test_the_api_pages_example_runs_and_prints_what_it_says",  # Python in a process
    "tests/test_api.py::test_the_readmes_tour_example_runs_and_prints_exactly_what_it_says",  # Python in a process
)


def pytest_configure(config):
    """Give the run a private catalogue cache, so tests never write to the user's ~/.cache.

    A hook rather than a session fixture: some test modules load the catalogue when they are
    imported, which happens at collection, before any fixture runs. Every triage that a test
    starts in a subprocess inherits the variable too.
    """
    _saved_cache_env.update({name: os.environ.get(name) for name in CACHE_VARS})
    os.environ["TRIAGE_CACHE_DIR"] = tempfile.mkdtemp(prefix="triage-test-cache-")
    os.environ.pop("TRIAGE_NO_CACHE", None)


def pytest_unconfigure(config):
    shutil.rmtree(os.environ.get("TRIAGE_CACHE_DIR", ""), ignore_errors=True)
    for name, value in _saved_cache_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.hookimpl(tryfirst=True)  # before -m selects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        if path in BROWSER_FILES:  # a browser takes seconds to start and draw: slow too
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        if item.nodeid.split("[", 1)[0] in SLOW:
            item.add_marker(pytest.mark.slow)


def missing_for_the_browser() -> list[str]:
    """What the browser tests need and this machine lacks: Chromium, chromedriver, Selenium."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if importlib.util.find_spec("selenium") is None:
        missing.append("the selenium package (pip install '.[test]')")
    return missing


@pytest.hookimpl(tryfirst=True)  # before the test's fixtures start a browser
def pytest_runtest_setup(item):
    """A browser test skips, saying what to install, where Chromium is absent; under
    TRIAGE_REQUIRE_BROWSER=1 (CI) it fails instead, so a broken install cannot pass unnoticed."""
    if item.get_closest_marker("browser") is None:
        return
    missing = missing_for_the_browser()
    if not missing:
        return
    reason = f"Chromium not found: run sh tools/install-chromium.sh (missing: {', '.join(missing)})"
    if os.environ.get(REQUIRE_BROWSER) == "1":
        pytest.fail(f"{reason}; {REQUIRE_BROWSER}=1 requires the browser tests to run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="session")
def markers():
    return default_markers()


@pytest.fixture(scope="session")
def matcher(catalogue):
    return Matcher(catalogue)


@pytest.fixture(scope="session")
def classifier(catalogue, markers):
    """The engine with the built-in catalogue and default options."""
    return Classifier(catalogue, markers=markers)
