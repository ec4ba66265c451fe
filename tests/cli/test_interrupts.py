"""The stop signals (cli/interrupts.py): raised as Interrupted, held back during a write, given back
on exit, and left alone where someone else chose how to handle them. The whole runs that signals
stop are in tests/whole/test_signals.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from philly_triage._internal.cli.interrupts import (
    Interrupted, Interrupts, exit_status, holding, message, signal_name,
)


def test_a_signal_during_a_write_is_held_until_the_write_is_over():
    with Interrupts() as interrupts:
        written = []
        with pytest.raises(Interrupted) as stopped:
            with interrupts.writing():
                os.kill(os.getpid(), signal.SIGTERM)
                written.append("whole record")
        assert written == ["whole record"]
        assert stopped.value.signum == signal.SIGTERM
        os.kill(os.getpid(), signal.SIGTERM)  # a second signal while the run stops is ignored
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    assert exit_status(stopped.value) == 143 and exit_status(KeyboardInterrupt()) == 130
    assert message(stopped.value, " (1 of 2 jobs done)") == "triage: interrupted by SIGTERM (1 of 2 jobs done)"
    assert message(KeyboardInterrupt()) == "triage: interrupted"


def test_signals_someone_else_chose_to_ignore_stay_ignored():
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as nohup does
    try:
        with Interrupts():
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) != signal.SIG_DFL
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_names_and_exit_statuses_are_those_a_shell_reports():
    assert (signal_name(Interrupted(signal.SIGTERM)), exit_status(Interrupted(signal.SIGTERM))) == ("SIGTERM", 143)
    assert (signal_name(Interrupted(signal.SIGHUP)), exit_status(Interrupted(signal.SIGHUP))) == ("SIGHUP", 129)
    assert (signal_name(KeyboardInterrupt()), exit_status(KeyboardInterrupt())) == ("SIGINT", 130)
    assert signal_name(Interrupted(1000)) == "signal 1000"
    assert message(Interrupted(signal.SIGINT)) == "triage: interrupted"  # Ctrl-C says no more
    assert message(Interrupted(signal.SIGHUP), ": 3 of 9 jobs done") == "triage: interrupted by SIGHUP: 3 of 9 jobs done"
    assert isinstance(Interrupted(), KeyboardInterrupt)  # code that handles Ctrl-C handles them all


def test_a_signal_outside_a_write_stops_at_once_and_the_handlers_are_given_back():
    before = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    with pytest.raises(Interrupted) as stopped:
        with Interrupts():
            os.kill(os.getpid(), signal.SIGHUP)
            pytest.fail("the signal should have stopped the block")  # pragma: no cover
    assert stopped.value.signum == signal.SIGHUP
    assert {number: signal.getsignal(number) for number in before} == before


def test_holding_holds_back_only_under_an_interrupts():
    with holding():  # no Interrupts in force: nothing to hold, nothing raised
        pass
    finished = []
    with Interrupts():
        with pytest.raises(Interrupted):
            with holding():
                os.kill(os.getpid(), signal.SIGTERM)
                finished.append("the write")
    assert finished == ["the write"]  # the signal came after the block


def test_outside_the_main_thread_the_signals_are_left_alone():
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    seen = []

    def enter():
        with Interrupts():
            seen.append(signal.getsignal(signal.SIGTERM))

    thread = threading.Thread(target=enter)
    thread.start()
    thread.join()
    assert seen == [signal.SIG_DFL]  # only the main thread may set handlers: nothing was touched


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the lost one, printed
def test_a_stop_lost_in_a_destructor_is_raised_again_at_the_next_write():
    """The handler raises wherever the main thread is; raised inside a __del__ (the garbage
    collector's, at any allocation), Python prints the exception and goes on: the run must not."""

    class Dropped:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGTERM)  # the signal comes while the destructor runs

    with Interrupts() as interrupts:
        Dropped()  # "Exception ignored in ... __del__": the run goes on
        with pytest.raises(Interrupted) as stopped:
            with interrupts.writing():
                pytest.fail("the lost stop should end the run before the write")  # pragma: no cover
        assert stopped.value.signum == signal.SIGTERM
        interrupts.caught()
        with interrupts.writing():  # winding down: the stop, caught, is not raised again
            pass


def test_a_stop_the_run_caught_is_not_raised_again():
    with Interrupts() as interrupts:
        with pytest.raises(Interrupted):
            os.kill(os.getpid(), signal.SIGINT)
        interrupts.caught()
        interrupts.check()
        with interrupts.writing():
            pass


CHILD = """
import os, sys
from philly_triage._internal.cli.interrupts import Interrupted, Interrupts
with Interrupts() as interrupts:
    try:
        for _ in range(7):  # fill most of the pipe nobody reads yet: the long record's write blocks midway
            with interrupts.writing():
                sys.stdout.write("a" * 8000 + "\\n")
                sys.stdout.flush()
        os.write(2, b"writing the long record\\n")
        with interrupts.writing():
            sys.stdout.write("B" * 8465 + "\\n")
            sys.stdout.flush()
        os.write(2, b"not stopped\\n")
    except Interrupted as stop:
        sys.stdout.write("END\\n")
        sys.stdout.flush()
        os.write(2, b"stopped %d\\n" % stop.signum)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts on Linux's 64 KB pipe and pthread_sigmask")
def test_a_signal_during_a_write_blocked_on_a_full_pipe_leaves_the_record_whole():
    """A write blocked on a full pipe that a signal interrupts writes part of its data, and Python's
    buffered writer then lost some of the rest: a record cut in two. The signal is masked instead."""
    process = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    said = b""
    while b"writing the long record" not in said:
        chunk = os.read(process.stderr.fileno(), 100)
        assert chunk, "the child ended before its long record"
        said += chunk
    time.sleep(0.3)  # blocked in the write by now: the pipe is full
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    lines = out.decode().split("\n")
    assert lines[:7] == ["a" * 8000] * 7
    assert lines[7] == "B" * 8465, f"the long record was cut: {len(lines[7])} characters"
    assert lines[8:] == ["END", ""] and f"stopped {int(signal.SIGTERM)}".encode() in said + err
