"""Build the rule catalogue from its sources: the built-in rules and the users' rule files.

Sources are read in order and merged by rule id: a rule from a later source replaces the rule
with the same id from an earlier one, in its place. Two rules with one id in the same source are
a mistake. Any problem in any file stops the build with a ``CatalogueError`` that lists them all.

A catalogue that loaded cleanly is kept in the catalogue cache (``catalogue_cache``) and reused
while its files stay as they were; ``load_source`` (what ``rules check`` reads) never uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, NamedTuple, Optional, Union

from philly_triage._internal.catalogue import cache as catalogue_cache
from philly_triage.models import Rule, StageMarker
from philly_triage._internal.catalogue.rule_file import REGEX_FLAGS, Problem, load_rule_file
from philly_triage._internal.catalogue.stage_file import is_stage_file, load_stage_file

__all__ = [
    "BUILTIN", "REGEX_FLAGS", "Catalogue", "CatalogueError", "Problem", "RuleSource",
    "builtin_rules_dir", "builtin_source", "load_catalogue", "rule_files",
]

BUILTIN = "built-in"
# The study's dimensions in its order; dimensions that users' rules declare follow them.
TAXONOMY_DIMENSIONS = ("deep_learning", "execution_environment", "general_code", "data")
RULE_SUFFIXES = (".yaml", ".yml")


class CatalogueError(Exception):
    """The catalogue cannot be built; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class RuleSource(NamedTuple):
    """A directory of rule files (searched recursively) or one rule file, and where it was named."""

    path: Path
    origin: str  # "built-in", "project", "TRIAGE_RULES", "config" (the project configuration) or "--rules"


@dataclass(frozen=True)
class Catalogue:
    """All rules, in a stable order, with the dimensions they declare."""

    rules: tuple[Rule, ...]
    sources: tuple[RuleSource, ...] = ()
    stages: tuple[StageMarker, ...] = ()  # every source's stages.yaml, in source order
    left_out: tuple[Rule, ...] = ()  # the rules study_only() dropped (study: false)

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Every dimension a rule declares: the study's first, in its order, then new ones."""
        declared = dict.fromkeys(rule.dimension for rule in self.rules)
        known = tuple(d for d in TAXONOMY_DIMENSIONS if d in declared)
        return known + tuple(d for d in declared if d not in known)

    def rule(self, rule_id: str) -> Optional[Rule]:
        return next((rule for rule in self.rules if rule.id == rule_id), None)

    def study_only(self) -> "Catalogue":
        """This catalogue without the rules outside the study (``study: false``: the infrastructure
        dimension), as ``--study-only`` asks: their failures are then unclassified, as in the study."""
        return replace(self, rules=tuple(rule for rule in self.rules if rule.study),
                       left_out=self.left_out + tuple(rule for rule in self.rules if not rule.study))


def builtin_rules_dir() -> Path:
    """The catalogue shipped with the package (or the checkout's rules/ when run from source)."""
    package_dir = Path(__file__).resolve().parents[2]  # philly_triage/
    installed = package_dir / "builtin_rules"
    if any(installed.glob("*.yaml")):
        return installed
    return package_dir.parent / "rules"


def builtin_source() -> RuleSource:
    return RuleSource(builtin_rules_dir(), BUILTIN)


def load_catalogue(sources: Optional[Iterable[Union[RuleSource, Path]]] = None) -> Catalogue:
    """Load and merge the given sources (the built-in catalogue when ``sources`` is None).

    A bare path counts as a ``--rules`` source. The catalogue cache answers when it holds these
    sources' catalogue as their files are now.
    """
    if sources is None:
        sources = [builtin_source()]
    sources = [s if isinstance(s, RuleSource) else RuleSource(Path(s), "--rules") for s in sources]
    if not sources:
        raise CatalogueError([Problem("(catalogue)", None, None, "no rule sources: give --rules DIR, "
                                      "set TRIAGE_RULES or add .triage/rules/, or drop --no-builtin-rules")])
    key = catalogue_cache.cache_key([(s.origin, str(s.path), rule_files(s.path)) for s in sources])
    cached = catalogue_cache.read_cached(key, Catalogue)
    if cached is not None:
        return cached
    catalogue = merge_sources(sources)
    catalogue_cache.write_cached(key, catalogue)
    return catalogue


def merge_sources(sources: list[RuleSource]) -> Catalogue:
    """Load every source from its files and merge them; raise CatalogueError on any problem."""
    problems: list[Problem] = []
    merged: dict[str, Rule] = {}
    stages: list[StageMarker] = []
    for source in sources:
        rules, found = load_source(source)
        problems.extend(found)
        for rule in rules:
            earlier = merged.get(rule.id)
            merged[rule.id] = replace(rule, replaces=earlier.source) if earlier else rule
        stages.extend(load_stages(source, problems))
    if problems:
        raise CatalogueError(problems)
    return Catalogue(tuple(merged.values()), tuple(sources), tuple(stages))


def load_stages(source: RuleSource, problems: list[Problem]) -> list[StageMarker]:
    """The stage markers of one source's stages files; their problems are added to ``problems``."""
    markers: list[StageMarker] = []
    for path in rule_files(source.path):
        if is_stage_file(path):
            found, wrong = load_stage_file(path)
            markers.extend(found)
            problems.extend(wrong)
    return markers


def load_source(source: RuleSource) -> tuple[list[Rule], list[Problem]]:
    """The valid rules of one source, and the problems of its rule files (duplicates included).

    Its stages files (``stages.yaml``) are not rule files: ``load_stages`` reads them.
    """
    files = rule_files(source.path)
    if not files:
        what = "does not exist" if not source.path.exists() else "holds no rule files (*.yaml, *.yml)"
        return [], [Problem(str(source.path), None, None, f"{source.origin} rule source {what}")]
    problems: list[Problem] = []
    rules: dict[str, Rule] = {}
    for path in files:
        if is_stage_file(path):
            continue
        rule, found = load_rule_file(path)
        problems.extend(found)
        if rule is None:
            continue
        if rule.id in rules:
            first = rules[rule.id]
            message = f"duplicate rule id, also defined in {first.source}:{first.line}"
            problems.append(Problem(rule.source, rule.line, rule.id, message))
            continue
        rules[rule.id] = replace(rule, origin=source.origin)
    return list(rules.values()), problems


def rule_files(path: Path) -> list[Path]:
    """The rule files a source names: the file itself, or a directory's (recursively, sorted).

    A path named that is neither (a FIFO) is given as it is, so that its loader says what it is."""
    if not path.is_dir():
        return [path] if path.exists() else []
    return sorted(
        p for p in path.rglob("*")
        if p.suffix in RULE_SUFFIXES and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )
