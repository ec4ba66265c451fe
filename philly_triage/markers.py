"""Load the locator's markers (markers.yaml): line prefixes, noise, progress, fatal lines, wrappers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from philly_triage.catalogue import CatalogueError, Problem
from philly_triage.yaml_source import YamlSyntaxError, load_yaml

MARKERS_FILE = Path(__file__).resolve().parent / "markers.yaml"
SECTIONS = (
    "line_prefixes", "noise", "progress", "success", "fatal", "terminations",
    "wrappers", "consequences", "keywords", "retry_dirs",
)


def _any_of(patterns: tuple[str, ...]) -> Optional[re.Pattern]:
    """One alternation of many patterns, so a line is tested in one pass."""
    if not patterns:
        return None
    return re.compile("|".join(_scoped(p) for p in patterns))


def _scoped(pattern: str) -> str:
    """Turn a leading global flag such as ``(?i)`` into a scoped group, so patterns can be joined."""
    found = re.match(r"\(\?([aiLmsux]+)\)", pattern)
    if found:
        return f"(?{found.group(1)}:{pattern[found.end():]})"
    return f"(?:{pattern})"


@dataclass(frozen=True)
class Markers:
    line_prefixes: tuple[re.Pattern, ...]
    noise: Optional[re.Pattern]
    progress: Optional[re.Pattern]
    success: Optional[re.Pattern]
    fatal: Optional[re.Pattern]
    terminations: Optional[re.Pattern]
    wrappers: Optional[re.Pattern]
    consequences: Optional[re.Pattern]
    keywords: Optional[re.Pattern]
    retry_dirs: tuple[re.Pattern, ...]

    @staticmethod
    def _test(pattern: Optional[re.Pattern], text: str) -> bool:
        return pattern is not None and pattern.search(text) is not None

    def is_noise(self, text: str) -> bool:
        return self._test(self.noise, text)

    def is_progress(self, text: str) -> bool:
        return self._test(self.progress, text)

    def is_success(self, text: str) -> bool:
        return self._test(self.success, text)

    def is_fatal(self, text: str) -> bool:
        return self._test(self.fatal, text)

    def is_termination(self, text: str) -> bool:
        return self._test(self.terminations, text)

    def is_wrapper(self, text: str) -> bool:
        return self._test(self.wrappers, text)

    def is_consequence(self, text: str) -> bool:
        return self._test(self.consequences, text)

    def has_keyword(self, text: str) -> bool:
        return self._test(self.keywords, text)

    def retry_number(self, name: str) -> Optional[int]:
        for pattern in self.retry_dirs:
            found = pattern.fullmatch(name)
            if found:
                return int(found.group("n"))
        return None


def load_markers(path: Path = MARKERS_FILE) -> Markers:
    """Read and compile a markers file; problems are reported like a broken rule file."""
    name = str(path)
    try:
        document = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise CatalogueError([Problem(name, None, None, f"cannot read the file: {err}")]) from None
    except YamlSyntaxError as err:
        raise CatalogueError([Problem(name, err.line, None, f"YAML syntax error: {err.problem}")]) from None
    data = document.data if isinstance(document.data, dict) else {}
    problems = []
    compiled: dict[str, tuple[re.Pattern, ...]] = {}
    for section in SECTIONS:
        items = data.get(section) or []
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            problems.append(Problem(name, document.line_of(section), None, f"'{section}' must be a list of patterns"))
            continue
        patterns = []
        for index, item in enumerate(items):
            try:
                patterns.append(re.compile(item))
            except re.error as err:
                line = document.line_of(section, index)
                problems.append(Problem(name, line, None, f"invalid regular expression {item!r}: {err}"))
        compiled[section] = tuple(patterns)
    for key in data:
        if key not in SECTIONS:
            problems.append(Problem(name, document.line_of(key), None, f"unknown section '{key}'"))
    if problems:
        raise CatalogueError(problems)

    def joined(section: str) -> Optional[re.Pattern]:
        return _any_of(tuple(p.pattern for p in compiled[section]))

    return Markers(
        line_prefixes=compiled["line_prefixes"],
        noise=joined("noise"),
        progress=joined("progress"),
        success=joined("success"),
        fatal=joined("fatal"),
        terminations=joined("terminations"),
        wrappers=joined("wrappers"),
        consequences=joined("consequences"),
        keywords=joined("keywords"),
        retry_dirs=compiled["retry_dirs"],
    )


@lru_cache(maxsize=1)
def default_markers() -> Markers:
    return load_markers()
