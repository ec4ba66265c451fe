"""Stand-in for the kernel's OOM killer, which cannot be provoked safely on a shared build machine.

When SAMPLE_OOM_KILL_AFTER_MB is set, check_rss() sends SIGKILL to the calling process once its
resident set grows past that many MiB ("+N": N MiB more than at its first call) -- the same signal, from the same point of view of the
process and its parent, as the OOM killer's. Nothing is printed: a killed process prints nothing.
The kill comes a second after the limit is crossed (the kernel, too, acts only once reclaim has
failed), which also lets a parent that consumes this process's output catch up and wait for it.
"""
import os
import signal
import time


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


_baseline = {}


def check_rss() -> None:
    limit = os.environ.get("SAMPLE_OOM_KILL_AFTER_MB")
    if not limit:
        return
    rss = _rss_mb()
    if limit.startswith("+"):
        limit = _baseline.setdefault(os.getpid(), rss) + float(limit[1:])
    if rss > float(limit):
        time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGKILL)
