"""The catalogue on real failure wordings gathered from frameworks' sources and users' issue reports.

tests/data/real_messages.yaml holds one line per entry (plus the lines printed after it, where
they carry the detail), labelled by category, `unclassified` or `no_failure`.
"""

from __future__ import annotations

import yaml

from philly_triage._internal.pipeline.verdict import classify_text
from tests.conftest import DATA

CORPUS = yaml.safe_load((DATA / "real_messages.yaml").read_text(encoding="utf-8"))


def label(record) -> str:
    return record.category if record.category else record.status.value


def test_corpus_covers_every_category(catalogue):
    assert {r.id for r in catalogue.rules} <= set(CORPUS)
    assert {"unclassified", "no_failure"} <= set(CORPUS)


def test_real_wordings_are_classified(matcher, markers):
    misses = []
    total = 0
    for expected, entries in CORPUS.items():
        for entry in entries:
            text = entry["text"] + ("\n" + entry["context"] if entry.get("context") else "")
            got = label(classify_text(text, matcher, markers))
            total += 1
            if got != expected:
                misses.append(f"{expected} -> {got}: {entry['text'][:120]}")
    accuracy = 1 - len(misses) / total
    assert accuracy >= 0.98, "\n".join(misses)


def test_no_benign_line_is_reported_as_a_failure(matcher, markers):
    for entry in CORPUS["no_failure"]:
        record = classify_text(entry["text"], matcher, markers)
        assert record.status.value == "no_failure", entry["text"]
