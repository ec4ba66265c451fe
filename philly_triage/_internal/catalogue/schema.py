"""Check a parsed YAML file against its JSON Schema (schemas/*.schema.json) and say what is wrong.

Each schema error becomes one ``Violation``: the key path it concerns, that key's line (the YAML
loader keeps the line of every key) and one sentence, e.g. ``unknown key 'mach' (did you mean
'match'?)`` or ``'priority' must be an integer, not 'high'``. The schemas carry the words: a
property's ``description`` says what a missing key is for, a subschema's ``errorMessage`` (which
editors built on VS Code's JSON language service show too) what a value must be, and
``propertyNames.title`` what a mapping's keys are called (``stage``, ``section``, ``job``).

``jsonschema`` (and ``difflib``) are imported on the first check that schema_quick.py cannot
answer with a plain yes, never with this module: a run whose catalogue comes from the cache and
whose metadata files are valid does not pay for them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple, Optional

from philly_triage._internal.catalogue.schema_quick import plainly_valid
from philly_triage._internal.catalogue.yaml_source import YamlDocument

SCHEMA_DIR = Path(__file__).parent / "schemas"
SCHEMAS = ("rule", "stages", "markers", "expectations", "job-meta", "record", "classify-output", "config")
# Keywords that judge a value on its own: their sentence ends with the value (", not 'high'").
VALUE_KEYWORDS = frozenset({
    "type", "enum", "const", "pattern", "minLength", "maxLength", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems",
})
# How a sentence names the place it is about: (words before it, the path left to name).
Split = Callable[[tuple], tuple[str, tuple]]


class Violation(NamedTuple):  # not a dataclass: every run imports this module, and most check nothing
    """One thing a file's schema refuses: where (key path and line) and what, in one sentence."""

    path: tuple  # mapping keys (as text) and list indices (int) down to the value concerned
    line: Optional[int]
    message: str
    summary: bool = False  # "none of these alternatives fits": left out when something more precise is wrong there


def schema_path(name: str) -> Path:
    return SCHEMA_DIR / f"{name}.schema.json"


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    """The schema ``name`` (one of SCHEMAS) as a dict."""
    import json

    return json.loads(schema_path(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def validator(name: str) -> Any:
    """A jsonschema validator for the schema ``name``; references to the other schemas resolve.

    An integer is an int, as YAML and Python read it: JSON Schema would take 2.0 for one too.
    """
    from jsonschema import Draft202012Validator, validators
    from referencing import Registry, Resource

    checker = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool))
    strict = validators.extend(Draft202012Validator, type_checker=checker)
    registry = Registry().with_resources(
        (schema_path(other).name, Resource.from_contents(load_schema(other))) for other in SCHEMAS)
    return strict(load_schema(name), registry=registry)


def violations(document: YamlDocument, name: str, data: Any = None, split: Optional[Split] = None) -> list[Violation]:
    """Everything the schema ``name`` refuses in ``document`` (or in ``data``, a form of its data),
    one sentence each, by line. ``split`` names a path's first keys in the file's own words
    (an expectations file's top keys are jobs)."""
    data = document.data if data is None else data
    if plainly_valid(load_schema(name), data):
        return []  # nothing to say, and no need to load jsonschema to say it
    explain = _Explainer(document, data, split or (lambda path: ("", path)))
    found = [found for error in validator(name).iter_errors(data) for found in explain(error)]
    precise = [v.path for v in found if not v.summary]
    kept, seen = [], set()
    for violation in found:
        if violation.summary and any(path[:len(violation.path)] == violation.path for path in precise):
            continue
        if (violation.line, violation.message) not in seen:
            seen.add((violation.line, violation.message))
            kept.append(violation)
    return sorted(kept, key=lambda v: v.line or 0)


def violated(path: tuple, found: list[Violation]) -> bool:
    """Whether a violation concerns the value at ``path``, a value inside it, or a value that holds
    it (the whole document aside: a missing key there does not make every value suspect)."""
    return any(v.path and (v.path[:len(path)] == path or path[:len(v.path)] == v.path) for v in found)


class _Explainer:
    """Turns jsonschema's errors into Violations for one document."""

    def __init__(self, document: YamlDocument, data: Any, split: Split):
        self.document = document
        self.data = data
        self.split = split

    def __call__(self, error: Any) -> Iterator[Violation]:
        keyword, schema, instance = error.validator, error.schema, error.instance
        path = self._path(error.absolute_path)
        if len(error.relative_schema_path) >= 2 and error.relative_schema_path[-2] == "propertyNames":
            noun = schema.get("title", "key")
            words = schema.get("errorMessage", "is not allowed")
            yield self._at(path + (str(instance),), f"{noun} {_shown(instance)} {words}", bare=True, name=path)
        elif keyword in ("anyOf", "oneOf"):
            yield from self._alternatives(error, path)
        elif keyword == "required":
            for key in error.validator_value:
                if key not in instance:
                    yield self._at(path, f"missing required key '{key}'{self._purpose(schema, key)}", lead=True)
        elif keyword == "additionalProperties":
            yield from self._unknown_keys(schema, instance, path)
        elif keyword == "dependentRequired":
            for key, needed in error.validator_value.items():
                for other in (n for n in needed if key in instance and n not in instance):
                    yield self._at(path + (key,), f"'{key}' needs '{other}'{self._purpose(schema, other)}", lead=True,
                                   name=path)
        elif keyword == "not" and set(error.validator_value) == {"required"}:
            for key in (k for k in error.validator_value["required"] if k in instance):
                yield self._at(path + (key,), schema.get("errorMessage", f"'{key}' is not allowed here"), lead=True,
                               name=path)
        elif keyword == "not":
            words = schema.get("errorMessage", "that value is not allowed")
            yield self._at(path, f"cannot be {_shown(instance)}: {words}")
        elif not path and instance is None:
            yield self._at(path, schema.get("errorMessage", _expected(schema, keyword)) + ", not an empty file")
        else:
            yield self._at(path, self._must(schema, keyword, instance))

    def _alternatives(self, error: Any, path: tuple) -> Iterator[Violation]:
        """An anyOf/oneOf: the errors of the one alternative of the value's type, or one summary."""
        by_branch: dict[int, list] = {}
        for sub in error.context:
            by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
        depth = len(error.absolute_path)
        wrong_type = {branch for branch, subs in by_branch.items()
                      if any(sub.validator == "type" and len(sub.absolute_path) == depth for sub in subs)}
        fitting = [branch for branch in by_branch if branch not in wrong_type]
        if len(fitting) == 1:
            for sub in by_branch[fitting[0]]:
                yield from self(sub)
            return
        words = error.schema.get("errorMessage", "must be one of the forms the schema allows")
        if len(wrong_type) == len(by_branch):  # no form fits the value's type: name it
            words += f", not {_shown(error.instance)}"
        yield self._at(path, words, summary=True)

    def _unknown_keys(self, schema: dict, instance: dict, path: tuple) -> Iterator[Violation]:
        known = list(schema.get("properties", {}))
        noun = schema.get("propertyNames", {}).get("title", "key")
        for key in instance:
            if key in known:
                continue
            close = _close(str(key), known)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (known {noun}s: {', '.join(known)})"
            yield self._at(path + (str(key),), f"unknown {noun} '{_printable(key)}'{hint}", bare=True, name=path)

    def _must(self, schema: dict, keyword: str, instance: Any) -> str:
        """What a value must be (its schema's errorMessage, or words made from the schema), and what it is."""
        words = schema.get("errorMessage") or _expected(schema, keyword)
        if keyword in VALUE_KEYWORDS:
            words += f", not {_shown(instance)}"
        if keyword == "enum" and isinstance(instance, str):
            close = _close(instance, [str(v) for v in schema["enum"] if v is not None])
            words += f" (did you mean '{close[0]}'?)" if close else ""
        return words

    @staticmethod
    def _purpose(schema: dict, key: str) -> str:
        """`` (what the key is for)`` from its description, or ''."""
        described = schema.get("properties", {}).get(key, {})
        return f" ({described['description']})" if "description" in described else ""

    def _at(self, path: tuple, words: str, lead: bool = False, bare: bool = False, summary: bool = False,
            name: Optional[tuple] = None) -> Violation:
        """A violation at ``path``: ``words`` after the name of its place (``name``, else ``path``);
        ``lead``: the name, then a colon; ``bare``: the words alone (after the split's words)."""
        before, rest = self.split(path if name is None else name)
        subject = "" if bare else _name(rest)
        if subject:
            words = f"{subject}: {words}" if lead else f"{subject} {words}"
        return Violation(path, self.document.line_of(*path), before + words, summary)

    def _path(self, steps: Any) -> tuple:
        """jsonschema's path with mapping keys as text (as the YAML lines are kept) and list indices as ints."""
        node, path = self.data, []
        for step in steps:
            path.append(step if isinstance(node, list) else str(step))
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                node = None
        return tuple(path)


def _printable(key: Any) -> str:
    """A key as text on one line: a line break in it shown as \\n."""
    text = str(key)
    return text if text.isprintable() else repr(text)[1:-1]


def _close(word: str, known: list[str]) -> list[str]:
    """The known word closest to a misspelt one, if any is close (difflib is imported only here)."""
    import difflib

    return difflib.get_close_matches(word, known, n=1)


def _name(path: tuple) -> str:
    """How a sentence names a place: 'examples.match', item 2 of 'patterns', 'frame' in item 2 of 'patterns'."""
    if not path:
        return ""
    items = [index for index, step in enumerate(path) if isinstance(step, int)]
    if not items:
        return "'" + ".".join(path) + "'"
    last = items[-1]
    within = f"item {path[last] + 1} of {_name(path[:last])}"
    return within if last == len(path) - 1 else f"'{'.'.join(path[last + 1:])}' in {within}"


def _expected(schema: dict, keyword: str) -> str:
    """What a schema asks for, in words, for a schema without an errorMessage."""
    if keyword == "pattern":
        return f"must match the regular expression {schema['pattern']!r}"
    if "enum" in schema:
        return "must be one of " + ", ".join(str(v) for v in schema["enum"] if v is not None)
    if "const" in schema:
        return f"must be {_shown(schema['const'])}"
    types = schema.get("type", [])
    nouns = [_noun(kind, schema) for kind in ([types] if isinstance(types, str) else types) if kind != "null"]
    return "must be " + (" or ".join(nouns) or "something else")


def _noun(kind: str, schema: dict) -> str:
    if kind == "string":
        return "a non-empty string" if schema.get("minLength", 0) >= 1 else "a string"
    if kind in ("integer", "number"):
        low, high = schema.get("minimum"), schema.get("maximum")
        bounds = " and ".join(part for part in (
            f"at least {low:,}" if low is not None else "", f"at most {high:,}" if high is not None else "") if part)
        return ("an integer" if kind == "integer" else "a number") + (f" of {bounds}" if bounds else "")
    return {"boolean": "true or false", "array": "a list", "object": "a mapping"}.get(kind, f"a {kind}")


def _shown(value: Any) -> str:
    """A value as a sentence can show it: 'high', 3, true, null, a list, a mapping."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = repr(value)
        return text if len(text) <= 40 else text[:37] + "..."
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, (list, dict)):
        kind = "list" if isinstance(value, list) else "mapping"
        return f"a {kind}" if value else f"an empty {kind}"
    if hasattr(value, "isoformat"):
        return f"the time {value.isoformat()}"
    return f"a {type(value).__name__}"
