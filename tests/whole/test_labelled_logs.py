"""Whole job logs with known answers: every job gets its expected category and failure line.

Two labelled sets: sample_logs/ (made by really running failing programs) and tests/data/heldout/
(realistic platform logs reconstructed from failures users reported, written without reading
triage's rules).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from philly_triage._internal.pipeline.engine import Classifier
from tests.conftest import DATA, ROOT

SETS = {
    "sample_logs": (ROOT / "sample_logs", DATA / "sample_logs.expected.yaml"),
    "heldout": (DATA / "heldout", DATA / "heldout.expected.yaml"),
}


def expectations(name: str) -> dict:
    return yaml.safe_load(SETS[name][1].read_text(encoding="utf-8"))


CASES = [(name, job) for name in SETS for job in sorted(expectations(name))]


@pytest.fixture(scope="module")
def records(matcher, markers):
    found = {}
    for name, (root, _) in SETS.items():
        for record in Classifier(matcher.catalogue, markers=markers).classify_many([str(root)]):
            found[name, os.path.relpath(record.job, root)] = record
    return found


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_job_has_an_expectation(name, records):
    assert {job for set_name, job in records if set_name == name} == set(expectations(name))


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_category_is_covered_twice(name, catalogue):
    categories = [e["category"] for e in expectations(name).values()]
    for rule in catalogue.rules:
        if rule.study:  # the infrastructure categories are covered by tests/data/real_messages.yaml and their examples
            assert categories.count(rule.id) >= 2, rule.id
    assert categories.count("no_failure") >= 2


@pytest.mark.parametrize("name,job", CASES, ids=[f"{n}/{j}" for n, j in CASES])
def test_job(name, job, records):
    expected = expectations(name)[job]
    record = records[name, job]
    got = record.category or record.status.value
    assert got == expected["category"], f"{record.file}:{record.line}: {record.message}"
    if "line" in expected:
        root: Path = SETS[name][0]
        assert os.path.relpath(record.file, root) == expected["file"]
        assert record.line == expected["line"], record.message
