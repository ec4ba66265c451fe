"""The signals that stop a run: Ctrl-C (SIGINT), SIGTERM and SIGHUP, raised as one exception.

``timeout``, Kubernetes and Slurm stop a process with SIGTERM, a closed terminal sends SIGHUP, a
person presses Ctrl-C: each becomes ``Interrupted`` (a KeyboardInterrupt, so code that already
handles Ctrl-C handles them all), held back while a record or a document is being written, so
that no output is cut in two. The run then writes what it has, says it was interrupted, and exits
with 128 + the signal's number (130, 143, 129), as a shell reports a command a signal stopped.
One signal is enough: those that come while the run winds down are ignored.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator, Optional

STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")  # by name: Windows has no SIGHUP


class Interrupted(KeyboardInterrupt):
    """A stop signal reached triage; ``signum`` says which."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum


def signal_name(stop: KeyboardInterrupt) -> str:
    """SIGINT, SIGTERM or SIGHUP: the signal behind an Interrupted (SIGINT for a bare KeyboardInterrupt)."""
    signum = getattr(stop, "signum", signal.SIGINT)
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def exit_status(stop: KeyboardInterrupt) -> int:
    """128 + the signal's number: 130 for Ctrl-C (and a bare KeyboardInterrupt), 143 for SIGTERM."""
    return 128 + getattr(stop, "signum", signal.SIGINT)


def message(stop: KeyboardInterrupt, done: str = "") -> str:
    """'triage: interrupted' for Ctrl-C, 'triage: interrupted by SIGTERM' for the others, then ``done``."""
    name = signal_name(stop)
    by = "" if name == "SIGINT" else f" by {name}"
    return f"triage: interrupted{by}{done}"


class Interrupts:
    """While entered (in the main thread), the stop signals raise Interrupted, except inside ``writing()``.

    A signal that comes during a write is held until the write is over. A signal whose handling
    someone else chose stays theirs: Ctrl-C only when its handler is Python's default, SIGTERM and
    SIGHUP only at their default action (``nohup`` ignores SIGHUP, and so does triage then). An
    Interrupts entered inside another takes over from it and gives the signals back on exit.
    """

    def __init__(self) -> None:
        self._previous: dict[int, object] = {}
        self._held = 0
        self._pending: Optional[int] = None
        self._raised = False
        self._unseen: Optional[int] = None  # raised, and not yet caught by the run (see check)

    def __enter__(self) -> "Interrupts":
        if threading.current_thread() is not threading.main_thread():
            return self
        for name in STOP_SIGNALS:
            number = getattr(signal, name, None)
            if number is not None and self._ours_to_handle(number):
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for number, previous in self._previous.items():
            signal.signal(number, previous)
        self._previous = {}

    @staticmethod
    def _ours_to_handle(number: int) -> bool:
        current = signal.getsignal(number)
        if isinstance(getattr(current, "__self__", None), Interrupts):
            return True
        if number == signal.SIGINT:
            return current is signal.default_int_handler
        return current == signal.SIG_DFL

    def _handle(self, signum, frame) -> None:
        if self._raised:
            return  # the run is stopping already
        if self._held:
            self._pending = signum
            return
        self._raised = True
        self._unseen = signum
        raise Interrupted(signum)

    def _mask(self) -> Optional[set]:
        """Mask the signals this Interrupts handles (none when it was not entered); the mask before."""
        if not self._previous or not hasattr(signal, "pthread_sigmask"):
            return None
        return signal.pthread_sigmask(signal.SIG_BLOCK, set(self._previous))

    def caught(self) -> None:
        """The run caught the stop signal's Interrupted and is winding down: it was not lost."""
        self._unseen = None

    def check(self) -> None:
        """Raise again a stop that was lost. The handler raises where the main thread happens to be,
        and an exception raised inside a ``__del__`` (the garbage collector's, at any allocation)
        is printed and dropped: the run would go on as if no signal had come."""
        if self._unseen is not None:
            signum, self._unseen = self._unseen, None
            raise Interrupted(signum)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the stop signals back while the block runs, then raise the one that came, if any.

        Where it can, the block also masks them in the kernel: a handler that only notes the signal
        is not enough, since a write blocked on a full pipe (a reader that has not read yet) that
        a signal interrupts returns having written part of the data, and Python's buffered writer
        then loses some of the rest. Masked, the signal waits, and the write ends whole."""
        self.check()
        self._held += 1
        masked = self._mask() if self._held == 1 else None
        try:
            yield
        finally:
            if masked is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, masked)  # a signal held comes now, still held
            self._held -= 1
        if self._pending is not None and not self._held and not self._raised:
            signum, self._pending = self._pending, None
            self._raised = True
            self._unseen = signum
            raise Interrupted(signum)


def active() -> Optional[Interrupts]:
    """The Interrupts in force (the one cli.main enters for every command, or a command's own), if any."""
    handler = signal.getsignal(signal.SIGTERM) if threading.current_thread() is threading.main_thread() else None
    found = getattr(handler, "__self__", None)
    return found if isinstance(found, Interrupts) else None


@contextmanager
def holding() -> Iterator[None]:
    """Hold the stop signals back while the block writes output, when an Interrupts is in force."""
    current = active()
    if current is None:
        yield
        return
    with current.writing():
        yield


def check() -> None:
    """Raise a stop signal that came and was lost (see Interrupts.check), if an Interrupts is in force."""
    current = active()
    if current is not None:
        current.check()


def caught() -> None:
    """Say that the stop signal's Interrupted reached the code that ends the run (see Interrupts.check)."""
    current = active()
    if current is not None:
        current.caught()
