"""Every rule's embedded examples, through the full pipeline (locator plus matcher)."""

from __future__ import annotations

import pytest

from philly_triage.catalogue import load_catalogue
from philly_triage.classify import classify_text

RULES = load_catalogue().rules
MATCH = [(r.id, i, text) for r in RULES for i, text in enumerate(r.examples_match)]
NO_MATCH = [(r.id, i, text) for r in RULES for i, text in enumerate(r.examples_no_match)]


@pytest.mark.parametrize("rule_id,index,text", MATCH, ids=[f"{r}-match-{i}" for r, i, _ in MATCH])
def test_match_example(rule_id, index, text, matcher, markers):
    record = classify_text(text, matcher, markers)
    assert record.category == rule_id, f"got {record.status.value}/{record.category} for {text!r}"


@pytest.mark.parametrize("rule_id,index,text", NO_MATCH, ids=[f"{r}-no_match-{i}" for r, i, _ in NO_MATCH])
def test_no_match_example(rule_id, index, text, matcher, markers):
    record = classify_text(text, matcher, markers)
    assert record.category != rule_id, f"{text!r} must not be {rule_id}"


def test_every_match_example_passes_its_rules_keyword_prefilter():
    """A keyword that a rule's own examples lack would blind the rule to them."""
    for rule in RULES:
        if not rule.keywords:
            continue
        for text in rule.examples_match:
            lowered = text.lower()
            assert any(k in lowered for k in rule.keywords) or rule.exceptions or rule.context, (rule.id, text)
