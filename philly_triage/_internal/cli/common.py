"""What every command shares: the catalogue options, exit statuses, colour and error reporting."""

from __future__ import annotations

import functools
import os
import sys
from contextlib import closing
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, NoReturn, Sequence, TextIO

import click

from philly_triage._internal.cli import interrupts
from philly_triage._internal.catalogue.load import Catalogue, CatalogueError, Problem, load_catalogue
from philly_triage._internal.catalogue.sources import ENV_VAR, resolve_sources

if TYPE_CHECKING:
    from rich.console import Console

    from philly_triage._internal.pipeline.discover import PathReading, Reading

    from philly_triage._internal.catalogue.expectations import Expectations
    from philly_triage._internal.pipeline.engine import Classifier
    from philly_triage.models import FailureRecord

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2
EXIT_TOOL_ERRORS = 3  # classify completed, nothing matched --fail-on, but some jobs could not be classified
SELECTION = "triage.selection"  # the click context's meta key for --exclude/--include (reading_options)
# A character the output cannot encode is written as its escape, e.g. \udcff for the byte 0xff of an
# undecodable file name: in JSON that is the string's own escape, read back as the same character.
UNENCODABLE = "backslashreplace"
PLAIN_WIDTH = 100_000  # piped output is read in files and CI logs: tables never squeeze or wrap there
# soft_wrap: lines such as "file:line: error: ..." stay whole, for editors and CI to parse


STUDY_ONLY = "triage.study_only"  # ctx.meta key: --study-only was given


def catalogue_options(command: Callable) -> Callable:
    """Add --rules, --no-builtin-rules and --study-only to a command (open_catalogue applies the last)."""
    command = click.option(
        "--study-only", is_flag=True, expose_value=False,
        callback=lambda ctx, _param, value: ctx.meta.__setitem__(STUDY_ONLY, value),
        help="Use only the categories of the ICSE 2020 study: leave out the rules marked study: false (the "
        "built-in infrastructure dimension), so that their failures are unclassified, as in the study.",
    )(command)
    command = click.option(
        "--no-builtin-rules/--builtin-rules", "no_builtin_rules", default=False,
        help="Leave out the built-in catalogue: use only --rules, TRIAGE_RULES, .triage/rules/ and the "
        "configuration's rules (--builtin-rules: use it, whatever the configuration says).",
    )(command)
    return click.option(
        "--rules", "rule_paths", multiple=True, metavar="PATH", type=click.Path(path_type=Path),
        help=f"Also use the rule files of this directory (or this file); a rule with the id of an earlier "
        f"one replaces it. Repeatable. {ENV_VAR} (a path list) and the nearest .triage/rules/ are read too.",
    )(command)


def gpus_option(command: Callable) -> Callable:
    """Add --gpus: the GPU count of jobs whose metadata file does not give one (for gpu_hours)."""
    return click.option(
        "--gpus", type=click.IntRange(min=1), default=None, metavar="N",
        help="Jobs ran on N GPUs unless their metadata file (job.meta.yaml) says otherwise: with the run "
        "time from the metadata or the logs' timestamps, records get gpu_hours.",
    )(command)


def jobs_option(command: Callable) -> Callable:
    """Add --jobs/-j: how many worker processes classify (the command gets ``processes``)."""
    return click.option(
        "--jobs", "-j", "processes", type=click.IntRange(min=1), default=None, metavar="N",
        help="Classify in N worker processes (default: one per core). 1 classifies in triage's own process. "
        "The output keeps the order of the jobs either way.",
    )(command)


def reading_options(command: Callable) -> Callable:
    """Add --job and --jobs-in, which force how the directories given are read, and --exclude and
    --include (globs, pipeline/select.py); the command gets ``reading`` (a discover.Reading)
    instead, and ``open_classifier`` the globs (through the click context: every command that
    reads paths takes them without passing them on)."""

    @functools.wraps(command)
    def with_reading(*args, one_job: bool, jobs_in: bool, exclude: tuple[str, ...], include: tuple[str, ...],
                     **kwargs):
        from philly_triage._internal.pipeline.discover import Reading
        from philly_triage._internal.pipeline.select import Selection, check_glob

        if one_job and jobs_in:
            raise click.UsageError("--job and --jobs-in contradict each other: give one of them")
        for option, globs in (("--exclude", exclude), ("--include", include)):
            for glob in globs:
                problem = check_glob(glob)
                if problem:
                    raise click.UsageError(f"{option} {glob!r}: {problem}")
        click.get_current_context().meta[SELECTION] = Selection(tuple(include), tuple(exclude))
        reading = Reading.JOB if one_job else Reading.JOBS_IN if jobs_in else Reading.AUTO
        return command(*args, reading=reading, **kwargs)

    with_reading = click.option(
        "--include", "include", multiple=True, metavar="GLOB",
        help="Read only the jobs and log files that match GLOB (relative to the path given; without a "
        "slash, a name at any depth; ** spans directories). Repeatable.",
    )(with_reading)
    with_reading = click.option(
        "--exclude", "exclude", multiple=True, metavar="GLOB",
        help="Leave out the jobs and log files that match GLOB, e.g. '*.pt', 'core*', 'runs/old/**'. "
        "A job left with no file is left out. Repeatable; wins over --include.",
    )(with_reading)
    with_reading = click.option(
        "--jobs-in", "jobs_in", is_flag=True,
        help="Read each directory given as a directory of jobs: each file or folder directly in it is one job.",
    )(with_reading)
    return click.option(
        "--job", "one_job", is_flag=True,
        help="Read each directory given as exactly one job: its log files (of numbered retries, the latest).",
    )(with_reading)


def storage_option(command: Callable) -> Callable:
    """Add --storage-option KEY=VALUE (repeatable), given to the object-store back ends (fsspec's
    s3fs, adlfs, gcsfs); a URL among ``paths`` whose back end is not installed ends the run with
    exit status 2, naming the pip extra that brings it."""

    @functools.wraps(command)
    def with_storage(*args, storage_options: Sequence[str], **kwargs):
        from philly_triage._internal.pipeline import storage

        try:
            storage.configure(dict(storage.parse_option(option) for option in storage_options))
        except ValueError as err:
            fail(str(err))
        for path in kwargs.get("paths") or ((kwargs["job"],) if kwargs.get("job") else ()):
            if storage.is_url(str(path)):
                try:
                    storage.check_available(str(path))
                except storage.StorageUnavailable as err:
                    fail(str(err))
        return command(*args, **kwargs)

    return click.option(
        "--storage-option", "storage_options", multiple=True, metavar="KEY=VALUE",
        help="An option for the object store of URL paths (s3://, az://, abfs://, gs://, https://), given to "
        "its fsspec back end, e.g. endpoint_url=http://localhost:9000, anon=true, account_name=NAME. "
        "Repeatable. Credentials come from each store's usual chain (environment, profile, identity).",
    )(with_storage)


def describe_readings(readings: Sequence[PathReading]) -> str:
    """How the paths given were read, in a few words: 'sample_logs/: a directory of 46 jobs'."""
    if len(readings) <= 3:
        return "; ".join(_describe(r) for r in readings)
    from philly_triage._internal.pipeline.discover import FILE, JOB_DIRECTORY, JOBS_DIRECTORY

    kinds = [
        (sum(r.kind == FILE for r in readings), "file", "files"),
        (sum(r.kind == JOB_DIRECTORY for r in readings), "job directory", "job directories"),
        (sum(r.kind == JOBS_DIRECTORY for r in readings), "directory of jobs", "directories of jobs"),
        (sum(r.kind not in (FILE, JOB_DIRECTORY, JOBS_DIRECTORY) for r in readings), "path not read", "paths not read"),
    ]
    parts = [f"{count} {one if count == 1 else many}" for count, one, many in kinds if count]
    return f"{len(readings)} paths: " + ", ".join(parts)


def _describe(reading: PathReading) -> str:
    from philly_triage._internal.pipeline.discover import FILE, JOB_DIRECTORY, JOBS_DIRECTORY

    option = f", by --{reading.forced.value}" if reading.forced is not None else ""
    if reading.kind == FILE:
        return f"{reading.path}: a file, one job"
    if reading.kind == JOB_DIRECTORY:
        return f"{reading.path}: one job{option or ', since ' + reading.why}"
    if reading.kind == JOBS_DIRECTORY:
        folders = reading.folders
        inside = f", {folders} {'folder' if folders == 1 else 'folders'} of jobs in it" if folders else ""
        return f"{reading.path}: a directory of {reading.jobs} {'job' if reading.jobs == 1 else 'jobs'}{inside}{option}"
    return f"{reading.path}: {reading.why}"


def color_option(command: Callable) -> Callable:
    return click.option(
        "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
        help="Colour the output: on a terminal (auto), always, or never. NO_COLOR turns auto off.",
    )(command)


def open_catalogue(rule_paths: Sequence[Path], no_builtin_rules: bool, extra: Sequence[Path] = ()) -> Catalogue:
    """The merged catalogue for this run; a broken one ends the run with exit status 2."""
    from philly_triage._internal.cli.config import config_rules

    sources = resolve_sources(list(rule_paths) + list(extra), use_builtin=not no_builtin_rules,
                              config_paths=config_rules())
    context = click.get_current_context(silent=True)
    try:
        catalogue = load_catalogue(sources)
        return catalogue.study_only() if context is not None and context.meta.get(STUDY_ONLY) else catalogue
    except CatalogueError as err:
        report_problems(err.problems)
        sys.exit(EXIT_USAGE)


def open_expectations(path: Path, catalogue: Catalogue) -> Expectations:
    """The expectations file; a broken one ends the run with exit status 2."""
    from philly_triage._internal.catalogue.expectations import ExpectationsError, load_expectations  # eval and rules test only

    try:
        return load_expectations(path, catalogue)
    except ExpectationsError as err:
        report_problems(err.problems)
        sys.exit(EXIT_USAGE)


def fail(message: str) -> NoReturn:
    """End the run with a one-line error on stderr and exit status 2."""
    click.echo(f"triage: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def open_classifier(rule_paths: Sequence[Path], no_builtin_rules: bool, extra: Sequence[Path] = (),
                    full: bool = False, gpus: int | None = None, reading: Reading | None = None) -> Classifier:
    """The run's engine: the merged catalogue (a broken one ends the run with exit status 2) and
    the options that say how jobs are read."""
    from philly_triage._internal.pipeline.discover import Reading
    from philly_triage._internal.pipeline.engine import Classifier, Options

    from philly_triage._internal.pipeline.storage import configured

    catalogue = open_catalogue(rule_paths, no_builtin_rules, extra)
    storage = tuple(sorted(configured().items(), key=lambda item: item[0]))  # --storage-option, for the workers
    context = click.get_current_context(silent=True)
    selection = context.meta.get(SELECTION) if context is not None else None  # --exclude/--include
    globs = {"include": selection.include, "exclude": selection.exclude} if selection else {}
    return Classifier(catalogue, Options(full, gpus, reading or Reading.AUTO, storage=storage, **globs))


def classify_all(classifier: Classifier, paths: Sequence[str], processes: int | None,
                 dask: str | None = None, keep: Callable[[FailureRecord], Any] = lambda record: record) -> list:
    """Every job's record, as ``classify`` makes them, in worker processes (on the Dask cluster
    ``dask`` names, with --dask), or what ``keep`` keeps of each; exit 2 if they cannot start."""
    from philly_triage._internal.cli.scale import dask_runner
    from philly_triage._internal.pipeline.parallel import WorkerError, available_cores

    try:
        with dask_runner(dask, processes) as runner:
            # Locally, jobs are classified as they are found (Classifier.stream): no list of them is held.
            jobs = classifier.stream(paths) if runner is None else classifier.find(paths).jobs
            with closing(classifier.outcomes(jobs, processes or available_cores(), runner=runner)) as outcomes:
                records = [keep(outcome.record) for outcome in outcomes]
            interrupts.check()  # a stop signal lost on the way (see interrupts.Interrupts.check)
            return records
    except WorkerError as err:
        fail(f"{err}; run with --jobs 1 to classify without worker processes")


def open_output(path: str, binary: bool = False, what: str | None = None) -> IO:
    """An output file, opened before any job is classified: one that cannot be written ends the run
    at once with exit status 2 ("cannot write WHAT: why"). ``-`` is stdout. Text files are UTF-8,
    with a character they cannot encode written as its escape."""
    if path == "-":
        return sys.stdout.buffer if binary else sys.stdout
    try:
        if binary:
            return open(path, "wb")
        return open(path, "w", encoding="utf-8", errors=UNENCODABLE, newline="")
    except OSError as err:
        fail(f"cannot write {what or path}: {err.strerror or err}")


def readable_text(stream: TextIO, utf8: bool) -> None:
    """Make stdout write every record: UTF-8 for the machine formats (JSON, SARIF, XML and the rest
    are UTF-8 whatever the console's code page), and no character that cannot be encoded (a file
    name's undecodable byte, kept by Python as a lone surrogate) raising an error."""
    if hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8" if utf8 else None, errors=UNENCODABLE)


def report_problems(problems: Sequence[Problem], stream: TextIO | None = None) -> None:
    for problem in problems:
        click.echo(f"triage: {problem.severity}: {problem}", file=stream or sys.stderr)


def use_color(choice: str, stream: TextIO) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def make_console(stream: TextIO, color: bool) -> Console:
    """A rich console that writes plain text unless colour is on."""
    from rich.console import Console  # here, not at the top: classify's JSON and CSV never need rich

    is_terminal = bool(getattr(stream, "isatty", lambda: False)())
    import shutil  # (as rich)

    width = shutil.get_terminal_size((PLAIN_WIDTH, 24)).columns if is_terminal else PLAIN_WIDTH
    return Console(
        file=stream, force_terminal=color, no_color=not color, color_system="auto" if color else None,
        highlight=False, width=width, soft_wrap=True,
    )
