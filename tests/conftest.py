"""Shared fixtures: the built-in catalogue, compiled once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from philly_triage.catalogue import load_catalogue
from philly_triage.markers import default_markers
from philly_triage.matcher import Matcher

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="session")
def markers():
    return default_markers()


@pytest.fixture(scope="session")
def matcher(catalogue):
    return Matcher(catalogue)
