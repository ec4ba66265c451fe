"""Load YAML safely and remember the line of every mapping key, so problems can name a line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


class YamlSyntaxError(Exception):
    """A YAML document that does not parse; carries the 1-based line of the problem."""

    def __init__(self, line: int | None, problem: str):
        super().__init__(problem)
        self.line = line
        self.problem = problem


@dataclass(frozen=True)
class YamlDocument:
    """A parsed document and the 1-based lines of its keys, by key path (e.g. ("examples", "match"))."""

    data: Any
    lines: dict[tuple, int]

    def line_of(self, *path: Any) -> int | None:
        """The line of the deepest known key along ``path``."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


def load_yaml(text: str) -> YamlDocument:
    """Parse one YAML document with the safe loader; raise YamlSyntaxError with a line."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, {})
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(part for part in (err.context, err.problem) if part)
        raise YamlSyntaxError(line, problem or "invalid YAML") from None
    except yaml.YAMLError as err:
        raise YamlSyntaxError(None, str(err)) from None
    finally:
        loader.dispose()
    lines: dict[tuple, int] = {(): node.start_mark.line + 1}
    _record_lines(node, (), lines)
    return YamlDocument(data, lines)


def _record_lines(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_path = path + (key_node.value,)
            line = key_node.start_mark.line + 1
            if key_path in lines:
                # YAML keeps the last of two equal keys and drops the first without a word.
                raise YamlSyntaxError(line, f"duplicate key '{key_node.value}' (first on line {lines[key_path]})")
            lines[key_path] = line
            _record_lines(value_node, key_path, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            item_path = path + (index,)
            lines[item_path] = item.start_mark.line + 1
            _record_lines(item, item_path, lines)
