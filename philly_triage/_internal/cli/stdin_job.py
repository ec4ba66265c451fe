"""``-`` among classify's paths: one job read from standard input (``kubectl logs pod | triage classify -``).

Standard input is read in triage's own process, where ``-`` stands among the paths, into a
TailKeeper (pipeline/tail.py): memory stays bounded however long the pipe. At its end the kept
bytes are a temporary file, a job like any other (classified in a worker process with the rest
under --jobs), whose record is then given the stream's line numbers and the name --name gives it.
"""

from __future__ import annotations

import os
import sys
from typing import Optional, Sequence

import click

from philly_triage._internal.cli.common import fail
from philly_triage._internal.pipeline.discover import Discovery, PathReading
from philly_triage._internal.pipeline.engine import Classifier
from philly_triage._internal.pipeline.tail import READ_BYTES, KeptLog, TailKeeper
from philly_triage.models import FailureRecord

STDIN = "-"
# Python's own name for code read from standard input ("File "<stdin>""): no file has it, and it
# says what it is in every format (a "-" would read as an empty cell in CSV or a table).
DEFAULT_NAME = "<stdin>"
STDIN_KIND = "stdin"


class StdinJob:
    """The job standard input holds, once read, and the name its record takes."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.log: Optional[KeptLog] = None

    @classmethod
    def given(cls, paths: Sequence[str], name: Optional[str]) -> Optional["StdinJob"]:
        """The stdin job if ``-`` is among ``paths``; a usage error for two, or --name without one."""
        count = list(paths).count(STDIN)
        if count > 1:
            raise click.UsageError("'-' (standard input) is given twice: it holds one job")
        if count == 0:
            if name is not None:
                raise click.UsageError("--name names the job read from standard input: give '-' among the paths")
            return None
        return cls(name if name is not None else DEFAULT_NAME)

    def find(self, classifier: Classifier, paths: Sequence[str]) -> Discovery:
        """The jobs under ``paths`` in order, standard input read where ``-`` stands."""
        at = list(paths).index(STDIN)
        before, after = classifier.find(paths[:at]), classifier.find(paths[at + 1:])
        self.log = KeptLog(read_stdin())
        reading = PathReading(STDIN, STDIN_KIND, 1, f"standard input, one job named {self.name}")
        return Discovery(before.jobs + (self.log.job,) + after.jobs,
                         before.readings + (reading,) + after.readings)

    def restore(self, record: FailureRecord) -> FailureRecord:
        """A record as the run shows it: the stdin job's with the stream's name and line numbers."""
        if self.log is not None and record.job == self.log.path:
            return self.log.restore(record, self.name)
        return record

    def close(self) -> None:
        if self.log is not None:
            self.log.close()


def read_stdin(keeper: Optional[TailKeeper] = None) -> TailKeeper:
    """Standard input to its end, kept as a TailKeeper keeps it (nothing, when there is none)."""
    keeper = keeper or TailKeeper()
    stream = getattr(sys.stdin, "buffer", sys.stdin)
    try:
        fd = stream.fileno()
        read = lambda: os.read(fd, READ_BYTES)  # noqa: E731 - a pipe's bytes as they come
    except (AttributeError, ValueError, OSError):
        if stream is None or not hasattr(stream, "read"):
            return keeper
        read = lambda: stream.read(READ_BYTES)  # noqa: E731 - a stdin that is no file (an embedding program's)
    while True:
        try:
            data = read()
        except OSError as err:
            fail(f"cannot read standard input: {err.strerror or err}")
        if not data:
            return keeper
        keeper.feed(data)
