"""The byte-level first pass: which lines of a buffer hold any of a set of patterns, in one search.

Hyperscan (Intel's multi-pattern matcher, from PyPI's ``hyperscan`` wheels) searches for all the
patterns at once at memory speed. Where it has no wheel, or with ``TRIAGE_ENGINE=re``, Python's
``re`` does the same search, several times slower: literal patterns are folded into a trie so the
search skips most positions on their first byte. Both engines find the same lines; the test suite
runs the locator on both.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections import defaultdict
from functools import lru_cache
from typing import Iterator, Optional, Protocol, Sequence

from philly_triage._internal.catalogue.cache import cache_dir, read_own, write_atomically
from philly_triage._internal.pipeline.digest import sha256
from philly_triage._internal.rulecheck.regex_syntax import parse, sre

ENGINE_VAR = "TRIAGE_ENGINE"  # "re" forces the pure-Python engine


class LineFinder(Protocol):
    """Finds matches in ``data[start:end]``: an offset inside each match (at most ``limit``), in
    order. Callers map offsets to lines; a line may be found more than once."""

    engine: str
    # Whether a piece of text without a match holds no match in any part of it either: no pattern
    # looks at where the text it is given begins or ends (anchors, \B). Callers may then skip searches.
    context_free: bool

    def offsets(self, data: bytes, start: int = 0, end: Optional[int] = None, limit: Optional[int] = None) -> list[int]:
        ...


def compile_finder(patterns: Sequence[str], caseless: bool = False) -> Optional[LineFinder]:
    """One finder for all ``patterns`` (Python regular expression syntax, ASCII, on bytes)."""
    if not patterns:
        return None
    finder: Optional[LineFinder] = None
    if os.environ.get(ENGINE_VAR, "").lower() != "re" and not any(MISREAD.search(p) for p in patterns):
        finder = _hyperscan_finder(patterns, caseless)
    if finder is None:
        finder = _ReFinder(patterns, caseless)
    finder.context_free = not any(EDGE_SENSITIVE.search(p) for p in patterns)
    return finder


# What can make a pattern match a piece of a text and not the whole: anchors to the text's start or
# end, and \B (true at an edge after a space, false inside). Any caret counts, even in a class.
EDGE_SENSITIVE = re.compile(r"[\^$]|\\[AZzB]")


def lines_of(offsets: Sequence[int], starts: Sequence[int]) -> list[int]:
    """The indices of the lines (starting at ``starts``, sorted) that hold the offsets, once each."""
    found: list[int] = []
    for offset in offsets:
        index = bisect_right(starts, offset) - 1
        if index >= 0 and (not found or index > found[-1]):
            found.append(index)
    return found


class _ReFinder:
    engine = "re"

    def __init__(self, patterns: Sequence[str], caseless: bool):
        self.caseless = caseless
        self.pattern = re.compile(_folded(patterns, caseless).encode("utf-8"), re.MULTILINE)
        self._lowered: tuple[Optional[bytes], bytes] = (None, b"")

    def offsets(self, data, start=0, end=None, limit=None):
        end = len(data) if end is None else end
        if self.caseless:  # lower-cased bytes searched case-sensitively: ten times faster than (?i)
            if self._lowered[0] is not data:
                self._lowered = (data, data.lower())
            data = self._lowered[1]
        found: list[int] = []
        search, position = self.pattern.search, start
        while limit is None or len(found) < limit:
            hit = search(data, position, end)
            if hit is None:
                break
            found.append(hit.start())
            position = max(hit.end(), hit.start() + 1)
        return found


class _HyperscanFinder:
    engine = "hyperscan"

    def __init__(self, database, module):
        self.database = database
        self.terminated = module.ScanTerminated

    def offsets(self, data, start=0, end=None, limit=None):
        end = len(data) if end is None else end
        piece = data if (start, end) == (0, len(data)) else memoryview(data)[start:end]
        found: list[int] = []

        def on_match(_id, _from, to, _flags, _context):
            found.append(start + to - 1)  # hyperscan reports where a match ends
            return limit is not None and len(found) >= limit

        try:
            self.database.scan(piece, match_event_handler=on_match)
        except self.terminated:
            pass
        return found


def _hyperscan_finder(patterns: Sequence[str], caseless: bool) -> Optional[_HyperscanFinder]:
    hyperscan = _hyperscan()
    if hyperscan is None:
        return None
    flags = hyperscan.HS_FLAG_ALLOWEMPTY | hyperscan.HS_FLAG_MULTILINE
    if caseless:
        flags |= hyperscan.HS_FLAG_CASELESS
    patterns = [branch for pattern in patterns for branch in alternatives(pattern)]
    database = _database(hyperscan, patterns, [0] * len(patterns), flags)
    return None if database is None else _HyperscanFinder(database, hyperscan)


WORD_START = re.compile(r"[\w-]{2}")  # a branch that starts with a word hyperscan can look for
VERBOSE_OR_COMMENT = re.compile(r"\(\?(?:[aiLmsu-]*x|#)")


def alternatives(pattern: str) -> list[str]:
    """Patterns that together match where ``pattern`` does: one per branch of a group it starts
    with, each followed by the rest (``(?:(?:cp|mv): )`` gives ``(?:(?:cp): )`` and ``(?:(?:mv): )``),
    when every branch starts with a word; else ``pattern`` alone. Hyperscan takes branches that
    are plain words into its literal matcher, while a group of branches ending in a shared tail
    is run as an automaton: the shell commands of the triggers, split so, made the search of
    every line of a log a fifth faster. A finder only says where matches are, so the matches of
    several patterns are those of one. A verbose pattern, or one with a comment group, is left
    whole (its white space and comments are not syntax)."""
    outer, body = _scope(pattern)
    if body is None or not body.startswith("(?:") or VERBOSE_OR_COMMENT.search(pattern):
        return [pattern]
    close = _closing(body)
    group, tail = body[3:close], body[close + 1:]
    branches = _top_level_split(group)
    if len(branches) < 2 or len(_top_level_split(tail)) > 1 or tail[:1] in ("*", "+", "?", "{"):
        return [pattern]
    if not all(WORD_START.match(branch) for branch in branches):
        return [pattern]  # a branch without a word to look for: the tail would be run once per branch
    return [f"{outer}(?:{branch}){tail})" for branch in branches]


def _scope(pattern: str) -> tuple[str, Optional[str]]:
    """A pattern wrapped whole in a group (``(?:...)``, ``(?i:...)``): the opening and the inside;
    else ("", None)."""
    opening = re.match(r"\(\?[aiLmsux]*:", pattern)
    if opening is None or _closing(pattern) != len(pattern) - 1:
        return "", None
    return opening.group(0), pattern[opening.end():-1]


def _closing(text: str) -> int:
    """The index of the parenthesis closing the one ``text`` starts with (-1 if none)."""
    return next((index for index, char, depth in _syntax(text) if char == ")" and depth == 0), -1)


def _top_level_split(text: str) -> list[str]:
    """``text`` cut at each ``|`` outside groups and classes."""
    bars = [index for index, char, depth in _syntax(text) if char == "|" and depth == 0]
    return [text[start + 1:stop] for start, stop in zip([-1] + bars, bars + [len(text)])]


def _syntax(text: str) -> Iterator[tuple[int, str, int]]:
    """The characters of a pattern that may be syntax (parentheses, bars), with how many groups
    they are in (a parenthesis: the groups outside it); escaped characters and character classes
    are skipped."""
    index, depth = 0, 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index += 1
            if text[index:index + 1] == "^":
                index += 1
            if text[index:index + 1] == "]":
                index += 1  # a "]" first in a class is the character
            while index < len(text) and text[index] != "]":
                index += 2 if text[index] == "\\" else 1
            index += 1
            continue
        if char == ")":
            depth -= 1
        yield index, char, depth
        if char == "(":
            depth += 1
        index += 1


KEEP_LONGEST = 512  # the longest text whose kinds are kept: 4,096 of them stay a few MB


class LineKinds:
    """Which sections of patterns match one line of text (e.g. {"noise", "fatal"}), all sections
    in one hyperscan search; patterns hyperscan cannot take (lookarounds) run through ``re``. The
    answer for a text is kept: log lines repeat (warnings, progress)."""

    def __init__(self, sections: Sequence[str], database, fallbacks: dict[str, re.Pattern]):
        self.sections = tuple(sections)
        self.database = database
        self.fallbacks = fallbacks
        self._kept = lru_cache(maxsize=4096)(self._kinds)  # log lines repeat: warnings, progress

    def kinds(self, text: str) -> frozenset:
        """The sections ``text`` matches; kept for texts short enough that keeping is cheap."""
        return self._kept(text) if len(text) <= KEEP_LONGEST else self._kinds(text)

    def _kinds(self, text: str) -> frozenset:
        """Every section ``text`` matches: the hyperscan search, then the sections it did not find
        that have patterns only ``re`` can run."""
        found: set[int] = set()
        self.database.scan(text.encode("utf-8", "replace"), match_event_handler=lambda i, *_: found.add(i))
        sections = {self.sections[i] for i in found}
        for section, fallback in self.fallbacks.items():
            if section not in sections and fallback.search(text) is not None:
                sections.add(section)
        return frozenset(sections)


def compile_line_kinds(sections: dict[str, Sequence[str]]) -> Optional[LineKinds]:
    """A LineKinds for the sections' patterns, or None when hyperscan is not there (or forced off)."""
    if os.environ.get(ENGINE_VAR, "").lower() == "re":
        return None
    hyperscan = _hyperscan()
    if hyperscan is None:
        return None
    names = list(sections)
    patterns, ids, fallbacks = [], [], {}
    for number, name in enumerate(names):
        for pattern in sections[name]:
            if _needs_re(pattern):
                fallbacks.setdefault(name, []).append(pattern)
            else:
                patterns.append(pattern)
                ids.append(number)
    database = _database(hyperscan, patterns, ids, hyperscan.HS_FLAG_ALLOWEMPTY)
    if database is None:
        return None
    compiled = {name: re.compile("|".join(f"(?:{p})" for p in group)) for name, group in fallbacks.items()}
    return LineKinds(names, database, compiled)


def compile_sure_misses(sections: dict[str, Sequence[str]]) -> Optional[LineKinds]:
    """A search that says, in one hyperscan pass, which sections' ``re`` patterns (str patterns,
    searched with ``re``) cannot match a text: those it does not report. Its answer holds for texts
    that ``plain_ascii`` accepts; ask ``re`` about the others. None when hyperscan is not there, a
    pattern is not ASCII, or hyperscan refuses one (an atomic group, a back-reference)."""
    if any(not pattern.isascii() for group in sections.values() for pattern in group):
        return None  # re folds case beyond ASCII ("K", the Kelvin sign, matches "k"); hyperscan does not
    if any(_needs_re(pattern) for group in sections.values() for pattern in group):
        return None
    return compile_line_kinds(sections)


# What hyperscan reads otherwise than Python: "{,3}" is a repeat (0 to 3) to re and regex, and
# literal text to hyperscan (as to PCRE before 10.43). Escaped or in a class, it is still counted.
MISREAD = re.compile(r"\{,\d*\}")


class PatternScreen:
    """Which of many patterns may match a text, in one hyperscan search (see ``compile_screen``)."""

    def __init__(self, database):
        self.database = database

    def ids(self, text: str) -> set[int]:
        found: set[int] = set()
        self.database.scan(text.encode("ascii"), match_event_handler=lambda i, *_: found.add(i))
        return found


def compile_screen(patterns: dict[int, str]) -> Optional[PatternScreen]:
    """A search of caseless patterns (id -> pattern) in hyperscan's prefilter mode: on a text that
    ``plain_ascii`` accepts it reports at least every pattern that matches it (maybe more). The
    caller gives only patterns it has checked hyperscan reads as its own engine does. None when
    hyperscan is not there or refuses the set."""
    if not patterns or os.environ.get(ENGINE_VAR, "").lower() == "re":
        return None
    hyperscan = _hyperscan()
    if hyperscan is None:
        return None
    ids = sorted(patterns)
    database = _database(hyperscan, [patterns[i] for i in ids], ids, _screen_flags(hyperscan))
    return None if database is None else PatternScreen(database)


def _screen_flags(hyperscan) -> int:
    """A screen's patterns: caseless, in prefilter mode, and reported even where they match nothing."""
    return hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_ALLOWEMPTY


def screen_takes(pattern: str) -> bool:
    """Whether hyperscan compiles ``pattern`` as ``compile_screen`` would (False without hyperscan)."""
    hyperscan = _hyperscan()
    if hyperscan is None:
        return False
    try:
        hyperscan.Database().compile(expressions=[pattern.encode("ascii")], ids=[0], flags=[_screen_flags(hyperscan)])
    except (hyperscan.HyperscanError, UnicodeEncodeError):
        return False
    return True


# On text of these characters, hyperscan and re read \w, \d, \s, \b and case alike (re's \s on
# str also takes the separators \x1c-\x1f, which are left out).
_NOT_PLAIN = re.compile(r"[^\t\n\x0b\x0c\r\x20-\x7e]")


def plain_ascii(text: str) -> bool:
    """Whether ``compile_sure_misses`` speaks for ``text``: printable ASCII, tabs and line ends."""
    return _NOT_PLAIN.search(text) is None


def _needs_re(pattern: str) -> bool:
    """Whether a pattern uses what hyperscan lacks (lookarounds, back-references) or reads
    otherwise (MISREAD)."""
    return re.search(r"\(\?<?[=!]|\(\?P=|\(\?\(|\\[1-9]", pattern) is not None or MISREAD.search(pattern) is not None


def _hyperscan():
    try:
        import hyperscan
    except ImportError:
        return None
    return hyperscan


def _machine() -> str:
    """What ``platform.machine()`` says, without importing ``platform`` (3 ms of regexes) on POSIX."""
    if hasattr(os, "uname"):
        return os.uname().machine
    import platform
    return platform.machine()


def _database(hyperscan, patterns: list[str], ids: list[int], flags: int):
    """A compiled hyperscan database, from the on-disk cache when an identical one was compiled
    before (compiling takes up to a second; loading, microseconds). None if hyperscan refuses."""
    expressions = [p.encode("utf-8") for p in patterns]
    key = sha256(repr((getattr(hyperscan, "__version__", ""), _machine(), expressions, ids, flags)).encode()).hexdigest()
    directory = cache_dir()
    path = directory / f"hyperscan-{key[:32]}.db" if directory is not None else None
    cached = read_own(path) if path is not None else None
    if cached is not None:
        try:
            database = hyperscan.loadb(cached, hyperscan.HS_MODE_BLOCK)
            database.scratch = hyperscan.Scratch(database)
            return database
        except (hyperscan.HyperscanError, ValueError, TypeError):
            pass
    try:
        database = hyperscan.Database()
        database.compile(expressions=expressions, ids=ids, flags=[flags] * len(expressions))
    except hyperscan.HyperscanError:
        return None  # a pattern hyperscan cannot take: the caller uses re instead
    if path is not None:
        write_atomically(path, hyperscan.dumpb(database))
    return database


def _folded(patterns: Sequence[str], caseless: bool) -> str:
    """One alternation: plain literals folded into a trie (shared prefixes tested once), then the rest."""
    literals, others = [], []
    for pattern in patterns:
        text = literal_text(pattern)
        if text is None:
            others.append(f"(?:{pattern})")
        else:
            literals.append(text.lower() if caseless else text)
    alternatives = ([_trie(sorted(set(literals)))] if literals else []) + others
    return "|".join(alternatives)


def literal_text(pattern: str) -> Optional[str]:
    """The text a pattern spells when it is a plain literal, else None."""
    items = parse(pattern, 0)
    while items and len(items) == 1 and items[0][0] == sre.SUBPATTERN and not any(items[0][1][1:3]):
        items = list(items[0][1][3])  # an unnamed, flagless group around the whole pattern
    if not items or any(op != sre.LITERAL for op, _ in items):
        return None
    return "".join(chr(code) for _, code in items)


def _trie(words: list[str]) -> str:
    branches: dict[str, list[str]] = defaultdict(list)
    for word in words:
        branches[word[:1]].append(word[1:])
    alternatives, optional = [], "" in branches
    for head, tails in sorted(branches.items()):
        if head:
            alternatives.append(re.escape(head) + _trie(tails))
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 and not optional else "(?:" + "|".join(alternatives) + ")"
    return f"(?:{body})?" if optional else body
