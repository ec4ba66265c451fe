"""Say which rule of the catalogue a located failure belongs to.

Each rule's keywords are a cheap literal prefilter: its regular expressions run only on text that
holds one of them. Patterns run through the ``regex`` module with a per-search timeout, so a
pathological pattern cannot hang a run.

Building a Matcher compiles nothing: each regular expression is compiled the first time a
failure reaches it (a rule's excludes and context when the rule is first tried, a pattern when a
text that passes the rule's keywords and frame condition gets to it), and kept for the rest of
the run. A run that classifies one log compiles only the patterns its failure reaches, and a
worker process can build its own Matcher from the catalogue for next to nothing.
"""

from __future__ import annotations

from typing import AbstractSet, Iterable, Optional, Sequence

import regex

from philly_triage._internal.catalogue.load import REGEX_FLAGS, Catalogue
from philly_triage._internal.pipeline.rule_screen import RuleScreen
from philly_triage.models import Failure, Match, Rule

# How much a match says: on the failure line itself, in the lines that belong to it, or only
# through the exception's type.
ON_LINE, ON_DETAIL, ON_TYPE = 3, 2, 1
DEFAULT_TIMEOUT = 0.5


def passes_prefilter(keywords: Sequence[str], text: str) -> bool:
    """Whether a rule's patterns are tried on ``text``: it holds one of the keywords, or there are none."""
    if not keywords:
        return True
    lowered = text.lower()
    return any(keyword in lowered for keyword in keywords)


def _compile(pattern: str) -> regex.Pattern:
    return regex.compile(pattern, REGEX_FLAGS)


class _CompiledRule:
    """One rule and its regular expressions, each compiled on first use, with their ids in the
    catalogue's screen (keyword ids None: the keywords are checked as text)."""

    __slots__ = ("rule", "order", "keywords", "exceptions", "frames", "_patterns", "_excludes", "_context",
                 "keyword_ids", "pattern_ids", "exclude_ids", "context_ids")

    def __init__(self, rule: Rule, order: int, screen: RuleScreen):
        self.rule = rule
        self.order = order
        self.keywords = rule.keywords
        self.exceptions = frozenset(rule.exceptions)
        self.frames = tuple(p.frame for p in rule.patterns)
        self._patterns: list[Optional[regex.Pattern]] = [None] * len(rule.patterns)
        self._excludes: Optional[tuple[regex.Pattern, ...]] = None
        self._context: Optional[tuple[tuple[regex.Pattern, regex.Pattern], ...]] = None
        self.keyword_ids = screen.add_keywords(rule.keywords)
        self.pattern_ids = tuple(screen.add_pattern(p.regex) for p in rule.patterns)
        self.exclude_ids = tuple(screen.add_pattern(p) for p in rule.excludes)
        self.context_ids = tuple((screen.add_pattern(c.when), screen.add_pattern(c.near)) for c in rule.context)

    def pattern(self, index: int) -> regex.Pattern:
        """The rule's pattern number ``index``: patterns are tried in order and stop at a match."""
        compiled = self._patterns[index]
        if compiled is None:
            compiled = self._patterns[index] = _compile(self.rule.patterns[index].regex)
        return compiled

    @property
    def excludes(self) -> tuple[regex.Pattern, ...]:
        if self._excludes is None:
            self._excludes = tuple(_compile(p) for p in self.rule.excludes)
        return self._excludes

    @property
    def context(self) -> tuple[tuple[regex.Pattern, regex.Pattern], ...]:
        """(when, near) for each of the rule's context pairs."""
        if self._context is None:
            self._context = tuple((_compile(c.when), _compile(c.near)) for c in self.rule.context)
        return self._context


class _Texts:
    """What is known of each text of one failure: its lower case, and the screen's ids for it."""

    __slots__ = ("screen", "lowered", "possible")

    def __init__(self, screen: RuleScreen):
        self.screen = screen
        self.lowered: dict[str, str] = {}
        self.possible: dict[str, Optional[AbstractSet[int]]] = {}

    def may_match(self, text: str, pattern_id: int) -> bool:
        """False only when the screen says the pattern cannot match the text."""
        possible = self._possible(text)
        return possible is None or pattern_id in possible

    def has_keyword(self, text: str, compiled: _CompiledRule) -> bool:
        """Whether the text holds one of the rule's keywords (or the rule has none)."""
        if not compiled.keywords:
            return True
        if compiled.keyword_ids is not None and self.screen.reads_all(compiled.keyword_ids):
            possible = self._possible(text)
            if possible is not None:
                return not compiled.keyword_ids.isdisjoint(possible)
        lower = self.lowered.get(text)
        if lower is None:
            lower = self.lowered[text] = text.lower()
        return any(keyword in lower for keyword in compiled.keywords)

    def _possible(self, text: str) -> Optional[AbstractSet[int]]:
        if text in self.possible:
            return self.possible[text]
        found = self.possible[text] = self.screen.possible(text)
        return found


class Matcher:
    """The catalogue made ready for matching. Build it once per run (or per worker); ``match`` is pure."""

    def __init__(self, catalogue: Catalogue, timeout: float = DEFAULT_TIMEOUT):
        self.catalogue = catalogue
        self.timeout = timeout
        self.timed_out: set[tuple[str, str]] = set()  # (rule id, pattern) that hit the timeout
        self.screen = RuleScreen()
        self.rules = tuple(_CompiledRule(rule, order, self.screen) for order, rule in enumerate(catalogue.rules))

    def match(self, failure: Failure) -> Optional[Match]:
        """The best rule for this failure, or None when no rule recognises it."""
        ranked = self.matches(failure)
        return ranked[0] if ranked else None

    def matches(self, failure: Failure) -> list[Match]:
        """Every rule that recognises this failure, best first: stronger evidence, then higher
        priority, then earlier in the catalogue. ``match`` is the first of them."""
        found = []
        texts = _Texts(self.screen)
        for compiled in self.rules:
            match = self._match_rule(compiled, failure, texts)
            if match is not None:
                found.append(((match.strength, compiled.rule.priority, -compiled.order), match))
        found.sort(key=lambda ranked: ranked[0], reverse=True)
        return [match for _, match in found]

    def _match_rule(self, compiled: _CompiledRule, failure: Failure, texts: _Texts) -> Optional[Match]:
        """The rule's match, unless one of its excludes is on the failure line. The excludes are
        searched only for a rule that matches: most rules do not, and the answer is the same."""
        match = self._evidence(compiled, failure, texts)
        if match is None or self._excluded(compiled, failure.message, texts):
            return None
        return match

    def _excluded(self, compiled: _CompiledRule, text: str, texts: _Texts) -> bool:
        return any(
            texts.may_match(text, pattern_id) and self._search(compiled, pattern, text)
            for pattern, pattern_id in zip(compiled.excludes, compiled.exclude_ids)
        )

    def _evidence(self, compiled: _CompiledRule, failure: Failure, texts: _Texts) -> Optional[Match]:
        line = failure.message
        evidence = self._search_patterns(compiled, failure, [line], texts)
        if evidence:
            return Match(compiled.rule, ON_LINE, evidence)
        for (when, near), (when_id, near_id) in zip(compiled.context, compiled.context_ids):
            before = failure.context + ((failure.source,) if failure.source else ())
            if texts.may_match(line, when_id) and self._search(compiled, when, line) and any(
                texts.may_match(c, near_id) and self._search(compiled, near, c) for c in before
            ):
                return Match(compiled.rule, ON_DETAIL, near.pattern)
        evidence = self._search_patterns(compiled, failure, failure.detail, texts)
        if evidence:
            return Match(compiled.rule, ON_DETAIL, evidence)
        exception = failure.exception
        if exception and (exception in compiled.exceptions or exception.rsplit(".", 1)[-1] in compiled.exceptions):
            return Match(compiled.rule, ON_TYPE, exception)
        return None

    def _search_patterns(self, compiled: _CompiledRule, failure: Failure, texts_to_try: Iterable[str],
                         texts: _Texts) -> Optional[str]:
        for text in texts_to_try:
            if not texts.has_keyword(text, compiled):
                continue
            if text is not failure.message and self._excluded(compiled, text, texts):
                continue  # a line the rule excludes is no evidence for it, printed with the failure or not
            for index, frame in enumerate(compiled.frames):
                if frame == "framework" and failure.in_framework is not True:
                    continue
                if frame == "user" and failure.in_framework is not False:
                    continue
                if not texts.may_match(text, compiled.pattern_ids[index]):
                    continue
                pattern = compiled.pattern(index)
                if self._search(compiled, pattern, text):
                    return pattern.pattern
        return None

    def _search(self, compiled: _CompiledRule, pattern: regex.Pattern, text: str) -> bool:
        try:
            return pattern.search(text, timeout=self.timeout) is not None
        except TimeoutError:
            self.timed_out.add((compiled.rule.id, pattern.pattern))
            return False
