"""Small helpers shared by the sample training programs.

The programs are real (they train tiny models and fail for real); these helpers only make their
noise look like a platform job's and keep it reproducible: a fake clock for log timestamps, a
tqdm-style progress bar whose timings come from that clock, and seeding.
"""
import logging
import os
import random
import sys
import time

import numpy as np

# Timestamps in the sample logs come from this clock, not the wall clock, so rebuilding the
# samples gives byte-identical logs.
_T0 = float(os.environ.get("SAMPLE_T0", "1538565727"))
_now = [_T0]


def tick(seconds: float) -> float:
    _now[0] += seconds
    return _now[0]


def now() -> float:
    return _now[0]


def stamp(fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return time.strftime(fmt, time.gmtime(_now[0]))


class _FakeClockFormatter(logging.Formatter):
    def formatTime(self, record, datefmt=None):
        tick(0.731)
        return time.strftime(datefmt or "%Y-%m-%d %H:%M:%S", time.gmtime(_now[0])) + ",%03d" % (
            int(_now[0] * 1000) % 1000
        )


_COLOURS = {"INFO": "\x1b[32m", "WARNING": "\x1b[33m", "ERROR": "\x1b[31m", "DEBUG": "\x1b[36m"}


class _ColourFormatter(_FakeClockFormatter):
    def format(self, record):
        colour = _COLOURS.get(record.levelname)
        text = super().format(record)
        if colour:
            text = text.replace(record.levelname, colour + record.levelname + "\x1b[0m", 1)
        return text


def get_logger(name: str, colour: bool = False, stream=None) -> logging.Logger:
    handler = logging.StreamHandler(stream or sys.stdout)
    cls = _ColourFormatter if colour else _FakeClockFormatter
    handler.setFormatter(cls("%(asctime)s %(levelname)s [%(name)s] %(message)s"))
    logger = logging.getLogger(name)
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch

        torch.manual_seed(seed)
        torch.set_num_threads(1)
    except ImportError:
        pass


def _fmt_interval(seconds: float) -> str:
    seconds = int(seconds)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return "%d:%02d:%02d" % (hours, minutes, seconds)
    return "%02d:%02d" % (minutes, seconds)


class Bar:
    """A tqdm-alike: redraws one line with '\\r' and ends it with '\\n' on close.

    Elapsed time and rate come from the fake clock (sec_per_it per step) so the text is stable.
    """

    def __init__(self, total, desc="", sec_per_it=0.25, stream=None, ncols=10, every=1):
        self.total, self.desc, self.spi = total, desc, sec_per_it
        self.stream = stream or sys.stderr
        self.ncols, self.every = ncols, every
        self.n, self.postfix = 0, ""
        self._draw()

    def set_postfix(self, **kw):
        self.postfix = ", ".join("%s=%s" % (k, v) for k, v in kw.items())

    def update(self, k=1):
        self.n += k
        tick(self.spi * k)
        if self.n % self.every == 0 or self.n == self.total:
            self._draw()

    def _draw(self):
        frac = self.n / self.total if self.total else 0
        full = int(frac * self.ncols)
        partial = " ▏▎▍▌▋▊▉"[int((frac * self.ncols - full) * 8)] if full < self.ncols else ""
        bar = ("█" * full + partial).ljust(self.ncols)
        elapsed = self.n * self.spi
        remaining = (self.total - self.n) * self.spi
        rate = "?it/s" if self.n == 0 else (
            "%5.2fit/s" % (1 / self.spi) if self.spi <= 1 else "%5.2fs/it" % self.spi)
        post = (", " + self.postfix) if self.postfix else ""
        text = "%s: %3d%%|%s| %d/%d [%s<%s, %s%s]" % (
            self.desc, frac * 100, bar, self.n, self.total, _fmt_interval(elapsed),
            _fmt_interval(remaining) if self.n else "?", rate, post)
        self.stream.write("\r" + text)
        self.stream.flush()

    def close(self):
        self.stream.write("\n")
        self.stream.flush()
