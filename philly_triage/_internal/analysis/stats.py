"""Aggregate classified jobs into statistics: counts, shares and GPU hours by dimension, category,
stage and retry advice, what retrying deterministic failures wasted, and the study's figures beside.

``aggregate`` is pure (records and catalogue in, a frozen ``Stats`` out); ``Stats.to_dict`` is the
documented JSON contract that ``triage stats --format json`` writes and the HTML report reads.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Iterable, Optional, Sequence

from philly_triage._internal.catalogue.load import Catalogue
from philly_triage.models import RETRY_ADVICE, STAGES, FailureRecord, Status
from philly_triage._internal.analysis.study import Study, load_study

SCHEMA_VERSION = 1
UNKNOWN_STAGE = "unknown"  # the row of failed jobs whose stage is not known


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


def aggregate(records: Sequence[FailureRecord], catalogue: Catalogue, study: Optional[Study] = None) -> Stats:
    """The statistics of ``records``, classified with ``catalogue``; ``study`` defaults to study.yaml's."""
    study = study or load_study()
    failed = [r for r in records if r.status.failed]
    classified = [r for r in failed if r.status is Status.CLASSIFIED]
    known = [r.gpu_hours for r in failed if r.gpu_hours is not None]
    cost = _Cost(math.fsum(known) if known else None)
    by_advice = _grouped(failed, lambda r: r.retry if r.retry in RETRY_ADVICE else "unknown")
    return Stats(
        jobs=len(records),
        by_status={status.value: sum(r.status is status for r in records) for status in Status},
        gpu_hours_known=len(known),
        gpu_hours_total=hours(known),
        retries_known=sum(r.retries is not None for r in failed),
        dimensions=_dimension_rows(classified, catalogue, study, cost),
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


def _dimension_rows(classified: list[FailureRecord], catalogue: Catalogue, study: Study,
                    cost: _Cost) -> tuple[DimensionRow, ...]:
    """One row per dimension of the catalogue, in its order, then any other a record names (one
    classified with another catalogue), so that the rows always add up to the classified jobs."""
    groups = _grouped(classified, lambda r: r.dimension or "")
    order = list(catalogue.dimensions) + sorted(d for d in groups if d not in catalogue.dimensions)
    rows = []
    for dimension in order:
        group = groups.get(dimension, [])
        rows.append(DimensionRow(dimension, len(group), share(len(group), len(classified)), cost.hours(group),
                                 cost.share(group), study.dimension_share(dimension)))
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
