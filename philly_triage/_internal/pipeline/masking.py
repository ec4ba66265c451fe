"""Mask the parts of a failure message that vary between runs of the same failure.

Two jobs that died of the same thing print messages that differ in numbers, paths, hex
addresses, tensor shapes, ranks and timestamps. Masking those parts leaves the message's
template: ``CUDA out of memory. Tried to allocate 20.00 MiB`` and ``... 1.50 GiB`` both become
``CUDA out of memory. Tried to allocate <n> <unit>``. Fingerprints and baselines compare
templates; clustering of unknown failures groups on them.

The masks are applied in order, most specific first, so that a timestamp is one ``<time>`` and
not three ``<n>``. Words that hold digits (``float16``, ``conv2d``, ``sm_80``) are names, not
numbers, and are kept.
"""

from __future__ import annotations

import regex

# Each entry: (what it masks, the pattern, its replacement). Order matters.
_MASKS: tuple[tuple[str, str, str], ...] = (
    ("url", r"\b[a-zA-Z][\w+.-]*://[^\s'\"<>()\[\]{},]+", "<url>"),
    ("timestamp",
     r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
     r"|\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b", "<time>"),
    ("uuid", r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b", "<id>"),
    ("address", r"\b0x[0-9a-fA-F]+\b", "<hex>"),
    # A run of 8+ hex digits holding both a digit and a letter: a hash, a container or trace id.
    ("hex id", r"\b(?=[0-9a-fA-F]*[0-9])(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b", "<hex>"),
    ("ip", r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|\[[0-9a-fA-F:]*:[0-9a-fA-F:]+\](?::\d+)?", "<ip>"),
    # A file path: absolute, home-relative, ./ or ../, a Windows drive, or two or more segments
    # joined by slashes. Stops at quotes, spaces, brackets and a trailing colon or comma.
    ("path",
     r"(?<![\w/.<>-])(?:[A-Za-z]:[\\/]|~?/|\.{1,2}/)[^\s'\"`<>()\[\]{},;:]*"
     r"|(?<![\w/.<>-])[\w.-]+(?:/[\w.@+-]+)+/?", "<path>"),
    # A tensor shape or a list of numbers: torch.Size([8, 3, 224, 224]), (32, 10), [4096].
    ("shape", r"(?:torch\.Size\()?[\[(]\s*-?\d+(?:\s*,\s*-?\d+)*\s*,?\s*[\])]\)?", "<shape>"),
    ("dimensions", r"\b\d+(?:x\d+)+\b", "<shape>"),
    ("size", r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\s*(?:[KMGTP]i?B|bytes|[KMGT]B)\b", "<n> <unit>"),
    ("number", r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.]*[A-Za-z_])|(?<![\w.])\.\d+\b", "<n>"),
)
_QUOTED = regex.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`")
_COMPILED = tuple((name, regex.compile(pattern), replacement) for name, pattern, replacement in _MASKS)
_SPACES = regex.compile(r"\s+")
_REPEATS = regex.compile(r"(<\w+>)(?:[\s,;]*\1)+")  # "<n>, <n>, <n>" reads as one "<n>"
MASK_NAMES = tuple(name for name, _, _ in _MASKS)


def mask(message: str, quoted: bool = False) -> str:
    """The template of ``message``: its variable parts replaced by ``<n>``, ``<path>``, ``<hex>``...

    With ``quoted``, quoted names ('lr', "model.bin") are masked too, as ``<str>``: clustering
    wants ``KeyError: 'lr'`` and ``KeyError: 'momentum'`` together, while a fingerprint keeps them
    apart (two missing keys are two things to fix).
    """
    text = message
    if quoted:
        text = _QUOTED.sub("<str>", text)
    for _, pattern, replacement in _COMPILED:
        text = pattern.sub(replacement, text)
    text = _REPEATS.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()
