"""GitHub Actions annotations: one workflow command per failure, written as each job finishes.

A classified failure is an ``::error``, an unclassified one or a job triage could not read a
``::warning``, a failure that --ignore names a ``::notice``; a job without a failure writes nothing.
Values are escaped as GitHub's @actions/core escapes them, so that no text from a log can end a
command early or start another. GitHub shows at most 10 error, 10 warning and 10 notice
annotations per step, and 50 per job; the lines past that stay in the step's log only. A run that
a signal stopped ends with an ``::error`` that says so.
"""

from __future__ import annotations

from typing import Optional

from philly_triage._internal.output.formats.base import Formatter
from philly_triage.models import FailureRecord, Status


def escape_data(text: str) -> str:
    """A command's message, as @actions/core's escapeData writes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command property's value, as @actions/core's escapeProperty writes it."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, Optional[object]], message: str) -> str:
    """One workflow command line, ``::name key=value,...::message``, leaving out unknown properties."""
    given = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{name}{' ' + given if given else ''}::{escape_data(message)}"


def failure_message(record: FailureRecord) -> str:
    """The failure line, then the job and the rule's hint on the lines after it."""
    lines = [record.message or "", f"Job: {record.job}"]
    if record.hint:
        lines.append(f"Hint: {record.hint}")
    return "\n".join(lines)


def level_and_title(record: FailureRecord) -> tuple[str, str]:
    """The command (error, warning or notice) and the title of a failure's annotation."""
    what = f"{record.category} ({record.dimension})" if record.status is Status.CLASSIFIED else "unclassified failure"
    if record.ignored:
        return "notice", f"ignored: {what}"
    return ("error" if record.status is Status.CLASSIFIED else "warning"), what


def annotation(record: FailureRecord) -> Optional[str]:
    """The command line for one record, or None for a job without a failure."""
    if record.status is Status.NO_FAILURE:
        return None
    if record.status is Status.ERROR:
        return command("warning", {"title": f"triage could not classify {record.job}"}, record.reason or "")
    level, title = level_and_title(record)
    return command(level, {"file": record.file, "line": record.line, "title": title}, failure_message(record))


class GithubFormatter(Formatter):
    """Writes and flushes each failure's annotation as its job finishes; nothing at the end."""

    def add(self, record: FailureRecord) -> None:
        line = annotation(record)
        if line is not None:
            self.stream.write(line + "\n")
            self.stream.flush()

    def finish(self) -> None:
        if self.interruption is not None:
            self.stream.write(command("error", {"title": "triage interrupted"}, self.interruption.describe()) + "\n")
