"""Keywords that blind their own patterns (rulecheck/keyword_lint.py): a pattern that can match a line
holding none of its rule's keywords is never tried on such a line, so `rules check` warns."""

from __future__ import annotations

import pytest

from philly_triage._internal.rulecheck.keyword_lint import blinded_examples, unguarded_path
from philly_triage.models import Example, Pattern, Rule


@pytest.mark.parametrize("pattern,keywords", [
    ("CUDA out of memory", ["memory"]),
    ("cuda OUT of Memory", ["memory"]),  # keywords and patterns are compared without case
    ("(?:CUDA|HIP) out of memory", ["out of"]),  # every alternative is followed by the keyword
    (r"\d+ GiB free", ["gib"]),
    (r"^Killed$", ["killed"]),  # anchors consume nothing
    ("(?:memory|alloc) exhausted", ["memory", "alloc"]),  # one keyword per alternative
    ("errors? found", ["error"]),
    (r"[Ee]rror", ["error"]),  # a class of letters is spelt each way
    ("anything", []),  # no keywords: every line is tried
    (r"\p{Lu}+ failed", ["zzz"]),  # syntax only the regex module reads: no guess, no warning
])
def test_every_match_holds_a_keyword(pattern, keywords):
    assert unguarded_path(pattern, keywords) is None


@pytest.mark.parametrize("pattern,keywords,spelling", [
    ("Watchdog caught collective operation timeout", ["barrier"], "watchdog caught collective operation timeout"),
    ("(?:foo|bar) error", ["foo"], "bar error"),
    ("errors? found", ["errors"], "error found"),  # without the optional s
    (r"NCCL \w+ timed out", ["timeout"], "nccl … timed out"),  # unknown text between the literal runs
    (".*", ["x"], ""),  # needs no literal text at all
    (r"(?:a|b)(?:c|d)(?:e|f)", ["ace"], "acf"),
])
def test_a_match_without_a_keyword_is_sketched(pattern, keywords, spelling):
    assert unguarded_path(pattern, keywords) == spelling


def rule(keywords, patterns, examples):
    return Rule(id="r", name="R", dimension="d", description="d", hint="h", keywords=tuple(keywords),
                patterns=tuple(Pattern(p) for p in patterns), examples_match=tuple(Example(e) for e in examples))


def test_an_example_line_the_pattern_matches_but_no_keyword_passes_is_a_witness():
    found = list(blinded_examples(rule(
        ["barrier"], ["Watchdog caught", "barrier timed out"],
        ["barrier timed out after 600s", "step 9\nRuntimeError: Watchdog caught collective operation timeout"],
    )))
    assert found == [(1, "RuntimeError: Watchdog caught collective operation timeout", "Watchdog caught")]


def test_no_witness_without_keywords_or_when_every_line_passes():
    assert list(blinded_examples(rule([], ["Watchdog caught"], ["Watchdog caught it"]))) == []
    assert list(blinded_examples(rule(["watchdog"], ["Watchdog caught"], ["Watchdog caught it"]))) == []
    assert list(blinded_examples(rule(["barrier"], ["x*"], ["no x here"]))) == [], "an empty match is no witness"
