"""Run a command with its output passed through to triage's own stdout and stderr, unchanged.

Each of the command's streams is a pipe read in chunks as they come (``os.read``: no line
buffering, no decoding) and written at once to the same stream of triage, and fed, in the order
the chunks came, to a TailKeeper. SIGINT, SIGTERM and SIGHUP sent to triage are passed on to the
command, which runs in its own process group: a terminal's Ctrl-C reaches it once, through triage.
When triage's stdout is closed (``| head``), the command's stdout pipe is closed too, so that the
command sees it as it would without triage (SIGPIPE). The status is a shell's: 128 + N for a
command that signal N ended.
"""

from __future__ import annotations

import errno
import os
import select
import selectors
import signal
import subprocess
import sys
from typing import Sequence

from philly_triage._internal.pipeline.tail import TailKeeper

FORWARDED = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
# Once the command has exited, its output is read until its pipes close, unless a process it left
# behind holds them open and silent for this long.
LINGER_SECONDS = 0.5
PIPE_BYTES = 1 << 20  # Linux's default pipe-max-size: the largest pipe an unprivileged process may ask for


class CannotStart(Exception):
    """The command could not be started: ``reason`` says why; ``not_found`` (127) or not executable (126)."""

    def __init__(self, reason: str, not_found: bool) -> None:
        super().__init__(reason)
        self.reason, self.not_found = reason, not_found


def run_command(argv: Sequence[str], keeper: TailKeeper) -> int:
    """Run ``argv`` to its end, passing its output through and keeping its tail; its exit status."""
    try:
        child = subprocess.Popen(
            list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
            preexec_fn=os.setpgrp if hasattr(os, "setpgrp") else None,  # noqa: PLW1509 - no threads yet
        )
    except OSError as err:
        return _cannot_start(err)
    # A signal someone chose to ignore (nohup's SIGHUP) stays ignored, by triage and the command alike.
    forwarded = [number for number in FORWARDED if signal.getsignal(number) != signal.SIG_IGN]
    saved = {number: signal.signal(number, lambda number, _: _forward(child, number)) for number in forwarded}
    saved_pipe = signal.signal(signal.SIGPIPE, signal.SIG_IGN) if hasattr(signal, "SIGPIPE") else None
    try:
        _pass_through(child, keeper)
        code = child.wait()
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)
        if saved_pipe is not None:
            signal.signal(signal.SIGPIPE, saved_pipe)
    return 128 - code if code < 0 else code


def _cannot_start(err: OSError) -> int:
    reason = err.strerror or str(err)
    raise CannotStart(reason, not_found=err.errno == errno.ENOENT or isinstance(err, FileNotFoundError))


def _forward(child: subprocess.Popen, number: int) -> None:
    if child.returncode is None:
        try:
            child.send_signal(number)
        except ProcessLookupError:
            pass


def _pass_through(child: subprocess.Popen, keeper: TailKeeper) -> None:
    """Copy the command's stdout and stderr to ours, chunk by chunk, until both are closed."""
    pipes = {child.stdout.fileno(): (child.stdout, _fileno(sys.stdout, 1)),
             child.stderr.fileno(): (child.stderr, _fileno(sys.stderr, 2))}
    sys.stdout.flush()
    sys.stderr.flush()
    with selectors.DefaultSelector() as selector:
        for source in pipes:
            _widen(source)
            selector.register(source, selectors.EVENT_READ)
        while selector.get_map():
            ready = selector.select(LINGER_SECONDS)
            if not ready:
                if child.poll() is not None:
                    break  # the command has exited; something it started holds its pipes open
                continue
            for key, _ in ready:
                pipe, target = pipes[key.fd]
                data = os.read(key.fd, PIPE_BYTES)
                if data:
                    keeper.feed(data)
                if not data or not _write_all(target, data):
                    selector.unregister(key.fd)
                    pipe.close()  # (our reader gone: the command's next write meets a closed pipe, as without triage)
    for pipe, _ in pipes.values():
        pipe.close()


def _widen(fd: int) -> None:
    """A pipe of PIPE_BYTES where the system allows it (Linux): fewer, larger copies."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):
        pass  # the default pipe (64 KiB) works, with more wake-ups


def _write_all(fd: int, data: bytes) -> bool:
    """Write every byte to ``fd``; False when its reader has gone away (EPIPE) or it is closed."""
    view = memoryview(data)
    try:
        while view:
            try:
                view = view[os.write(fd, view):]
            except BlockingIOError:  # a stdout left non-blocking by whoever started triage
                select.select([], [fd], [])
    except BrokenPipeError:
        return False
    except OSError as err:
        if err.errno == errno.EBADF:
            return False
        raise
    return True


def _fileno(stream, default: int) -> int:
    try:
        return stream.fileno()
    except (AttributeError, ValueError, OSError):
        return default
