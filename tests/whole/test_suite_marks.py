"""The suite's own marks (tests/conftest.py): the slow tests it names by id exist, the browser files
exist, and the markers are registered, so that `pytest -m "not slow"` leaves out what it should."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import BROWSER_FILES, ROOT, SLOW, pytest_collection_modifyitems


@pytest.mark.parametrize("node", SLOW)
def test_each_slow_id_names_a_test(node):
    path, name = node.split("::")
    tests = {fn.name for fn in ast.parse((ROOT / path).read_text(encoding="utf-8")).body
             if isinstance(fn, ast.FunctionDef)}
    assert name in tests, f"{node}: no such test (renamed? update SLOW in tests/conftest.py)"


def test_the_browser_files_exist_and_the_markers_are_registered(pytestconfig):
    assert all((ROOT / path).is_file() for path in BROWSER_FILES)
    registered = [line.split(":", 1)[0] for line in pytestconfig.getini("markers")]
    assert {"slow", "browser"} <= set(registered)


class Item:
    """What the marking hook reads of a collected test: its node id; and what it does: add markers."""

    def __init__(self, nodeid):
        self.nodeid, self.marks = nodeid, []

    def add_marker(self, mark):
        self.marks.append(mark.name)


def test_the_hook_marks_browser_files_and_slow_ids_with_any_parameters():
    items = [Item(f"{BROWSER_FILES[0]}::test_x"), Item(f"{SLOW[0]}[whole]"), Item(SLOW[1]),
             Item("tests/pipeline/test_scan.py::test_something_quick"), Item(f"{SLOW[0]}_and_more")]
    pytest_collection_modifyitems(None, items)
    assert [item.marks for item in items] == [["browser", "slow"], ["slow"], ["slow"], [], []]
