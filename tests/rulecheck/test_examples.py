"""Every rule's embedded examples, through the full pipeline (locator plus matcher), as `rules test` runs them."""

from __future__ import annotations

import pytest

from philly_triage._internal.catalogue.load import load_catalogue
from philly_triage._internal.rulecheck.examples import run_examples
from philly_triage._internal.pipeline.engine import Classifier

RULES = load_catalogue().rules
CASES = [(rule.id, kind, index) for rule in RULES for kind in ("match", "no_match")
         for index in range(len(getattr(rule, f"examples_{kind}")))]


@pytest.fixture(scope="module")
def results(matcher, markers):
    found: dict = {}
    for result in run_examples(RULES, Classifier(matcher.catalogue, markers=markers)):
        key = (result.rule.id, result.kind)
        found[key + (sum(1 for k in found if k[:2] == key),)] = result
    return found


@pytest.mark.parametrize("rule_id,kind,index", CASES, ids=[f"{r}-{k}-{i}" for r, k, i in CASES])
def test_example(rule_id, kind, index, results):
    result = results[rule_id, kind, index]
    assert result.passed, (
        f"{result.rule.source}:{result.example.line}: expected {'' if result.should_match else 'not '}{rule_id}, "
        f"got {result.got} (rule {result.record.rule}, evidence {result.record.evidence!r}) "
        f"for {result.example.text!r}"
    )


def test_every_rule_has_a_match_example():
    assert all(rule.examples_match for rule in RULES)
