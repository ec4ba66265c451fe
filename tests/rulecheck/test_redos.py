"""Finding rule patterns that backtrack badly: evil patterns are caught, the built-in catalogue is not."""

from __future__ import annotations

import pytest

from philly_triage._internal.rulecheck.redos import DEFAULT_BUDGET, SlowPattern, find_slow_match

# Slow in the regex module itself, not just in textbook backtracking engines: on a 4 KB line built
# from its own structure each takes at least twice the budget, most run into it.
EVIL_PATTERNS = [
    r"(a+)+$",
    r"(a|a)*b",
    r"(\w+\s?)+$",
    r"(.*a){12}",
    r".*a.*a.*a.*a.*x",
    # Realistic-looking log patterns with the same flaw.
    r"(\w+\s?)+ failed$",
    r"(?:[\w.-]+/?)+\.py: No such file",
    r"(?:\d+\s*)+GiB (?:free|total)$",
    r"([\w.]+)*Error: CUDA",
    r"loss[=:]\s*(?:\d+\.?\d*)+\s*nan",
    # The path_not_found rule before it was made linear: every '/' of a long path starts a match
    # and hands each split of it to `.{0,40}`, about 1.6 s on a 4 KB line of '/a/a/a...'.
    r"(?:[/\\~][\w.@+-]+)+.{0,40}\b(?:does not exist|doesn't exist|not found|cannot be found|could not be found"
    r"|is not a (?:valid )?(?:file|directory))",
    # Syntax Python's parser rejects: attacks are guessed from the text instead.
    r"(\p{L}+)+$",
]


def builtin_regexes(catalogue) -> list[str]:
    found = []
    for rule in catalogue.rules:
        found += [pattern.regex for pattern in rule.patterns]
        found += list(rule.excludes)
        for context in rule.context:
            found += [context.when, context.near]
    return list(dict.fromkeys(found))


@pytest.mark.slow  # each runs into its time budget
@pytest.mark.parametrize("pattern", EVIL_PATTERNS)
def test_evil_pattern_is_flagged(pattern):
    slow = find_slow_match(pattern)
    assert isinstance(slow, SlowPattern)
    assert slow.pattern == pattern
    assert slow.timed_out or slow.seconds > DEFAULT_BUDGET
    assert slow.seconds > 0
    assert " x " in slow.sample  # says what was repeated and how often
    assert len(slow.sample) < 100
    assert slow.sample.isprintable()


def test_sample_describes_the_attack_line():
    slow = find_slow_match(r"(a+)+$")
    assert slow is not None
    assert slow.sample == "'a' x 4096 + '!'"
    assert slow.timed_out


def test_sample_of_a_long_prefix_is_shortened():
    prefix = "Error while loading the checkpoint shard number "
    slow = find_slow_match(prefix + r"(\d|\d)+ failed$")
    assert slow is not None
    assert slow.sample.startswith("'Error while loa")
    assert prefix not in slow.sample
    assert len(slow.sample) < 100


def test_sample_escapes_unprintable_text_and_stays_short():
    slow = find_slow_match("\u200b" * 30 + r"(a|a)*b")
    assert slow is not None
    assert slow.sample.isprintable()
    assert "\\u200b" in slow.sample
    assert len(slow.sample) < 100


def test_smaller_budget_is_respected():
    slow = find_slow_match(r"(.*a){12}", budget=0.02)
    assert slow is not None
    assert slow.timed_out or slow.seconds > 0.02


@pytest.mark.slow  # attacks every built-in pattern (rules check --strict does too)
def test_no_builtin_pattern_is_flagged(catalogue):
    regexes = builtin_regexes(catalogue)
    assert len(regexes) > 200
    flagged = {p: slow.sample for p in regexes if (slow := find_slow_match(p)) is not None}
    assert flagged == {}


@pytest.mark.parametrize(
    "pattern",
    [r"division by zero", r"\bindex -?\d+ is out of bounds", r"OOM when allocating tensor.*(?:device:CPU|allocator cpu)", ""],
)
def test_plain_patterns_are_not_flagged(pattern):
    assert find_slow_match(pattern) is None


@pytest.mark.parametrize("pattern", ["(", "[a-", "(?P<x", "a{2,1}", "*a", r"\1(a)", "(?<name>a)(?P=other)"])
def test_invalid_regex_returns_none(pattern):
    assert find_slow_match(pattern) is None


@pytest.mark.parametrize(
    "pattern",
    [
        "(" * 90 + "a" + ")" * 90 + "+$",
        r"(?:(?:a{99}){99}){9}",
        r"[[:alpha:]]+\Z",
        r"(?|(a)|(b))\1",
        r"a(?=b+)(?!c*)(?<=a)",
        r"(a)?(?(1)b+|c*)$",
        "\x00\t\n\xe9+",
        r"(?i)(?:[^\W\d_]|\u00e9)+ \N{LATIN SMALL LETTER E WITH ACUTE}",
        r"a++b*+(?>c+)",
        r"\L<words>",
    ],
)
def test_odd_patterns_never_raise(pattern):
    result = find_slow_match(pattern, budget=0.05)
    assert result is None or isinstance(result, SlowPattern)
