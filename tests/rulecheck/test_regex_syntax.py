"""Reading a pattern's structure (rulecheck/regex_syntax.py): the parse the checks reason about, and
how large a pattern becomes once its counted repeats are unrolled."""

from __future__ import annotations

import pytest

from philly_triage._internal.rulecheck.regex_syntax import MAX_EXPANDED_SIZE, expanded_size, parse, sre


def size(pattern: str) -> int:
    return expanded_size(parse(pattern))


def test_python_syntax_parses_to_opcodes():
    assert parse("ab") == [(sre.LITERAL, ord("a")), (sre.LITERAL, ord("b"))]
    assert parse("AB") == [(sre.LITERAL, ord("A")), (sre.LITERAL, ord("B"))]  # case is the matcher's affair
    (op, _), = parse("a+")
    assert op == sre.MAX_REPEAT


@pytest.mark.parametrize("pattern", ["(", "a{2,1}", "*a", r"\p{L}+", "(?<name>a)", "(?|(a)|(b))"])
def test_what_python_cannot_read_is_none(pattern):
    assert parse(pattern) is None


@pytest.mark.parametrize("pattern,expected", [
    ("abc", 3),
    ("[abc]", 1),  # one class
    ("a{10}", 10),
    ("a{2,5}", 5),  # the upper bound
    ("x{3,}", 3),  # unbounded: the lower bound
    ("a*", 1),
    ("a+", 1),
    ("(?:ab){3}", 6),
    ("(ab)c", 3),
    ("a|bc", 3),  # both alternatives
    ("(?=abc)x", 4),  # a lookahead is part of the pattern too
    ("(?:(?:a{2}){3}){4}", 24),
])
def test_the_expanded_size_counts_unrolled_repeats(pattern, expected):
    assert size(pattern) == expected


def test_the_count_stops_once_it_is_too_large():
    assert MAX_EXPANDED_SIZE == 100_000
    assert size("(?:(?:(?:a{99}){99}){99}){99}") == 99 ** 4  # the rule check's "too large" example
    assert size("a{60000}b{60000}c{60000}") == 120_000  # over the limit after b: c is never counted
