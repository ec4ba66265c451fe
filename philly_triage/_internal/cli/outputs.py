"""Where ``classify`` writes: stdout in the --format, and each --output file in its own format.

``--output FILE`` writes the --format to FILE while the terminal keeps the table, as the issue
asks for CI ("write SARIF for upload, show me the table"). ``--output FORMAT:FILE`` picks the
file's format itself, so one run can write annotations to stdout, a job summary and a SARIF file.
Without --format or a prefix, the file's extension says its format (``.sarif``, ``.xml`` ...).
``-`` is stdout, as for every command that has --output: ``-o -`` writes the --format there,
``-o sarif:-`` SARIF, and stdout then shows that alone (no table), so it can be piped.
"""

from __future__ import annotations

import os
from typing import NamedTuple, Optional

from philly_triage._internal.output.formats import OutputFormat

EXTENSIONS = {
    ".json": OutputFormat.JSON,
    ".jsonl": OutputFormat.JSONL,
    ".ndjson": OutputFormat.JSONL,
    ".csv": OutputFormat.CSV,
    ".sarif": OutputFormat.SARIF,
    ".xml": OutputFormat.JUNIT,
    ".md": OutputFormat.MARKDOWN,
    ".markdown": OutputFormat.MARKDOWN,
    ".txt": OutputFormat.TABLE,
}


STDOUT = "-"


class OutputError(ValueError):
    """An --output value that names no format, or a file that cannot be written."""


class Target(NamedTuple):
    kind: OutputFormat
    path: Optional[str]  # None: stdout


def plan_targets(fmt: OutputFormat, fmt_given: bool, outputs: tuple[str, ...], quiet: bool) -> list[Target]:
    """The outputs of a run, stdout first (when it shows anything).

    stdout shows the --format when no --output took it to a file: with no --output at all, or
    with --format and only FORMAT:FILE outputs. Otherwise stdout shows the table for the person
    watching, or nothing under --quiet. An --output of ``-`` (``FORMAT:-``) is stdout: it shows
    that format alone.
    """
    files = [_file_target(value, fmt, fmt_given) for value in outputs]
    paths = [os.path.abspath(t.path) for t in files if t.path is not None]
    for path in paths:
        if paths.count(path) > 1:
            raise OutputError(f"--output names {path} more than once")
    to_stdout = [t for t in files if t.path is None]
    if len(to_stdout) > 1:
        raise OutputError("--output names stdout (-) more than once")
    if to_stdout:
        return to_stdout + [t for t in files if t.path is not None]
    plain = any(_prefix_format(value) is None for value in outputs)
    if outputs and (plain or not fmt_given):
        return files if quiet else [Target(OutputFormat.TABLE, None)] + files
    return [Target(fmt, None)] + files


def _file_target(value: str, fmt: OutputFormat, fmt_given: bool) -> Target:
    if value == STDOUT:
        return Target(fmt, None)
    prefixed = _prefix_format(value)
    if prefixed is not None:
        kind, path = prefixed
        return Target(kind, None if path == STDOUT else path)
    if fmt_given:
        return Target(fmt, value)
    kind = _format_of(value)
    if kind is None:
        known = ", ".join(sorted(EXTENSIONS))
        raise OutputError(
            f"cannot tell the format of --output {value!r} from its extension ({known}); "
            "give --format or write FORMAT:FILE, e.g. sarif:triage.sarif"
        )
    return Target(kind, value)


def _prefix_format(value: str) -> Optional[tuple[OutputFormat, str]]:
    """``sarif:out.sarif`` -> (SARIF, 'out.sarif'); None when the part before ':' is not a format."""
    name, colon, path = value.partition(":")
    if colon and path and name in {f.value for f in OutputFormat}:
        return OutputFormat(name), path
    return None


def _format_of(path: str) -> Optional[OutputFormat]:
    lower = path.lower()
    if lower.endswith(".sarif.json"):
        return OutputFormat.SARIF
    return EXTENSIONS.get(os.path.splitext(lower)[1])
