"""Load what the ICSE 2020 study reported (study.yaml), to set beside a user's own statistics."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from philly_triage.models import STAGES
from philly_triage._internal.catalogue.yaml_source import load_yaml

STUDY_FILE = Path(__file__).resolve().parents[1] / "data" / "study.yaml"


@dataclass(frozen=True)
class StageFact:
    """A stage's share of the study's failures and of the GPU service time they cost, in percent."""

    failures: Optional[float] = None
    gpu_time: Optional[float] = None


@dataclass(frozen=True)
class Study:
    source: str
    note: str
    dimensions: dict[str, float]  # dimension id -> percent of all failures
    stages: dict[str, StageFact]  # every one of models.STAGES

    def dimension_share(self, dimension: str) -> Optional[float]:
        """The study's share of a dimension; None for a dimension the study does not have."""
        return self.dimensions.get(dimension)

    def stage(self, stage: str) -> StageFact:
        return self.stages.get(stage, StageFact())


@lru_cache(maxsize=None)
def load_study(path: Path = STUDY_FILE) -> Study:
    """The study's figures. The file ships with triage, so a broken one is a bug: it raises ValueError."""
    data = load_yaml(path.read_text(encoding="utf-8")).data
    try:
        dimensions = {str(d): _percent(v) for d, v in data["dimensions"].items()}
        stages = {stage: StageFact(_percent(data["stages"][stage]["failures"]),
                                   _percent(data["stages"][stage]["gpu_time"])) for stage in STAGES}
        return Study(str(data["source"]).strip(), str(data["note"]).strip(), dimensions, stages)
    except (KeyError, TypeError, AttributeError) as err:
        raise ValueError(f"{path}: not a valid study file ({err!r})") from None


def _percent(value) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        raise TypeError(f"{value!r} is not a percentage")
    return float(value)
