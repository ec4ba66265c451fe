"""Every job of sample_logs/ gets its expected category and failure line."""

from __future__ import annotations

import os

import pytest
import yaml

from philly_triage.classify import classify_paths
from tests.conftest import DATA, ROOT

SAMPLES = ROOT / "sample_logs"
EXPECTED = yaml.safe_load((DATA / "sample_logs.expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def records(matcher, markers):
    found = {}
    for record in classify_paths([str(SAMPLES)], matcher, markers):
        found[os.path.relpath(record.job, SAMPLES)] = record
    return found


def test_every_sample_has_an_expectation(records):
    assert set(records) == set(EXPECTED)


def test_samples_cover_every_category_twice(catalogue):
    categories = [e["category"] for e in EXPECTED.values()]
    for rule in catalogue.rules:
        assert categories.count(rule.id) >= 2, rule.id
    assert categories.count("no_failure") >= 2


@pytest.mark.parametrize("job", sorted(EXPECTED))
def test_sample(job, records):
    expected = EXPECTED[job]
    record = records[job]
    got = record.category or record.status.value
    assert got == expected["category"], f"{record.file}:{record.line}: {record.message}"
    if "line" in expected:
        assert os.path.relpath(record.file, SAMPLES) == expected["file"]
        assert record.line == expected["line"], record.message
