"""A project's configuration: the options a team sets once, read from ``.triage/config.yaml`` or
the ``[tool.triage]`` table of ``pyproject.toml``.

The file is found as the project's ``.triage/rules/`` is (catalogue/sources.py): the nearest folder,
from the current directory upwards, that holds either. In that folder ``.triage/config.yaml`` wins
over ``pyproject.toml`` (which is then ignored, and named as ignored); folders further up are not
read at all: the nearest configuration is the whole configuration. Paths in it (``rules``,
``baseline``) are relative to the project folder: the folder holding ``pyproject.toml`` or the
``.triage`` folder, so a key means the same in either file.

Each key is checked against schemas/config.schema.json; a bad key or value, or a file that does
not parse, is a ConfigError naming the file and line. What the keys do to the commands (the
defaults of their options) is cli/config.py's part; this module knows files and values only.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Optional

from philly_triage._internal.catalogue.yaml_source import YamlDocument

CONFIG_YAML = Path(".triage") / "config.yaml"
PYPROJECT = "pyproject.toml"
TABLE = ("tool", "triage")
# A pyproject.toml is parsed only when a line opens [tool.triage] or one of its sub-tables: others
# (most projects' pyproject.toml) are not triage's business, even when they do not parse.
TRIAGE_TABLE = re.compile(r"^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*[\"']?triage[\"']?[ \t]*[\].]", re.MULTILINE)
MAX_CONFIG_BYTES = 1 << 20


class Key(NamedTuple):
    """One configuration key: the option whose default it sets, and what it is when no file sets it."""

    param: str  # the click parameter's name in the commands that have the option
    default: Any  # the built-in default, as `triage config` shows it
    only: tuple[str, ...] = ()  # the commands it sets; () means every command that has the option
    paths: bool = False  # a list of paths, relative to the project folder


KEYS: dict[str, Key] = {
    "rules": Key("rule_paths", [], paths=True),
    "no_builtin_rules": Key("no_builtin_rules", False),
    "exclude": Key("exclude", []),
    "include": Key("include", []),
    "fail_on": Key("fail_on", [], only=("classify",)),  # watch's --fail-on filters what it reports
    "ignore": Key("ignore", [], only=("classify",)),
    "baseline": Key("baselines", [], only=("classify",), paths=True),
    "format": Key("output_format", "table", only=("classify",)),  # each command has its own formats
    "gpus": Key("gpus", None),
    "jobs": Key("processes", None),
    "study_only": Key("study_only", False),
    "storage_option": Key("storage_options", {}),
}


class ConfigError(Exception):
    """A configuration file that cannot be used: ``str()`` is ``FILE:LINE: what is wrong``."""

    def __init__(self, file: str, line: Optional[int], message: str, more: tuple[ConfigError, ...] = ()):
        super().__init__(message)
        self.file, self.line, self.message = file, line, message
        self.more = more  # further problems of the same file, after this one

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"

    def all(self) -> list[str]:
        """Every problem, one ``FILE:LINE: ...`` line each, by line."""
        return [str(self)] + [str(other) for other in self.more]


class Setting(NamedTuple):
    """A key a file sets: its value as the commands take it (paths made relative to the current
    directory) and the line it is on."""

    key: str
    value: Any
    line: Optional[int]


@dataclass(frozen=True)
class ProjectConfig:
    """The configuration in force: the file read (None: none found) and what it sets."""

    file: Optional[str] = None  # as shown to the user, relative to the current directory
    folder: Optional[Path] = None  # the project folder, which paths in the file are relative to
    settings: dict[str, Setting] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()  # a file in the same folder that this one wins over

    def value(self, key: str) -> Any:
        """The key's value: the file's, else the built-in default."""
        return self.settings[key].value if key in self.settings else KEYS[key].default

    def source(self, key: str) -> str:
        """Where the key's value comes from: ``FILE:LINE``, or ``default``."""
        if key not in self.settings:
            return "default"
        line = self.settings[key].line
        return f"{self.file}:{line}" if line is not None else str(self.file)


def find_config(start: Path) -> tuple[Optional[Path], tuple[Path, ...]]:
    """The nearest configuration file from ``start`` upwards, and the files it wins over (a
    pyproject.toml with a [tool.triage] table beside .triage/config.yaml)."""
    start = start.resolve()
    for directory in (start, *start.parents):
        yaml_file, pyproject = directory / CONFIG_YAML, directory / PYPROJECT
        has_table = pyproject.is_file() and _has_triage_table(pyproject)
        if yaml_file.is_file():
            return yaml_file, (pyproject,) if has_table else ()
        if has_table:
            return pyproject, ()
    return None, ()


def discover(cwd: Optional[Path] = None) -> ProjectConfig:
    """The configuration for a command run in ``cwd`` (default: the current directory)."""
    cwd = cwd or Path.cwd()
    found, ignored = find_config(cwd)
    if found is None:
        return ProjectConfig()
    config = load_config(found, cwd)
    return ProjectConfig(config.file, config.folder, config.settings, tuple(_shown(p, cwd) for p in ignored))


def load_config(path: Path, cwd: Optional[Path] = None) -> ProjectConfig:
    """Read and check one configuration file: a ``.toml`` file's [tool.triage] table, or a YAML
    file's top level. Raise ConfigError, never anything else."""
    cwd = cwd or Path.cwd()
    shown = _shown(path, cwd)
    try:
        raw = path.read_bytes()[:MAX_CONFIG_BYTES + 1]
        text = raw.decode("utf-8")
    except OSError as err:
        raise ConfigError(shown, None, f"cannot read the configuration: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise ConfigError(shown, raw.count(b"\n", 0, err.start) + 1, "not UTF-8") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(shown, None, "larger than 1 MB, not a configuration file")
    document = _toml_document(text, shown) if path.suffix == ".toml" else _yaml_document(text, shown)
    folder = path.resolve().parent
    if folder.name == ".triage":  # .triage/config.yaml: paths are relative to the project folder
        folder = folder.parent
    _check(document, shown)
    settings = {key: Setting(key, _taken(key, value, folder, cwd), document.line_of(key))
                for key, value in (document.data or {}).items()}
    return ProjectConfig(shown, folder, settings)


def _check(document: YamlDocument, shown: str) -> None:
    from philly_triage._internal.catalogue.schema import violations

    found = violations(document, "config")
    if found:
        more = tuple(ConfigError(shown, other.line, other.message) for other in found[1:])
        raise ConfigError(shown, found[0].line, found[0].message, more)


def _taken(key: str, value: Any, folder: Path, cwd: Path) -> Any:
    """A value as the commands take it: paths joined to the project folder and named from ``cwd``."""
    if KEYS[key].paths:
        return [_shown(folder / item, cwd) for item in value]
    if isinstance(value, list):
        return list(value)
    return value


def _shown(path: Path, cwd: Path) -> str:
    """A path as the user would type it from ``cwd``: relative when that is possible."""
    try:
        return os.path.relpath(os.path.abspath(path), os.path.abspath(cwd))
    except ValueError:  # another drive, on Windows
        return str(os.path.abspath(path))


def _has_triage_table(pyproject: Path) -> bool:
    try:
        return bool(TRIAGE_TABLE.search(pyproject.read_bytes()[:MAX_CONFIG_BYTES].decode("utf-8", "replace")))
    except OSError:
        return False


def _yaml_document(text: str, shown: str) -> YamlDocument:
    from philly_triage._internal.catalogue.yaml_source import YamlSyntaxError, load_yaml

    try:
        document = load_yaml(text)
    except YamlSyntaxError as err:
        raise ConfigError(shown, err.line, f"YAML syntax error: {err.problem}") from None
    if document.data is None:  # an empty file sets nothing
        return YamlDocument({}, document.lines)
    return document


def _toml_document(text: str, shown: str) -> YamlDocument:
    """The [tool.triage] table, with the line of each key found by reading the text (tomllib
    keeps no positions)."""
    toml = _toml_module(shown)
    try:
        data = toml.loads(text)
    except toml.TOMLDecodeError as err:
        message = str(err)
        at = re.search(r"\s*\(at line (\d+), column \d+\)", message)
        line = int(at.group(1)) if at else getattr(err, "lineno", None)
        message = message[:at.start()] + message[at.end():] if at else message
        raise ConfigError(shown, line, f"TOML syntax error: {message}") from None
    table: Any = data
    for name in TABLE:
        table = table.get(name, {}) if isinstance(table, dict) else {}
    return YamlDocument(table, toml_lines(text))


def _toml_module(shown: str) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    try:
        import tomli
    except ImportError:
        raise ConfigError(shown, None, "reading [tool.triage] from pyproject.toml needs Python 3.11 or the "
                                       "tomli package (pip install tomli); or use .triage/config.yaml") from None
    return tomli


TOML_HEADER = re.compile(r"^[ \t]*\[(?!\[)(?P<name>[^\]\n]+)\][ \t]*(#.*)?$")
TOML_KEY = re.compile(r"^[ \t]*(?P<key>(?:[A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*')"
                      r"(?:[ \t]*\.[ \t]*(?:[A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*'))*)[ \t]*=")


def toml_lines(text: str) -> dict[tuple, int]:
    """The 1-based line of each key in the [tool.triage] table and its sub-tables, by key path
    below [tool.triage] (``("storage_option", "anon")``); ``()`` is the table's header."""
    lines: dict[tuple, int] = {}
    table: Optional[tuple] = None  # the current table's path below [tool.triage]; None: another table
    for number, line in enumerate(text.split("\n"), start=1):
        header = TOML_HEADER.match(line)
        if header:
            path = _dotted(header.group("name"))
            table = path[len(TABLE):] if path[:len(TABLE)] == TABLE else None
            if table is not None:
                lines.setdefault(table, number)
            continue
        key = TOML_KEY.match(line) if table is not None else None
        if key:
            lines.setdefault(table + _dotted(key.group("key")), number)
    return lines


def _dotted(name: str) -> tuple:
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([^.\s\"']+)", name)
    return tuple(next(part for part in groups if part) if any(groups) else "" for groups in parts)
