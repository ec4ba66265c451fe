"""``triage run -- CMD ARGS...``: run a job's command, pass its output through, and say why it failed.

The command's stdout and stderr reach triage's own, byte for byte and as they come (pipe.py copies
them in chunks); a bounded tail of both, in the order they came, is kept (pipeline/tail.py).
SIGINT, SIGTERM and SIGHUP are passed on to the command. When it exits non-zero, the kept output
and its exit status (as the job's metadata file, the way a platform reports one) go through the
engine: the record is one line on stderr and, with --record, a JSON file; triage exits with the
command's own status, or with --retry-exit-code N when retrying cannot help (retry: never).
"""

from __future__ import annotations

import datetime as dt
import shlex
import sys
from typing import IO

import click

from philly_triage._internal.cli.common import catalogue_options, gpus_option, open_classifier, open_output
from philly_triage._internal.cli.pipe import CannotStart, run_command
from philly_triage._internal.output.formats.json_format import to_json
from philly_triage._internal.pipeline.tail import Ending, TailKeeper, classify_kept
from philly_triage.models import FailureRecord, Status

CANNOT_EXECUTE, NOT_FOUND = 126, 127  # as a shell exits for a command it cannot run


@click.command(context_settings={"allow_interspersed_args": False})
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED, metavar="-- CMD [ARGS]...")
@click.option(
    "--record", "record_path", type=click.Path(path_type=str, dir_okay=False), default=None, metavar="FILE",
    help="Write the record to FILE as JSON (one object, as a line of --format jsonl): the failure's when the "
    "command fails, a no_failure record when it exits 0. FILE is emptied before the command starts.",
)
@click.option(
    "--retry-exit-code", type=click.IntRange(0, 255), default=None, metavar="N",
    help="Exit N instead of the command's status when its failure is one a retry would hit again "
    "(retry: never), so that a platform's retry loop can stop.",
)
@click.option("--name", default=None, metavar="NAME", help="The job name in the record (default: the command line).")
@gpus_option
@catalogue_options
def run_command_line(command, record_path, retry_exit_code, name, gpus, rule_paths, no_builtin_rules) -> None:
    """Run CMD, pass its output through unchanged, and classify its failure when it exits non-zero.

    \b
      triage run --record failure.json --retry-exit-code 3 -- python train.py --epochs 90

    The record goes to stderr as one line ("triage: gpu_out_of_memory (training) at line 212:
    RuntimeError: CUDA out of memory... (retry: maybe)") and, with --record, to FILE as JSON. Only the first 256 KiB and last 16 MiB of the output are
    kept, whatever its length: what the engine reads of a log.

    \b
    Exit status:
      the command's own (128 + N when signal N ended it), or
      N    with --retry-exit-code N, when the record's retry advice is "never"
      2    bad usage, a broken rule catalogue, or a --record FILE that cannot be written
      126  the command cannot be executed, 127 it is not found (as a shell says)
    """
    name = name if name is not None else shlex.join(command)
    # The catalogue is loaded and the record file opened before the command starts: a mistake in
    # either is found at once (exit 2), not after hours of training.
    classifier = open_classifier(rule_paths, no_builtin_rules, gpus=gpus)
    record_file = open_output(record_path, what=f"the record file {record_path}") if record_path else None
    keeper = TailKeeper()
    start = dt.datetime.now(dt.timezone.utc)
    try:
        status = run_command(list(command), keeper)
    except CannotStart as err:
        message = f"cannot run {shlex.join(command)}: {err.reason}"
        click.echo(f"triage: error: {message}", err=True)
        if record_file is not None:
            write_record(record_file, FailureRecord(job=name, status=Status.ERROR, reason=message))
        sys.exit(NOT_FOUND if err.not_found else CANNOT_EXECUTE)
    end = dt.datetime.now(dt.timezone.utc)
    if status == 0:
        if record_file is not None:
            write_record(record_file, FailureRecord(job=name, status=Status.NO_FAILURE, exit_code=0,
                                                    exit_source=f"{name} (exit status)"))
        sys.exit(0)
    record = classify_kept(classifier, keeper, name, Ending(status, start, end))
    sys.stderr.flush()
    click.echo(describe(record), err=True)
    if record_file is not None:
        write_record(record_file, record)
    sys.exit(retry_exit_code if retry_exit_code is not None and record.retry == "never" else status)


def write_record(stream: IO[str], record: FailureRecord) -> None:
    try:
        with stream:
            stream.write(to_json(record.to_dict()) + "\n")
    except OSError as err:
        click.echo(f"triage: warning: cannot write the record file: {err.strerror or err}", err=True)


def describe(record: FailureRecord) -> str:
    """The record as one line: what failed, where, and whether retrying can help."""
    if record.status == Status.ERROR:
        return f"triage: the failure could not be classified: {_one_line(record.reason or '')}"
    what = record.category if record.status == Status.CLASSIFIED else "unclassified failure"
    stage = f" ({record.stage})" if record.stage else ""
    where = f" at line {record.line}" if record.line is not None else ""
    message = _one_line((record.message if record.line is not None else record.reason) or record.message or "")
    return f"triage: {what}{stage}{where}: {message} (retry: {record.retry})"


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


__all__ = ["run_command_line"]
