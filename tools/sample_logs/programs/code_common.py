"""Deterministic helpers shared by the sample training programs (copied into a job as trainlib.py).

Real jobs print wall-clock timestamps and tqdm timings; these helpers print the same shapes from a
fake clock so that regenerating the sample logs gives the same bytes.
"""
import datetime
import logging
import os
import random
import sys

ANSI = {"grey": "\x1b[90m", "green": "\x1b[32m", "yellow": "\x1b[33m", "red": "\x1b[31m",
        "bold": "\x1b[1m", "reset": "\x1b[0m"}


class FakeClock:
    def __init__(self, start, seed=0):
        self.t = datetime.datetime.strptime(start, "%Y-%m-%d %H:%M:%S")
        self.rng = random.Random(seed)

    def tick(self, mean=0.8):
        self.t += datetime.timedelta(seconds=mean * (0.5 + self.rng.random()))
        return self.t


CLOCK = FakeClock("2018-10-11 09:33:00")


class _Formatter(logging.Formatter):
    def __init__(self, fmt, color=False):
        super().__init__(fmt)
        self.color = color

    def formatTime(self, record, datefmt=None):
        t = CLOCK.tick()
        return t.strftime("%Y-%m-%d %H:%M:%S") + ",%03d" % (t.microsecond // 1000)

    def format(self, record):
        text = super().format(record)
        if not self.color:
            return text
        colour = {"WARNING": ANSI["yellow"], "ERROR": ANSI["red"], "INFO": ANSI["green"]}.get(
            record.levelname, "")
        return colour + text + ANSI["reset"] if colour else text


def setup_logging(start, seed=0, fmt="%(asctime)s - %(levelname)s - %(name)s - %(message)s",
                  stream=None, color=False):
    """Logs with fake timestamps from `start` (or $TRAINLIB_START, set by the sample builder)."""
    global CLOCK
    CLOCK = FakeClock(os.environ.get("TRAINLIB_START", start), seed)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_Formatter(fmt, color))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    return logging.getLogger("train")


def _fmt_secs(s):
    s = int(s)
    return "%02d:%02d" % (s // 60, s % 60)


def progress(iterable, total=None, desc="", stream=None, rate=3.7, width=20, every=1):
    """A tqdm look-alike: redraws one line with carriage returns, newline when the loop ends."""
    stream = stream or sys.stderr
    if total is None:
        total = len(iterable)
    n = 0

    def draw():
        frac = n / total if total else 1.0
        filled = int(width * frac)
        bar = "\u2588" * filled + (" " * (width - filled))
        elapsed = n / rate
        remain = (total - n) / rate
        stream.write("\r%s: %3d%%|%s| %d/%d [%s<%s, %5.2fit/s]" % (
            desc, int(frac * 100), bar, n, total, _fmt_secs(elapsed), _fmt_secs(remain), rate))
        stream.flush()

    draw()
    for item in iterable:
        yield item
        n += 1
        if n % every == 0 or n == total:
            draw()
    stream.write("\n")
    stream.flush()
