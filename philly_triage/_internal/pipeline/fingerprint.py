"""A record's fingerprint: the same kind of failure, in two jobs or two nights, has the same one.

The fingerprint hashes what the record says failed (its category, or ``unclassified``) with the
template of its failure message (``masking.mask``: numbers, paths, ids, shapes, ranks and times
masked). It is what ``--baseline`` compares: "tell me about new kinds of failure only".
"""

from __future__ import annotations

from typing import Optional

from philly_triage._internal.pipeline.digest import sha256
from philly_triage._internal.pipeline.masking import mask

FINGERPRINT_VERSION = 1  # changes when masking changes what two messages share
LENGTH = 16  # hex digits: 64 bits, ample for the failures of one platform


def fingerprint(kind: str, message: Optional[str]) -> str:
    """The fingerprint of a failure of ``kind`` (a category id or 'unclassified') with ``message``."""
    text = f"{kind}\n{mask(message or '')}"
    return sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:LENGTH]
