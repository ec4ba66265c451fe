"""What a run reports on and when it fails: --fail-on, --ignore and --baseline, the hooks for CI.

A record is *ignored* when its category or dimension was given to --ignore, and *known* when its
fingerprint is in the baseline. Neither kind makes the run fail; the run leaves known records out
of its output, and ignored ones too when asked (--hide-ignored).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, NamedTuple, Optional

from philly_triage._internal.catalogue.load import Catalogue
from philly_triage.models import FailureRecord, Status

ANY = "any"
UNCLASSIFIED = Status.UNCLASSIFIED.value
BASELINE, IGNORED = "baseline", "ignored"  # why a record is left out of the output


class PolicyError(ValueError):
    """A --fail-on or --ignore value that names nothing the catalogue knows."""


def parse_selectors(values: Iterable[str], catalogue: Catalogue, option: str, allow_any: bool) -> frozenset:
    """Read comma-separated or repeated values: unclassified, dimension or category ids (and 'any')."""
    words = ({ANY} if allow_any else set()) | {UNCLASSIFIED}
    known = words | set(catalogue.dimensions) | {rule.id for rule in catalogue.rules}
    selectors = set()
    for value in values:
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            if item not in known:
                import difflib  # here: only a mistyped value needs it

                close = difflib.get_close_matches(item, sorted(known), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                use = ", ".join(sorted(words))
                raise PolicyError(f"unknown {option} value '{item}'{hint} (use {use}, a dimension id or a category id)")
            selectors.add(item)
    return frozenset(selectors)


def selected(record: FailureRecord, selectors: frozenset) -> bool:
    """Whether a failure record is one the selectors name (errors and no_failure never are)."""
    if record.status is Status.CLASSIFIED:
        return bool({ANY, record.category, record.dimension} & selectors)
    if record.status is Status.UNCLASSIFIED:
        return bool({ANY, UNCLASSIFIED} & selectors)
    return False


class Policy(NamedTuple):
    """--fail-on selectors, --ignore selectors, whether to hide ignored records, and the baseline."""

    fail_on: frozenset = frozenset()
    ignore: frozenset = frozenset()
    hide_ignored: bool = False
    baseline: frozenset = frozenset()  # fingerprints of failures already known

    @classmethod
    def parse(
        cls, fail_on: Iterable[str], catalogue: Catalogue, ignore: Iterable[str] = (),
        hide_ignored: bool = False, baseline: frozenset = frozenset(),
    ) -> "Policy":
        return cls(
            fail_on=parse_selectors(fail_on, catalogue, "--fail-on", allow_any=True),
            ignore=parse_selectors(ignore, catalogue, "--ignore", allow_any=False),
            hide_ignored=hide_ignored,
            baseline=baseline,
        )

    def mark(self, record: FailureRecord) -> FailureRecord:
        """The record with ``ignored`` set when --ignore names it."""
        if self.ignore and selected(record, self.ignore):
            return replace(record, ignored=True)
        return record

    def known(self, record: FailureRecord) -> bool:
        """Whether the baseline holds this record's failure."""
        return record.fingerprint is not None and record.fingerprint in self.baseline

    def hidden(self, record: FailureRecord) -> Optional[str]:
        """Why the output leaves this (marked) record out, or None to show it."""
        if self.known(record):
            return BASELINE
        if record.ignored and self.hide_ignored:
            return IGNORED
        return None

    def fails(self, record: FailureRecord) -> bool:
        """Whether this (marked) record makes the run exit 1."""
        return not (record.ignored or self.known(record)) and selected(record, self.fail_on)
