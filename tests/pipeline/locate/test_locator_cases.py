"""The locator on hard cases: which failure ended the job, and on which line."""

from __future__ import annotations

import pytest
import yaml

from philly_triage._internal.pipeline.verdict import classify_text
from tests.conftest import DATA

CASES = yaml.safe_load((DATA / "locator_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_locator_case(case, matcher, markers):
    record = classify_text(case["log"], matcher, markers)
    expected = case["expect"]
    got = record.category or record.status.value
    assert got == expected["category"], f"{record.message!r} at line {record.line}"
    if "line" in expected:
        assert record.line == expected["line"], record.message
