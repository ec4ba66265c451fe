"""Keep the loaded catalogue between runs, so a run does not parse and validate every rule file again.

``load_catalogue`` asks here first. A cached catalogue is used only when everything it was built
from is as it was: the triage version, this cache's format, the Python and ``regex`` versions
(``regex`` judges which patterns are valid), the package's modules that read rules and define the
cached values (so an editable install whose models.py changed does not unpickle stale classes),
and, for every source in order, its origin, its path as given and each of its rule files (path
as found, resolved path, size, mtime, ctime and inode). A rule file added, removed, edited or
replaced misses the cache, and the rules are loaded again.

Only a catalogue that loaded without problems is written. It is not written while a file it was
built from is younger than ``RACY_SECONDS``: an edit in the same clock tick as the load could
otherwise keep the file's size and mtime and go unseen. Each list of sources (as given, from the
working directory) has its own cache file; the oldest beyond ``MAX_FILES`` are removed.

Where: ``$TRIAGE_CACHE_DIR`` if set and not empty, else ``$XDG_CACHE_HOME/triage`` (when that is
an absolute path), else ``~/.cache/triage``.

Disabling: set ``TRIAGE_NO_CACHE`` to any value but ``""`` or ``0`` (e.g. ``TRIAGE_NO_CACHE=1``)
and the cache is neither read nor written.

The cache can never make a run fail or load a wrong catalogue: any problem reading, unpickling
or writing it (a corrupt or foreign file, a directory that cannot be written) is silent, and the
rules are loaded from their files. Files are written atomically (a temporary file, then
``os.replace``), readable by their owner only, and a cache file that another user owns or could
have written is ignored.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
import zlib
from pathlib import Path
from typing import Mapping, NamedTuple, Optional, Sequence

import regex

from philly_triage import __version__

FORMAT = 1  # bump when the cached values change shape in a way the module stamps below would miss
DISABLE_VAR = "TRIAGE_NO_CACHE"
DIR_VAR = "TRIAGE_CACHE_DIR"
RACY_SECONDS = 2.0
MAX_FILES = 16
PREFIX, SUFFIX = "catalogue-", ".pickle"
PACKAGE_DIR = Path(__file__).resolve().parents[2]  # philly_triage/
# The modules whose code decides what a loaded catalogue holds, or defines the classes it pickles,
# and the schemas the rule and stages files are checked against.
MODULES = (
    "_internal/catalogue/load.py", "_internal/catalogue/cache.py", "models.py", "_internal/rulecheck/regex_syntax.py",
    "_internal/catalogue/rule_file.py", "_internal/catalogue/stage_file.py", "_internal/catalogue/yaml_source.py",
    "_internal/catalogue/schema.py", "_internal/catalogue/schema_quick.py", "_internal/catalogue/schemas/rule.schema.json",
    "_internal/catalogue/schemas/stages.schema.json",
)


class CacheKey(NamedTuple):  # NamedTuple, not a dataclass: a tenth of the import time
    """Where one list of sources is cached, and the stamp its cached catalogue must carry."""

    file: Path
    stamp: tuple
    racy: bool  # a file it stamps changed too recently to trust its mtime: read, but do not write


def cache_dir(environ: Optional[Mapping[str, str]] = None) -> Optional[Path]:
    """The cache directory, or None when the cache is disabled."""
    environ = os.environ if environ is None else environ
    if environ.get(DISABLE_VAR, "") not in ("", "0"):
        return None
    if environ.get(DIR_VAR):
        return Path(environ[DIR_VAR])
    xdg = environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / "triage"
    return Path.home() / ".cache" / "triage"


def cache_key(sources: Sequence[tuple[str, str, Sequence[Path]]]) -> Optional[CacheKey]:
    """The key for sources given as (origin, path as given, its rule files), or None for no caching.

    None when the cache is disabled, a source has no rule files (it cannot load) or a file cannot
    be examined.
    """
    try:
        directory = cache_dir()
        if directory is None or any(not files for _, _, files in sources):
            return None
        modules = tuple(_stat(PACKAGE_DIR / name) for name in MODULES)
        stamped = tuple(
            (origin, given, tuple((str(path), _stat(path)) for path in files)) for origin, given, files in sources
        )
        changed = [version.changed for version in modules]
        changed += [version.changed for _, _, files in stamped for _, version in files]
        slot = repr((sys.implementation.cache_tag, os.getcwd(), [(o, g) for o, g, _ in sources]))
        name = f"{PREFIX}{zlib.crc32(slot.encode('utf-8', 'surrogateescape')):08x}{SUFFIX}"  # the stamp decides
        stamp = (FORMAT, __version__, sys.version, regex.__version__, modules, stamped)
        recent = time.time_ns() - int(RACY_SECONDS * 1e9)
        return CacheKey(directory / name, stamp, racy=max(changed) > recent)
    except Exception:  # noqa: BLE001 - no key, no cache: the rules load from their files
        return None


class _FileVersion(NamedTuple):
    """What tells one version of a file from another."""

    resolved: str
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @property
    def changed(self) -> int:
        """When the file's content or metadata last changed, in ns."""
        return max(self.mtime_ns, self.ctime_ns)


def _stat(path: Path) -> _FileVersion:
    resolved = os.path.realpath(path)
    info = os.stat(resolved)
    return _FileVersion(resolved, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def read_cached(key: Optional[CacheKey], expected: type) -> Optional[object]:
    """The cached value stamped as ``key`` says and of type ``expected``, or None."""
    data = read_own(key.file) if key is not None else None
    if data is None:
        return None
    try:
        stamp, value = pickle.loads(data)
        if stamp != key.stamp or type(value) is not expected:
            return None
    except Exception:  # noqa: BLE001 - truncated or foreign: a miss
        return None
    return value


def write_cached(key: Optional[CacheKey], value: object) -> None:
    """Store ``value`` under ``key``, atomically; silently do nothing when that is not possible."""
    if key is None or key.racy:
        return
    if write_atomically(key.file, pickle.dumps((key.stamp, value), protocol=pickle.HIGHEST_PROTOCOL)):
        _prune(key.file.parent)


def read_own(path: Path) -> Optional[bytes]:
    """The bytes of a cache file that this user owns and no one else could have written, or None
    (missing, unreadable, or foreign: a miss)."""
    try:
        with open(path, "rb") as stream:
            info = os.fstat(stream.fileno())
            if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o022):
                return None
            return stream.read()
    except OSError:
        return None


def write_atomically(path: Path, data: bytes) -> bool:
    """Write a cache file readable by its owner only, atomically (a temporary file, then
    ``os.replace``); False, silently, when that is not possible."""
    temporary = None
    try:
        import tempfile  # only a miss writes

        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix="." + path.name, suffix=".tmp", dir=path.parent)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
        temporary = None
        return True
    except Exception:  # noqa: BLE001 - a cache that cannot be written only costs the next run time
        return False
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def _prune(directory: Path) -> None:
    """Remove the least recently written cache files beyond ``MAX_FILES``."""
    files = []
    for path in directory.glob(PREFIX + "*" + SUFFIX):
        try:
            files.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    for _, path in sorted(files, reverse=True)[MAX_FILES:]:
        try:
            path.unlink()
        except OSError:
            pass
