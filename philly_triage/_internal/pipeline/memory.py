"""Give the memory a job's reading freed back to the system, so a long run's footprint stays flat.

A log read from its end may take windows of several MB. Python frees them, but glibc's allocator
keeps freed heap memory, and raises its threshold for serving large blocks straight from the
system after each one is freed, so a worker's resident size creeps up job after job. Every
TRIM_EVERY jobs a worker asks glibc to return what is free (``malloc_trim``); it costs about
0.1 ms. Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import sys
from typing import Callable, Optional

TRIM_EVERY = 16


def _trimmer() -> Optional[Callable[[int], int]]:
    """glibc's malloc_trim, looked up in the running process (ctypes is imported only here, in a
    worker: it costs a few ms to import)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None).malloc_trim
    except (ImportError, OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


class Trimmer:
    """Call ``after_job`` after each job; it trims every TRIM_EVERY jobs."""

    def __init__(self) -> None:
        self._trim = _trimmer()
        self._jobs = 0

    def after_job(self) -> None:
        self._jobs += 1
        if self._trim is not None and self._jobs % TRIM_EVERY == 0:
            self._trim(0)
