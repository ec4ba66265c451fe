"""Workers give freed memory back every TRIM_EVERY jobs."""

from __future__ import annotations

import sys

import pytest

from philly_triage._internal.pipeline import memory
from philly_triage._internal.pipeline.memory import TRIM_EVERY, Trimmer


def test_the_trimmer_trims_every_few_jobs(monkeypatch):
    calls = []
    monkeypatch.setattr(memory, "_trimmer", lambda: calls.append)
    trimmer = Trimmer()
    for _ in range(TRIM_EVERY * 3 + 1):
        trimmer.after_job()
    assert calls == [0, 0, 0]


def test_without_malloc_trim_nothing_happens(monkeypatch):
    monkeypatch.setattr(memory, "_trimmer", lambda: None)
    trimmer = Trimmer()
    for _ in range(TRIM_EVERY * 2):
        trimmer.after_job()  # no error


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim is Linux's")
def test_glibc_malloc_trim_is_found_and_runs():
    trim = memory._trimmer()
    assert trim is not None
    assert trim(0) in (0, 1)
