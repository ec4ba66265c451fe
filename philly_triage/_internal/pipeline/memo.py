"""A bounded cache of what the locator concluded from a line's text alone, kept for a run.

Log lines repeat (warnings, progress, the lines a widened window reads again), so the answers a
line's text decides (its clean form, whether it can be a failure) are kept. Bounded twice: in
entries, and in the length of the texts kept (a long line is rarely printed twice), so a worker
holds at most about ENTRIES x LONGEST bytes of it whatever the logs.
"""

from __future__ import annotations

from typing import Any, Hashable, Union

ENTRIES = 4096
LONGEST = 512  # bytes or characters of the longest text kept
MISSING = object()


class Memo:
    """Answers per (kind, text): ``get`` gives MISSING for an answer not kept."""

    __slots__ = ("_answers",)

    def __init__(self) -> None:
        self._answers: dict[tuple[Hashable, Union[str, bytes]], Any] = {}

    def get(self, kind: Hashable, text: Union[str, bytes]) -> Any:
        return self._answers.get((kind, text), MISSING)

    def put(self, kind: Hashable, text: Union[str, bytes], answer: Any) -> None:
        if len(text) > LONGEST:
            return
        if len(self._answers) >= ENTRIES:
            self._answers.clear()  # cheaper than ordering: the next lines fill it again
        self._answers[kind, text] = answer

    def __len__(self) -> int:
        return len(self._answers)
