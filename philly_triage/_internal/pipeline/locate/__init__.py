"""Locate the failure that ended a job in its log lines.

A grep finds every line with "error" in it; the locator finds the one that ended the job. It reads
Python tracebacks as blocks (following chained exceptions and re-raised worker errors to the
underlying one), recognises fatal lines of shells, runtimes and the kernel, and sets aside what is
not the failure: warnings and other noise, exceptions the job survived (progress follows them),
and what launchers and sibling processes print after the first process failed.

The steps, one module each, each importing only those before it:

- ``limits``: how far the locator reads around a possible failure (shared with reduce.py);
- ``tracebacks``: reading tracebacks as blocks, and blocks into chains;
- ``candidates``: the possible failures of a view (one per chain, one per fatal or keyword line);
- ``decide``: which of them ended the run, and whether lines before the view could change that;
- ``files``: which file's failure ended a job of several files, and why;
- ``reasons``: every possible failure with the verdict on it, in words, for ``explain``.

The names other modules use are re-exported here.
"""

from __future__ import annotations

from philly_triage._internal.pipeline.locate.candidates import (
    CONSEQUENCE, FAILURE, KIND_RANK, WEAK_KINDS, WRAPPER, failure_spans, set_aside,
)
from philly_triage._internal.pipeline.locate.decide import Located, locate_in_view, renumber, went_on
from philly_triage._internal.pipeline.locate.files import pick_job_failure, why_not_picked
from philly_triage._internal.pipeline.locate.limits import (
    MAX_BURST_GAP, MAX_CONTEXT_LINES, MAX_DETAIL_LINES, MAX_FATAL_DETAIL_LINES, MAX_FRAME_LINES,
    PROGRESS_TO_SURVIVE, SUCCESS_TO_SURVIVE,
)
from philly_triage._internal.pipeline.locate.reasons import (
    CHAIN_LINK, CHOSEN, EARLIER, IGNORED_TEARDOWN, NOISE, OUTRANKED, SAME_BURST, SURVIVED, Considered, considered,
)
from philly_triage._internal.pipeline.locate.tracebacks import CHAIN_CAUSE, CHAIN_CONTEXT, TRACEBACK_START

__all__ = [
    "CHAIN_CAUSE", "CHAIN_CONTEXT", "CHAIN_LINK", "CHOSEN", "CONSEQUENCE", "EARLIER", "FAILURE", "IGNORED_TEARDOWN",
    "KIND_RANK", "MAX_BURST_GAP", "MAX_CONTEXT_LINES", "MAX_DETAIL_LINES", "MAX_FATAL_DETAIL_LINES",
    "MAX_FRAME_LINES", "NOISE", "OUTRANKED", "PROGRESS_TO_SURVIVE", "SAME_BURST", "SUCCESS_TO_SURVIVE",
    "SURVIVED", "TRACEBACK_START", "WEAK_KINDS", "WRAPPER", "Considered", "Located", "considered",
    "failure_spans", "locate_in_view", "pick_job_failure", "renumber", "set_aside", "went_on", "why_not_picked",
]
