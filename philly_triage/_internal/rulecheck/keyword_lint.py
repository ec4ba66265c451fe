"""Find patterns that can match a line holding none of their rule's keywords.

The matcher tries a rule's patterns only on lines that hold one of its keywords. A pattern that
can match without one is silently blinded on the lines that lack them. Two checks find this:
reading the pattern's structure (every way through it must spell out a keyword), and the rule's
own ``match`` examples as witnesses (a line the pattern matches but no keyword passes).
"""

from __future__ import annotations

from typing import Iterator, Optional, Sequence

import regex

from philly_triage._internal.pipeline.match import passes_prefilter
from philly_triage.models import Rule
from philly_triage._internal.rulecheck.regex_syntax import parse, sre as _C
from philly_triage._internal.catalogue.rule_file import REGEX_FLAGS

_REPEATS = {_C.MAX_REPEAT, _C.MIN_REPEAT} | ({_C.POSSESSIVE_REPEAT} if hasattr(_C, "POSSESSIVE_REPEAT") else set())
_ZERO_WIDTH = {_C.AT, _C.ASSERT, _C.ASSERT_NOT}
MAX_SPELLINGS = 256  # beyond this, a pattern's alternatives count as unknown text (no false alarm)


def unguarded_path(pattern: str, keywords: Sequence[str]) -> Optional[str]:
    """A sketch of a match of ``pattern`` that holds none of ``keywords`` ("" when it needs no literal
    text at all), or None when every match holds one.

    None also when the pattern cannot be read by this analysis (syntax only ``regex`` knows):
    the check then stays silent rather than guess.
    """
    if not keywords:
        return None
    parsed = parse(pattern)
    if parsed is None:
        return None
    return _unguarded(parsed, tuple(k.lower() for k in keywords))


def _unguarded(items: list, keywords: tuple[str, ...]) -> Optional[str]:
    """None when every spelling of the sequence holds a keyword; else a sketch of one that does not."""
    for spelling in _spellings(items):
        if not any(keyword in run for run in spelling for keyword in keywords):
            return "…".join(run for run in spelling if run)
    return None


Spelling = tuple[str, ...]  # the literal texts a match contains, in order; unknown text between them


def _spellings(items: list) -> list[Spelling]:
    """Every way the sequence can be spelt, as runs of literal text (few: see MAX_SPELLINGS)."""
    spellings: list[Spelling] = [("",)]
    for op, arg in _flatten(items):
        if op == _C.LITERAL:
            spellings = [s[:-1] + (s[-1] + chr(arg).lower(),) for s in spellings]
        elif op in _ZERO_WIDTH:
            continue  # anchors and lookarounds consume nothing, so the text around them joins
        elif op == _C.BRANCH:
            spellings = _join(spellings, [a for alternative in arg[1] for a in _spellings(list(alternative))])
        elif op == _C.IN and all(item_op == _C.LITERAL for item_op, _ in arg):  # [ab], or a|b optimised
            spellings = _join(spellings, sorted({(chr(char).lower(),) for _, char in arg}))
        elif op in _REPEATS and arg[1] == 1:  # optional: with or without its text
            spellings = spellings + _join(spellings, _spellings(list(arg[2])))
        elif op in _REPEATS and arg[0] >= 1:  # at least once: its text, then unknown repetitions
            spellings = [s + ("",) for s in _join(spellings, _spellings(list(arg[2])))]
        else:
            spellings = [s + ("",) for s in spellings]
    return spellings


def _join(heads: list[Spelling], tails: list[Spelling]) -> list[Spelling]:
    """Each head followed by each tail; too many combinations become unknown text instead."""
    if len(heads) * len(tails) > MAX_SPELLINGS:
        return [h + ("",) for h in heads]
    return [h[:-1] + (h[-1] + t[0],) + t[1:] for h in heads for t in tails]


def _flatten(items: list) -> Iterator[tuple]:
    """Items with plain groups opened up, so that literals on both sides of a group join."""
    for op, arg in items:
        if op == _C.SUBPATTERN:
            yield from _flatten(list(arg[-1]))
        else:
            yield op, arg


def blinded_examples(rule: Rule) -> Iterator[tuple[int, str, str]]:
    """(example index, line, pattern) for each match-example line a pattern matches but no keyword passes."""
    if not rule.keywords:
        return
    compiled = [(p.regex, regex.compile(p.regex, REGEX_FLAGS)) for p in rule.patterns]
    for index, example in enumerate(rule.examples_match):
        witness = _blinded_line(example.text, rule.keywords, compiled)
        if witness is not None:
            yield (index,) + witness


def _blinded_line(text: str, keywords: Sequence[str], compiled: list) -> Optional[tuple[str, str]]:
    """The first (line, pattern) of ``text`` where a pattern matches but no keyword occurs."""
    for line in text.splitlines():
        if passes_prefilter(keywords, line):
            continue
        for source, pattern in compiled:
            try:
                found = pattern.search(line, timeout=0.5)
            except TimeoutError:
                found = None
            if found is not None and found.group():
                return line, source
    return None
