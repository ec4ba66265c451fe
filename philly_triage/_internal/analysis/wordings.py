"""Known wordings of one failure, rewritten to one before clustering (data/wordings.yaml).

A segfault is printed as ``Segmentation fault (core dumped)`` by an interactive shell, as
``/bin/bash: line 1: 48213 Segmentation fault      (core dumped) python train.py --lr 0.1`` by
a shell running a script, as ``Fatal Python error: Segmentation fault`` by Python's faulthandler.
Masking cannot make those one template (they differ in words, not in numbers), so clustering
first rewrites each message by the table of equivalent wordings: all three become
``Segmentation fault``. Only clustering uses the table: a record's fingerprint is made from its
message as printed (pipeline/fingerprint.py), so no baseline changes when the table grows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from philly_triage._internal.catalogue.yaml_source import load_yaml_file

WORDINGS_FILE = Path(__file__).resolve().parents[1] / "data" / "wordings.yaml"


@dataclass(frozen=True)
class Equivalence:
    pattern: re.Pattern  # matches a whole message
    replacement: str  # what the message becomes (may name the pattern's groups: \g<signal>)


def load_equivalences(path: Path = WORDINGS_FILE) -> tuple[Equivalence, ...]:
    """The table's entries, in order. The shipped file is checked by tests/analysis/test_wordings.py."""
    data = load_yaml_file(str(path)).data or {}
    return tuple(Equivalence(re.compile(entry["pattern"]), entry["as"]) for entry in data.get("equivalent") or ())


@lru_cache(maxsize=1)
def default_equivalences() -> tuple[Equivalence, ...]:
    return load_equivalences()


def canonical(message: str, table: tuple[Equivalence, ...] | None = None) -> str:
    """``message`` in the one wording the table gives its failure; the message itself when none does."""
    text = message.strip()
    for entry in default_equivalences() if table is None else table:
        found = entry.pattern.fullmatch(text)
        if found:
            text = found.expand(entry.replacement)
    return text
