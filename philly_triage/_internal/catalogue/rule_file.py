"""Read one rule file and validate it: the Rule it defines, or every problem that keeps it out.

A broken rule file is a user's mistake: each problem names the file, the line (from the YAML
marks), the rule and what is wrong, so that nothing reaches the user as a traceback.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import regex

from philly_triage.models import RETRY_ADVICE, ContextPattern, Example, Pattern, Rule
from philly_triage._internal.rulecheck.regex_syntax import MAX_EXPANDED_SIZE, expanded_size, parse
from philly_triage._internal.catalogue.yaml_source import YamlDocument, YamlFileError, load_yaml_file

RULE_KEYS = {
    "id": "a short stable id, e.g. gpu_out_of_memory",
    "name": "a human name",
    "dimension": "the dimension id the category belongs to",
    "description": "what the category means",
    "hint": "a short fix hint",
    "priority": "an integer; the higher wins when two rules match equally well",
    "retry": "whether retrying can help: never (deterministic), maybe (may be transient) or environment",
    "keywords": "lower-case literals, one of which must occur for the patterns to be tried",
    "exceptions": "exception type names (without module) that belong to this category",
    "patterns": "regular expressions for the failure message",
    "context": "pairs of `when` (the failure line) and `near` (a line printed before it)",
    "exclude": "regular expressions that veto this rule on the failure line",
    "examples": "`match` and `no_match` log excerpts that test the rule",
}
REQUIRED_KEYS = ("id", "name", "dimension", "description", "hint")
EXAMPLE_KEYS = ("match", "no_match")
PATTERN_KEYS = ("regex", "frame")
FRAME_VALUES = ("framework", "user")
CONTEXT_KEYS = ("when", "near")
ID_SHAPE = regex.compile(r"[a-z][a-z0-9_]*\Z")
# Words a category or dimension id cannot be: record statuses and --fail-on's "any".
RESERVED_IDS = frozenset({"any", "classified", "unclassified", "no_failure", "error"})
REGEX_FLAGS = regex.IGNORECASE | regex.VERSION0


@dataclass(frozen=True)
class Problem:
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


def load_rule_file(path: Path) -> tuple[Optional[Rule], list[Problem]]:
    """Parse and validate one rule file: the rule, or the problems that keep it out."""
    name = str(path)
    try:
        document = load_yaml_file(name)
    except YamlFileError as err:
        return None, [Problem(name, err.line, None, err.message)]
    return _RuleReader(name, document).read()


class _RuleReader:
    """Turns one parsed YAML document into a Rule, collecting every problem on the way."""

    def __init__(self, file: str, document: YamlDocument):
        self.file = file
        self.doc = document
        self.problems: list[Problem] = []
        self.rule_id: Optional[str] = None

    def problem(self, path: tuple, message: str) -> None:
        self.problems.append(Problem(self.file, self.doc.line_of(*path), self.rule_id, message))

    def read(self) -> tuple[Optional[Rule], list[Problem]]:
        data = self.doc.data
        if not isinstance(data, dict):
            self.problem((), "a rule file must be a mapping of keys such as id, name, dimension, patterns")
            return None, self.problems
        if isinstance(data.get("id"), str):
            self.rule_id = data["id"]
        self._check_keys(data, RULE_KEYS, ())
        for key in REQUIRED_KEYS:
            if key not in data:
                self.problem((), f"missing required key '{key}' ({RULE_KEYS[key]})")
        for key in REQUIRED_KEYS:
            if key in data and not (isinstance(data[key], str) and data[key].strip()):
                self.problem((key,), f"'{key}' must be a non-empty string")
        if self.rule_id is not None and not ID_SHAPE.match(self.rule_id):
            self.problem(("id",), "'id' must be lower-case letters, digits and underscores, starting with a letter")
        for key in ("dimension",):
            if isinstance(data.get(key), str) and not ID_SHAPE.match(data[key]):
                self.problem((key,), f"'{key}' must be lower-case letters, digits and underscores")
        for key in ("id", "dimension"):
            if isinstance(data.get(key), str) and data[key] in RESERVED_IDS:
                self.problem((key,), f"'{key}' cannot be '{data[key]}': triage's output and its --fail-on and "
                             f"--ignore options use that word ({', '.join(sorted(RESERVED_IDS))})")
        priority = data.get("priority", 50)
        if not isinstance(priority, int) or isinstance(priority, bool):
            self.problem(("priority",), "'priority' must be an integer")
        retry = data.get("retry", "unknown")
        if retry not in RETRY_ADVICE:
            close = difflib.get_close_matches(str(retry), list(RETRY_ADVICE), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.problem(("retry",), f"'retry' must be one of {', '.join(RETRY_ADVICE)}{hint}")
        keywords = self._strings(data, "keywords")
        if any(k != k.lower() for k in keywords):
            self.problem(("keywords",), "keywords must be lower case (they are compared with the lower-cased line)")
        exceptions = self._strings(data, "exceptions")
        excludes = self._strings(data, "exclude")
        for index, pattern in enumerate(excludes):
            self._compile(pattern, ("exclude", index))
        patterns = self._patterns(data)
        context = self._context(data)
        if not (patterns or exceptions or context) and not self.problems:
            self.problem((), "a rule needs at least one of 'patterns', 'exceptions' or 'context'")
        examples_match, examples_no_match = self._examples(data)
        if self.problems:
            return None, self.problems
        rule = Rule(
            id=data["id"],
            name=data["name"].strip(),
            dimension=data["dimension"],
            description=" ".join(data["description"].split()),
            hint=" ".join(data["hint"].split()),
            priority=priority,
            retry=retry,
            keywords=tuple(keywords),
            exceptions=tuple(exceptions),
            patterns=tuple(patterns),
            context=tuple(context),
            excludes=tuple(excludes),
            examples_match=tuple(examples_match),
            examples_no_match=tuple(examples_no_match),
            source=self.file,
            line=self.doc.line_of("id"),
        )
        return rule, self.problems

    def _check_keys(self, mapping: dict, allowed: Any, path: tuple) -> None:
        for key in mapping:
            if key in allowed:
                continue
            close = difflib.get_close_matches(str(key), list(allowed), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (known keys: {', '.join(allowed)})"
            self.problem(path + (key,), f"unknown key '{key}'{hint}")

    def _strings(self, data: dict, key: str) -> list[str]:
        value = data.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.problem((key,), f"'{key}' must be a list of non-empty strings")
            return []
        return value

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

    def _patterns(self, data: dict) -> list[Pattern]:
        value = data.get("patterns", [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(("patterns",), "'patterns' must be a list of regular expressions")
            return []
        patterns = []
        for index, item in enumerate(value):
            path = ("patterns", index)
            line = self.doc.line_of(*path)
            if isinstance(item, str) and item:
                if self._compile(item, path):
                    patterns.append(Pattern(item, line=line))
            elif isinstance(item, dict):
                self._check_keys(item, PATTERN_KEYS, path)
                text, frame = item.get("regex"), item.get("frame")
                if not isinstance(text, str) or not text:
                    self.problem(path, "a pattern mapping needs 'regex', a non-empty string")
                elif frame is not None and frame not in FRAME_VALUES:
                    self.problem(path + ("frame",), f"'frame' must be one of {', '.join(FRAME_VALUES)}")
                elif self._compile(text, path):
                    patterns.append(Pattern(text, frame, line=line))
            else:
                self.problem(path, "a pattern must be a string or a mapping with 'regex' (and 'frame')")
        return patterns

    def _context(self, data: dict) -> list[ContextPattern]:
        value = data.get("context", [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(("context",), "'context' must be a list of mappings with 'when' and 'near'")
            return []
        found = []
        for index, item in enumerate(value):
            path = ("context", index)
            if not isinstance(item, dict):
                self.problem(path, "a context entry must be a mapping with 'when' and 'near'")
                continue
            self._check_keys(item, CONTEXT_KEYS, path)
            when, near = item.get("when"), item.get("near")
            if not (isinstance(when, str) and when and isinstance(near, str) and near):
                self.problem(path, "a context entry needs 'when' and 'near', both non-empty strings")
                continue
            if self._compile(when, path + ("when",)) and self._compile(near, path + ("near",)):
                found.append(ContextPattern(when, near, line=self.doc.line_of(*path)))
        return found

    def _examples(self, data: dict) -> tuple[list[Example], list[Example]]:
        value = data.get("examples", {})
        if value is None:
            return [], []
        if not isinstance(value, dict):
            self.problem(("examples",), "'examples' must be a mapping with 'match' and 'no_match' lists")
            return [], []
        self._check_keys(value, EXAMPLE_KEYS, ("examples",))
        lists = []
        for key in EXAMPLE_KEYS:
            items = value.get(key, []) or []
            if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
                self.problem(("examples", key), f"'examples.{key}' must be a list of non-empty strings")
                items = []
            lists.append([Example(text, self.doc.line_of("examples", key, i)) for i, text in enumerate(items)])
        return lists[0], lists[1]
