r"""Find rule patterns that take too long on adversarial input (catastrophic backtracking).

``find_slow_match`` builds a few dozen long lines from the pattern's own structure and times a
search over each: for every repeat, ``prefix + unit * N + fail [+ tail]`` where ``prefix`` is
the shortest text that reaches the repeat, ``unit`` is a string the repeat's body accepts, ``fail``
is the character the pattern accepts least and ``tail`` the shortest text after the repeat (so the
engine's required-literal shortcut cannot skip the work). A counted repeat ``{m,}`` also gets its
body spread ``m - 1`` times over the line, one short of a match. Time is CPU time, as is the regex
module's ``timeout``: with both cores busy, wall time of a safe search grew up to 4x, CPU time 1.4x.

Calibration (PUMP_LENGTH = 4096, DEFAULT_BUDGET = 0.15 s; regex 2026.11.15, Python 3.11, 2 cores):
- Built-in catalogue, 263 distinct regexes, about 0.4 s to check them all (0.12 s of searching).
  The slowest now takes 1 ms. Before two of them were rewritten, the slowest were quadratic ones
  whose adjacent repeats overlapped on spaces (``\s*[\d, ]+`` 74 ms, 0.10 s at worst with both
  cores busy; ``\s*[:=]?\s*`` 61 ms): such patterns are what the budget must still let pass.
- Evil: nested repeats such as ``(a+)+$``, ``(a|a)*b``, ``(\w+\s?)+$`` run into any budget; the
  mildest flagged ones are ``.*a.*a.*a.*a.*x`` 0.33 s and ``(.*a){12}`` 0.50 s. Margin: 2.2x.
- The regex module's repeat guards make some textbook cases merely quadratic, as cheap as the
  built-ins above, so they are not flagged: ``^(\d+)*x`` takes 60 ms; ``Error: (\w+\s*)+failed$``
  0.20 s is flagged, but close to the budget.
"""

from __future__ import annotations

import re
import time
import warnings
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

import regex

from philly_triage._internal.catalogue.load import REGEX_FLAGS
from philly_triage._internal.rulecheck.pattern_texts import (
    REPEATS, atom_char, atoms, children, fail_char, literal_runs, walk, witness, witness_one,
)
from philly_triage._internal.rulecheck.regex_syntax import sre as _sre

DEFAULT_BUDGET = 0.15  # CPU seconds one search may take on one attack line
PUMP_LENGTH = 4096  # characters of pumped text: a long but real log line
MAX_ATTACKS = 40  # per pattern; the first attacks (nested repeats) are the likeliest to bite
MAX_SPREAD = 64  # a counted repeat {m,} is spread only for m up to this
MAX_SHOWN = 16  # characters of a piece of text shown in a sample


@dataclass(frozen=True)
class SlowPattern:
    """A pattern and the attack line on which one search took longer than the budget."""

    pattern: str  # the regex source
    sample: str  # a short, printable description of the attack line, e.g. "'a' x 4096 + '!'"
    seconds: float  # how long the search took before it finished or hit the budget
    timed_out: bool


@dataclass(frozen=True)
class _Attack:
    text: str
    sample: str


@dataclass(frozen=True)
class _Repeat:
    body: list  # the parsed items of the repeated part
    minimum: int
    prefix: str  # shortest text from the start of the pattern up to the repeat
    tail: str  # shortest text from after the repeat to the end of the pattern
    nested: bool  # the body holds a repeat itself: the classic exponential shape


def find_slow_match(pattern: str, budget: float = DEFAULT_BUDGET) -> Optional[SlowPattern]:
    """Search the pattern over generated adversarial lines; the first one slower than `budget` seconds, or None."""
    compiled = _compile(pattern)
    if compiled is None:
        return None
    for attack in _attack_lines(pattern):
        seconds, timed_out = _timed_search(compiled, attack.text, budget)
        if seconds <= budget and not timed_out:
            continue
        # CPU time barely moves with load, but a cache-thrashing neighbour can still slow one run:
        # only a second slow run of the same line counts.
        seconds, timed_out = _timed_search(compiled, attack.text, budget)
        if seconds > budget or timed_out:
            return SlowPattern(pattern, attack.sample, seconds, timed_out)
    return None


def _attack_lines(pattern: str) -> list[_Attack]:
    """The adversarial lines for a pattern, likeliest first, without duplicates."""
    try:
        attacks = list(_structural_attacks(pattern))
    except Exception:  # sre cannot parse regex-only syntax such as \p{L}; guess from the text
        attacks = list(_textual_attacks(pattern))
    unique: dict[str, _Attack] = {}
    for attack in attacks:
        unique.setdefault(attack.text, attack)
    return list(unique.values())[:MAX_ATTACKS]


def _compile(pattern: str) -> Optional[regex.Pattern]:
    try:
        return regex.compile(pattern, REGEX_FLAGS)
    except Exception:  # the caller reports compile errors; a bad pattern is simply not slow here
        return None


def _timed_search(compiled: regex.Pattern, text: str, budget: float) -> tuple[float, bool]:
    """CPU seconds of one search, and whether it hit the budget.

    Both this clock and the regex module's ``timeout`` count CPU time, so a busy machine that
    delays the search (wall time) does not make a safe pattern look slow.
    """
    start = time.thread_time()
    try:
        compiled.search(text, timeout=budget)
    except TimeoutError:
        return time.thread_time() - start, True
    except Exception:  # e.g. MemoryError: not a question of speed
        pass
    return time.thread_time() - start, False


# Attacks built from the parsed pattern.


def _structural_attacks(pattern: str) -> Iterator[_Attack]:
    with warnings.catch_warnings():
        # Python's parser warns about regex-module syntax such as [[:alpha:]]; not our concern.
        warnings.simplefilter("ignore")
        items = list(_sre.parse(pattern))
    fail = fail_char(list(atoms(items)))
    repeats: list[_Repeat] = []
    _collect_repeats(items, "", "", repeats)
    # Nested repeats first: they are the ones that blow up, and the search stops at the first hit.
    for repeat in sorted(repeats, key=lambda r: not r.nested):
        yield from _repeat_attacks(repeat, fail)


def _repeat_attacks(repeat: _Repeat, fail: str) -> Iterator[_Attack]:
    for unit in _units(repeat.body):
        count = max(1, PUMP_LENGTH // len(unit))
        yield _pumped(repeat.prefix, unit, count, fail)
        if repeat.tail:
            # The tail's literals make the engine's required-string check pass, so it must try.
            yield _pumped(repeat.prefix, unit, count, fail + repeat.tail)
    shortest = witness(repeat.body)
    if 2 <= repeat.minimum <= MAX_SPREAD and shortest:
        yield _spread(repeat.prefix, shortest, repeat.minimum - 1, fail)


def _pumped(prefix: str, unit: str, count: int, suffix: str) -> _Attack:
    text = prefix + unit * count + suffix
    parts = [_show(prefix), f"{_show(unit)} x {count}", _show(suffix)]
    return _Attack(text, _join(parts))


def _spread(prefix: str, witness: str, copies: int, fail: str) -> _Attack:
    """`copies` bodies of a counted repeat, far apart: every way to share the gaps is tried."""
    gap = max(1, PUMP_LENGTH // copies)
    text = prefix + (fail * gap + witness) * copies + fail
    parts = [_show(prefix), f"({_show(fail)} x {gap} + {_show(witness)}) x {copies}", _show(fail)]
    return _Attack(text, _join(parts))


def _collect_repeats(items: Iterable, before: str, after: str, found: list[_Repeat]) -> None:
    items = list(items)
    pieces = [witness_one(op, av) for op, av in items]
    for index, (op, av) in enumerate(items):
        prefix = before + "".join(pieces[:index])
        tail = "".join(pieces[index + 1 :]) + after
        if op in REPEATS:
            minimum, _maximum, body = av
            nested = any(inner in REPEATS for inner, _ in walk(body))
            found.append(_Repeat(list(body), minimum, prefix, tail, nested))
        for child in children(op, av):
            _collect_repeats(child, prefix, tail, found)


def _units(body: list) -> list[str]:
    """Strings to repeat inside a repeat: its shortest text, each atom's character, each literal run."""
    units = [witness(body)]
    units += [atom_char(op, av) for op, av in atoms(body)]
    units += literal_runs(body)
    return [unit for unit in dict.fromkeys(units) if unit]


# Attacks guessed from the pattern's text when it cannot be parsed.

_ESCAPE_CHARS = {"d": "0", "w": "a", "s": " ", "S": "a", "D": "a", "W": "!", "p": "a", "X": "a"}


def _textual_attacks(pattern: str) -> Iterator[_Attack]:
    prefix = _leading_literal(pattern)
    units = _textual_units(pattern)
    for unit in units:
        for fail in ("!", "\x00"):
            yield _pumped(prefix, unit, max(1, PUMP_LENGTH // len(unit)), fail)


def _textual_units(pattern: str) -> list[str]:
    escapes = [_ESCAPE_CHARS[e] for e in re.findall(r"\\(.)", pattern) if e in _ESCAPE_CHARS]
    plain = re.sub(r"\\.", "", pattern)
    dots = ["a"] if "." in plain else []
    letters = [c for c in plain if c.isalnum()][:10]
    runs = re.findall(r"[A-Za-z0-9 ]{2,}", plain)[:10]
    return [unit for unit in dict.fromkeys(escapes + dots + letters + runs) if unit]


def _leading_literal(pattern: str) -> str:
    lead = re.match(r"[A-Za-z0-9 :,'\"=_-]*", pattern).group(0)
    # A quantifier after the run applies to its last character, which is then not literal text.
    if lead and pattern[len(lead) : len(lead) + 1] in ("*", "+", "?", "{"):
        lead = lead[:-1]
    return lead


# Samples.


def _show(text: str) -> str:
    """The text as a short Python literal, cut (and marked so) when long."""
    shown = repr(text) if text else ""
    if len(shown) <= MAX_SHOWN + 2:
        return shown
    # Escapes such as '\u200b' make repr longer than the text, so cut until the literal fits.
    text = text[:MAX_SHOWN]
    while len(repr(text)) > MAX_SHOWN + 2:
        text = text[:-1]
    return repr(text) + "..."


def _join(parts: list[str]) -> str:
    return " + ".join(part for part in parts if part)
