"""Run one held-out program for real and capture its stdout and stderr, line by line, in arrival order."""

from __future__ import annotations

import os
import re
import selectors
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field

ENGINE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "programs", "engine.py")


@dataclass
class Capture:
    key: str
    stdout: list[str]
    stderr: list[str]
    order: list[tuple[str, int]]  # (stream, index) in the order the lines arrived
    times: dict                   # stream -> arrival time (epoch seconds) of each line
    rc: int
    seconds: float
    workdir: str
    started: float = 0.0
    signalled: str | None = None

    def lines(self, stream: str) -> list[str]:
        return self.stdout if stream == "stdout" else self.stderr

    def find(self, stream: str, pattern: str, which: str = "last") -> int:
        rx = re.compile(pattern)
        hits = [i for i, t in enumerate(self.lines(stream)) if rx.search(t)]
        if not hits:
            raise LookupError(f"{self.key}: no line of {stream} matches {pattern!r}\n--- stderr tail:\n"
                              + "\n".join(self.stderr[-25:]) + "\n--- stdout tail:\n" + "\n".join(self.stdout[-10:]))
        return hits[-1] if which == "last" else hits[0]


@dataclass
class Run:
    """How to run a program: the command, files to write into a fresh work directory, and signals."""
    key: str
    cmd: list[str]
    files: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)
    setup: str | None = None            # Python code run first (not captured), e.g. to write a broken file
    signal_after: tuple | None = None   # (regex on stdout, signal number, 'pid'|'group')
    timeout: float = 240
    as_nobody: bool = False


def _split(buf: bytes):
    *done, rest = buf.split(b"\n")
    return done, rest


def run(spec: Run, python: str, root: str) -> Capture:
    work = os.path.join(root, spec.key)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    shutil.copy(ENGINE, os.path.join(work, "engine.py"))
    for name, content in spec.files.items():
        path = os.path.join(work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(path, mode) as f:
            f.write(content)
        if name.endswith(".sh") and not name.startswith("noexec"):
            os.chmod(path, 0o755)
    bindir = os.path.dirname(python)
    env = {
        "PATH": f"{bindir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": work if spec.as_nobody else os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "PYTHON": python,
    }
    env.update({k: str(v) for k, v in spec.env.items()})
    if spec.setup:
        subprocess.run([python, "-c", spec.setup], cwd=work, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cmd = [python if c == "{python}" else c for c in spec.cmd]
    if spec.as_nobody:
        os.chmod(work, 0o755)
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
    t0 = time.time()
    p = subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ, "stdout")
    sel.register(p.stderr, selectors.EVENT_READ, "stderr")
    out: dict[str, list[str]] = {"stdout": [], "stderr": []}
    rest = {"stdout": b"", "stderr": b""}
    order: list[tuple[str, int]] = []
    times: dict[str, list[float]] = {"stdout": [], "stderr": []}
    signalled = None
    sig_rx = re.compile(spec.signal_after[0]) if spec.signal_after else None

    def emit(stream, raw):
        text = raw.decode("utf-8", "surrogateescape")
        out[stream].append(text)
        times[stream].append(time.time())
        order.append((stream, len(out[stream]) - 1))
        return text

    open_streams = 2
    while open_streams:
        if time.time() - t0 > spec.timeout:
            os.killpg(p.pid, signal.SIGKILL)
            raise TimeoutError(f"{spec.key}: still running after {spec.timeout}s")
        for k, _ in sel.select(timeout=1.0):
            stream = k.data
            chunk = os.read(k.fileobj.fileno(), 65536)
            if not chunk:
                sel.unregister(k.fileobj)
                open_streams -= 1
                if rest[stream]:
                    emit(stream, rest[stream])
                    rest[stream] = b""
                continue
            done, rest[stream] = _split(rest[stream] + chunk)
            for raw in done:
                text = emit(stream, raw)
                if sig_rx and signalled is None and stream == "stdout" and sig_rx.search(text):
                    _, signum, target = spec.signal_after
                    time.sleep(0.3)
                    if target == "group":
                        os.killpg(p.pid, signum)
                    elif target == "children":  # the launch script's child (python, torchrun), not bash
                        with open(f"/proc/{p.pid}/task/{p.pid}/children") as f:
                            for child in f.read().split():
                                os.kill(int(child), signum)
                    else:
                        os.kill(p.pid, signum)
                    signalled = signal.Signals(signum).name
    rc = p.wait()
    cap = Capture(spec.key, out["stdout"], out["stderr"], order, times, rc, time.time() - t0, work, signalled=signalled, started=t0)
    for f in os.listdir(work):  # core dumps of the segfault jobs are not kept
        if f == "core" or f.startswith("core."):
            os.remove(os.path.join(work, f))
    return cap
