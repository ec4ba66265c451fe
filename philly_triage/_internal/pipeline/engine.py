"""The engine: built once from a catalogue and the run's options, it turns jobs into records.

Every command, the worker pool and the public API go through a ``Classifier``: it finds the jobs
under paths (discover), classifies one job, a text, or many jobs in worker processes in the order
of the jobs, and gathers the evidence ``explain`` shows. Nothing else builds a matcher or walks jobs.

A Classifier pickles as its catalogue and options alone: a worker started by ``spawn`` builds its
own matcher, one started by ``fork`` shares the parent's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from itertools import chain, islice
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Optional, Sequence, Union

from philly_triage._internal.catalogue.load import Catalogue, load_catalogue
from philly_triage._internal.catalogue.markers import Markers, default_markers
from philly_triage._internal.pipeline import ranged, storage
from philly_triage._internal.pipeline.discover import Discovery, JobStream, Reading, find_jobs
from philly_triage._internal.pipeline.match import Matcher
from philly_triage._internal.pipeline.parallel import EarlyWorkers, Outcome, available_cores, run_in_workers
from philly_triage._internal.pipeline.select import Picker, Selection, select
from philly_triage._internal.pipeline.verdict import classify_job, classify_text
from philly_triage.models import FailureRecord, Job

if TYPE_CHECKING:  # explain's evidence is gathered only by explain: not loaded by every run
    from philly_triage._internal.pipeline.evidence import Evidence

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Options:
    """How jobs are read and costed: every line (``full``) or from the end; the GPU count of a job
    whose metadata file does not give one; how paths are read as jobs."""

    full: bool = False
    gpus: Optional[int] = None
    reading: Reading = Reading.AUTO
    storage: tuple = ()  # (key, value) pairs for the object-store back ends (--storage-option)
    include: tuple[str, ...] = ()  # --include globs: only the jobs and files they match (select.py)
    exclude: tuple[str, ...] = ()  # --exclude globs: jobs and files left out (select.py)


class Classifier:
    """A catalogue's matcher and the locator's markers, built once, with the run's options."""

    def __init__(self, catalogue: Optional[Catalogue] = None, options: Options = Options(),
                 markers: Optional[Markers] = None) -> None:
        self.catalogue = catalogue if catalogue is not None else load_catalogue()
        self.options = options
        self.markers = markers if markers is not None else default_markers()
        self.matcher = Matcher(self.catalogue)
        if options.storage:  # set in every process that has this engine (worker processes too)
            storage.configure(dict(options.storage))
        self._reported: set[tuple[str, str]] = set()  # time-budget overruns already handed out

    def __getstate__(self) -> dict:
        return {"catalogue": self.catalogue, "options": self.options}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["catalogue"], state["options"])

    def with_options(self, **changes) -> "Classifier":
        """The same catalogue and matcher with other options (``full``, ``gpus``, ``reading``)."""
        other = object.__new__(Classifier)
        other.__dict__.update(self.__dict__)
        other.options = replace(self.options, **changes)
        other._reported = set()
        return other

    # discover
    def find(self, paths: Iterable[PathLike], reading: Optional[Reading] = None,
             early: Optional[EarlyWorkers] = None) -> Discovery:
        """The jobs under ``paths`` in order, and how each path was read (discover.py), less what
        --exclude/--include leave out (select.py). ``early`` starts worker processes as soon as
        there are two jobs (hand it to ``outcomes`` then)."""
        found = find_jobs([os.fspath(p) for p in paths], self.markers, reading or self.options.reading, early)
        return select(found, Selection(self.options.include, self.options.exclude))

    def stream(self, paths: Iterable[PathLike]) -> JobStream:
        """``find``'s jobs, found as they are iterated (for a run that classifies them as they
        come); ``keep.describe()`` (None without --exclude/--include) says what was left out."""
        selection = Selection(self.options.include, self.options.exclude)
        keep = Picker(selection) if selection else None
        return JobStream([os.fspath(p) for p in paths], self.markers, self.options.reading, keep)

    def job_at(self, path: PathLike) -> Job:
        """``path`` read as one job: a file, or a directory whose logs are all one job's."""
        jobs = self.find([path], Reading.JOB).jobs
        return jobs[0]

    # classify
    def classify(self, job: Union[Job, PathLike]) -> FailureRecord:
        """The record of one job (a Job, or a path read as one job). Never raises: a job triage
        cannot handle gets an ``error`` record."""
        job = job if isinstance(job, Job) else self.job_at(job)
        return classify_job(job, self.matcher, self.markers, self.options.full, self.options.gpus)

    def classify_text(self, text: str, name: str = "<text>", failed: bool = False) -> FailureRecord:
        """The record a file holding ``text`` gets, stage and cost included, named ``name``.

        ``failed`` says the text is known to end a failed job (a rule's example): a line that only
        holds an error word can then be its failure."""
        return classify_text(text, self.matcher, self.markers, name, failed, self.options.full, self.options.gpus)

    def outcomes(self, jobs: Iterable[Job], workers: int = 1, start_method: Optional[str] = None,
                 runner: Optional[Callable[["Classifier", Sequence[Job]], Iterator[Outcome]]] = None,
                 early: Optional[EarlyWorkers] = None) -> Iterator[Outcome]:
        """One Outcome (record, and the patterns that first overran their time budget) per job, in
        the order of ``jobs``, each as soon as it and those before it are done. ``jobs`` may be an
        iterator (a JobStream): jobs are then taken from it as they are classified. ``workers``
        above 1 classifies in that many processes (those ``early`` started, if it did); ``runner``
        (e.g. dask_runner.DaskRunner) classifies elsewhere instead, with the same promise. Close
        the iterator (or exhaust it) to stop them."""
        if runner is not None:
            if early is not None:
                early.close()
            return runner(self, jobs if isinstance(jobs, Sequence) else tuple(jobs))
        source = iter(jobs)
        first = list(islice(source, 2))
        if workers > 1 and len(first) > 1:
            return run_in_workers(self, chain(first, source), workers, start_method, early)
        if early is not None:
            early.close()
        return (self.outcome(job) for job in chain(first, source))

    def early_workers(self, workers: int) -> EarlyWorkers:
        """Worker processes to start while the jobs are found (``find``), for ``outcomes``: forked
        before the list of jobs grows, they do not carry it. Close it if ``outcomes`` is not reached."""
        return EarlyWorkers(self, workers)

    def outcome(self, job: Job) -> Outcome:
        """One job's Outcome in this process."""
        before = ranged.bytes_read()
        record = self.classify(job)
        new = frozenset(self.matcher.timed_out - self._reported)
        self._reported |= new
        read = tuple(after - was for after, was in zip(ranged.bytes_read(), before))
        return Outcome(record, new, read if any(read) else ())

    def classify_many(self, items: Iterable[Union[Job, PathLike]], workers: Optional[int] = 1) -> Iterator[FailureRecord]:
        """One record per job, in order: Jobs as they are, paths searched for jobs as ``triage
        classify`` searches them. ``workers`` above 1 classifies in that many processes (None: one
        per core); the records come in the order of the jobs either way."""
        jobs = [job for item in items for job in ((item,) if isinstance(item, Job) else self.find([item]).jobs)]
        outcomes = self.outcomes(jobs, workers or available_cores())
        try:
            for outcome in outcomes:
                yield outcome.record
        finally:
            getattr(outcomes, "close", lambda: None)()

    # explain
    def evidence(self, job: Job) -> Evidence:
        """What the verdict on ``job`` rests on: its record, the failure located and the rules
        that matched it, every possible failure of its files read whole, its stage and cost."""
        from philly_triage._internal.pipeline.evidence import gather_evidence

        return gather_evidence(job, self.matcher, self.markers, self.options.gpus)

