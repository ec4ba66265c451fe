"""What a parsed regular expression matches: a short text for each part, and which characters its
atoms accept. The ReDoS lint (redos.py) builds its attack lines from these.

Patterns are read by Python's parser (regex_syntax.sre); case is ignored, as the rules ignore it.
"""

from __future__ import annotations

import string
from typing import Callable, Iterable, Iterator, Optional

from philly_triage._internal.rulecheck.regex_syntax import sre as _sre

MAX_WITNESS_REPEAT = 16  # a repeat's minimum count used when building the shortest text
MAX_WITNESS = 256  # characters of the shortest text of any part of a pattern

_LITERAL, _NOT_LITERAL, _ANY, _IN = _sre.LITERAL, _sre.NOT_LITERAL, _sre.ANY, _sre.IN
_BRANCH, _SUBPATTERN, _GROUPREF_EXISTS = _sre.BRANCH, _sre.SUBPATTERN, _sre.GROUPREF_EXISTS
_ASSERTS = (_sre.ASSERT, _sre.ASSERT_NOT)
_ATOMIC_GROUP = getattr(_sre, "ATOMIC_GROUP", None)  # Python 3.11+
REPEATS = tuple(
    op for op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)) if op is not None
)
_ATOMS = (_LITERAL, _NOT_LITERAL, _ANY, _IN)

_CATEGORIES: dict[object, Callable[[str], bool]] = {
    _sre.CATEGORY_DIGIT: str.isdigit,
    _sre.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
    _sre.CATEGORY_SPACE: str.isspace,
    _sre.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
    _sre.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    _sre.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
}
# Tried in order when a set needs a member: common log characters first.
_MEMBER_CANDIDATES = "a0 _./-:!#" + string.printable + "\x00\xe9"
# Tried in order for the character that makes a match fail: never letters or digits, which
# patterns are full of.
_FAIL_CANDIDATES = "!\x00#~%`^ \t"


def children(op: object, av: object) -> list:
    """The item lists directly inside one parsed item."""
    if op in REPEATS:
        return [av[2]]
    if op is _SUBPATTERN:
        return [av[-1]]
    if op is _ATOMIC_GROUP:
        return [av]
    if op is _BRANCH:
        return list(av[1])
    if op in _ASSERTS:
        return [av[1]]
    if op is _GROUPREF_EXISTS:
        return [branch for branch in av[1:] if branch is not None]
    return []


def walk(items: Iterable) -> Iterator[tuple]:
    """Every item, at any depth, parents before their children."""
    for op, av in items:
        yield op, av
        for child in children(op, av):
            yield from walk(child)


def atoms(items: Iterable) -> Iterator[tuple]:
    """Every single-character item (a literal, a set, ``.``) at any depth."""
    return ((op, av) for op, av in walk(items) if op in _ATOMS)


def literal_runs(items: Iterable) -> list[str]:
    """The runs of two or more literal characters in a row, at any depth."""
    runs: list[str] = []
    current = ""
    for op, av in items:
        if op is _LITERAL:
            current += chr(av)
            continue
        if len(current) > 1:
            runs.append(current)
        current = ""
        for child in children(op, av):
            runs += literal_runs(child)
    if len(current) > 1:
        runs.append(current)
    return runs


def witness(items: Iterable) -> str:
    """A short text the items match (lookarounds and back-references are ignored)."""
    # Capped so that nested counted repeats such as ((a{99}){99}){99} stay small.
    return "".join(witness_one(op, av) for op, av in items)[:MAX_WITNESS]


def witness_one(op: object, av: object) -> str:
    """A short text one parsed item matches."""
    if op in _ATOMS:
        return atom_char(op, av)
    if op in REPEATS:
        minimum, _maximum, body = av
        return witness(body) * min(minimum, MAX_WITNESS_REPEAT)
    if op is _SUBPATTERN:
        return witness(av[-1])
    if op is _ATOMIC_GROUP:
        return witness(av)
    if op is _BRANCH:
        return witness(av[1][0])
    if op is _GROUPREF_EXISTS:
        return witness(av[1])
    return ""  # anchors, lookarounds, back-references: no text of their own


def atom_char(op: object, av: object) -> str:
    """A character one atom accepts (a common log character where it can)."""
    if op is _LITERAL:
        return chr(av)
    return _first(_MEMBER_CANDIDATES, lambda c: accepts(op, av, c)) or "a"


def fail_char(found: list[tuple]) -> str:
    """The candidate character the fewest of the atoms ``found`` accept, so a pumped run ends in a mismatch."""
    return min(_FAIL_CANDIDATES, key=lambda c: sum(accepts(op, av, c) for op, av in found))


def accepts(op: object, av: object, char: str) -> bool:
    """Whether one parsed atom matches the character, ignoring case as the rules do."""
    if op is _ANY:
        return char != "\n"
    if op is _LITERAL:
        return _same_letter(av, char)
    if op is _NOT_LITERAL:
        return not _same_letter(av, char)
    return _in_set(av, char)


def _in_set(items: list, char: str) -> bool:
    negated = False
    hit = False
    for op, av in items:
        if op is _sre.NEGATE:
            negated = True
        elif op is _LITERAL:
            hit = hit or _same_letter(av, char)
        elif op is _sre.RANGE:
            hit = hit or any(av[0] <= ord(c) <= av[1] for c in _cases(char))
        elif op is _sre.CATEGORY:
            hit = hit or _CATEGORIES.get(av, lambda c: False)(char)
    return hit != negated


def _same_letter(code: int, char: str) -> bool:
    return any(ord(c) == code for c in _cases(char))


def _cases(char: str) -> tuple[str, ...]:
    return tuple(c for c in (char, char.lower(), char.upper()) if len(c) == 1)


def _first(candidates: Iterable[str], test: Callable[[str], bool]) -> Optional[str]:
    return next((c for c in candidates if test(c)), None)
