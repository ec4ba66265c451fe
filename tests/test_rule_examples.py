"""Every rule's embedded examples, through the full pipeline (locator plus matcher), as `rules test` runs them."""

from __future__ import annotations

import pytest

from philly_triage.catalogue import load_catalogue
from philly_triage.rule_examples import run_examples

RULES = load_catalogue().rules
CASES = [(rule, kind, index) for rule in RULES for kind in ("match", "no_match")
         for index in range(len(getattr(rule, f"examples_{kind}")))]


@pytest.mark.parametrize("rule,kind,index", CASES, ids=[f"{r.id}-{k}-{i}" for r, k, i in CASES])
def test_example(rule, kind, index, matcher, markers):
    (result,) = [r for r in run_examples([rule], matcher, markers) if r.kind == kind][index : index + 1]
    assert result.passed, (
        f"{rule.source}:{result.example.line}: expected {'' if result.should_match else 'not '}{rule.id}, "
        f"got {result.got} (rule {result.record.rule}, evidence {result.record.evidence!r}) "
        f"for {result.example.text!r}"
    )


def test_every_rule_has_a_match_example():
    assert all(rule.examples_match for rule in RULES)
