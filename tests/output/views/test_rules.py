"""How rules read (output/views/rules.py): regex highlighting, the catalogue's order, where a rule
comes from, and a rule as data. `rules list` and `rules show` themselves: tests/cli/test_rules.py."""

from __future__ import annotations

import os

from philly_triage._internal.catalogue.load import BUILTIN, Catalogue, builtin_rules_dir
from philly_triage._internal.output.views.rules import highlight_regex, rule_to_dict, shown_source, sorted_rules
from philly_triage.models import ContextPattern, Example, Pattern, Rule


def spans(pattern: str) -> list[tuple[str, str]]:
    text = highlight_regex(pattern)
    return [(text.plain[span.start:span.end], str(span.style)) for span in text.spans]


def test_a_pattern_is_coloured_by_its_syntax_and_its_text_stays_plain():
    text = highlight_regex(r"(?:CUDA|HIP) out of mem\w+ [0-9]{2,}$")
    assert text.plain == r"(?:CUDA|HIP) out of mem\w+ [0-9]{2,}$"
    assert spans(r"(?:CUDA|HIP) out of mem\w+ [0-9]{2,}$") == [
        ("(?:", "bold blue"), ("|", "bold red"), (")", "bold blue"), (r"\w", "cyan"), ("+", "yellow"),
        ("[0-9]", "magenta"), ("{2,}", "yellow"), ("$", "magenta"),
    ]


def rule(rule_id, dimension, **more):
    return Rule(id=rule_id, name=rule_id, dimension=dimension, description="d", hint="h", **more)


def test_rules_are_sorted_by_the_catalogues_dimensions_then_id():
    catalogue = Catalogue(rules=(rule("zz", "mine"), rule("b", "data"), rule("a", "mine"), rule("c", "deep_learning")))
    assert catalogue.dimensions == ("deep_learning", "data", "mine")
    assert [r.id for r in sorted_rules(catalogue)] == ["c", "b", "a", "zz"]


def test_where_a_rule_comes_from_is_shown_as_a_user_would_type_it(tmp_path, monkeypatch):
    builtin = rule("a", "d", source=str(builtin_rules_dir() / "a.yaml"), origin=BUILTIN)
    assert shown_source(builtin) == "<built-in>/a.yaml"
    monkeypatch.chdir(tmp_path)
    here = rule("b", "d", source=str(tmp_path / ".triage" / "rules" / "b.yaml"), origin="project")
    assert shown_source(here) == os.path.join(".triage", "rules", "b.yaml")
    elsewhere = rule("c", "d", source="/opt/rules/c.yaml", origin="--rules")
    assert shown_source(elsewhere) == "/opt/rules/c.yaml"


def test_a_rule_as_data_holds_every_field():
    full = rule("gpu", "deep_learning", priority=80, keywords=("memory",), exceptions=("OutOfMemoryError",),
                patterns=(Pattern("out of memory", "framework"),), context=(ContextPattern("assert", "Assertion"),),
                excludes=("CPU",), examples_match=(Example("CUDA out of memory"),), examples_no_match=(Example("fine"),),
                source="r/gpu.yaml", origin="--rules", replaces="/b/gpu.yaml")
    assert rule_to_dict(full) == {
        "id": "gpu", "name": "gpu", "dimension": "deep_learning", "priority": 80, "description": "d", "hint": "h",
        "keywords": ["memory"], "exceptions": ["OutOfMemoryError"],
        "patterns": [{"regex": "out of memory", "frame": "framework"}], "context": [{"when": "assert", "near": "Assertion"}],
        "exclude": ["CPU"], "examples": {"match": ["CUDA out of memory"], "no_match": ["fine"]},
        "source": "r/gpu.yaml", "origin": "--rules", "replaces": "/b/gpu.yaml",
    }
