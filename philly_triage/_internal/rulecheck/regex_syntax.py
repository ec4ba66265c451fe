"""Read the structure of a rule's regular expression, for the checks that reason about it.

Python's own parser (behind ``re``) reads the syntax the rules use; patterns that only the
``regex`` module understands parse to None here, and each check then stays silent.
"""

from __future__ import annotations

import re
from typing import Optional

try:  # Python 3.11+: the parser (which also exports the opcode constants) moved
    from re import _parser as sre  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.9 and 3.10
    import sre_parse as sre  # type: ignore[no-redef]

__all__ = ["MAX_EXPANDED_SIZE", "expanded_size", "parse", "sre"]

# Counted repeats are unrolled when the regex module compiles a pattern: (?:(?:a{99}){99}){99}
# would take gigabytes. Far above any real rule (the built-in maximum is in the hundreds).
MAX_EXPANDED_SIZE = 100_000
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT} | ({sre.POSSESSIVE_REPEAT} if hasattr(sre, "POSSESSIVE_REPEAT") else set())


def parse(pattern: str, flags: int = re.IGNORECASE) -> Optional[list]:
    """The pattern's parse tree as a list of (opcode, argument), or None if Python cannot read it."""
    try:
        return list(sre.parse(pattern, flags))
    except (re.error, RecursionError, OverflowError, ValueError, TypeError):
        return None


def expanded_size(items: list) -> int:
    """About how many elements the pattern has once its counted repeats are unrolled."""
    size = 0
    for op, arg in items:
        if op in _REPEATS:
            low, high, body = arg
            count = high if high != sre.MAXREPEAT else max(low, 1)
            size += max(count, 1) * expanded_size(list(body))
        elif op == sre.SUBPATTERN:
            size += expanded_size(list(arg[-1]))
        elif op == sre.BRANCH:
            size += sum(expanded_size(list(alternative)) for alternative in arg[1])
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            size += expanded_size(list(arg[1]))
        elif getattr(sre, "ATOMIC_GROUP", None) is not None and op == sre.ATOMIC_GROUP:
            size += expanded_size(list(arg))
        else:
            size += 1
        if size > MAX_EXPANDED_SIZE:  # stop early: the caller only asks whether it is too big
            return size
    return size
