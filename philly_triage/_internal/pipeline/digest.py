"""SHA-256 for fingerprints and cache keys, without loading OpenSSL.

``hashlib`` loads OpenSSL's libcrypto, which costs every triage process about 3.7 MB of memory
and 2 ms of start-up (a run has a parent and a worker per core). CPython builds its own SHA-256
in (``_sha256``, ``_sha2`` from 3.12): the same digests, from code already loaded. Elsewhere
(another Python), hashlib's.
"""

from __future__ import annotations

try:
    from _sha2 import sha256  # CPython 3.12 and later
except ImportError:
    try:
        from _sha256 import sha256  # CPython 3.9 to 3.11
    except ImportError:  # another implementation of Python
        from hashlib import sha256

__all__ = ["sha256"]
