"""A worker process's ties to its parent: the stop signals it leaves to the parent, and its death
when the parent dies (even by SIGKILL)."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from typing import Iterator, Optional

STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")  # the parent's to handle (cli/interrupts.py), by name
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
WATCH_INTERVAL = 0.5  # seconds between a watchdog's looks at the parent's pid, where prctl is missing


def die_with_parent(parent: Optional[int]) -> None:
    """Make sure this worker ends when its parent does, even when the parent is killed with SIGKILL.

    PR_SET_PDEATHSIG fires when the thread that started the worker ends: in the CLI that is the
    main thread, which outlives every worker; an API caller that runs classify_many in a thread
    keeps that thread until it has closed the iterator.
    """
    if sys.platform.startswith("linux") and prctl_pdeathsig(signal.SIGKILL):
        if parent is not None and os.getppid() != parent:  # it died before prctl: no signal will come
            os._exit(1)
        return
    watched = parent if parent is not None else os.getppid()

    def watch() -> None:
        while os.getppid() == watched:
            time.sleep(WATCH_INTERVAL)
        os._exit(1)

    threading.Thread(target=watch, name="triage-parent-watch", daemon=True).start()


def prctl_pdeathsig(number: int) -> bool:
    """prctl(PR_SET_PDEATHSIG, number) through libc; False when that cannot be done."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(number), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def set_signal(name: str, handler):
    """Set a signal's handler from the main thread, where that is possible; the one it replaces, or None."""
    number = getattr(signal, name, None)
    if number is None or threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(number, handler)


@contextmanager
def stop_signals_blocked() -> Iterator[None]:
    """Block the stop signals while a worker is forked or spawned: one that comes then is delivered
    to the parent once the block ends, and the worker, which inherits the mask, ignores the stop
    signals before it unblocks them. Where signals cannot be blocked, they are ignored meanwhile."""
    numbers = {getattr(signal, name) for name in STOP_SIGNALS if hasattr(signal, name)}
    if hasattr(signal, "pthread_sigmask"):
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, numbers)
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        return
    handlers = {name: set_signal(name, signal.SIG_IGN) for name in STOP_SIGNALS}
    try:
        yield
    finally:
        for name, handler in handlers.items():
            if handler is not None:
                set_signal(name, handler)


def unblock_stop_signals() -> None:
    if hasattr(signal, "pthread_sigmask"):
        numbers = {getattr(signal, name) for name in STOP_SIGNALS if hasattr(signal, name)}
        signal.pthread_sigmask(signal.SIG_UNBLOCK, numbers)
