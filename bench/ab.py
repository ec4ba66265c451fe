"""Two versions of triage on the same logs, run in turn: their times, and whether their output is the same.

    python bench/ab.py BASE [--head REV] [--runs 5] -- classify -f jsonl LOGS...

BASE and REV are git revisions of this repository (REV: the working tree when not given). Each is
checked out in a temporary worktree with its C loops built there, and run as ``python -m
philly_triage ARGS`` with the worktree first on PYTHONPATH, the two alternating, so that both see
the same machine: on a shared or throttled machine, speed drifts by 10 to 20% within an hour, and
only runs made in turn are worth comparing. It prints the median wall time and CPU time (the
process and the workers it waited for) of each, their ratios, and whether the two outputs are
byte-identical: a change meant to keep every record shows both in one run. Each version runs twice,
untimed, first (WARM_UP). Exit status 1 when the outputs (or exit statuses) differ.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Untimed runs of each version first: a new worktree's first run compiles its modules, and the
# catalogue's cache is not written while its files are seconds old (catalogue/cache.py), so the
# second run still loads the rules from their files.
WARM_UP = 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the git revision to compare against")
    parser.add_argument("--head", help="the other revision (default: the working tree)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each version (default: 5)")
    argv = sys.argv[1:]
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        parser.error("give triage's arguments after --, e.g. -- classify -f jsonl bench/.data/corpus")
    options = parser.parse_args(argv[:argv.index("--")])
    # The runs start in a temporary folder (where no philly_triage is found before the worktree's):
    # arguments that name existing paths are made absolute.
    args = [os.path.abspath(arg) if os.path.exists(arg) else arg for arg in argv[argv.index("--") + 1:]]
    times: dict[str, list[tuple[float, float]]] = {"base": [], "head": []}
    outputs: dict[str, tuple[int, bytes]] = {}
    with tempfile.TemporaryDirectory(prefix="triage-ab-") as work:
        versions: dict[str, Path] = {}
        try:
            versions["base"] = checkout(options.base, Path(work) / "base")
            versions["head"] = checkout(options.head, Path(work) / "head") if options.head else ROOT
            for _ in range(WARM_UP):
                for tree in versions.values():
                    run(tree, args)
            for _ in range(options.runs):
                for name, tree in versions.items():
                    wall, cpu, output = run(tree, args)
                    times[name].append((wall, cpu))
                    outputs.setdefault(name, output)
        finally:
            for path in versions.values():
                if path != ROOT:
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)], check=False)
    report(options, args, times, outputs)
    return 0 if outputs["base"] == outputs["head"] else 1


def checkout(revision: str, path: Path) -> Path:
    """A worktree of ``revision`` at ``path`` with its C loops built in place (when it has any)."""
    added = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--quiet", "--detach", "--force", str(path),
                            revision], stderr=subprocess.PIPE, text=True)
    if added.returncode != 0:
        sys.exit(f"bench/ab.py: cannot check out {revision!r}: {added.stderr.strip()}")
    if (path / "native").is_dir():
        subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], cwd=path, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


def run(tree: Path, args: list[str]) -> tuple[float, float, tuple[int, bytes]]:
    """One run: wall seconds, CPU seconds (with the workers it waited for), and its exit status and
    standard output. A run that ends in a traceback stops the comparison with its last lines."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as a user's installation runs: compiled modules kept
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "philly_triage", *args], env=env, cwd=tempfile.gettempdir(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if b"Traceback (most recent call last)" in done.stderr:
        sys.exit(f"triage at {tree} failed:\n" + done.stderr.decode("utf-8", "replace")[-2000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, (done.returncode, done.stdout)


def report(options, args: list[str], times: dict[str, list[tuple[float, float]]],
           outputs: dict[str, tuple[int, bytes]]) -> None:
    head = options.head or "working tree"
    print(f"triage {' '.join(args)}: {options.runs} runs each, in turn")
    medians = {}
    for name, label in (("base", options.base), ("head", head)):
        wall = statistics.median(t[0] for t in times[name])
        cpu = statistics.median(t[1] for t in times[name])
        medians[name] = (wall, cpu)
        print(f"  {name} ({label}): wall {wall:.3f} s (min {min(t[0] for t in times[name]):.3f}), cpu {cpu:.3f} s")
    (base_wall, base_cpu), (head_wall, head_cpu) = medians["base"], medians["head"]
    print(f"  head/base: wall {head_wall / base_wall:.3f}, cpu {head_cpu / base_cpu:.3f}")
    (base_status, base_out), (head_status, head_out) = outputs["base"], outputs["head"]
    same = base_out == head_out and base_status == head_status
    print(f"  output: {'byte-identical' if same else 'DIFFERENT'} ({len(head_out):,} bytes; exit status "
          f"{base_status} and {head_status})")


if __name__ == "__main__":
    if shutil.which("git") is None:
        sys.exit("bench/ab.py needs git")
    sys.exit(main())
