"""Read one rule file and validate it: the Rule it defines, or every problem that keeps it out.

A broken rule file is a user's mistake: each problem names the file, the line (from the YAML
marks), the rule and what is wrong, so that nothing reaches the user as a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple, Optional

import regex

from philly_triage.models import ContextPattern, Example, Pattern, Rule
from philly_triage._internal.rulecheck.regex_syntax import MAX_EXPANDED_SIZE, expanded_size, parse
from philly_triage._internal.catalogue.schema import violated, violations
from philly_triage._internal.catalogue.yaml_source import YamlDocument, YamlFileError, load_yaml_file

# Words a category or dimension id cannot be: record statuses and --fail-on's "any" (rule.schema.json says so too).
RESERVED_IDS = frozenset({"any", "classified", "unclassified", "no_failure", "error"})
REGEX_FLAGS = regex.IGNORECASE | regex.VERSION0


class Problem(NamedTuple):
    """One thing wrong in a rule file."""

    file: str
    line: Optional[int]
    rule: Optional[str]
    message: str
    severity: str = "error"  # "error" keeps the rule out; "warning" is advice from `rules check`

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        who = f" rule '{self.rule}':" if self.rule else ""
        return f"{where}:{who} {self.message}"


def _may_unroll_too_large(pattern: str) -> bool:
    """Whether ``pattern`` needs the expanded-size check at all.

    Only a counted repeat ({n}, {n,m}) unrolls to more than one copy of its body: without one, a
    pattern has at most one element per character, so it can only be too large by its length.
    Most rules' patterns have no count, and skip the parse.
    """
    return "{" in pattern or len(pattern) > MAX_EXPANDED_SIZE


def _regex_and_frame(pattern: Any) -> tuple[str, Optional[str]]:
    """A pattern as written (a string, or a mapping with 'regex' and 'frame') as (regex, frame)."""
    return (pattern, None) if isinstance(pattern, str) else (pattern["regex"], pattern.get("frame"))


def load_rule_file(path: Path) -> tuple[Optional[Rule], list[Problem]]:
    """Parse and validate one rule file: the rule, or the problems that keep it out."""
    name = str(path)
    try:
        document = load_yaml_file(name)
    except YamlFileError as err:
        return None, [Problem(name, err.line, None, err.message)]
    return _RuleReader(name, document).read()


class _RuleReader:
    """Turns one parsed YAML document into a Rule, collecting every problem on the way.

    The schema (schemas/rule.schema.json) judges the keys and the shape of every value; what is
    left here is what a schema cannot say: that keywords are lower case (in every script), and
    that each regular expression compiles and is not too large once its counts are unrolled.
    """

    def __init__(self, file: str, document: YamlDocument):
        self.file = file
        self.doc = document
        self.problems: list[Problem] = []
        self.rule_id: Optional[str] = None

    def problem(self, path: tuple, message: str) -> None:
        self.problems.append(Problem(self.file, self.doc.line_of(*path), self.rule_id, message))

    def read(self) -> tuple[Optional[Rule], list[Problem]]:
        data = self.doc.data
        if isinstance(data, dict) and isinstance(data.get("id"), str) and data["id"].isprintable():
            self.rule_id = data["id"]
        found = violations(self.doc, "rule")
        self.problems = [Problem(self.file, v.line, self.rule_id, v.message) for v in found]
        if not isinstance(data, dict):
            return None, self.problems
        keywords = [keyword for _, keyword in self._items(data, "keywords", found)]
        if any(k != k.lower() for k in keywords):
            self.problem(("keywords",), "keywords must be lower case (they are compared with the lower-cased line)")
        excludes = [(("exclude", i), text) for i, text in self._items(data, "exclude", found)]
        patterns = [(("patterns", i), *_regex_and_frame(item)) for i, item in self._items(data, "patterns", found)]
        context = [(("context", i), item["when"], item["near"]) for i, item in self._items(data, "context", found)]
        for path, text in excludes:
            self._compile(text, path)
        for path, text, _ in patterns:
            self._compile(text, path)
        for path, when, near in context:
            if self._compile(when, path + ("when",)):
                self._compile(near, path + ("near",))
        if self.problems:
            return None, sorted(self.problems, key=lambda p: p.line or 0)
        examples = data.get("examples") or {}
        match, no_match = ([Example(text, self.doc.line_of("examples", key, i)) for i, text in
                            enumerate(examples.get(key) or [])] for key in ("match", "no_match"))
        rule = Rule(
            id=data["id"],
            name=data["name"].strip(),
            dimension=data["dimension"],
            description=" ".join(data["description"].split()),
            hint=" ".join(data["hint"].split()),
            priority=data.get("priority", 50),
            retry=data.get("retry", "unknown"),
            study=data.get("study", True),
            keywords=tuple(keywords),
            exceptions=tuple(data.get("exceptions") or ()),
            patterns=tuple(Pattern(text, frame, line=self.doc.line_of(*path)) for path, text, frame in patterns),
            context=tuple(ContextPattern(when, near, line=self.doc.line_of(*path)) for path, when, near in context),
            excludes=tuple(text for _, text in excludes),
            examples_match=tuple(match),
            examples_no_match=tuple(no_match),
            source=self.file,
            line=self.doc.line_of("id"),
        )
        return rule, self.problems

    @staticmethod
    def _items(data: dict, key: str, found: list) -> list[tuple[int, Any]]:
        """The items of the list under ``key`` that the schema found nothing wrong with, by index."""
        value = data.get(key)
        if not isinstance(value, list):
            return []
        return [(index, item) for index, item in enumerate(value) if not violated((key, index), found)]

    def _compile(self, pattern: str, path: tuple) -> bool:
        parsed = parse(pattern) if _may_unroll_too_large(pattern) else None
        if parsed is not None and expanded_size(parsed) > MAX_EXPANDED_SIZE:
            self.problem(path, f"regular expression {pattern!r} is too large once its counted repeats are "
                               f"unrolled (over {MAX_EXPANDED_SIZE:,} elements); use + or * instead of large counts")
            return False
        try:
            regex.compile(pattern, REGEX_FLAGS)
        except regex.error as err:
            position = f" at position {err.pos}" if getattr(err, "pos", None) is not None else ""
            self.problem(path, f"invalid regular expression {pattern!r}: {err.msg}{position}")
            return False
        return True
