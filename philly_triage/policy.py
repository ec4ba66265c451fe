"""The --fail-on policy: which records make a run exit 1, the hook for CI."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable

from philly_triage.catalogue import Catalogue
from philly_triage.models import FailureRecord, Status

ANY = "any"
UNCLASSIFIED = Status.UNCLASSIFIED.value


class PolicyError(ValueError):
    """A --fail-on value that names nothing the catalogue knows."""


@dataclass(frozen=True)
class FailPolicy:
    selectors: frozenset

    @classmethod
    def parse(cls, values: Iterable[str], catalogue: Catalogue) -> "FailPolicy":
        """Read comma-separated or repeated values: any, unclassified, dimension or category ids."""
        known = {ANY, UNCLASSIFIED} | set(catalogue.dimensions) | {rule.id for rule in catalogue.rules}
        selectors = set()
        for value in values:
            for item in (part.strip() for part in value.split(",")):
                if not item:
                    continue
                if item not in known:
                    close = difflib.get_close_matches(item, sorted(known), n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    raise PolicyError(
                        f"unknown --fail-on value '{item}'{hint} "
                        "(use any, unclassified, a dimension id or a category id)"
                    )
                selectors.add(item)
        return cls(frozenset(selectors))

    def matches(self, record: FailureRecord) -> bool:
        if not self.selectors:
            return False
        if record.status is Status.CLASSIFIED:
            return bool({ANY, record.category, record.dimension} & self.selectors)
        if record.status is Status.UNCLASSIFIED:
            return bool({ANY, UNCLASSIFIED} & self.selectors)
        return False
