"""How ``rules test`` reports, pytest-style: a dot per passing case as it runs, then the failures."""

from __future__ import annotations

import time
from typing import Optional

from rich.console import Console
from rich.text import Text

from philly_triage.models import FailureRecord

MAX_EXCERPT_LINES = 12


class CaseReporter:
    """Streams one character per case, grouped by the file the cases come from; failures at the end."""

    def __init__(self, console: Console):
        self.console = console
        self.started = time.perf_counter()
        self.current: Optional[str] = None
        self.passed = 0
        self.failures: list[tuple[str, str, str, Optional[FailureRecord]]] = []  # (where, expected, excerpt, record)

    def add(self, group: str, passed: bool, where: str, expected: str, excerpt: str, record: Optional[FailureRecord]) -> None:
        if group != self.current:
            if self.current is not None:
                self.console.print()
            self.console.print(Text(group + " "), end="")
            self.current = group
        if passed:
            self.passed += 1
            self.console.print(Text(".", style="green"), end="")
        else:
            self.failures.append((where, expected, excerpt, record))
            self.console.print(Text("F", style="bold red"), end="")

    def finish(self) -> None:
        if self.current is not None:
            self.console.print()
        for where, expected, excerpt, record in self.failures:
            self.console.print()
            self.console.print(Text.assemble(("FAILED ", "bold red"), (where, "bold")))
            self.console.print(f"  expected: {expected}")
            if record is None:
                continue
            self.console.print(f"  got:      {_got(record)}")
            if record.line is not None:
                place = f"line {record.line}" if excerpt else f"{record.file}:{record.line}"
                self.console.print(f"  the locator chose {place}: {record.message}")
            for line in _excerpt(excerpt):
                self.console.print(Text(f"  | {line}", style="dim"))
        elapsed = time.perf_counter() - self.started
        failed = len(self.failures)
        style = "bold red" if failed else "bold green"
        summary = f"{failed} failed, {self.passed} passed" if failed else f"{self.passed} passed"
        self.console.print()
        self.console.print(Text(f"{summary} in {elapsed:.2f}s", style=style))


def _got(record: FailureRecord) -> str:
    if record.category:
        return f"{record.category} (rule '{record.rule}' won on {record.evidence!r})"
    if record.reason:
        return f"{record.status.value}: {record.reason}"
    return record.status.value


def _excerpt(text: str) -> list[str]:
    lines = text.rstrip("\n").splitlines()
    if len(lines) > MAX_EXCERPT_LINES:
        lines = lines[: MAX_EXCERPT_LINES - 1] + [f"... ({len(lines) - MAX_EXCERPT_LINES + 1} more lines)"]
    return lines
