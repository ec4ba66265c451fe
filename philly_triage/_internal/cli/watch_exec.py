"""``triage watch --exec CMD``: a command run for each failure reported, one at a time, in order.

CMD is the user's own command line, run by the shell (``sh -c``; ``cmd.exe`` on Windows) so that
it can hold pipes, ``&&`` and ``$TRIAGE_JOB``. Nothing of the record is ever put into the command
line: the record comes on the command's stdin (one JSON object and a newline) and in its
environment (TRIAGE_JOB, TRIAGE_CATEGORY, TRIAGE_STATUS, TRIAGE_RETRY, TRIAGE_FILE, TRIAGE_LINE, and
TRIAGE_RECORD, the JSON), so a log's text cannot inject shell syntax.

The commands run in a thread of their own, so a slow one (a page over HTTP) never delays the next
failure's record. Their stdout goes to triage's stderr, so that triage's stdout stays records only.
They run in a session of their own: a Ctrl-C meant for triage does not cut them short, and triage
waits for those already queued before it exits. A command that fails, cannot start, or runs longer
than its timeout (then it is killed) is a warning on stderr; watching goes on.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import tempfile
import threading
from typing import Callable, Optional

from philly_triage._internal.output.formats.json_format import to_json
from philly_triage.models import FailureRecord

TIMEOUT = 60.0  # seconds a command may run before it is killed
STDERR = 2  # the file descriptor the command's stdout goes to: triage's stderr


def environment(record: FailureRecord, record_json: str) -> dict[str, str]:
    """The command's environment: triage's own, and the record's key fields."""
    def text(value) -> str:
        return "" if value is None else str(value)

    env = dict(os.environ)
    env.update({
        "TRIAGE_JOB": record.job,
        "TRIAGE_CATEGORY": text(record.category),
        "TRIAGE_STATUS": record.status.value,
        "TRIAGE_RETRY": text(record.retry),
        "TRIAGE_FILE": text(record.file),
        "TRIAGE_LINE": text(record.line),
        "TRIAGE_RECORD": record_json,
    })
    return env


class ExecRunner:
    """Runs ``command`` for each record given to ``submit``, in order, in a thread; ``close`` waits."""

    def __init__(self, command: str, warn: Callable[[str], None], timeout: float = TIMEOUT) -> None:
        self.command = command
        self.warn = warn
        self.timeout = timeout
        self.failed = 0
        self._queue: "queue.Queue[Optional[FailureRecord]]" = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="triage-watch-exec", daemon=True)
        self._thread.start()

    def submit(self, record: FailureRecord) -> None:
        self._queue.put(record)

    def close(self) -> None:
        """Wait for the commands queued to run (each within its timeout)."""
        self._queue.put(None)
        self._thread.join()

    def _work(self) -> None:
        while True:
            record = self._queue.get()
            if record is None:
                return
            self.run(record)

    def run(self, record: FailureRecord) -> int:
        """Run the command for one record; its exit status (-1 when it could not start or timed out)."""
        record_json = to_json(record.to_dict())
        # stdin is a file, not a pipe: a command that does not read it cannot make triage's write
        # fail, and SIGPIPE (whose default action cli.main restores) cannot end triage.
        with tempfile.TemporaryFile() as stdin:
            stdin.write((record_json + "\n").encode("utf-8", "backslashreplace"))
            stdin.seek(0)
            try:
                process = subprocess.Popen(
                    self.command, shell=True, stdin=stdin, stdout=STDERR,
                    env=environment(record, record_json), start_new_session=True,
                )
            except OSError as err:
                return self._failed(record, f"cannot start: {err.strerror or err}")
        try:
            process.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self._kill(process)
            return self._failed(record, f"killed after {self.timeout:g} s (--exec-timeout)")
        if process.returncode != 0:
            return self._failed(record, f"exited with status {process.returncode}", process.returncode)
        return 0

    def _failed(self, record: FailureRecord, why: str, status: int = -1) -> int:
        self.failed += 1
        self.warn(f"--exec command for {record.job} {why}")
        return status

    @staticmethod
    def _kill(process: subprocess.Popen) -> None:
        """Kill the command and what it started (its session), then reap it."""
        try:
            if hasattr(os, "killpg"):
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        except OSError:
            pass
        process.wait()
