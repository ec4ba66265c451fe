"""How rules read on a terminal and as data: the catalogue table, one whole rule, regex highlighting."""

from __future__ import annotations

import os
from typing import Any, Optional

import regex
from rich.console import Console
from rich.table import Table
from rich.text import Text

from philly_triage._internal.catalogue.load import BUILTIN, Catalogue, builtin_rules_dir
from philly_triage.models import Rule

# One token of a regular expression, for highlighting: an escape, a class, a group opening, a
# quantifier, an alternation bar, an anchor or wildcard, or a run of literal text.
_TOKEN = regex.compile(
    r"(?P<escape>\\.)|(?P<cls>\[\^?\]?(?:\\.|[^\]])*\])|(?P<group>\(\?(?:[:=!>]|<[=!]|P?<\w+>)|[()])"
    r"|(?P<quant>[*+?]\??|\{\d*,?\d*\}\??)|(?P<alt>\|)|(?P<any>[.^$])|(?P<text>[^\\\[()*+?{|.^$]+|.)"
)
_STYLES = {
    "escape": "cyan", "cls": "magenta", "group": "bold blue", "quant": "yellow",
    "alt": "bold red", "any": "magenta", "text": "",
}


def highlight_regex(pattern: str) -> Text:
    """The pattern with its syntax coloured and its literal text plain."""
    text = Text()
    for token in _TOKEN.finditer(pattern):
        text.append(token.group(), style=_STYLES[token.lastgroup])
    return text


def shown_source(rule: Rule) -> str:
    """The rule's file as a user would type it: relative when under the current directory."""
    return _shown_file(rule.source, rule.origin == BUILTIN)


def _replaced(rule: Rule) -> str:
    """The file of the rule this one replaced, shown the same way."""
    return _shown_file(rule.replaces, os.path.dirname(rule.replaces) == str(builtin_rules_dir()))


def _shown_file(path: str, builtin: bool) -> str:
    if builtin:
        return f"<built-in>/{os.path.basename(path)}"
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else path


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """The rule as JSON-ready data, with where it came from."""
    return {
        "id": rule.id,
        "name": rule.name,
        "dimension": rule.dimension,
        "priority": rule.priority,
        "description": rule.description,
        "hint": rule.hint,
        "keywords": list(rule.keywords),
        "exceptions": list(rule.exceptions),
        "patterns": [{"regex": p.regex, "frame": p.frame} for p in rule.patterns],
        "context": [{"when": c.when, "near": c.near} for c in rule.context],
        "exclude": list(rule.excludes),
        "examples": {
            "match": [e.text for e in rule.examples_match],
            "no_match": [e.text for e in rule.examples_no_match],
        },
        "source": rule.source,
        "origin": rule.origin,
        "replaces": rule.replaces,
    }


def render_rule_table(catalogue: Catalogue, console: Console) -> None:
    table = Table(box=None, header_style="bold", pad_edge=False)
    for header in ("ID", "NAME", "DIMENSION", "PRIORITY", "PATTERNS", "EXAMPLES", "SOURCE"):
        table.add_column(header, justify="right" if header in ("PRIORITY", "PATTERNS", "EXAMPLES") else "left",
                         no_wrap=header != "NAME")
    for rule in sorted_rules(catalogue):
        examples = len(rule.examples_match) + len(rule.examples_no_match)
        source = shown_source(rule) + (f" (replaces {_replaced(rule)})" if rule.replaces else "")
        table.add_row(rule.id, rule.name, rule.dimension, str(rule.priority), str(len(rule.patterns)),
                      str(examples), source)
    console.print(table)


def sorted_rules(catalogue: Catalogue) -> list[Rule]:
    """Grouped by dimension (in the catalogue's order), then by id."""
    order = {dimension: index for index, dimension in enumerate(catalogue.dimensions)}
    return sorted(catalogue.rules, key=lambda rule: (order[rule.dimension], rule.id))


def render_rule(rule: Rule, console: Console) -> None:
    """The whole rule, readable: header, prose, keywords, highlighted patterns, examples."""
    console.print(Text.assemble((rule.id, "bold"), "  ", rule.name))
    _field(console, "dimension", rule.dimension)
    _field(console, "priority", str(rule.priority))
    _field(console, "source", shown_source(rule) + (f" (replaces {_replaced(rule)})" if rule.replaces else ""))
    _field(console, "description", rule.description)
    _field(console, "hint", rule.hint)
    _field(console, "keywords", ", ".join(rule.keywords) or None)
    _field(console, "exceptions", ", ".join(rule.exceptions) or None)
    _list(console, "patterns", [_pattern_line(p.regex, p.frame) for p in rule.patterns])
    _list(console, "context", [Text.assemble("when ", highlight_regex(c.when), "  near ", highlight_regex(c.near))
                               for c in rule.context])
    _list(console, "exclude", [highlight_regex(p) for p in rule.excludes])
    _list(console, "match examples", [_example(e.text) for e in rule.examples_match])
    _list(console, "no_match examples", [_example(e.text) for e in rule.examples_no_match])


def _pattern_line(pattern: str, frame: Optional[str]) -> Text:
    text = highlight_regex(pattern)
    if frame:
        text.append(f"   (only when raised in {frame} code)", style="dim")
    return text


def _example(text: str) -> Text:
    lines = text.rstrip("\n").splitlines()
    return Text("\n".join(lines[:1] + ["  " + line for line in lines[1:]]))


def _field(console: Console, name: str, value: Optional[str]) -> None:
    if value:
        console.print(Text.assemble((f"{name}: ", "bold"), value))


def _list(console: Console, name: str, items: list[Text]) -> None:
    if not items:
        return
    console.print(Text(f"{name}:", style="bold"))
    for item in items:
        console.print(Text.assemble("  - ", item))
