"""Load YAML safely and remember the line of every mapping key, so problems can name a line.

Scanning and parsing go through libyaml (PyYAML's C extension) when it is installed, which is
about ten times faster than PyYAML's pure-Python reader. The nodes are still composed and
constructed by PyYAML's Python code, the same as the pure-Python loader uses: the data, the key
lines and the duplicate-key check are the same either way, and nesting is bounded in Python, never
by the C stack. When libyaml rejects a document, or is missing,
the document is read again by the pure-Python loader, so that a syntax error is reported in
exactly the words and at the line PyYAML gives.

libyaml is more lenient than PyYAML's scanner in a few corners, which would let a file load that
PyYAML refuses, or read a stray byte-order mark differently. The documents that reach one of
those corners go to the pure-Python loader too: a tab anywhere, a byte-order mark past the start,
``#`` right after a block scalar's ``|`` or ``>`` header, and ``?`` in a plain scalar inside a
flow collection (``[a?b]``, which PyYAML ends at the ``?``).

Whatever a document holds, loading it either gives data or raises YamlSyntaxError with a line:
a value the constructor cannot represent (``2020-02-30``, ``!!int x``, an integer of 5,000 digits)
is refused at its node; nesting deeper than MAX_DEPTH, aliases that expand the document by more
than MAX_ALIASED_NODES nodes (a "billion laughs"), and aliases that contain themselves are refused
before anything walks the data. ``load_yaml_file`` reads a file for it (non-blocking, a regular
file only, at most MAX_YAML_BYTES, UTF-8 with the line of a bad byte).

``yaml`` itself is imported on the first load, not with this module.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple, Optional

from philly_triage._internal.pipeline.regular_file import read_regular

if TYPE_CHECKING:
    import yaml

# Text where libyaml and PyYAML's scanner may disagree: read it with PyYAML alone.
LIBYAML_DIFFERS = re.compile(r"\t|(?<=.)\ufeff|[|>][-+0-9]*#", re.DOTALL)
# Line breaks to YAML that are not to an editor or grep: lines are counted by "\n" alone.
OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")
MAX_DEPTH = 64  # nested collections; triage's own files nest four deep at most
MAX_ALIASED_NODES = 100_000  # nodes that aliases may add to a document, counted as if copied
MAX_YAML_BYTES = 16 << 20  # a file larger than this is not one of triage's YAML files


class _LibyamlDiffers(Exception):
    """libyaml read a document that PyYAML would read otherwise, or refuse."""


class YamlSyntaxError(Exception):
    """A YAML document that does not parse; carries the 1-based line of the problem."""

    def __init__(self, line: int | None, problem: str):
        super().__init__(problem)
        self.line = line
        self.problem = problem


class YamlFileError(Exception):
    """A YAML file that gives no document: ``message`` says why (it cannot be read, is not UTF-8,
    or is not valid YAML) and ``line`` where, when a line is known."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def load_yaml_file(path: str, limit: int = MAX_YAML_BYTES, lenient: bool = False) -> YamlDocument:
    """Read and parse the YAML file at ``path``; raise YamlFileError, never anything else.
    ``lenient``: as for ``load_yaml``."""
    return parse_yaml_bytes(read_yaml_bytes(path, limit), lenient)


def read_yaml_bytes(path: str, limit: int = MAX_YAML_BYTES) -> bytes:
    """The bytes of the YAML file at ``path`` (a regular file, opened without blocking, of at most
    ``limit`` bytes); raise YamlFileError."""
    try:
        raw = read_regular(str(path), limit)
    except OSError as err:
        raise YamlFileError(None, f"cannot read the file: {err}") from None
    if len(raw) > limit:
        raise YamlFileError(None, f"larger than {limit >> 20} MB, not a file triage reads")
    return raw


def parse_yaml_bytes(raw: bytes, lenient: bool = False) -> YamlDocument:
    """Decode (UTF-8, naming the line and byte of a bad one) and parse; raise YamlFileError."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise YamlFileError(line, f"not UTF-8: byte 0x{raw[err.start]:02x} at line {line}, column {column} "
                                  f"(byte {err.start} of the file)") from None
    try:
        return load_yaml(text, lenient)
    except YamlSyntaxError as err:
        raise YamlFileError(err.line, f"YAML syntax error: {err.problem}") from None


class YamlDocument(NamedTuple):
    """A parsed document and the 1-based lines of its keys, by key path (e.g. ("examples", "match"))."""

    data: Any
    lines: dict[tuple, int]

    def line_of(self, *path: Any) -> int | None:
        """The line of the deepest known key along ``path``."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


def load_yaml(text: str, lenient: bool = False) -> YamlDocument:
    """Parse one YAML document with a safe loader; raise YamlSyntaxError with a line, never anything
    else. ``lenient``: a value that cannot be built is an Unreadable in the data, not an error."""
    fast = fast_loader()
    if fast is not None and not LIBYAML_DIFFERS.search(text):
        try:
            return _load(fast, text, check=True, lenient=lenient)
        except Exception:  # noqa: BLE001 - the pure-Python loader below gives the verdict, and its words
            pass
    try:
        return _load(python_loader(), text, lenient=lenient)
    except YamlSyntaxError:
        raise
    except RecursionError:
        raise YamlSyntaxError(None, f"nested too deeply (more than {MAX_DEPTH} levels)") from None
    except Exception as err:  # noqa: BLE001 - whatever PyYAML raises, the file is what is wrong
        raise YamlSyntaxError(None, f"cannot read the document: {type(err).__name__}: {err}") from None


@dataclass(frozen=True)
class Unreadable:
    """A value that could not be built (``2020-02-30``), kept in place by ``load_yaml(lenient=True)``
    so that a reader can refuse that value alone; ``problem`` says why."""

    text: str
    problem: str
    line: int


class _Bounded:
    """What both loaders add to PyYAML's classes: a bound on nesting, and a constructor that turns
    any failure to build a value (a date that does not exist, ``!!int x``) into an error at its node
    (or, when ``keep_unreadable``, into an Unreadable value)."""

    _depth = 0
    keep_unreadable = False

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        import yaml

        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1

    def construct_object(self, node, deep=False):  # type: ignore[no-untyped-def]
        import yaml

        try:
            return super().construct_object(node, deep)  # type: ignore[misc]
        except yaml.YAMLError:
            raise
        except Exception as err:  # noqa: BLE001 - a value this loader cannot represent
            shown = node.value if isinstance(node.value, str) else ""
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            reason = str(err) if isinstance(err, ValueError) else "not a valid value of that type"
            reason = reason if len(reason) <= 120 else reason[:117] + "..."
            problem = f"cannot read {shown!r} as {_tag_name(node.tag)}: {reason}"
            if self.keep_unreadable:
                self.recursive_objects.pop(node, None)  # PyYAML leaves a node that failed marked as in progress
                value = self.constructed_objects[node] = Unreadable(shown, problem, node.start_mark.line + 1)
                return value
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None


def _tag_name(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix):] if tag.startswith(prefix) else tag


@lru_cache(maxsize=None)
def python_loader() -> type:
    """PyYAML's pure-Python safe loader, bounded."""
    import yaml

    class BoundedSafeLoader(_Bounded, yaml.SafeLoader):
        pass

    return BoundedSafeLoader


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

    class CEventsLoader(_Bounded, CParser, Composer, SafeConstructor, Resolver):
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


def _load(loader_class: type, text: str, check: bool = False, lenient: bool = False) -> YamlDocument:
    """Load with ``loader_class``; ``check``: first make sure PyYAML's scanner would read the nodes alike."""
    import yaml

    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as err:  # a character YAML does not allow (a NUL byte), before parsing
        line = text.count("\n", 0, err.position) + 1
        raise YamlSyntaxError(line, f"unacceptable character #x{err.character:04x}: {err.reason}") from None
    loader.keep_unreadable = lenient
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, {})
        _check_aliases(node, text)
        if check and _question_in_flow_plain(node, False, set()):
            raise _LibyamlDiffers()
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = _line_of_mark(text, mark) if mark is not None else None
        problem = " ".join(part for part in (err.context, err.problem) if part)
        raise YamlSyntaxError(line, problem or "invalid YAML") from None
    except yaml.YAMLError as err:
        raise YamlSyntaxError(None, str(err)) from None
    finally:
        loader.dispose()
    lines: dict[tuple, int] = {(): node.start_mark.line + 1}
    try:
        _record_lines(node, (), lines, yaml.MappingNode, yaml.SequenceNode, set())
    except YamlSyntaxError as err:
        if OTHER_BREAKS.search(text):  # a duplicate key: its line, as an editor counts lines
            err.line = text.count("\n", 0, _nth_line_start(text, err.line)) + 1
        raise
    if OTHER_BREAKS.search(text):
        newlines = [found.start() for found in re.finditer("\n", text)]
        lines = {path: bisect_left(newlines, index) + 1 for path, index in _mark_indices(node, lines).items()}
    return YamlDocument(data, lines)


def _nth_line_start(text: str, line: int) -> int:
    """Where YAML's ``line`` (1-based, counting every YAML line break) starts in ``text``."""
    breaks = [found.end() for found in re.finditer("\r\n|[\r\n\x85\u2028\u2029]", text)]
    return breaks[line - 2] if 2 <= line <= len(breaks) + 1 else 0


def _line_of_mark(text: str, mark) -> int:  # type: ignore[no-untyped-def]
    """The 1-based line of a mark as an editor counts it ("\n" alone), not as YAML does."""
    if not OTHER_BREAKS.search(text):
        return mark.line + 1
    return text.count("\n", 0, mark.index) + 1


def _mark_indices(root, lines: dict[tuple, int]) -> dict[tuple, int]:  # type: ignore[no-untyped-def]
    """The character index of each recorded key path's node, to count its line by "\n" alone."""
    import yaml

    indices: dict[tuple, int] = {(): root.start_mark.index}
    seen: set = set()

    def walk(node, path: tuple) -> None:  # type: ignore[no-untyped-def]
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key_path = path + (key_node.value,)
                if key_path in lines and key_path not in indices:
                    indices[key_path] = key_node.start_mark.index
                walk(value_node, key_path)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                indices.setdefault(path + (index,), item.start_mark.index)
                walk(item, path + (index,))

    walk(root, ())
    return indices


def _check_aliases(root: yaml.Node, text: str) -> None:
    """Refuse an alias that contains itself, and aliases that would make the document more than
    MAX_ALIASED_NODES nodes larger if they were copied out (each node is sized once, so this costs
    the size of the document as written, not as expanded)."""
    import yaml

    sizes: dict[int, int] = {}  # a collection's size with its aliases expanded
    open_nodes: set[int] = set()  # collections being sized: meeting one again is a cycle
    distinct = 0
    # An explicit stack, not recursion: nesting is bounded, but a walk should not need to be.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            continue
        children = [child for pair in node.value for child in pair] if isinstance(node, yaml.MappingNode) else node.value
        if done:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes.get(id(child), 1) for child in children)
            if sizes[id(node)] - distinct > MAX_ALIASED_NODES:
                raise YamlSyntaxError(_line_of_mark(text, node.start_mark), f"aliases expand the document by more than "
                                      f"{MAX_ALIASED_NODES:,} nodes (an alias bomb?)")
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_nodes:
            raise YamlSyntaxError(_line_of_mark(text, node.start_mark),
                                  "an alias refers to a collection that holds it (a recursive alias)")
        open_nodes.add(id(node))
        distinct += 1 + sum(1 for child in children if not isinstance(child, (yaml.MappingNode, yaml.SequenceNode)))
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(children))


def _question_in_flow_plain(node: yaml.Node, in_flow: bool, seen: set) -> bool:
    """Whether a plain scalar inside a flow collection holds '?' (PyYAML's scanner ends it there)."""
    import yaml

    if (id(node), in_flow) in seen:
        return False  # an aliased node, read already
    seen.add((id(node), in_flow))
    if isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
    else:
        return in_flow and not node.style and "?" in node.value  # plain: None from PyYAML, "" from libyaml
    in_flow = in_flow or bool(node.flow_style)
    return any(_question_in_flow_plain(child, in_flow, seen) for child in children)


def _record_lines(node: yaml.Node, path: tuple, lines: dict[tuple, int], mapping: type, sequence: type,
                  seen: set) -> None:
    """Record the line of each key and item, once per node: the keys below an alias have the line
    of the alias (``line_of`` falls back to it), so aliases never multiply the walk."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, mapping):
        for key_node, value_node in node.value:
            key_path = path + (key_node.value,)
            line = key_node.start_mark.line + 1
            if key_path in lines:
                # YAML keeps the last of two equal keys and drops the first without a word.
                raise YamlSyntaxError(line, f"duplicate key '{key_node.value}' (first on line {lines[key_path]})")
            lines[key_path] = line
            _record_lines(value_node, key_path, lines, mapping, sequence, seen)
    elif isinstance(node, sequence):
        for index, item in enumerate(node.value):
            item_path = path + (index,)
            lines[item_path] = item.start_mark.line + 1
            _record_lines(item, item_path, lines, mapping, sequence, seen)
