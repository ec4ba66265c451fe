"""A quick yes for the common case: a document that plainly meets its JSON Schema, judged here,
without importing jsonschema (tens of milliseconds to over a second, with its format libraries).

Only a yes is trusted. ``plainly_valid`` understands the keywords the schemas use for plain
values (types, bounds, enums, properties, items, local references, allOf and anyOf) and says
False for anything else (a ``pattern``, ``if``/``then``, a reference to another file): the caller
then asks jsonschema, which also says what is wrong. So a run that reads valid job metadata files
never loads jsonschema, and a broken file still gets jsonschema's exact verdict.
"""

from __future__ import annotations

from typing import Any

# Keywords that say nothing about validity.
ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default",
                         "errorMessage", "deprecated", "readOnly", "writeOnly"})
TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),  # as schema.validator counts them
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def plainly_valid(schema: dict, data: Any) -> bool:
    """True only when ``data`` meets ``schema`` by the keywords understood here; False when it
    does not, or when telling needs a keyword this module leaves to jsonschema."""
    return _valid(schema, data, schema)


def _valid(schema: Any, value: Any, root: dict) -> bool:
    if schema is True or schema == {}:
        return True
    if not isinstance(schema, dict):
        return False
    for keyword, argument in schema.items():
        if keyword in ANNOTATIONS:
            continue
        check = CHECKS.get(keyword)
        if check is None or not check(argument, value, schema, root):
            return False
    return True


def _type(argument: Any, value: Any, schema: dict, root: dict) -> bool:
    names = argument if isinstance(argument, list) else [argument]
    return all(name in TYPES for name in names) and any(TYPES[name](value) for name in names)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b  # stricter than JSON equality: 1 and 1.0 go to jsonschema


def _number(value: Any) -> bool:
    return TYPES["number"](value)


def _ref(argument: Any, value: Any, schema: dict, root: dict) -> bool:
    if not isinstance(argument, str) or not argument.startswith("#/"):
        return False  # another file's schema: jsonschema resolves it
    target: Any = root
    for part in argument[2:].split("/"):
        if not isinstance(target, dict) or part not in target:
            return False
        target = target[part]
    return _valid(target, value, root)


def _properties(argument: Any, value: Any, schema: dict, root: dict) -> bool:
    if not isinstance(value, dict):
        return True
    return all(_valid(argument[key], item, root) for key, item in value.items() if key in argument)


def _additional(argument: Any, value: Any, schema: dict, root: dict) -> bool:
    if not isinstance(value, dict):
        return True
    if "patternProperties" in schema:
        return False
    known = schema.get("properties", {})
    return all(_valid(argument, item, root) for key, item in value.items() if key not in known)


CHECKS = {
    "type": _type,
    "enum": lambda argument, value, schema, root: any(_same(option, value) for option in argument),
    "const": lambda argument, value, schema, root: _same(argument, value),
    "minimum": lambda argument, value, schema, root: not _number(value) or value >= argument,
    "maximum": lambda argument, value, schema, root: not _number(value) or value <= argument,
    "minLength": lambda argument, value, schema, root: not isinstance(value, str) or len(value) >= argument,
    "maxLength": lambda argument, value, schema, root: not isinstance(value, str) or len(value) <= argument,
    "minItems": lambda argument, value, schema, root: not isinstance(value, list) or len(value) >= argument,
    "maxItems": lambda argument, value, schema, root: not isinstance(value, list) or len(value) <= argument,
    "required": lambda argument, value, schema, root: not isinstance(value, dict) or all(k in value for k in argument),
    "dependentRequired": lambda argument, value, schema, root: not isinstance(value, dict) or all(
        needed in value for key, needs in argument.items() if key in value for needed in needs),
    "items": lambda argument, value, schema, root: not isinstance(value, list) or all(
        _valid(argument, item, root) for item in value),
    "allOf": lambda argument, value, schema, root: all(_valid(part, value, root) for part in argument),
    "anyOf": lambda argument, value, schema, root: any(_valid(part, value, root) for part in argument),
    "$ref": _ref,
    "properties": _properties,
    "additionalProperties": _additional,
}
