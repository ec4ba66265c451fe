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

from typing import Iterable, Optional, Sequence

import regex

from philly_triage._internal.catalogue.load import REGEX_FLAGS, Catalogue
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
    """One rule and its regular expressions, each compiled on first use."""

    __slots__ = ("rule", "order", "keywords", "exceptions", "frames", "_patterns", "_excludes", "_context")

    def __init__(self, rule: Rule, order: int):
        self.rule = rule
        self.order = order
        self.keywords = rule.keywords
        self.exceptions = frozenset(rule.exceptions)
        self.frames = tuple(p.frame for p in rule.patterns)
        self._patterns: list[Optional[regex.Pattern]] = [None] * len(rule.patterns)
        self._excludes: Optional[tuple[regex.Pattern, ...]] = None
        self._context: Optional[tuple[tuple[regex.Pattern, regex.Pattern], ...]] = None

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


class Matcher:
    """The catalogue made ready for matching. Build it once per run (or per worker); ``match`` is pure."""

    def __init__(self, catalogue: Catalogue, timeout: float = DEFAULT_TIMEOUT):
        self.catalogue = catalogue
        self.timeout = timeout
        self.timed_out: set[tuple[str, str]] = set()  # (rule id, pattern) that hit the timeout
        self.rules = tuple(_CompiledRule(rule, order) for order, rule in enumerate(catalogue.rules))

    def match(self, failure: Failure) -> Optional[Match]:
        """The best rule for this failure, or None when no rule recognises it."""
        ranked = self.matches(failure)
        return ranked[0] if ranked else None

    def matches(self, failure: Failure) -> list[Match]:
        """Every rule that recognises this failure, best first: stronger evidence, then higher
        priority, then earlier in the catalogue. ``match`` is the first of them."""
        found = []
        for compiled in self.rules:
            match = self._match_rule(compiled, failure)
            if match is not None:
                found.append(((match.strength, compiled.rule.priority, -compiled.order), match))
        found.sort(key=lambda ranked: ranked[0], reverse=True)
        return [match for _, match in found]

    def _match_rule(self, compiled: _CompiledRule, failure: Failure) -> Optional[Match]:
        line = failure.message
        if any(self._search(compiled, pattern, line) for pattern in compiled.excludes):
            return None
        evidence = self._search_patterns(compiled, failure, [line])
        if evidence:
            return Match(compiled.rule, ON_LINE, evidence)
        for when, near in compiled.context:
            before = failure.context + ((failure.source,) if failure.source else ())
            if self._search(compiled, when, line) and any(self._search(compiled, near, c) for c in before):
                return Match(compiled.rule, ON_DETAIL, near.pattern)
        evidence = self._search_patterns(compiled, failure, failure.detail)
        if evidence:
            return Match(compiled.rule, ON_DETAIL, evidence)
        exception = failure.exception
        if exception and (exception in compiled.exceptions or exception.rsplit(".", 1)[-1] in compiled.exceptions):
            return Match(compiled.rule, ON_TYPE, exception)
        return None

    def _search_patterns(self, compiled: _CompiledRule, failure: Failure, texts: Iterable[str]) -> Optional[str]:
        for text in texts:
            if not passes_prefilter(compiled.keywords, text):
                continue
            if text is not failure.message and any(self._search(compiled, e, text) for e in compiled.excludes):
                continue  # a line the rule excludes is no evidence for it, printed with the failure or not
            for index, frame in enumerate(compiled.frames):
                if frame == "framework" and failure.in_framework is not True:
                    continue
                if frame == "user" and failure.in_framework is not False:
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
