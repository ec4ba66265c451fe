"""A region of a log that the whole-log reduction kept, and the lines of it the locator reads.

The reduction (reduce.py) cuts regions around possible failures and holds them as bytes; only the
latest are read here, by the locator's own rules (``failure_spans``), with the log's exit status
line and the progress and success lines between, which tell whether the job went on.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline.exit_status import last_exit_line
from philly_triage._internal.pipeline.lines import ByteLines
from philly_triage._internal.pipeline.locate.candidates import failure_spans
from philly_triage._internal.pipeline.locate.limits import PROGRESS_TO_SURVIVE, SUCCESS_TO_SURVIVE
from philly_triage.models import LogLine


class Region(NamedTuple):
    """The bytes of a region, read by the locator's rules only if it is among the latest kept."""

    data: bytes
    first_number: int
    offset: Optional[int] = None  # where ``data`` starts in the bytes read (a plain log's, its file's)


def region_lines(region: Region, path: str, markers: Markers) -> list[LogLine]:
    """The lines of a region the locator reads, and the evidence between them."""
    view = ByteLines(region.data, markers, region.first_number)
    keep: set[int] = set()
    for first, last in failure_spans(path, view, markers):
        keep.update(range(first, min(last, len(view))))
    exit = last_exit_line(path, view, markers)
    if exit is not None:  # the log's exit status is read from the lines kept
        keep.add(exit[0])
    gap_start = 0
    for index in sorted(keep) + [len(view)]:
        if index > gap_start:
            progress = view.find_evidence(gap_start, index, True, PROGRESS_TO_SURVIVE)
            if len(progress) < PROGRESS_TO_SURVIVE:
                progress += view.find_evidence(gap_start, index, False, SUCCESS_TO_SURVIVE)
            keep.update(progress)
        gap_start = max(gap_start, index + 1)
    return [view[i] for i in sorted(keep)]
