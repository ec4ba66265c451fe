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
    """Answers per (kind, text): ``get`` gives MISSING for an answer not kept. The answers of one
    kind are one dictionary (``table``), which a loop over many lines may look up directly."""

    __slots__ = ("_tables", "_count", "_held")

    def __init__(self) -> None:
        self._tables: dict[Hashable, dict[Union[str, bytes], Any]] = {}
        self._count = 0  # answers kept, of every kind
        self._held = 0

    def table(self, kind: Hashable) -> dict[Union[str, bytes], Any]:
        """The answers of ``kind`` (``table.get(text, MISSING)``); add to it with ``put`` only.
        It stays the same dictionary when the memo is cleared."""
        found = self._tables.get(kind)
        if found is None:
            found = self._tables[kind] = {}
        return found

    def get(self, kind: Hashable, text: Union[str, bytes]) -> Any:
        table = self._tables.get(kind)
        return MISSING if table is None else table.get(text, MISSING)

    def put(self, kind: Hashable, text: Union[str, bytes], answer: Any) -> None:
        if len(text) > LONGEST:
            return
        if self._count >= (HELD_ENTRIES if self._held else ENTRIES):
            self._clear()  # cheaper than ordering: the next lines fill it again
        table = self.table(kind)
        before = len(table)
        table[text] = answer
        self._count += len(table) - before

    def _clear(self) -> None:
        for table in self._tables.values():
            table.clear()
        self._count = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        """Keep up to HELD_ENTRIES answers inside the block (the reading of one log), then trim
        back to ENTRIES."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held and self._count > ENTRIES:
                self._clear()

    def __len__(self) -> int:
        return self._count
