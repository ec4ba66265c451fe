"""Which of the catalogue's keywords and regular expressions can match a text, in one search.

A failure is tried against every rule: its keywords, then its patterns, excludes and context
pairs, each through the ``regex`` module. Most of those searches find nothing. The screen runs all
of them at once in hyperscan's prefilter mode, which reports at least every pattern that matches,
so a search it does not report is skipped: the answer is the same, found without running it.

It speaks only where hyperscan and ``regex`` read a pattern and a text alike:

- the text is printable ASCII (``prefilter.plain_ascii``): ``\\w``, ``\\d``, ``\\s``, ``\\b`` and
  case folding agree there;
- the pattern is ASCII, has no ``{,n}`` (a repeat to Python and ``regex``, literal text to
  hyperscan), and is made only of what both engines read the same way (literals, classes,
  the categories above, repeats, alternation, groups without flags, ``^``, ``$``, ``\\b``,
  ``\\B`` and lookarounds, which the prefilter mode widens). Anything else (back-references,
  atomic groups, inline flags, the ``regex`` module's own syntax) is always searched;
- a keyword is ASCII: it is a caseless literal there.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Optional

from philly_triage._internal.catalogue.cache import cache_dir, read_own, write_atomically
from philly_triage._internal.pipeline.digest import sha256
from philly_triage._internal.pipeline.prefilter import (
    ENGINE_VAR, MISREAD, PatternScreen, compile_screen, plain_ascii, screen_takes,
)
from philly_triage._internal.rulecheck.regex_syntax import parse, sre

_PLAIN_OPS = {sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.BRANCH, sre.MAX_REPEAT, sre.MIN_REPEAT, sre.SUBPATTERN,
              sre.AT, sre.IN, sre.ASSERT, sre.ASSERT_NOT}
_PLAIN_SET_OPS = {sre.LITERAL, sre.RANGE, sre.CATEGORY, sre.NEGATE}
_PLAIN_AT = {sre.AT_BEGINNING, sre.AT_BEGINNING_STRING, sre.AT_END, sre.AT_BOUNDARY, sre.AT_NON_BOUNDARY}
SCREEN_VERSION = 3  # changes when ``screenable`` accepts other patterns
_ALLOWED_FLAGS = re.IGNORECASE | re.UNICODE  # what parsing with IGNORECASE leaves set on a plain pattern


def screenable(pattern: str) -> bool:
    """Whether hyperscan's prefilter mode reads ``pattern`` as ``regex`` does on plain ASCII text."""
    if not pattern.isascii() or MISREAD.search(pattern):
        return False
    try:
        tree = sre.parse(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError, ValueError, TypeError):
        return False
    if parse(pattern) is None or tree.state.flags & ~_ALLOWED_FLAGS:
        return False
    return _plain(list(tree))


def _plain(items: list) -> bool:
    for op, arg in items:
        if op not in _PLAIN_OPS:
            return False
        if op in (sre.LITERAL, sre.NOT_LITERAL) and arg > 0x7F:
            return False  # a character beyond ASCII, written as an escape ("\u00e9")
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            if not _plain(list(arg[2])):
                return False
        elif op == sre.SUBPATTERN:
            if arg[1] or arg[2] or not _plain(list(arg[3])):
                return False  # a group that sets or clears flags
        elif op == sre.BRANCH:
            if not all(_plain(list(alternative)) for alternative in arg[1]):
                return False
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            if not _plain(list(arg[1])):
                return False
        elif op == sre.IN:
            if any(set_op not in _PLAIN_SET_OPS or not _ascii_member(set_op, value) for set_op, value in arg):
                return False
        elif op == sre.AT and arg not in _PLAIN_AT:
            return False
    return True


def _ascii_member(op, value) -> bool:
    if op == sre.LITERAL:
        return value <= 0x7F
    if op == sre.RANGE:
        return value[1] <= 0x7F
    return True


class RuleScreen:
    """The screen of one catalogue: an id for each keyword set and pattern, and the search.

    Which patterns the screen can speak for is decided when the first text is asked about, and
    kept in the cache directory: parsing every pattern of the catalogue costs more than a
    small run's matching."""

    def __init__(self) -> None:
        self._patterns: list[str] = []
        self._ids: dict[str, int] = {}
        self._search: Optional[PatternScreen] = None
        self._always: frozenset[int] = frozenset()  # ids searched whatever the text
        self._built = False

    def __getstate__(self) -> dict:
        """A screen pickles without its search (a hyperscan database), which is built again on use."""
        return {**self.__dict__, "_search": None, "_always": frozenset(), "_built": False}

    def add_pattern(self, pattern: str) -> int:
        """The id of ``pattern`` in the screen."""
        return self._id(pattern)

    def add_keywords(self, keywords: tuple[str, ...]) -> Optional[frozenset[int]]:
        """The ids of a rule's keywords (None: they are checked as text)."""
        if not keywords or not all(plain_ascii(k) for k in keywords):
            return None  # the screen's answer for a keyword must be exact: printable ASCII only
        return frozenset(self._id(re.escape(k)) for k in keywords)

    def _id(self, pattern: str) -> int:
        found = self._ids.get(pattern)
        if found is None:
            found = self._ids[pattern] = len(self._patterns)
            self._patterns.append(pattern)
        return found

    def possible(self, text: str) -> Optional[frozenset[int] | set[int]]:
        """The ids that may match ``text``; None when the screen does not speak for it."""
        if not self._built:
            self._build()
        if self._search is None or not plain_ascii(text):
            return None
        found = self._search.ids(text)
        return found | self._always if self._always else found

    def reads_all(self, ids: frozenset[int]) -> bool:
        """Whether the screen searches for every one of ``ids`` (none is always reported)."""
        if not self._built:
            self._build()
        return self._always.isdisjoint(ids)

    def _build(self) -> None:
        self._built = True
        plain = _screenable_ids(self._patterns)
        search = compile_screen({i: self._patterns[i] for i in sorted(plain)})
        if search is None and plain and not os.environ.get(ENGINE_VAR, "").lower() == "re":
            # hyperscan refused the set: leave out the patterns it refuses one by one (an escape
            # it does not know, say), and screen the rest
            plain = {i for i in plain if screen_takes(self._patterns[i])}
            search = compile_screen({i: self._patterns[i] for i in sorted(plain)})
        self._always = frozenset(set(range(len(self._patterns))) - plain)
        self._search = search


def _screenable_ids(patterns: list[str]) -> set[int]:
    """The indices of the patterns ``screenable`` accepts, from the cache when known."""
    key = sha256(json.dumps([SCREEN_VERSION, sys.version, patterns]).encode()).hexdigest()[:32]
    directory = cache_dir()
    path = directory / f"screen-{key}.json" if directory is not None else None
    cached = read_own(path) if path is not None else None
    if cached is not None:
        try:
            return set(json.loads(cached))
        except ValueError:
            pass
    found = {i for i, pattern in enumerate(patterns) if screenable(pattern)}
    if path is not None:
        write_atomically(path, json.dumps(sorted(found)).encode())
    return found
