"""SHA-256 without OpenSSL: the same digests as hashlib's, and a classify run never loads OpenSSL."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings, strategies as st

from philly_triage._internal.pipeline.digest import sha256
from tests.conftest import ROOT
from tests.new_process import run_new


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_the_digests_are_hashlibs(data):
    assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    assert sha256(data).digest() == hashlib.sha256(data).digest()


def test_a_classify_run_does_not_load_openssl():
    """OpenSSL's libcrypto costs each triage process about 3.7 MB (see digest.py)."""
    _, loaded = run_new(["classify", "-f", "jsonl", "--jobs", "1", ROOT / "sample_logs"], ["_hashlib", "hashlib"])
    assert loaded == [], "a warm run loaded OpenSSL"
