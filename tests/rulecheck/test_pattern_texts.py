"""What a parsed pattern matches: the texts the ReDoS lint builds its attack lines from."""

from __future__ import annotations

import re

from philly_triage._internal.rulecheck.pattern_texts import (
    REPEATS, accepts, atoms, fail_char, literal_runs, walk, witness,
)
from philly_triage._internal.rulecheck.regex_syntax import sre


def parsed(pattern):
    return list(sre.parse(pattern))


def test_the_witness_is_a_short_text_the_pattern_matches():
    for pattern in (r"Error: \d+ items", r"(?:ab|cd){3}x", r"[A-Z]\w+Error", r"a{2,}b?c"):
        text = witness(parsed(pattern))
        assert re.fullmatch(pattern, text, re.IGNORECASE), (pattern, text)


def test_nested_counted_repeats_stay_small():
    assert len(witness(parsed(r"((a{99}){99}){99}"))) <= 256


def test_atoms_accept_characters_as_the_rules_do_ignoring_case():
    (digit,) = atoms(parsed(r"\d"))
    assert accepts(*digit, "7") and not accepts(*digit, "a")
    (letter,) = atoms(parsed("k"))
    assert accepts(*letter, "K")
    (negated,) = atoms(parsed("[^a-c]"))
    assert accepts(*negated, "x") and not accepts(*negated, "B")


def test_the_fail_character_is_one_the_atoms_reject():
    found = list(atoms(parsed(r"[\w ]+!")))
    fail = fail_char(found)
    assert not any(accepts(op, av, fail) for op, av in found[:1])


def test_walk_reaches_nested_repeats_and_literal_runs():
    items = parsed(r"(?:error(x+)+)")
    assert sum(op in REPEATS for op, _ in walk(items)) == 2
    assert literal_runs(items) == ["error"]
