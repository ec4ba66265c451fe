"""--exclude and --include: leave jobs and files out of what discover found, by glob.

The globs follow ripgrep's ``--glob`` and ruff's ``exclude`` (gitignore's syntax):

- A glob is matched against paths relative to the path given on the command line (for a URL, the
  part after the URL given). A glob without a slash matches a name at any depth (``*.pt``,
  ``core.*``, ``checkpoints``); one with a slash matches from the path given down
  (``job-a/rank1/*``, ``/core``: a leading slash only anchors). ``*`` and ``?`` stay within one
  name, ``**`` spans directories (``**/rank*/*.err``), ``[abc]``/``[!abc]`` are sets; a trailing
  slash matches directories only.
- A glob that matches a directory matches everything in it.
- Every file of every job is judged: it is read when some --include matches it (or no --include
  is given) and no --exclude does. A job keeps the files that are read; a job none of whose files
  is read disappears. A job with no files at all (one that cannot be read) is judged by its name.
- A path given on the command line is never left out itself, as ripgrep and ruff search a file
  named to them: ``triage classify core.1234 --exclude 'core.*'`` still reads it. A job given by
  its own path whose every file is left out becomes an ``error`` record that says so, never nothing.

The filter runs on the Discovery that ``Classifier.find`` returns, so every command and every way
of running (worker processes, Dask) classifies the same jobs with the same files.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, replace
from typing import NamedTuple, Optional

from philly_triage._internal.pipeline.discover import Discovery, PathReading
from philly_triage.models import Job

EVERY_FILE_LEFT_OUT = "every file of it is left out by --exclude/--include"


class Selection(NamedTuple):
    """The --include and --exclude globs of a run; empty, it selects everything."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude)

    def wants(self, relative: str, is_dir: bool = False) -> bool:
        """Whether the path ``relative`` (to the path given; '' is that path itself) is read."""
        if not relative:
            return True
        names = relative.split("/")
        if self.include and not _globs(self.include).match(names, is_dir):
            return False
        return not (self.exclude and _globs(self.exclude).match(names, is_dir))


@dataclass(frozen=True)
class Selected(Discovery):
    """A Discovery after --exclude/--include, with how much they left out."""

    jobs_left_out: int = 0
    files_left_out: int = 0

    def describe(self) -> str:
        """'--exclude/--include left out 2 jobs and 3 files', or '' when they left nothing out."""
        parts = [_plural(count, noun) for count, noun in ((self.jobs_left_out, "job"), (self.files_left_out, "file"))
                 if count]
        return "--exclude/--include left out " + " and ".join(parts) if parts else ""


def select(discovery: Discovery, selection: Selection) -> Discovery:
    """The jobs of ``discovery`` that ``selection`` keeps, each with its files that it keeps."""
    if not selection:
        return discovery
    pick = Picker(selection)
    jobs: list[Job] = []
    readings: list[PathReading] = []
    remaining = iter(discovery.jobs)
    for reading in discovery.readings:
        kept = [chosen for chosen in (pick(next(remaining), reading.path) for _ in range(reading.jobs)) if chosen]
        jobs += kept
        readings.append(reading._replace(jobs=len(kept)))
    return Selected(tuple(jobs), tuple(readings), pick.jobs_left_out, pick.files_left_out)


class Picker:
    """``select_job`` for one job at a time (a JobStream's ``keep``), counting what it leaves out."""

    def __init__(self, selection: Selection) -> None:
        self.selection = selection
        self.jobs_left_out = self.files_left_out = 0

    def __call__(self, job: Job, root: str) -> Optional[Job]:
        chosen = select_job(job, root, self.selection)
        if chosen is None:
            self.jobs_left_out += 1
        else:
            self.files_left_out += len(job.files) - len(chosen.files)
        return chosen

    def describe(self) -> str:
        """What it left out, as Selected.describe says it."""
        return Selected((), (), self.jobs_left_out, self.files_left_out).describe()


def select_job(job: Job, root: str, selection: Selection) -> Optional[Job]:
    """``job`` with the files ``selection`` keeps, or None when it keeps none (or not the job)."""
    if not job.files:
        return job if selection.wants(relative_to(job.name, root)) else None
    files = tuple(f for f in job.files if selection.wants(relative_to(f, root)))
    if len(files) == len(job.files):
        return job
    if files:
        return replace(job, files=files)
    if relative_to(job.name, root) == "":
        return replace(job, files=(), problem=EVERY_FILE_LEFT_OUT)  # named on the command line: say so
    return None


def relative_to(path: str, root: str) -> str:
    """``path`` relative to the path given, ``root`` ('' for the root itself), with forward slashes.

    A path not under ``root`` (which discover never gives) is judged by its name alone."""
    if os.sep != "/":  # Windows: discover joins with backslashes; globs use forward slashes
        path, root = path.replace(os.sep, "/"), root.replace(os.sep, "/")
    if path == root or path.rstrip("/") == root.rstrip("/"):
        return ""
    prefix = root.rstrip("/") + "/"
    if path.startswith(prefix):
        return path[len(prefix):].strip("/")
    return path.rstrip("/").rsplit("/", 1)[-1]


class _Globs:
    """Some globs, compiled into four expressions: names or paths from the path given, each for
    anything or for directories only (a trailing slash). Does one match a path or an ancestor?"""

    def __init__(self, globs: tuple[str, ...]) -> None:
        kinds: dict[tuple[bool, bool], list[str]] = {}
        for glob in globs:
            dirs_only = glob.endswith("/") and glob.strip("/") != ""
            text = glob.rstrip("/") if dirs_only else glob
            if text.startswith("./"):
                text = text[2:]
            anchored = "/" in text
            kinds.setdefault((anchored, dirs_only), []).append(translate(text.lstrip("/")))
        compiled = {kind: re.compile("|".join(f"(?:{p})" for p in patterns), re.DOTALL)
                    for kind, patterns in kinds.items()}
        self.name, self.name_dir = compiled.get((False, False)), compiled.get((False, True))
        self.path, self.path_dir = compiled.get((True, False)), compiled.get((True, True))

    def match(self, names: list[str], is_dir: bool) -> bool:
        """Whether a glob matches the path of ``names`` or one of its directories."""
        last = len(names) - 1
        path = ""
        for index, name in enumerate(names):
            directory = is_dir or index < last
            if self.name is not None and self.name.fullmatch(name):
                return True
            if directory and self.name_dir is not None and self.name_dir.fullmatch(name):
                return True
            if self.path is not None or self.path_dir is not None:
                path = f"{path}/{name}" if index else name
                if self.path is not None and self.path.fullmatch(path):
                    return True
                if directory and self.path_dir is not None and self.path_dir.fullmatch(path):
                    return True
        return False


@functools.lru_cache(maxsize=64)
def _globs(globs: tuple[str, ...]) -> _Globs:
    return _Globs(globs)


def translate(glob: str) -> str:
    """A glob as a regular expression: ``*`` and ``?`` within a name, ``**`` across names."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        char = glob[i]
        if glob.startswith("**", i):
            i += 2
            if i < n and glob[i] == "/":
                out.append("(?:.*/)?")  # **/ : no directory, or any number of them
                i += 1
            else:
                out.append(".*")
            continue
        i += 1
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = _set_end(glob, i)
            if end < 0:
                out.append(re.escape(char))
                continue
            body = glob[i:end]
            negate = body[:1] in ("!", "^")
            body = body[1:] if negate else body
            out.append("[" + ("^/" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = end + 1
        elif char == "\\" and i < n:
            out.append(re.escape(glob[i]))
            i += 1
        else:
            out.append(re.escape(char))
    return "".join(out)


def _set_end(glob: str, start: int) -> int:
    """The index of the ']' that closes a set opened just before ``start``, or -1."""
    i = start
    if i < len(glob) and glob[i] in "!^":
        i += 1
    if i < len(glob) and glob[i] == "]":
        i += 1  # a ']' first in a set is the character itself
    end = glob.find("]", i)
    return end


def check_glob(glob: str) -> Optional[str]:
    """Why ``glob`` cannot be used, or None."""
    if not glob.strip():
        return "an empty glob matches nothing"
    try:
        re.compile(translate(glob))
    except re.error as err:
        return str(err)
    return None


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
