"""Aggregate classified jobs into statistics: counts, shares and GPU hours by dimension, category,
stage and retry advice, what retrying deterministic failures wasted, and the study's figures beside.

``aggregate`` is pure (records and catalogue in, a frozen ``Stats`` out); ``Stats.to_dict`` is the
documented JSON contract that ``triage stats --format json`` writes and the HTML report reads.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Iterable, NamedTuple, Optional, Sequence, Union

from philly_triage._internal.catalogue.load import TAXONOMY_DIMENSIONS, Catalogue
from philly_triage.models import RETRY_ADVICE, STAGES, FailureRecord, Status
from philly_triage._internal.analysis.study import Study, load_study

SCHEMA_VERSION = 1
UNKNOWN_STAGE = "unknown"  # the row of failed jobs whose stage is not known


class Counted(NamedTuple):
    """What ``aggregate`` reads of a record. ``triage stats`` keeps these, not the records: a
    record holds its message, file and notes (a KB or more), and a run may be of many thousands."""

    status: Status
    category: Optional[str]
    dimension: Optional[str]
    stage: Optional[str]
    retry: Optional[str]
    gpu_hours: Optional[float]
    retries: Optional[int]


def counted(record: FailureRecord) -> Counted:
    """The part of ``record`` that statistics count (its words interned: a run repeats them)."""
    return Counted(record.status, _interned(record.category), _interned(record.dimension), _interned(record.stage),
                   _interned(record.retry), record.gpu_hours, record.retries)


def _interned(word: Optional[str]) -> Optional[str]:
    return None if word is None else sys.intern(word)


def share(part: float, whole: float) -> float:
    """Percent with one decimal, as ``triage cluster`` gives shares; 0.0 of nothing."""
    return round(100.0 * part / whole, 1) if whole else 0.0


def hours(values: Iterable[Optional[float]]) -> float:
    """The sum of the known GPU hours, to two decimals (fsum: the same whatever the order)."""
    return round(math.fsum(v for v in values if v is not None), 2)


@dataclass(frozen=True)
class DimensionRow:
    id: str
    count: int
    share: float  # of the classified jobs
    gpu_hours: float
    gpu_share: Optional[float]  # of the failed jobs' known GPU hours; None when none are known
    study_share: Optional[float]  # the study's share of all failures; None for a dimension it lacks
    study: bool  # a dimension of the study's kind of failure (its rules are not marked study: false)
    share_of_study: Optional[float]  # of the failures classified in the study's categories; None outside them


@dataclass(frozen=True)
class CategoryRow:
    id: str
    name: str
    dimension: str
    count: int
    share: float  # of the classified jobs
    gpu_hours: float
    gpu_share: Optional[float]
    retry: str
    study: bool  # False for a category outside the study (the infrastructure dimension)


@dataclass(frozen=True)
class StageRow:
    id: str
    count: int
    share: float  # of the failed jobs
    gpu_hours: float
    gpu_share: Optional[float]
    study_share: Optional[float]
    study_gpu_share: Optional[float]


@dataclass(frozen=True)
class RetryRow:
    advice: str
    meaning: str
    count: int
    share: float  # of the failed jobs
    gpu_hours: float
    retries: int  # the sum of the known retries


@dataclass(frozen=True)
class RetryWaste:
    """Deterministic failures (retry advice "never"): each retry failed the same way again."""

    jobs: int
    retries: int  # the sum of their known retries
    wasted_gpu_hours: float  # sum of retries x gpu_hours, where both are known
    per_retry_gpu_hours: float  # sum of their known gpu_hours: what one more retry of each would cost
    retries_known: int  # of ``jobs``, how many have a known retry count (not in the JSON contract)
    gpu_hours_known: int  # of ``jobs``, how many have known GPU hours (not in the JSON contract)


@dataclass(frozen=True)
class Stats:
    jobs: int
    by_status: dict[str, int]
    gpu_hours_known: int  # failed jobs whose GPU hours are known
    gpu_hours_total: float
    retries_known: int  # failed jobs whose retry count is known (not in the JSON contract)
    in_study: int  # classified failures of the study's categories: what is compared with the study
    outside_study: int  # classified failures outside it (study: false): counted, not compared
    dimensions: tuple[DimensionRow, ...]
    categories: tuple[CategoryRow, ...]
    stages: tuple[StageRow, ...]
    retry: tuple[RetryRow, ...]
    retry_waste: RetryWaste
    source: str
    note: str

    @property
    def failed(self) -> int:
        return self.by_status[Status.CLASSIFIED.value] + self.by_status[Status.UNCLASSIFIED.value]

    def to_dict(self) -> dict:
        """The JSON contract (schema_version 1); its names are read by other tools, keep them."""
        waste = self.retry_waste
        return {
            "schema_version": SCHEMA_VERSION,
            "jobs": self.jobs,
            "failed": self.failed,
            "by_status": dict(self.by_status),
            "classified_in_study": self.in_study,
            "classified_outside_study": self.outside_study,
            "gpu_hours": {"known": self.gpu_hours_known, "total": self.gpu_hours_total},
            "dimensions": [asdict(row) for row in self.dimensions],
            "categories": [asdict(row) for row in self.categories],
            "stages": [asdict(row) for row in self.stages],
            "retry": [asdict(row) for row in self.retry],
            "retry_waste": {
                "jobs": waste.jobs, "retries": waste.retries, "wasted_gpu_hours": waste.wasted_gpu_hours,
                "per_retry_gpu_hours": waste.per_retry_gpu_hours,
            },
            "study": {"source": self.source, "note": self.note},
        }


def aggregate(records: Sequence[Union[FailureRecord, Counted]], catalogue: Catalogue,
              study: Optional[Study] = None) -> Stats:
    """The statistics of ``records`` (or of what ``counted`` keeps of them: the same figures),
    classified with ``catalogue``; ``study`` defaults to study.yaml's."""
    study = study or load_study()
    failed = [r for r in records if r.status.failed]
    classified = [r for r in failed if r.status is Status.CLASSIFIED]
    in_study = [r for r in classified if _in_study(r, catalogue)]
    known = [r.gpu_hours for r in failed if r.gpu_hours is not None]
    cost = _Cost(math.fsum(known) if known else None)
    by_advice = _grouped(failed, lambda r: r.retry if r.retry in RETRY_ADVICE else "unknown")
    return Stats(
        jobs=len(records),
        by_status={status.value: sum(r.status is status for r in records) for status in Status},
        gpu_hours_known=len(known),
        gpu_hours_total=hours(known),
        retries_known=sum(r.retries is not None for r in failed),
        in_study=len(in_study),
        outside_study=len(classified) - len(in_study),
        dimensions=_dimension_rows(classified, in_study, catalogue, study, cost),
        categories=_category_rows(classified, catalogue, cost),
        stages=_stage_rows(failed, study, cost),
        retry=tuple(_retry_row(advice, by_advice.get(advice, []), len(failed)) for advice in RETRY_ADVICE),
        retry_waste=_waste(by_advice.get("never", [])),
        source=study.source,
        note=study.note,
    )


@dataclass(frozen=True)
class _Cost:
    """The failed jobs' known GPU hours (None: none known), to give a group's hours and its share."""

    total: Optional[float]

    def hours(self, group: list[FailureRecord]) -> float:
        return hours(r.gpu_hours for r in group)

    def share(self, group: list[FailureRecord]) -> Optional[float]:
        if self.total is None:
            return None
        return share(math.fsum(r.gpu_hours for r in group if r.gpu_hours is not None), self.total)


def _in_study(record: FailureRecord, catalogue: Catalogue) -> bool:
    """Whether a classified failure is of the study's kind: its rule is not marked ``study: false``
    (a record of a rule this catalogue lacks: its dimension is one of the study's)."""
    rule = catalogue.rule(record.category or "")
    return rule.study if rule is not None else record.dimension in TAXONOMY_DIMENSIONS


def _dimension_rows(classified: list[FailureRecord], in_study: list[FailureRecord], catalogue: Catalogue,
                    study: Study, cost: _Cost) -> tuple[DimensionRow, ...]:
    """One row per dimension of the catalogue, in its order, then any other a record names (one
    classified with another catalogue), so that the rows always add up to the classified jobs.
    ``share_of_study`` is of the failures in the study's categories, the figure to set beside the
    study's share: the study left platform failures out, so they must not dilute the comparison."""
    groups = _grouped(classified, lambda r: r.dimension or "")
    studied = _grouped(in_study, lambda r: r.dimension or "")
    order = list(catalogue.dimensions) + sorted(d for d in groups if d not in catalogue.dimensions)
    rows = []
    for dimension in order:
        group = groups.get(dimension, [])
        rules = [rule for rule in catalogue.rules if rule.dimension == dimension]
        of_study = any(rule.study for rule in rules) if rules else dimension in studied or (
            not group and dimension in TAXONOMY_DIMENSIONS)
        part = studied.get(dimension, [])
        rows.append(DimensionRow(dimension, len(group), share(len(group), len(classified)), cost.hours(group),
                                 cost.share(group), study.dimension_share(dimension), of_study,
                                 share(len(part), len(in_study)) if of_study else None))
    return tuple(rows)


def _category_rows(classified: list[FailureRecord], catalogue: Catalogue, cost: _Cost) -> tuple[CategoryRow, ...]:
    """Every category with a job, most jobs first, then by id."""
    rows = []
    for category, group in _grouped(classified, lambda r: r.category or "").items():
        rule = catalogue.rule(category)
        rows.append(CategoryRow(
            id=category,
            name=rule.name if rule else category,
            dimension=rule.dimension if rule else group[0].dimension or "",
            count=len(group),
            share=share(len(group), len(classified)),
            gpu_hours=cost.hours(group),
            gpu_share=cost.share(group),
            retry=rule.retry if rule else group[0].retry or "unknown",
            study=_in_study(group[0], catalogue),
        ))
    return tuple(sorted(rows, key=lambda row: (-row.count, row.id)))


def _stage_rows(failed: list[FailureRecord], study: Study, cost: _Cost) -> tuple[StageRow, ...]:
    """The four stages in order, then "unknown" when some failed job's stage is not known."""
    groups = _grouped(failed, lambda r: r.stage if r.stage in STAGES else UNKNOWN_STAGE)
    rows = []
    for stage in STAGES + ((UNKNOWN_STAGE,) if UNKNOWN_STAGE in groups else ()):
        group = groups.get(stage, [])
        fact = study.stage(stage)
        rows.append(StageRow(stage, len(group), share(len(group), len(failed)), cost.hours(group),
                             cost.share(group), fact.failures, fact.gpu_time))
    return tuple(rows)


def _retry_row(advice: str, group: list[FailureRecord], failed: int) -> RetryRow:
    return RetryRow(advice, RETRY_ADVICE[advice], len(group), share(len(group), failed),
                    hours(r.gpu_hours for r in group), sum(r.retries for r in group if r.retries is not None))


def _grouped(records: Iterable[FailureRecord], key) -> dict[str, list[FailureRecord]]:
    groups: dict[str, list[FailureRecord]] = defaultdict(list)
    for record in records:
        groups[key(record)].append(record)
    return dict(groups)


def _waste(never: list[FailureRecord]) -> RetryWaste:
    return RetryWaste(
        jobs=len(never),
        retries=sum(r.retries for r in never if r.retries is not None),
        wasted_gpu_hours=hours(r.retries * r.gpu_hours for r in never
                               if r.retries is not None and r.gpu_hours is not None),
        per_retry_gpu_hours=hours(r.gpu_hours for r in never),
        retries_known=sum(r.retries is not None for r in never),
        gpu_hours_known=sum(r.gpu_hours is not None for r in never),
    )
