"""A bounded cache of what the locator concluded from a line's text alone, kept for a run.

Log lines repeat (warnings, progress, the lines a widened window reads again), so the answers a
line's text decides (its clean form, whether it can be a failure) are kept. Bounded twice: in
entries, and in the length of the texts kept (a long line is rarely printed twice), so a worker
holds at most about ENTRIES x LONGEST bytes of it whatever the logs.

While one log is read from its end, the memo is held (``Memo.held``): a wider window reads again
every line of the narrower one, and a log's last megabyte of other ranks' reports holds more
lines than ENTRIES, so clearing it mid-log would judge them all again. Held, it keeps up to
HELD_ENTRIES, and is trimmed back to ENTRIES when the log is done.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Hashable, Iterator, Union

ENTRIES = 4096
HELD_ENTRIES = 1 << 14  # while one log is read (see Memo.held): about 10 MB at most
LONGEST = 512  # bytes or characters of the longest text kept
MISSING = object()


class Memo:
    """Answers per (kind, text): ``get`` gives MISSING for an answer not kept."""

    __slots__ = ("_answers", "_held")

    def __init__(self) -> None:
        self._answers: dict[tuple[Hashable, Union[str, bytes]], Any] = {}
        self._held = 0

    def get(self, kind: Hashable, text: Union[str, bytes]) -> Any:
        return self._answers.get((kind, text), MISSING)

    def put(self, kind: Hashable, text: Union[str, bytes], answer: Any) -> None:
        if len(text) > LONGEST:
            return
        if len(self._answers) >= (HELD_ENTRIES if self._held else ENTRIES):
            self._answers.clear()  # cheaper than ordering: the next lines fill it again
        self._answers[kind, text] = answer

    @contextmanager
    def held(self) -> Iterator[None]:
        """Keep up to HELD_ENTRIES answers inside the block (the reading of one log), then trim
        back to ENTRIES."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held and len(self._answers) > ENTRIES:
                self._answers.clear()

    def __len__(self) -> int:
        return len(self._answers)
