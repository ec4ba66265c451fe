"""Where a path's bytes live: a local path, or an object store reached through fsspec by its URL.

A path is a URL when it starts with ``scheme://`` (``s3://``, ``az://``, ``abfs://``, ``gs://``,
``https://``, ``file://``, ...); anything else is a local path, and nothing here touches it: the
local code path of every step stays what it was. ``fsspec`` and its back ends (s3fs, adlfs, gcsfs)
are imported on the first URL, never for a local run.

For a URL this module gives what the job model needs, as a store's prefix of objects: what is at
a URL (an object, a "directory" = a prefix, or nothing) and the entries of a prefix. Objects are
read by ranges in ranged.py.

Errors: the store's own message, as OSError (FileNotFoundError, PermissionError, ...), for the
caller to turn into an ``error`` record. A transient failure (a timeout, a dropped connection, a
throttling or 5xx answer) is retried ATTEMPTS times in all, after BACKOFF seconds and then four
times that; the back ends retry some of their own before that. A scheme whose back end is not
installed is ``StorageUnavailable``: a usage error naming the pip extra to install.

Options for the back ends (``--storage-option KEY=VALUE``) are set once per process with
``configure``; the engine carries them to its worker processes (engine.Options.storage).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import threading
import time
from typing import Any, Callable, TypeVar

URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+)://")
# The pip extra that brings each scheme's back end.
EXTRAS = {
    "s3": "s3", "s3a": "s3",
    "az": "azure", "abfs": "azure", "abfss": "azure", "adl": "azure",
    "gs": "gcs", "gcs": "gcs",
    "http": "http", "https": "http",
}
# Tries of one store call in all, when it fails transiently. Two: s3fs (5 tries), adlfs (azure-core's
# policy) and gcsfs retry their own calls with backoff already; this covers what they give up on
# or do not retry (fsspec's http), without multiplying a dead endpoint's timeouts much.
ATTEMPTS = 2
BACK_END_LOGGERS = ("fsspec", "s3fs", "adlfs", "gcsfs", "azure", "aiobotocore", "botocore", "aiohttp")
BACKOFF = 0.5  # seconds before the next try; each later one waits four times longer
TRANSIENT_WORDS = ("timeout", "timed out", "connection", "throttl", "slowdown", "slow down", "serviceunavailable",
                   "service unavailable", "internalerror", "internal error", "503", "500 ", "502", "504",
                   "server disconnected", "reset by peer")

T = TypeVar("T")
_options: dict[str, Any] = {}
_filesystems: dict[str, Any] = {}
_lock = threading.Lock()
_last_failure: tuple[str, tuple[str, str]] = ("", ("", ""))


class StorageUnavailable(Exception):
    """A URL whose scheme no installed fsspec back end reads: the message says what to install."""


def is_url(path: str) -> bool:
    """Whether ``path`` names an object in a store (``scheme://...``) rather than a local path."""
    return isinstance(path, str) and URL.match(path) is not None


def scheme(url: str) -> str:
    match = URL.match(url)
    return match.group(1).lower() if match else ""


def parse_option(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` as a back end wants it: true/false, a number, or JSON ({...}, [...]) are read
    as such, anything else is a string. Raise ValueError for text without ``=``."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"--storage-option takes KEY=VALUE, not {text!r}")
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return key.strip(), lowered == "true"
    if lowered in ("none", "null"):
        return key.strip(), None
    if re.fullmatch(r"-?\d+", lowered):
        return key.strip(), int(lowered)
    if re.fullmatch(r"-?\d+\.\d*", lowered):
        return key.strip(), float(lowered)
    if value.strip()[:1] in "{[":
        try:
            return key.strip(), json.loads(value)
        except ValueError:
            pass
    return key.strip(), value


def configure(options: dict[str, Any]) -> None:
    """The options given to every back end this process opens (the filesystems are made anew)."""
    global _options
    with _lock:
        if options != _options:
            _options = dict(options)
            _filesystems.clear()


def configured() -> dict[str, Any]:
    return dict(_options)


def check_available(url: str) -> None:
    """Raise StorageUnavailable when no installed back end reads ``url``'s scheme."""
    filesystem(url)


def filesystem(url: str):
    """The fsspec filesystem that reads ``url`` in this process (made on first use)."""
    protocol = scheme(url)
    key = (os.getpid(), protocol)  # a back end's client is not fork-safe: a worker process makes its own
    with _lock:
        if key in _filesystems:
            return _filesystems[key]
    extra = EXTRAS.get(protocol, "cloud")
    install = f"pip install 'philly-triage[{extra}]'"
    try:
        import fsspec
    except ImportError:
        raise StorageUnavailable(f"reading {protocol}:// URLs needs fsspec: {install}") from None
    _quiet_back_ends()
    try:
        cls = fsspec.get_filesystem_class(protocol)
    except ImportError as err:
        raise StorageUnavailable(f"reading {protocol}:// URLs needs a library that is not installed "
                                 f"({err}): {install}") from None
    except ValueError:
        raise StorageUnavailable(f"no storage back end reads {protocol}:// URLs "
                                 f"(s3, az, abfs, gs, http(s), file and fsspec's others do)") from None
    options = dict(_options) if protocol != "file" else {}
    try:
        fs = cls(**options, skip_instance_cache=True)
    except ImportError as err:
        raise StorageUnavailable(f"reading {protocol}:// URLs needs a library that is not installed "
                                 f"({err}): {install}") from None
    except (TypeError, ValueError) as err:
        raise StorageUnavailable(f"the storage options do not suit {protocol}:// ({err})") from None
    with _lock:
        _filesystems[key] = fs
    return fs


def _quiet_back_ends() -> None:
    """The back ends log the errors they give up on, tracebacks and all (gcsfs: "out of retries");
    triage reports each as an ``error`` record instead. A NullHandler keeps Python from printing
    them on stderr when no logging is set up; logging that a program sets up still receives them."""
    import logging

    for name in BACK_END_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
            logger.addHandler(logging.NullHandler())


def object_key(url: str, fs) -> str:
    """The path that ``fs`` takes for ``url`` (http keeps its whole URL)."""
    if scheme(url) in ("http", "https"):
        return url
    return fs._strip_protocol(url)


def message(err: BaseException) -> str:
    """The store's message for an error, without Python's ``[Errno 2]`` prefix."""
    text = str(err) or type(err).__name__
    return re.sub(r"^\[Errno -?\d+\]\s*", "", text).strip()


def _transient(err: BaseException) -> bool:
    if isinstance(err, (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)):
        return False
    if isinstance(err, (TimeoutError, ConnectionError)):
        return True
    words = f"{type(err).__name__} {err}".lower()
    return any(word in words for word in TRANSIENT_WORDS)


def retried(call: Callable[[], T]) -> T:
    """``call()``, tried again after a transient failure (ATTEMPTS in all, backing off); any error
    it ends with is raised as OSError carrying the store's message."""
    for attempt in range(ATTEMPTS):
        try:
            return call()
        except StorageUnavailable:
            raise
        except Exception as err:  # noqa: BLE001 - a back end raises its own kinds; all become OSError
            if attempt + 1 < ATTEMPTS and _transient(err):
                time.sleep(BACKOFF * 4 ** attempt)
                continue
            kind = next((k for k in (FileNotFoundError, PermissionError, IsADirectoryError) if isinstance(err, k)), OSError)
            raise kind(message(err)) from None
    raise AssertionError("unreachable")


def path_kind(url: str) -> tuple[str, str]:
    """What is at ``url``: ("file" | "dir" | "missing" | "unreadable", the store's message). A
    failure is remembered for the next call on the same URL (discover asks twice in a row), so an
    unreachable store is not waited for twice."""
    global _last_failure
    if _last_failure[0] == url:
        return _last_failure[1]
    fs = filesystem(url)
    try:
        info = retried(lambda: fs.info(object_key(url, fs)))
    except FileNotFoundError as err:
        _last_failure = (url, ("missing", message(err)))
    except PermissionError as err:
        _last_failure = (url, ("unreadable", f"access denied ({message(err)})"))
    except OSError as err:
        _last_failure = (url, ("unreadable", message(err)))
    else:
        _last_failure = ("", ("", ""))
        return ("dir" if info.get("type") == "directory" else "file"), ""
    return _last_failure[1]


def is_file(url: str) -> bool:
    return path_kind(url)[0] == "file"


def join(url: str, name: str) -> str:
    """The URL of ``name`` inside the prefix ``url`` (spelled with the scheme the user gave)."""
    return url.rstrip("/") + "/" + name if not url.endswith("://") else url + name


def parent(url: str) -> str:
    head, _ = posixpath.split(url.rstrip("/"))
    return head


def list_dir(url: str) -> list[tuple[str, str, bool]]:
    """The entries of a prefix, as (URL, name, is a directory), in no order; raise OSError."""
    fs = filesystem(url)
    entries = retried(lambda: fs.ls(object_key(url, fs), detail=True))
    found = {}
    for entry in entries:
        name = posixpath.basename(str(entry["name"]).rstrip("/"))
        if not name or name in found:
            continue
        found[name] = (join(url, name), name, entry.get("type") == "directory")
    return list(found.values())


def bytes_read() -> tuple[int, int, int]:
    """What this process fetched from stores so far: bytes read, bytes of the objects opened,
    objects opened (counted in ranged.py)."""
    from philly_triage._internal.pipeline.ranged import bytes_read as counted

    return counted()
