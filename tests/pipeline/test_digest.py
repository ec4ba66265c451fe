"""SHA-256 without OpenSSL: the same digests as hashlib's, and a classify run never loads OpenSSL."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from hypothesis import given, settings, strategies as st

from philly_triage._internal.pipeline.digest import sha256
from tests.conftest import ROOT


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_the_digests_are_hashlibs(data):
    assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    assert sha256(data).digest() == hashlib.sha256(data).digest()


def test_a_classify_run_does_not_load_openssl():
    """OpenSSL's libcrypto costs each triage process about 3.7 MB (see digest.py)."""
    code = (
        "import sys, contextlib, io\n"
        "from philly_triage._internal.cli.main import cli\n"
        "try:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        f"        cli.main(['classify', '-f', 'jsonl', '--jobs', '1', {str(ROOT / 'sample_logs')!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('_hashlib', 'hashlib') if m in sys.modules))\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120) for _ in "12"]
    assert all(done.returncode == 0 for done in runs), runs[-1].stderr
    # (the first run may fill the cache, and checking a catalogue imports what it needs)
    assert runs[-1].stdout.strip().splitlines()[-1] == "[]", "a warm run loaded OpenSSL"
