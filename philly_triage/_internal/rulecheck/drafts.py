"""Draft a rule file from a group of failures that share a template (``triage cluster --suggest``).

A draft is valid as written: ``triage rules check`` accepts it and ``triage rules test`` passes on
it. Its pattern is the group's template with each masked part (``<n>``, ``<path>``, ``<str>`` ...)
turned back into a regular expression for what it stood for; its keywords are literal words the
pattern requires; its ``match`` examples are real messages of the group, kept only when the
whole pipeline, with the catalogue competing, classifies them as the draft. What only a person can
say (the name, the dimension when the catalogue's keywords give no guess, the description, the
fix) is marked TODO.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

import regex
import yaml

from philly_triage._internal.catalogue.load import TAXONOMY_DIMENSIONS, Catalogue
from philly_triage._internal.analysis.cluster import PLACEHOLDER, Cluster
from philly_triage._internal.catalogue.rule_file import REGEX_FLAGS, RESERVED_IDS

# What each placeholder of a template stood for, as a short readable expression. Each needs what
# its mask needed (a digit, a slash, quotes, "://"), so none can stand for a plain word. A list
# that masking folded into one placeholder ("1, 2, 3" -> "<n>") is not matched: when a member's
# message is not, the draft falls back to the template's literal text (see literal_run).
PLACEHOLDER_REGEX = {
    "<n>": r"-?\d[\d.,]*",
    "<unit>": r"(?:[KMGTP]i?B|bytes)",
    "<path>": r"\S*[/\\]\S*",
    "<url>": r"\w+://\S+",
    "<hex>": r"(?:0x)?[0-9a-f]+",
    "<id>": r"[0-9a-f-]{36}",
    "<ip>": r"[\d.:\[\]a-f]+",
    "<time>": r"\d[\d:.,TZ+-]*(?:\s\d[\d:.,+-]*)?",
    "<shape>": r"(?:torch\.Size\()?(?:[\[(][\d,\s-]*[\])]\)?|\d+(?:x\d+)+)",
    "<str>": r"(?:'[^']*'|\"[^\"]*\")",
}
WILDCARD = "<*>"
MAX_ID_WORDS = 5
MAX_KEYWORDS = 3
MIN_KEYWORD = 4  # letters: shorter words ("on", "the") filter nothing
MAX_NAME = 72
TODO_DIMENSION = "todo"


@dataclass(frozen=True)
class Draft:
    """A drafted rule: the template it was drafted from, its id, and the YAML text of its file."""

    template: str
    rule_id: str
    text: str
    pattern: str
    keywords: tuple[str, ...]
    dimension: str  # a guess, or TODO_DIMENSION
    examples: tuple[str, ...]
    literal_only: bool = False  # the pattern is the template's literal text only (see literal_run)


def pattern_of(template: str) -> str:
    """The regular expression of a template: literal text escaped, placeholders as what they stood for."""
    tokens = template.split()
    # Placeholders at either end add nothing to a search but backtracking: the pattern starts and
    # ends with literal text (a template with none is matched by its placeholders as they are).
    literal = [i for i, token in enumerate(tokens) if not _variable(token)]
    if literal:
        tokens = tokens[literal[0]: literal[-1] + 1]
    parts = []
    for token in tokens:
        pieces = []
        if token == WILDCARD and parts[-1:] == [r".+?"]:
            continue  # "<*> <*>" reads as one wildcard: two would only multiply the ways to match
        for piece in regex.split(r"(<[a-z*]+>)", token):
            if piece == WILDCARD:
                pieces.append(r".+?")
            elif piece in PLACEHOLDER_REGEX:
                pieces.append(PLACEHOLDER_REGEX[piece])
            elif piece:
                pieces.append(regex.escape(piece))
        parts.append("".join(pieces))
    return r"\s+".join(parts)


def _variable(token: str) -> bool:
    """A token that is placeholders and punctuation only, such as ``<path>:`` or ``(<n>)``."""
    return bool(PLACEHOLDER.search(token)) and not regex.search(r"\w", PLACEHOLDER.sub("", token))


def literal_run(template: str) -> str:
    """The template's longest run of tokens without placeholders, which every member holds: the
    basis of the safest pattern, used when the full one fails ``rules check`` (it could backtrack)."""
    runs: list[list[str]] = [[]]
    for token in template.split():
        if PLACEHOLDER.search(token):
            runs.append([])
        else:
            runs[-1].append(token)
    return " ".join(max(runs, key=len))


def literal_words(template: str) -> list[str]:
    """The words of a template's literal text, in order (placeholders left out)."""
    return regex.findall(r"[A-Za-z][A-Za-z0-9]*", PLACEHOLDER.sub(" ", template))


def keywords_of(template: str) -> tuple[str, ...]:
    """Up to MAX_KEYWORDS of the template's longest literal words, lower-case: any one of them is
    in every line the pattern matches, so the keyword filter never hides a match."""
    words = sorted({w.lower() for w in literal_words(template) if len(w) >= MIN_KEYWORD}, key=lambda w: (-len(w), w))
    return tuple(words[:MAX_KEYWORDS])


def rule_id_of(template: str, taken: set[str]) -> str:
    """A rule id from the template's first literal words (a dotted exception's module left out),
    snake_case, made unique against ``taken``."""
    first = template.split()[0] if template.split() else ""
    text = template
    if regex.fullmatch(r"(?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*:", first):
        text = template[len(first) - len(first.rsplit(".", 1)[-1]):]
    words = [_snake(w) for w in literal_words(text)][:MAX_ID_WORDS]
    base = "_".join(words)[:48].strip("_") or "unknown_failure"
    if not base[0].isalpha():
        base = f"failure_{base}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    return candidate


def _snake(word: str) -> str:
    return regex.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", word).lower()


def guess_dimension(template: str, catalogue: Catalogue) -> str:
    """The dimension whose rules' keywords the template's words hit most often, or TODO_DIMENSION."""
    words = " ".join(literal_words(template)).lower()
    votes: Counter = Counter()
    for rule in catalogue.rules:
        if any(regex.search(rf"\b{regex.escape(k)}", words) for k in rule.keywords if len(k) >= MIN_KEYWORD):
            votes[rule.dimension] += 1
    if not votes:
        return TODO_DIMENSION
    order = {d: i for i, d in enumerate(TAXONOMY_DIMENSIONS)}
    return min(votes, key=lambda d: (-votes[d], order.get(d, len(order)), d))


def draft_rule(cluster: Cluster, catalogue: Catalogue, rule_id: str, examples: Iterable[str],
               literal_only: bool = False) -> Draft:
    """The draft rule ``rule_id`` of one group; ``examples`` are the member messages to keep as match
    examples. With ``literal_only`` the pattern and keywords come from the template's longest run
    of literal text alone."""
    basis = literal_run(cluster.template) if literal_only else cluster.template
    pattern = pattern_of(basis)
    keywords = keywords_of(basis)
    dimension = guess_dimension(cluster.template, catalogue)
    kept = tuple(examples)
    return Draft(cluster.template, rule_id, render(rule_id, cluster, pattern, keywords, dimension, kept), pattern,
                 keywords, dimension, kept, literal_only)


def unmatched(pattern: str, messages: Iterable[str]) -> list[str]:
    """The messages the pattern does not find (searched as the matcher does: case-insensitive)."""
    compiled = regex.compile(pattern, REGEX_FLAGS)
    return [m for m in messages if not compiled.search(m)]


def render(rule_id: str, cluster: Cluster, pattern: str, keywords: tuple[str, ...], dimension: str,
           examples: tuple[str, ...]) -> str:
    """The rule file's text: the fields in the catalogue's order, with TODO comments."""
    name = " ".join(cluster.template.split())
    name = name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"
    data: dict = {
        "id": rule_id,
        "name": name,
        "dimension": dimension,
        "description": f"Drafted by triage cluster from {cluster.count} failed "
                       f"{'job' if cluster.count == 1 else 'jobs'} whose failure reads: {cluster.template}",
        "hint": "TODO: say how to fix this failure.",
        "retry": "maybe",
    }
    if keywords:
        data["keywords"] = list(keywords)
    data["patterns"] = [pattern]
    if examples:
        data["examples"] = {"match": list(examples)}
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100_000, default_flow_style=False)
    lines = text.splitlines()
    notes = {
        "name:": "  # TODO: a short human name",
        "retry:": "  # TODO: never if a rerun fails the same way, environment if the node or image must change",
        "dimension:": "  # TODO: choose the dimension" if dimension == TODO_DIMENSION
        else "  # a guess from the catalogue's keywords: check it",
    }
    for index, line in enumerate(lines):
        for key, note in notes.items():
            if line.startswith(key):
                lines[index] = line + note
    header = (
        f"# Drafted by `triage cluster --suggest` from a group of {cluster.count} failed "
        f"{'job' if cluster.count == 1 else 'jobs'}.\n"
        "# Check the pattern and the examples, fill in the TODOs, then move this file into your rules\n"
        "# directory (.triage/rules/ or --rules) and run `triage rules check` and `triage rules test`.\n"
    )
    return header + "\n".join(lines) + "\n"


def example_messages(cluster: Cluster, most: int) -> tuple[str, ...]:
    return tuple(m.message for m in cluster.examples(most))



def draftable(group: Cluster) -> bool:
    """Whether a group's template has literal text to key a rule on (not only ``<path>``, say)."""
    return any(len(word) >= MIN_KEYWORD for word in literal_words(group.template))


def write_drafts(clusters: list[Cluster], catalogue: Catalogue, directory: Path, most: int) -> list[Draft]:
    """Write one draft rule file per group into ``directory`` and make each pass ``rules test``.

    A group whose template holds no literal word (see ``draftable``) gets no draft: its rule would
    match any line with a number or a path.

    Drafts are written, then loaded with the catalogue as ``--rules directory`` would load them, and
    each example is run through the whole pipeline; an example another rule wins (or that is not
    found as a failure alone) is dropped and the file written again without it. Raises
    ``FileExistsError`` before writing anything when a draft's file exists already, and
    ``CatalogueError`` when other rule files in ``directory`` are broken.
    """
    clusters = [group for group in clusters if draftable(group)]
    if not clusters:
        return []
    taken = {rule.id for rule in catalogue.rules} | RESERVED_IDS
    drafts = []
    for group in clusters:
        rule_id = rule_id_of(group.template, taken)
        taken.add(rule_id)
        # Every member must match; otherwise the template's literal text alone is the pattern.
        literal_only = bool(unmatched(pattern_of(group.template), [m.message for m in group.members]))
        drafts.append(draft_rule(group, catalogue, rule_id, example_messages(group, most), literal_only))
    paths = [directory / f"{draft.rule_id}.yaml" for draft in drafts]
    for path in paths:
        if path.exists():
            raise FileExistsError(f"{path} exists already: remove it or choose another --suggest directory")
    directory.mkdir(parents=True, exist_ok=True)
    for draft, path in zip(drafts, paths):
        path.write_text(draft.text, encoding="utf-8")
    unsafe = _files_with_errors(directory)
    for index, (group, draft, path) in enumerate(zip(clusters, drafts, paths)):
        if path.resolve() in unsafe:
            drafts[index] = draft_rule(group, catalogue, draft.rule_id, draft.examples, literal_only=True)
            path.write_text(drafts[index].text, encoding="utf-8")
    passing = _passing_examples(catalogue, directory)
    final = []
    for group, draft, path in zip(clusters, drafts, paths):
        kept = tuple(text for text in draft.examples if (draft.rule_id, text) in passing)
        if kept != draft.examples:
            draft = draft_rule(group, catalogue, draft.rule_id, kept, draft.literal_only)
            path.write_text(draft.text, encoding="utf-8")
        final.append(draft)
    return final


def _files_with_errors(directory: Path) -> set[Path]:
    """The rule files of ``directory`` that ``rules check`` reports an error in."""
    from philly_triage._internal.catalogue.load import RuleSource
    from philly_triage._internal.rulecheck.check import check_sources

    report = check_sources([RuleSource(directory, "--rules")])
    return {Path(p.file).resolve() for p in report.problems if p.severity == "error"}


def _passing_examples(catalogue: Catalogue, directory: Path) -> set[tuple[str, str]]:
    """(rule id, example text) of every draft example that the pipeline classifies as its draft."""
    from philly_triage._internal.catalogue.load import RuleSource, load_catalogue
    from philly_triage._internal.pipeline.engine import Classifier
    from philly_triage._internal.rulecheck.examples import run_examples

    with_drafts = load_catalogue(list(catalogue.sources) + [RuleSource(directory, "--rules")])
    known = {rule.id for rule in catalogue.rules}  # without the rules --study-only left out
    with_drafts = replace(with_drafts, rules=tuple(rule for rule in with_drafts.rules if rule.study or rule.id in known))
    drafted = [rule for rule in with_drafts.rules if Path(rule.source).resolve().parent == directory.resolve()]
    results = run_examples(drafted, Classifier(with_drafts))
    return {(r.rule.id, r.example.text) for r in results if r.passed}
