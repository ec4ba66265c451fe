"""Load the locator's markers (markers.yaml): line prefixes, noise, progress, fatal lines, wrappers."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import AbstractSet, Iterator, Optional

from philly_triage._internal.catalogue.load import CatalogueError, Problem
from philly_triage._internal.catalogue.cache import cache_dir, read_own, write_atomically
from philly_triage._internal.pipeline.digest import sha256
from philly_triage._internal.pipeline.memo import MISSING, Memo
from philly_triage._internal.pipeline.prefilter import LineFinder, LineKinds, compile_finder, compile_line_kinds
from philly_triage._internal.catalogue.schema import Violation, schema_path, violated, violations
from philly_triage._internal.catalogue.yaml_source import YamlDocument, YamlFileError, parse_yaml_bytes, read_yaml_bytes

MARKERS_FILE = Path(__file__).resolve().parents[1] / "data" / "markers.yaml"
SECTIONS = (
    "line_prefixes", "noise", "progress", "success", "fatal", "terminations",
    "wrappers", "consequences", "keywords", "triggers", "success_hints", "exit_status", "retry_dirs", "timestamps",
    "teardown",
    "job_streams",
)

# The sections that say what kind of line a line is (searched together, see pipeline/prefilter.LineKinds).
LINE_SECTIONS = ("noise", "progress", "success", "fatal", "terminations", "wrappers", "consequences", "keywords",
                 "teardown")


class _Alternation:
    """One alternation of many patterns, so a line is tested in one pass; compiled on first use
    (with hyperscan, LineKinds does this work and most alternations are never used)."""

    def __init__(self, patterns: tuple[str, ...]):
        self.pattern = "|".join(_scoped(p) for p in patterns)
        self._compiled: Optional[re.Pattern] = None

    def search(self, text: str):
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return self._compiled.search(text)


def _any_of(patterns: tuple[str, ...]) -> Optional[_Alternation]:
    return _Alternation(patterns) if patterns else None


def _unnamed(pattern: str) -> str:
    """The pattern with its named groups unnamed, so that several can be joined."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


def _scoped(pattern: str) -> str:
    """Turn a leading global flag such as ``(?i)`` into a scoped group, so patterns can be joined."""
    found = re.match(r"\(\?([aiLmsux]+)\)", pattern)
    if found:
        return f"(?{found.group(1)}:{pattern[found.end():]})"
    return f"(?:{pattern})"


scoped = _scoped  # the public name, for modules outside the catalogue that join patterns (pipeline/stage.py)


class _SearchedKinds(AbstractSet[str]):
    """The sections a text matches, each searched when first asked (without hyperscan)."""

    def __init__(self, markers: "Markers", text: str):
        self._markers, self._text, self._known = markers, text, {}

    def __contains__(self, section: object) -> bool:
        found = self._known.get(section)
        if found is None:
            found = self._known[section] = self._markers._has(str(section), self._text)
        return found

    def __iter__(self) -> Iterator[str]:
        return (section for section in LINE_SECTIONS if section in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass(frozen=True)
class Markers:
    line_prefixes: tuple[re.Pattern, ...]
    noise: Optional[_Alternation]
    progress: Optional[_Alternation]
    success: Optional[_Alternation]
    fatal: Optional[_Alternation]
    terminations: Optional[_Alternation]
    wrappers: Optional[_Alternation]
    consequences: Optional[_Alternation]
    keywords: Optional[_Alternation]
    retry_dirs: tuple[re.Pattern, ...]
    exit_status: tuple[re.Pattern, ...] = ()  # a job's exit status: named groups code and/or signal
    job_streams: tuple[re.Pattern, ...] = ()  # names of one stream of a job's output (discover.py)
    timestamps: tuple[re.Pattern, ...] = ()  # a line's time: named groups year (optional), month, day, hour, minute, second
    # The byte-level first pass over raw bytes (see pipeline/prefilter.py): lines that may be failures,
    # progress lines, and lines that may be success lines.
    triggers: Optional[LineFinder] = None
    progress_lines: Optional[LineFinder] = None
    success_hints: Optional[LineFinder] = None
    # The sections above a line matches, found in one search (hyperscan); None: each searched alone.
    kinds: Optional[LineKinds] = None
    any_prefix: Optional[re.Pattern] = None  # all line prefixes in one (unnamed) alternation
    teardown: Optional[_Alternation] = None  # lines printed at shutdown: never a failure, never evidence of going on
    # What the locator concluded from a line's text alone, kept for the run (pipeline/memo.py).
    memo: Memo = field(default_factory=Memo, compare=False, repr=False)

    def _has(self, section: str, text: str) -> bool:
        if self.kinds is not None:
            return section in self.kinds.kinds(text)
        pattern = getattr(self, section)
        return pattern is not None and pattern.search(text) is not None

    def kinds_of(self, text: str) -> AbstractSet[str]:
        """The sections of LINE_SECTIONS that ``text`` matches, to ask several of (``"noise" in
        kinds``): found in one search (hyperscan), or each section searched when first asked."""
        if self.kinds is not None:
            return self.kinds.kinds(text)
        return _SearchedKinds(self, text)

    def is_noise(self, text: str) -> bool:
        return self._has("noise", text)

    def is_teardown(self, text: str) -> bool:
        return self._has("teardown", text)

    def is_progress(self, text: str) -> bool:
        return self._has("progress", text)

    def is_fatal(self, text: str) -> bool:
        return self._has("fatal", text)

    def is_termination(self, text: str) -> bool:
        return self._has("terminations", text)

    def is_wrapper(self, text: str) -> bool:
        return self._has("wrappers", text)

    def is_consequence(self, text: str) -> bool:
        return self._has("consequences", text)

    def has_keyword(self, text: str) -> bool:
        return self._has("keywords", text)

    def job_stream(self, name: str) -> Optional[re.Match]:
        """How ``name`` (a file's or folder's, less a compression suffix) names one stream of a job's
        output, if it does. Kept per name: every job's folder holds a stdout.txt."""
        found = self.memo.get("job stream", name)
        if found is MISSING:
            found = next((match for match in (p.fullmatch(name) for p in self.job_streams) if match), None)
            self.memo.put("job stream", name, found)
        return found

    def retry_number(self, name: str) -> Optional[int]:
        for pattern in self.retry_dirs:
            found = pattern.fullmatch(name)
            if found:
                return int(found.group("n"))
        return None


def load_markers(path: Path = MARKERS_FILE) -> Markers:
    """Read and compile a markers file; problems are reported like a broken rule file.

    The file is checked against its schema (schemas/markers.schema.json) and each pattern by
    compiling it. A file checked before (the same bytes and schema, recorded in the cache
    directory) is not checked again, and its patterns are compiled only when used. Without a
    cache, the shipped file is not checked against the schema (the test suite does that), so that
    a run does not import jsonschema for it.
    """
    name = str(path)
    try:
        raw = read_yaml_bytes(name)
    except YamlFileError as err:
        raise CatalogueError([Problem(name, err.line, None, err.message)]) from None
    stamp = _checked_stamp(raw)
    data = _checked_data(stamp)
    if data is None:
        data = _checked(name, raw, stamp, shipped=stamp is None and Path(path).resolve() == MARKERS_FILE)
    patterns = {section: tuple(data.get(section) or ()) for section in SECTIONS}

    def scoped(section: str) -> list[str]:
        return [_scoped(p) for p in patterns[section]]

    prefixes = tuple(re.compile(p) for p in patterns["line_prefixes"])
    return Markers(
        line_prefixes=prefixes,
        noise=_any_of(patterns["noise"]),
        teardown=_any_of(patterns["teardown"]),
        progress=_any_of(patterns["progress"]),
        success=_any_of(patterns["success"]),
        fatal=_any_of(patterns["fatal"]),
        terminations=_any_of(patterns["terminations"]),
        wrappers=_any_of(patterns["wrappers"]),
        consequences=_any_of(patterns["consequences"]),
        keywords=_any_of(patterns["keywords"]),
        retry_dirs=tuple(re.compile(p) for p in patterns["retry_dirs"]),
        timestamps=tuple(re.compile(p) for p in patterns["timestamps"]),
        job_streams=tuple(re.compile(p, re.IGNORECASE) for p in patterns["job_streams"]),
        exit_status=tuple(re.compile(p) for p in patterns["exit_status"]),
        any_prefix=re.compile("|".join(f"(?:{_unnamed(p.pattern)})" for p in prefixes)) if prefixes else None,
        triggers=compile_finder(scoped("triggers"), caseless=True),
        progress_lines=compile_finder(scoped("progress")),
        success_hints=compile_finder(scoped("success_hints"), caseless=True),
        kinds=compile_line_kinds({section: scoped(section) for section in LINE_SECTIONS}),
    )


def _checked(name: str, raw: bytes, stamp: Optional[Path], shipped: bool) -> dict:
    """The sections of a markers file not checked before: parsed, checked, and recorded in the
    cache (its stamp holds them, so that the next run need not parse the YAML again)."""
    try:
        document = parse_yaml_bytes(raw)
    except YamlFileError as err:
        raise CatalogueError([Problem(name, err.line, None, err.message)]) from None
    problems = _problems(name, document, [] if shipped else violations(document, "markers"))
    if problems:
        raise CatalogueError(problems)
    data = document.data if isinstance(document.data, dict) else {}
    if stamp is not None:  # unrecorded if it fails: the next run checks the file again
        write_atomically(stamp, json.dumps({s: data.get(s) for s in SECTIONS if s in data}).encode("utf-8"))
    return data


def _checked_data(stamp: Optional[Path]) -> Optional[dict]:
    """The sections recorded by a run that checked the same file before (None: not recorded)."""
    recorded = read_own(stamp) if stamp is not None else None
    if not recorded:
        return None
    try:
        data = json.loads(recorded)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _problems(name: str, document: YamlDocument, found: list[Violation]) -> list[Problem]:
    """What the schema found wrong, then the patterns that do not compile, and exit status
    patterns without a group named code or signal."""
    problems = [Problem(name, v.line, None, v.message) for v in found]
    data = document.data if isinstance(document.data, dict) else {}
    for section in SECTIONS:
        items = data.get(section)
        for index, item in enumerate(items if isinstance(items, list) else ()):
            if violated((section, index), found):
                continue
            line = document.line_of(section, index)
            try:
                compiled = re.compile(item)
            except re.error as err:
                problems.append(Problem(name, line, None, f"invalid regular expression {item!r}: {err}"))
                continue
            if section == "exit_status" and not {"code", "signal"} & set(compiled.groupindex):
                problems.append(Problem(name, line, None, f"exit status pattern {item!r} needs a group named code or signal"))
    return sorted(problems, key=lambda p: p.line or 0)


def _checked_stamp(raw: bytes) -> Optional[Path]:
    """Where the cache records that a markers file with these bytes was checked (None: no cache).
    The stamp covers the schema and the Python version too: either may judge the file otherwise."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        schema = schema_path("markers").read_bytes()
    except OSError:
        return None
    digest = sha256(raw + schema + sys.version.encode()).hexdigest()[:32]
    return directory / f"markers-checked-{digest}.json"


@lru_cache(maxsize=1)
def default_markers() -> Markers:
    return load_markers()
