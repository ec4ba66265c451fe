"""How far the locator reads around a possible failure, and what says that a job went on.

The reduction of a whole log (reduce.py) keeps the lines these limits reach, so that the locator
gives the same answer on the kept lines as on the whole log: they are shared, not copied.
"""

from __future__ import annotations

MAX_DETAIL_LINES = 80  # lines of a traceback's message read after its exception line
MAX_FATAL_DETAIL_LINES = 3  # lines read after a fatal or keyword line
MAX_CONTEXT_LINES = 30  # lines read before a failure (its context)
MAX_FRAME_LINES = 2000  # lines of frames read after a "Traceback" line
MAX_BURST_GAP = 10  # lines between fatal lines printed together
# A job went on after a failure when this many progress lines, or one success line, follow it.
PROGRESS_TO_SURVIVE, SUCCESS_TO_SURVIVE = 2, 1
