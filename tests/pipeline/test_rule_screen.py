"""The rule screen never rules out a pattern that matches: it only saves searches."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from philly_triage._internal.catalogue.load import REGEX_FLAGS, load_catalogue
from philly_triage._internal.pipeline.prefilter import plain_ascii
from philly_triage._internal.pipeline.rule_screen import RuleScreen, screenable

ROOT = Path(__file__).resolve().parents[2]
pytest.importorskip("hyperscan")


def _catalogue_patterns() -> list[str]:
    patterns = []
    for rule in load_catalogue().rules:
        patterns += [p.regex for p in rule.patterns] + list(rule.excludes)
        patterns += [text for pair in rule.context for text in (pair.when, pair.near)]
    return sorted(set(patterns))


PATTERNS = _catalogue_patterns()


def _screen(patterns: list[str]) -> tuple[RuleScreen, list[int]]:
    screen = RuleScreen()
    return screen, [screen.add_pattern(p) for p in patterns]


def _texts() -> list[str]:
    """Lines the rules are written to match or to refuse, and lines of the sample logs that hold a
    word a rule looks for."""
    texts = []
    for rule in load_catalogue().rules:
        for example in rule.examples_match + rule.examples_no_match:
            texts += example.text.splitlines()
    words = ("error", "fail", "exception", "killed", "memory", "cuda", "nccl", "not found", "denied", "nan")
    for path in sorted((ROOT / "sample_logs").rglob("*")):
        if path.is_file():
            for line in path.read_text("utf-8", "replace").splitlines():
                if any(word in line.lower() for word in words):
                    texts.append(line.strip())
    return [t for t in dict.fromkeys(texts) if t]


def test_the_screen_reports_every_catalogue_pattern_that_matches_a_real_line():
    screen, ids = _screen(PATTERNS)
    compiled = [regex.compile(p, REGEX_FLAGS) for p in PATTERNS]
    checked = 0
    for text in _texts():
        possible = screen.possible(text)
        if possible is None:
            assert not plain_ascii(text)
            continue
        for pattern, pattern_id, search in zip(PATTERNS, ids, compiled):
            if search.search(text) is not None:
                assert pattern_id in possible, f"{pattern!r} matches {text!r} but the screen ruled it out"
                checked += 1
    assert checked > 300, "the real lines should match many patterns"


def test_the_screen_rules_out_most_patterns_of_a_line():
    screen, ids = _screen(PATTERNS)
    possible = screen.possible("RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB")
    assert possible is not None and len(possible) < len(ids) / 4


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80),
       st.sampled_from(PATTERNS))
def test_the_screen_never_rules_out_a_match_on_any_printable_ascii(text, pattern):
    screen, (pattern_id,) = _screen([pattern])
    possible = screen.possible(text)
    if regex.compile(pattern, REGEX_FLAGS).search(text) is not None:
        assert possible is None or pattern_id in possible


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(PATTERNS), st.data())
def test_the_screen_keeps_a_match_planted_in_noise(pattern, data):
    """Texts that do match, built from a rule's own matching example and random printable padding."""
    examples = [e.text for rule in load_catalogue().rules for e in rule.examples_match
                for p in rule.patterns if p.regex == pattern]
    if not examples:
        return
    line = data.draw(st.sampled_from([l for e in examples for l in e.splitlines() if l.strip()] or [""]))
    pad = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=20)
    text = data.draw(pad) + line + data.draw(pad)
    screen, (pattern_id,) = _screen([pattern])
    possible = screen.possible(text)
    if regex.compile(pattern, REGEX_FLAGS).search(text) is not None:
        assert possible is None or pattern_id in possible


@pytest.mark.parametrize("pattern", [
    r"(a)\1",  # a back-reference
    r"(?>ab|a)c",  # an atomic group
    r"(?s)a.b",  # an inline flag
    r"(?x) a b",  # a verbose pattern
    r"caf\u00e9",  # not ASCII
    "café",
    r"\p{L}+",  # the regex module's own syntax
    r"(?r)abc",
    r"a++",  # possessive
    r"ab{,3}c",  # a repeat to regex, literal text to hyperscan
])
def test_what_hyperscan_may_read_otherwise_is_always_searched(pattern):
    assert not screenable(pattern)


@pytest.mark.parametrize("pattern", [
    r"CUDA out of memory", r"\bOOM\b", r"^Killed$", r"No module named '?(\w+)", r"(?<!x)abc", r"[^a-z]{2,}",
])
def test_plain_patterns_are_screened(pattern):
    assert screenable(pattern)


def test_a_text_beyond_plain_ascii_is_left_to_regex():
    screen, _ = _screen([r"error"])
    assert screen.possible("erreur: caractère") is None
    assert screen.possible("an error\x1c") is None
    assert screen.possible("an error") == {0}


def test_without_hyperscan_the_screen_says_nothing(monkeypatch):
    monkeypatch.setenv("TRIAGE_ENGINE", "re")
    screen, _ = _screen([r"error"])
    assert screen.possible("an error") is None


def test_keywords_are_literals_without_case():
    screen = RuleScreen()
    ids = screen.add_keywords(("out of memory", "oom"))
    assert ids is not None and ids & screen.possible("CUDA Out Of Memory")
    assert not ids & screen.possible("all good")
    assert screen.add_keywords(("mémoire",)) is None, "a keyword beyond ASCII is compared as text"


def test_a_pattern_hyperscan_refuses_is_searched_and_the_rest_screened():
    screen, (unknown, plain) = _screen([r"\N{LATIN SMALL LETTER A}b", r"error"])
    assert screenable(r"\N{LATIN SMALL LETTER A}b"), "Python reads it as plain ASCII; hyperscan does not know \\N"
    possible = screen.possible("all good")
    assert possible is not None and unknown in possible and plain not in possible


def test_a_keyword_the_screen_cannot_search_for_is_compared_as_text():
    from philly_triage._internal.pipeline.match import _Texts

    screen = RuleScreen()
    assert screen.add_keywords(("nul\x00byte",)) is None, "only printable ASCII keywords get ids"
    plain = screen.add_keywords(("oom",))
    refused = frozenset({screen.add_pattern(r"\N{LATIN SMALL LETTER A}b")})  # hyperscan refuses \N
    assert screen.reads_all(plain) and not screen.reads_all(refused)

    class Rule:
        keywords = ("ab",)
        keyword_ids = refused  # as if a keyword's id were refused: it is always reported

    texts = _Texts(screen)
    assert not texts.has_keyword("all good", Rule), "an id always reported must not pass the keyword test"
    assert texts.has_keyword("see ab here", Rule)
