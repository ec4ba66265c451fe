"""Download the real job logs that eval/real_logs.yaml lists, for `triage eval`.

The logs are their authors' files in public GitHub repositories, so this repository keeps only
where each one is (its URL at a commit), its sha256 and size, and what a careful triager says of it.
This script fetches each file at that commit, checks it is the file that was labelled, and writes

    eval/real_logs/SET/NAME             the log, byte for byte
    eval/real_logs/SET.expected.yaml    the labels, in the form `triage eval --expect` reads

so that, for example:

    python eval/fetch_real_logs.py
    triage eval eval/real_logs/e --expect eval/real_logs/e.expected.yaml

It needs the network (raw.githubusercontent.com) and only the standard library and PyYAML. A file
that cannot be fetched, or whose bytes are not the ones labelled, is named and left out, and the
script exits 1; the others are still written.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "real_logs.yaml"
RAW = "https://raw.githubusercontent.com"
# https://github.com/OWNER/REPO/blob/COMMIT/PATH
BLOB = re.compile(r"^https://github\.com/(?P<owner>[^/]+)/(?P<repo>[^/]+)/blob/(?P<commit>[0-9a-f]{40})/(?P<path>.+)$")


def raw_url(url: str, base: str = RAW) -> str:
    """Where the bytes of a file shown at ``url`` (a GitHub blob URL at a commit) are served."""
    found = BLOB.match(url)
    if found is None:
        raise ValueError(f"not a GitHub file URL at a commit: {url}")
    path = urllib.parse.quote(found["path"], safe="/")
    return f"{base.rstrip('/')}/{found['owner']}/{found['repo']}/{found['commit']}/{path}"


def expected_entry(job: dict) -> dict:
    """A job's labels as `triage eval --expect` reads them."""
    entry = {"category": job["category"]}
    if job.get("line") is not None:
        entry["file"] = job["name"]
        entry["line"] = job["line"]
    entry["source"] = job["url"] + (f" ; {job['why']}" if job.get("why") else "")
    return entry


def fetch(url: str, timeout: float) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return answer.read()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--out", type=Path, default=HERE / "real_logs", help="where to write the sets")
    parser.add_argument("--set", dest="sets", action="append", help="only this set (repeatable)")
    parser.add_argument("--base-url", default=RAW, help="where raw files are served (a mirror)")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)

    sets = yaml.safe_load(args.manifest.read_text(encoding="utf-8"))["sets"]
    unknown = sorted(set(args.sets or ()) - set(sets))
    if unknown:
        parser.error(f"no set {', '.join(unknown)} in {args.manifest} (it has {', '.join(sorted(sets))})")
    problems = 0
    for name in args.sets or sorted(sets):
        folder = args.out / name
        folder.mkdir(parents=True, exist_ok=True)
        expected = {}
        for job in sets[name]["jobs"]:
            try:
                data = fetch(raw_url(job["url"], args.base_url), args.timeout)
            except (urllib.error.URLError, OSError, ValueError) as err:
                print(f"{name}/{job['name']}: not fetched: {err}", file=sys.stderr)
                problems += 1
                continue
            digest = hashlib.sha256(data).hexdigest()
            if digest != job["sha256"]:
                print(f"{name}/{job['name']}: not the file labelled (sha256 {digest}, {len(data)} bytes; "
                      f"labelled {job['sha256']}, {job['bytes']} bytes)", file=sys.stderr)
                problems += 1
                continue
            (folder / job["name"]).write_bytes(data)
            expected[job["name"]] = expected_entry(job)
        with open(args.out / f"{name}.expected.yaml", "w", encoding="utf-8") as out:
            out.write(f"# Labels of eval/real_logs/{name}/, written by eval/fetch_real_logs.py from {args.manifest.name}.\n")
            yaml.safe_dump(expected, out, sort_keys=False, allow_unicode=True, width=1000)
        print(f"{name}: {len(expected)} of {len(sets[name]['jobs'])} logs in {folder}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
