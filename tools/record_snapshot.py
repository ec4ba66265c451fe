"""Write the JSONL records of every evidence corpus, to prove that a change preserves behaviour.

    python tools/record_snapshot.py OUT_DIR [--bench DIR]

runs ``python -m philly_triage classify --format jsonl`` (the triage that ``python`` imports: set
PYTHONPATH to compare two checkouts) on the sample logs, both held-out sets, the labelled test
logs and, with ``--bench``, a corpus made by ``bench/generate.py``; once reading from the end and
once with ``--full``. Compare two snapshots with ``diff -r BEFORE AFTER``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = {
    "sample_logs": ROOT / "sample_logs",
    "heldout_a": ROOT / "eval" / "heldout",
    "heldout_b": ROOT / "eval" / "heldout_b",
    "tests_heldout": ROOT / "tests" / "data" / "heldout",
    "stage_logs": ROOT / "tests" / "data" / "stage_logs",
}


def snapshot(name: str, path: Path, out: Path, full: bool) -> None:
    target = out / f"{name}{'.full' if full else ''}.jsonl"
    command = [sys.executable, "-m", "philly_triage", "classify", "--format", "jsonl", "--jobs", "2", _shown(path)]
    command += ["--full"] if full else []
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.strip()}")
    target.write_text(done.stdout, encoding="utf-8")
    print(f"{target}: {len(done.stdout.splitlines())} records")


def _shown(path: Path) -> str:
    """A corpus inside the checkout by its relative path, so two checkouts' records compare equal."""
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--bench", type=Path, help="a bench/generate.py output folder (its corpus/ is classified)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    corpora = dict(CORPORA)
    if args.bench:
        corpora["bench_corpus"] = args.bench / "corpus"
    for name, path in corpora.items():
        for full in (False, True):
            snapshot(name, path, args.out, full)


if __name__ == "__main__":
    main()
