"""Load YAML safely and remember the line of every mapping key, so problems can name a line.

Scanning and parsing go through libyaml (PyYAML's C extension) when it is installed, which is
about ten times faster than PyYAML's pure-Python reader. The nodes are still composed and
constructed by PyYAML's Python code, the same as the pure-Python loader uses: the data, the key
lines and the duplicate-key check are the same either way, and a deeply nested document runs into
Python's recursion limit rather than the C stack. When libyaml rejects a document, or is missing,
the document is read again by the pure-Python loader, so that a syntax error is reported in
exactly the words and at the line PyYAML gives.

libyaml is more lenient than PyYAML's scanner in a few corners, which would let a file load that
PyYAML refuses, or read a stray byte-order mark differently. The documents that reach one of
those corners go to the pure-Python loader too: a tab anywhere, a byte-order mark past the start,
``#`` right after a block scalar's ``|`` or ``>`` header, and ``?`` in a plain scalar inside a
flow collection (``[a?b]``, which PyYAML ends at the ``?``).

``yaml`` itself is imported on the first load, not with this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    import yaml

# Text where libyaml and PyYAML's scanner may disagree: read it with PyYAML alone.
LIBYAML_DIFFERS = re.compile(r"\t|(?<=.)\ufeff|[|>][-+0-9]*#", re.DOTALL)


class _LibyamlDiffers(Exception):
    """libyaml read a document that PyYAML would read otherwise, or refuse."""


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
    """Parse one YAML document with a safe loader; raise YamlSyntaxError with a line."""
    fast = fast_loader()
    if fast is not None and not LIBYAML_DIFFERS.search(text):
        try:
            return _load(fast, text, check=True)
        except Exception:  # noqa: BLE001 - the pure-Python loader below gives the verdict, and its words
            pass
    import yaml

    return _load(yaml.SafeLoader, text)


@lru_cache(maxsize=None)
def fast_loader() -> Optional[type]:
    """A safe loader that scans and parses with libyaml, or None when PyYAML was built without it."""
    try:
        from yaml.cyaml import CParser
    except ImportError:
        return None
    from yaml.composer import Composer
    from yaml.constructor import SafeConstructor
    from yaml.resolver import Resolver

    class CEventsLoader(CParser, Composer, SafeConstructor, Resolver):
        """libyaml's events, composed and constructed by PyYAML's Python classes."""

        # CParser brings its own C composer; use the Python one, as yaml.SafeLoader does.
        get_single_node = Composer.get_single_node
        compose_document = Composer.compose_document

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    return CEventsLoader


def _load(loader_class: type, text: str, check: bool = False) -> YamlDocument:
    """Load with ``loader_class``; ``check``: first make sure PyYAML's scanner would read the nodes alike."""
    import yaml

    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as err:  # a character YAML does not allow (a NUL byte), before parsing
        line = text.count("\n", 0, err.position) + 1
        raise YamlSyntaxError(line, f"unacceptable character #x{err.character:04x}: {err.reason}") from None
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, {})
        if check and _question_in_flow_plain(node):
            raise _LibyamlDiffers()
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
    _record_lines(node, (), lines, yaml.MappingNode, yaml.SequenceNode)
    return YamlDocument(data, lines)


def _question_in_flow_plain(node: yaml.Node, in_flow: bool = False) -> bool:
    """Whether a plain scalar inside a flow collection holds '?' (PyYAML's scanner ends it there)."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
    else:
        return in_flow and not node.style and "?" in node.value  # plain: None from PyYAML, "" from libyaml
    in_flow = in_flow or bool(node.flow_style)
    return any(_question_in_flow_plain(child, in_flow) for child in children)


def _record_lines(node: yaml.Node, path: tuple, lines: dict[tuple, int], mapping: type, sequence: type) -> None:
    if isinstance(node, mapping):
        for key_node, value_node in node.value:
            key_path = path + (key_node.value,)
            line = key_node.start_mark.line + 1
            if key_path in lines:
                # YAML keeps the last of two equal keys and drops the first without a word.
                raise YamlSyntaxError(line, f"duplicate key '{key_node.value}' (first on line {lines[key_path]})")
            lines[key_path] = line
            _record_lines(value_node, key_path, lines, mapping, sequence)
    elif isinstance(node, sequence):
        for index, item in enumerate(node.value):
            item_path = path + (index,)
            lines[item_path] = item.start_mark.line + 1
            _record_lines(item, item_path, lines, mapping, sequence)
