"""The public API's functions (``philly_triage.classify`` and the rest): thin calls into the engine.

A Classifier is built once per catalogue and options and kept, so that calling ``classify`` in a
loop does not compile the catalogue again for every job.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence, Union

from philly_triage._internal.catalogue.load import Catalogue
from philly_triage._internal.catalogue.load import load_catalogue as _load_sources
from philly_triage._internal.catalogue.sources import resolve_sources
from philly_triage._internal.pipeline.discover import Reading
from philly_triage._internal.pipeline.engine import Classifier, Options
from philly_triage.models import FailureRecord, Job

PathLike = Union[str, "os.PathLike[str]"]
Rules = Union[PathLike, Sequence[PathLike]]


def load_catalogue(rules: Rules = (), builtin: bool = True) -> Catalogue:
    """The rule catalogue a run of ``triage`` in the current directory would use: the built-in rules
    (unless ``builtin`` is False), the nearest ``.triage/rules/``, ``TRIAGE_RULES``, then ``rules``
    (a rule file or directory, or a list of them). Raises CatalogueError, whose ``problems`` name
    each broken file and line."""
    return _load_sources(resolve_sources(_paths(rules), use_builtin=builtin))


def classify(path: PathLike, *, rules: Rules = (), builtin_rules: bool = True, full: bool = False,
             gpus: Optional[int] = None, catalogue: Optional[Catalogue] = None) -> FailureRecord:
    """The record of the job at ``path``: a log file, or a directory whose logs are all one job's."""
    return _classifier(rules, builtin_rules, full, gpus, catalogue).classify(os.fspath(path))


def classify_text(text: str, *, name: str = "<text>", rules: Rules = (), builtin_rules: bool = True,
                  full: bool = False, gpus: Optional[int] = None, catalogue: Optional[Catalogue] = None) -> FailureRecord:
    """The record a log file holding ``text`` gets (stage and cost included), named ``name``."""
    return _classifier(rules, builtin_rules, full, gpus, catalogue).classify_text(text, name)


def classify_many(paths: Iterable[Union[PathLike, Job]], *, workers: Optional[int] = 1, reading: str = "auto",
                  rules: Rules = (), builtin_rules: bool = True, full: bool = False, gpus: Optional[int] = None,
                  catalogue: Optional[Catalogue] = None) -> Iterator[FailureRecord]:
    """One record per job under ``paths``, found as ``triage classify`` finds them (``reading``:
    "auto", "job" or "jobs-in", as --job and --jobs-in), in order. ``workers`` above 1 classifies in
    that many processes (None: one per core); close the iterator to stop them early."""
    classifier = _classifier(rules, builtin_rules, full, gpus, catalogue)
    try:
        how = Reading(reading)
    except ValueError:
        raise ValueError(f"reading must be one of {', '.join(r.value for r in Reading)}, not {reading!r}") from None
    return classifier.with_options(reading=how).classify_many(paths, workers)


def _classifier(rules: Rules, builtin: bool, full: bool, gpus: Optional[int],
                catalogue: Optional[Catalogue]) -> Classifier:
    if catalogue is not None:
        return Classifier(catalogue, Options(full, gpus))
    return _cached(tuple(str(p) for p in _paths(rules)), builtin, os.getcwd(), os.environ.get("TRIAGE_RULES", ""),
                   full, gpus)


@functools.lru_cache(maxsize=8)
def _cached(rules: tuple[str, ...], builtin: bool, cwd: str, env_rules: str, full: bool,
            gpus: Optional[int]) -> Classifier:
    return Classifier(load_catalogue(rules, builtin), Options(full, gpus))


def _paths(rules: Rules) -> list[Path]:
    if isinstance(rules, (str, os.PathLike)):
        return [Path(rules)]
    return [Path(rule) for rule in rules]
