"""Shared fixtures: the built-in catalogue, compiled once per test session; a private catalogue cache."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from philly_triage._internal.catalogue.load import load_catalogue
from philly_triage._internal.catalogue.markers import default_markers
from philly_triage._internal.pipeline.match import Matcher

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CACHE_VARS = ("TRIAGE_CACHE_DIR", "TRIAGE_NO_CACHE")
_saved_cache_env: dict = {}


def pytest_configure(config):
    """Give the run a private catalogue cache, so tests never write to the user's ~/.cache.

    A hook rather than a session fixture: some test modules load the catalogue when they are
    imported, which happens at collection, before any fixture runs. Every triage that a test
    starts in a subprocess inherits the variable too.
    """
    _saved_cache_env.update({name: os.environ.get(name) for name in CACHE_VARS})
    os.environ["TRIAGE_CACHE_DIR"] = tempfile.mkdtemp(prefix="triage-test-cache-")
    os.environ.pop("TRIAGE_NO_CACHE", None)


def pytest_unconfigure(config):
    shutil.rmtree(os.environ.get("TRIAGE_CACHE_DIR", ""), ignore_errors=True)
    for name, value in _saved_cache_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="session")
def markers():
    return default_markers()


@pytest.fixture(scope="session")
def matcher(catalogue):
    return Matcher(catalogue)
