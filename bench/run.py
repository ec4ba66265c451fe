"""Benchmark `triage classify` against ripgrep's keyword scan of the same logs.

Usage: python bench/run.py [--data DIR] [--repeat N] [--generate] [--timeout S] [--triage PATH]

Run it with the Python of the environment where triage is installed. On a warm page cache, it
times, in the same run:

  corpus       triage classify -f jsonl DIR/corpus       vs  rg -i -F -c -f KEYWORDS DIR/corpus
  big          triage classify -f jsonl DIR/big          vs  rg -i -F -c -f KEYWORDS DIR/big
  big --full   triage classify --full -f jsonl DIR/big   vs  the same rg scan

KEYWORDS holds every keyword of the built-in catalogue and the locator's keyword words: the scan a
"grep for error words" approach would make. Each line reports the best of N wall times, the ratio
triage/rg against its target, triage's throughput, and triage's peak memory, measured as the larger
of (a) the sum of RSS over triage's process tree (the process and all its descendants, e.g. worker
processes), sampled every 50 ms from /proc, and (b) the largest single-process peak RSS that wait4()
reports for triage and the descendants it reaped. It then runs `triage eval` on the corpus once to
show the answers are right. Figures are printed and written to DIR/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MB = 1024 * 1024
PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.05
# The locator's keyword words (philly_triage/markers.yaml `keywords`), spelled out for a plain scan.
LOCATOR_WORDS = ("error", "exception", "fail", "failed", "failure", "assert", "wrong", "fault", "crash", "unsuccessful")
# Targets: the ratio triage/rg for each benchmark, and triage's peak memory.
RATIO_TARGETS = {"corpus": 1.0, "big": 0.1, "big --full": 3.0}
MEMORY_TARGET_MB = 100.0
KEYWORD_SNIPPET = """
import json, sys
from philly_triage._internal.catalogue.load import load_catalogue
words = [w for rule in load_catalogue().rules for w in rule.keywords]
print(json.dumps({"keywords": words, "python": sys.version.split()[0]}))
"""


# --- measuring one command ---------------------------------------------------------------------------


@dataclass
class Run:
    """One execution of a command."""

    seconds: float
    returncode: Optional[int]
    timed_out: bool
    wait4_maxrss_mb: float  # ru_maxrss from wait4: max over the process and its reaped descendants
    tree_rss_peak_mb: float  # sampled peak of the sum of RSS over the live process tree
    tree_pss_peak_mb: float  # the same with PSS (shared pages divided among the processes sharing them)
    processes_seen: int  # most processes seen at once in the tree

    @property
    def peak_mb(self) -> float:
        return max(self.wait4_maxrss_mb, self.tree_rss_peak_mb)


class TreeSampler(threading.Thread):
    """Samples the memory of a process and all its descendants until stopped."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root = root
        self.stop = threading.Event()
        self.rss_peak = 0
        self.pss_peak = 0
        self.most_processes = 0

    def run(self) -> None:
        while not self.stop.is_set():
            pids = process_tree(self.root)
            rss = sum(_rss_bytes(pid) for pid in pids)
            pss = sum(_pss_bytes(pid) for pid in pids)
            self.rss_peak = max(self.rss_peak, rss)
            self.pss_peak = max(self.pss_peak, pss)
            self.most_processes = max(self.most_processes, len(pids))
            self.stop.wait(SAMPLE_SECONDS)


def process_tree(root: int) -> list[int]:
    """The root and its live descendants, from /proc/PID/task/TID/children."""
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    queue.extend(int(child) for child in children.read().split())
            except OSError:
                pass
    return found


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _pss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def run_once(command: list[str], stdout: Path, timeout: float) -> Run:
    """Run ``command`` (stdout to a file), with its wall time and memory; kill it after ``timeout``."""
    with open(stdout, "wb") as out, open(str(stdout) + ".err", "wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, start_new_session=True)
        sampler = TreeSampler(process.pid)
        sampler.start()
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        timer.cancel()
        sampler.stop.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here; tell Popen
    return Run(
        seconds=seconds,
        returncode=None if timed_out.is_set() else process.returncode,
        timed_out=timed_out.is_set(),
        wait4_maxrss_mb=usage.ru_maxrss * 1024 / MB,  # Linux reports KiB
        tree_rss_peak_mb=sampler.rss_peak / MB,
        tree_pss_peak_mb=sampler.pss_peak / MB,
        processes_seen=sampler.most_processes,
    )


def memory_self_test(work: Path) -> dict:
    """Check that wait4 and the sampler see a grandchild's memory, as they must for worker processes."""
    grandchild = "b = bytearray(200 * 2**20); import time; time.sleep(0.5)"
    child = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {grandchild!r}])"
    run = run_once([sys.executable, "-c", child], work / "selftest.out", 60)
    return {
        "allocated_mb": 200,
        "wait4_maxrss_mb": round(run.wait4_maxrss_mb, 1),
        "tree_rss_peak_mb": round(run.tree_rss_peak_mb, 1),
        "wait4_includes_descendants": run.wait4_maxrss_mb >= 190,
        "sampler_includes_descendants": run.tree_rss_peak_mb >= 190,
    }


# --- the benchmarks ---------------------------------------------------------------------------------


@dataclass
class Measure:
    """All runs of one command and their best."""

    command: list[str]
    runs: list[Run] = field(default_factory=list)

    @property
    def best(self) -> Optional[Run]:
        done = [r for r in self.runs if not r.timed_out]
        return min(done, key=lambda r: r.seconds) if done else None

    @property
    def peak_mb(self) -> float:
        return max((r.peak_mb for r in self.runs), default=0.0)

    def summary(self) -> dict:
        best = self.best
        return {
            "command": self.command,
            "best_seconds": round(best.seconds, 4) if best else None,
            "timed_out": any(r.timed_out for r in self.runs),
            "peak_mb": round(self.peak_mb, 1),
            "runs": [{k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(r).items()} for r in self.runs],
        }


def measure_pair(triage_cmd: list[str], rg_cmd: list[str], repeat: int, timeout: float, slow: float, work: Path,
                 name: str, rg: Optional[Measure] = None) -> tuple[Measure, Measure]:
    """Best-of-``repeat`` of triage and rg, alternating them; a run slower than ``slow`` seconds is not repeated."""
    triage = Measure(triage_cmd)
    rg = rg or Measure(rg_cmd)
    fresh_rg = not rg.runs
    for attempt in range(repeat):
        if attempt == 0 or (triage.best and triage.best.seconds < slow):
            run = run_once(triage_cmd, work / f"{name}.triage.{attempt}.out", timeout)
            triage.runs.append(run)
            print(f"  {name}: triage run {attempt + 1}: {_seconds(run)}", flush=True)
        if fresh_rg:
            run = run_once(rg_cmd, work / f"{name}.rg.{attempt}.out", timeout)
            rg.runs.append(run)
            print(f"  {name}: rg run {attempt + 1}: {_seconds(run)}", flush=True)
        if triage.runs[-1].timed_out:
            break
    return triage, rg


def _seconds(run: Run) -> str:
    return "timed out" if run.timed_out else f"{run.seconds:.3f}s (exit {run.returncode}, peak {run.peak_mb:.0f} MB)"


def warm_cache(*roots: Path) -> int:
    """Read every file under ``roots`` once, so the runs find them in the page cache; return the bytes."""
    total = 0
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                with open(path, "rb", buffering=0) as f:
                    while chunk := f.read(16 * MB):
                        total += len(chunk)
    return total


def read_records(path: Path) -> list[dict]:
    """The JSONL records a triage run printed."""
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return records


def check_big(records: list[dict], expected: dict) -> str:
    """Whether triage's answer on the big log is the expected one."""
    if not records:
        return "no record"
    record = records[0]
    got = record.get("category") or record.get("status")
    if got == expected.get("category") and record.get("line") == expected.get("line"):
        return f"correct ({got} at line {record.get('line')})"
    return f"WRONG: got {got} at line {record.get('line')}, expected {expected.get('category')} at line {expected.get('line')}"


# --- environment ------------------------------------------------------------------------------------


def find_triage(given: Optional[str]) -> str:
    """The triage to benchmark: --triage, else the one next to this Python, else the one on PATH."""
    if given:
        return given
    beside = Path(sys.executable).parent / "triage"
    if beside.exists():
        return str(beside)
    found = shutil.which("triage")
    if not found:
        sys.exit("run.py: cannot find `triage`: install it (pip install -e .) or pass --triage PATH")
    return found


def interpreter_of(script: str) -> str:
    """The Python that runs a console script (from its #! line), to load the catalogue it uses."""
    try:
        with open(script, "rb") as f:
            first = f.readline().decode("utf-8", "replace").strip()
    except OSError:
        return sys.executable
    if first.startswith("#!") and "python" in first:
        return first[2:].strip().split()[0]
    return sys.executable


def keyword_file(triage: str, work: Path) -> tuple[Path, dict]:
    """Write the catalogue's keywords plus the locator's words, one per line; also report the Python."""
    command = [interpreter_of(triage), "-c", KEYWORD_SNIPPET]
    output = subprocess.run(command, capture_output=True, text=True, check=False)
    if output.returncode != 0:
        sys.exit(f"run.py: cannot load triage's catalogue:\n{output.stderr}")
    found = json.loads(output.stdout)
    words = list(dict.fromkeys(w.lower() for w in found["keywords"] + list(LOCATOR_WORDS)))
    path = work / "keywords.txt"
    path.write_text("\n".join(words) + "\n", encoding="utf-8")
    return path, {"keywords": len(words), "python": found["python"]}


def machine(rg: str, triage: str) -> dict:
    """What the figures were measured on."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gb": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "rg": _first_line([rg, "--version"]),
        "triage": _first_line([triage, "--version"]),
        "git": _first_line(["git", "-C", str(REPO), "describe", "--always", "--dirty"]),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _first_line(command: list[str]) -> str:
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (output.stdout.strip().splitlines() or ["unknown"])[0]


def supports_full(triage: str) -> bool:
    output = subprocess.run([triage, "classify", "--help"], capture_output=True, text=True, check=False)
    return "--full" in output.stdout


# --- eval -------------------------------------------------------------------------------------------


def run_eval(triage: str, data: Path, timeout: float, work: Path) -> dict:
    """`triage eval` on the corpus: accuracy, localisation and the jobs it got wrong."""
    command = [triage, "eval", str(data / "corpus"), "--expect", str(data / "corpus.expected.yaml"), "--format", "json"]
    run = run_once(command, work / "eval.json", timeout)
    if run.timed_out:
        return {"command": command, "error": f"timed out after {timeout:.0f}s"}
    try:
        report = json.loads((work / "eval.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        error = Path(str(work / "eval.json") + ".err").read_text(encoding="utf-8", errors="replace")[-2000:]
        return {"command": command, "error": f"exit {run.returncode}: {error}"}
    local = report.get("localisation", {})
    return {
        "command": command,
        "seconds": round(run.seconds, 2),
        "total": report.get("total"),
        "correct": report.get("correct"),
        "accuracy": report.get("accuracy"),
        "localisation_correct": local.get("correct"),
        "localisation_total": local.get("total"),
        "localisation": local.get("ratio"),
        "confusion": report.get("confusion", []),
        "misplaced": local.get("wrong", []),
    }


def mistakes(evaluation: dict, records: list[dict], manifest: dict) -> list[dict]:
    """Each wrong job: what was expected, what triage said, and how the job was generated."""
    said = {Path(r.get("job", "")).name: r for r in records}
    jobs = manifest.get("corpus", {})
    wrong = []
    for confusion in evaluation.get("confusion", []):
        for job in confusion["jobs"]:
            wrong.append({"job": job, "expected": confusion["expected"], "got": confusion["got"]})
    for place in evaluation.get("misplaced", []):
        wrong.append(
            {"job": place["job"], "expected": f"line {place['expected_line']}", "got": f"line {place['got_line']}"}
        )
    for item in wrong:
        record, info = said.get(item["job"], {}), jobs.get(item["job"], {})
        item["message"] = (record.get("message") or "")[:140]
        item["line"] = record.get("line")
        item["expected_line"] = info.get("line")
        item["placement"] = info.get("placement")
        item["interleaved"] = info.get("interleaved")
    return wrong


def _count(values) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items()))


# --- report -----------------------------------------------------------------------------------------


def benchmark_line(name: str, triage: Optional[Measure], rg: Measure, data_bytes: int, jobs: int) -> dict:
    """The figures and verdicts of one benchmark."""
    line = {"benchmark": name, "ratio_target": RATIO_TARGETS[name], "memory_target_mb": MEMORY_TARGET_MB,
            "bytes": data_bytes, "jobs": jobs, "rg": rg.summary()}
    if triage is None:
        line.update(status="n/a (no --full)")
        return line
    best, rg_best = triage.best, rg.best
    line["triage"] = triage.summary()
    if best is None or rg_best is None:
        line.update(status="timed out" if best is None else "rg failed", ratio_result="MISS")
    else:
        ratio = best.seconds / rg_best.seconds
        line.update(
            status="ok", ratio=round(ratio, 3), ratio_result="PASS" if ratio <= RATIO_TARGETS[name] else "MISS",
            mb_per_s=round(data_bytes / MB / best.seconds, 1), jobs_per_s=round(jobs / best.seconds, 1),
        )
    line["peak_mb"] = round(triage.peak_mb, 1)
    line["memory_result"] = "PASS" if triage.peak_mb < MEMORY_TARGET_MB else "MISS"
    return line


def print_report(result: dict) -> None:
    m = result["machine"]
    print()
    print(f"machine: {m['cores']} cores, {m['cpu']}, {m['memory_gb']} GB RAM, Python {result['triage_python']}, "
          f"{m['rg']}, {m['triage']} (git {m['git']}), load average at start {m['load_average']}")
    d = result["data"]
    print(f"data: corpus {d['corpus_jobs']} jobs, {d['corpus_bytes'] / MB:.1f} MB; big log {d['big_bytes'] / MB:.1f} MB; "
          f"{d['keywords']} keywords for rg; best of {result['repeat']} runs on a warm page cache")
    print()
    header = (f"{'benchmark':<12} {'triage s':>9} {'rg s':>8} {'triage/rg':>10} {'target':>8} {'ratio':>5} "
              f"{'MB/s':>7} {'jobs/s':>8} {'peak MB':>8} {'target':>8} {'mem':>5}")
    print(header)
    print("-" * len(header))
    for line in result["benchmarks"]:
        rg_best = line["rg"]["best_seconds"]
        rg_text = f"{rg_best:8.3f}" if rg_best is not None else f"{'-':>8}"
        if line["status"].startswith("n/a"):
            print(f"{line['benchmark']:<12} {line['status']:>9} {rg_text}")
            continue
        triage_best = line["triage"]["best_seconds"]
        triage_text = f"{triage_best:9.3f}" if triage_best is not None else f"{'timeout':>9}"
        ratio = f"{line['ratio']:10.3f}" if "ratio" in line else f"{'-':>10}"
        speed = f"{line['mb_per_s']:7.1f} {line['jobs_per_s']:8.1f}" if "mb_per_s" in line else f"{'-':>7} {'-':>8}"
        print(f"{line['benchmark']:<12} {triage_text} {rg_text} {ratio} {'<= ' + str(line['ratio_target']):>8} "
              f"{line['ratio_result']:>5} {speed} {line['peak_mb']:8.1f} {'< ' + str(int(MEMORY_TARGET_MB)):>8} "
              f"{line['memory_result']:>5}")
    test = result["memory_self_test"]
    print()
    print("peak MB: the larger of the sum of RSS over triage's process tree (process + all descendants, e.g. workers),")
    print(f"  sampled every {int(SAMPLE_SECONDS * 1000)} ms from /proc, and wait4()'s ru_maxrss (largest single process, "
          "including reaped descendants).")
    print(f"  self-test with a 200 MB grandchild: wait4 saw {test['wait4_maxrss_mb']} MB, tree sampler saw "
          f"{test['tree_rss_peak_mb']} MB -> descendants included: wait4 {'yes' if test['wait4_includes_descendants'] else 'NO'}, "
          f"sampler {'yes' if test['sampler_includes_descendants'] else 'NO'}")
    for line in result["benchmarks"]:
        if "triage" in line and line["triage"]["runs"]:
            runs = line["triage"]["runs"]
            print(f"  {line['benchmark']}: wait4 max {max(r['wait4_maxrss_mb'] for r in runs):.1f} MB, "
                  f"tree RSS sum {max(r['tree_rss_peak_mb'] for r in runs):.1f} MB, "
                  f"tree PSS sum {max(r['tree_pss_peak_mb'] for r in runs):.1f} MB, "
                  f"up to {max(r['processes_seen'] for r in runs)} processes")
    print()
    print(f"answers: corpus run: {result['corpus_statuses']}")
    for name, answer in result.get("big_answers", {}).items():
        print(f"  big log, {name}: {answer}")
    e = result["eval"]
    print()
    if "error" in e:
        print(f"eval: {e['error']}")
    else:
        print(f"eval on the corpus ({e['seconds']}s): accuracy {e['correct']}/{e['total']} = {100 * (e['accuracy'] or 0):.2f}%, "
              f"localisation {e['localisation_correct']}/{e['localisation_total']} = {100 * (e['localisation'] or 0):.2f}%")
        for item in result.get("mistakes", [])[:25]:
            print(f"  {item['job']} ({item['placement']}{', interleaved' if item['interleaved'] else ''}): expected "
                  f"{item['expected']} (line {item['expected_line']}), got {item['got']} at line {item['line']}: {item['message']}")
        if len(result.get("mistakes", [])) > 25:
            print(f"  ... {len(result['mistakes']) - 25} more in results.json")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / ".data", help="data directory (default: bench/.data)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per command; the best counts (default: 3)")
    parser.add_argument("--generate", action="store_true", help="generate the data first if DIR is missing")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds before a triage run is killed (default: 600)")
    parser.add_argument("--slow", type=float, default=300,
                        help="do not repeat triage runs slower than this (default: 300 s)")
    parser.add_argument("--triage", help="the triage executable (default: next to this Python, else on PATH)")
    args = parser.parse_args(argv)

    rg = shutil.which("rg")
    if rg is None:
        print("run.py: ripgrep (rg) is not installed; install Debian's `ripgrep` (apt-get install ripgrep) "
              "or `cargo install ripgrep`", file=sys.stderr)
        return 2
    data: Path = args.data
    if not (data / "corpus").is_dir():
        if not args.generate:
            print(f"run.py: no data in {data}; run with --generate (or python bench/generate.py --out {data})",
                  file=sys.stderr)
            return 2
        sys.path.insert(0, str(HERE))
        import generate

        generate.generate(data, seed=1, jobs=2000, total_mb=1024, big_mb=1024)
    triage = find_triage(args.triage)
    manifest_file = data / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8")) if manifest_file.exists() else {}

    with tempfile.TemporaryDirectory(prefix="triage-bench-") as tmp:
        work = Path(tmp)
        keywords, found = keyword_file(triage, work)
        info = machine(rg, triage)
        print("memory self-test ...", flush=True)
        self_test = memory_self_test(work)
        print("warming the page cache ...", flush=True)
        warm_cache(data / "corpus", data / "big")
        corpus_bytes = sum(p.stat().st_size for p in (data / "corpus").iterdir() if p.is_file())
        corpus_jobs = sum(1 for p in (data / "corpus").iterdir())
        big_bytes = sum(p.stat().st_size for p in (data / "big").iterdir() if p.is_file())

        def triage_cmd(path: Path, *extra: str) -> list[str]:
            return [triage, "classify", *extra, "-f", "jsonl", str(path)]

        def rg_cmd(path: Path) -> list[str]:
            return [rg, "-i", "-F", "-c", "-f", str(keywords), str(path)]

        # One untimed run on one small job first: it pays one-time costs (imports, a catalogue cache).
        smallest = min((p for p in (data / "corpus").iterdir() if p.is_file()), key=lambda p: p.stat().st_size)
        warmup = run_once(triage_cmd(smallest), work / "warmup.out", args.timeout)
        print(f"warm-up: triage on one job: {_seconds(warmup)}", flush=True)
        common = dict(repeat=args.repeat, timeout=args.timeout, slow=args.slow, work=work)
        print("corpus ...", flush=True)
        corpus_triage, corpus_rg = measure_pair(
            triage_cmd(data / "corpus"), rg_cmd(data / "corpus"), name="corpus", **common
        )
        rg_files = len((work / "corpus.rg.0.out").read_text(errors="replace").splitlines())
        if rg_files < 0.9 * corpus_jobs:
            print(f"warning: rg reported matches in only {rg_files} of {corpus_jobs} files", file=sys.stderr)
        print("big ...", flush=True)
        big_triage, big_rg = measure_pair(triage_cmd(data / "big"), rg_cmd(data / "big"), name="big", **common)
        full_triage = None
        if supports_full(triage):
            print("big --full ...", flush=True)
            full_triage, _ = measure_pair(triage_cmd(data / "big", "--full"), rg_cmd(data / "big"), name="big-full",
                                          rg=big_rg, **common)

        big_expected = manifest.get("big", {}).get("big.log", {})
        big_answers = {"classify": check_big(read_records(work / "big.triage.0.out"), big_expected)}
        if full_triage is not None:
            big_answers["classify --full"] = check_big(read_records(work / "big-full.triage.0.out"), big_expected)
        print("eval ...", flush=True)
        evaluation = run_eval(triage, data, args.timeout, work)
        corpus_records = read_records(work / "corpus.triage.0.out")
        statuses = _count(r.get("status", "?") for r in corpus_records)
        corpus_statuses = f"{len(corpus_records)} records: " + ", ".join(f"{n} {s}" for s, n in statuses.items())

        result = {
            "machine": info,
            "triage_python": found["python"],
            "repeat": args.repeat,
            "data": {"dir": str(data), "corpus_jobs": corpus_jobs, "corpus_bytes": corpus_bytes, "big_bytes": big_bytes,
                     "keywords": found["keywords"], "rg_files_with_matches": rg_files},
            "memory_method": "peak_mb = max(sum of RSS over the process tree sampled every 50 ms from /proc, "
                             "wait4 ru_maxrss = largest single process incl. reaped descendants)",
            "memory_self_test": self_test,
            "warmup_seconds": round(warmup.seconds, 3),
            "benchmarks": [
                benchmark_line("corpus", corpus_triage, corpus_rg, corpus_bytes, corpus_jobs),
                benchmark_line("big", big_triage, big_rg, big_bytes, 1),
                benchmark_line("big --full", full_triage, big_rg, big_bytes, 1),
            ],
            "corpus_statuses": corpus_statuses,
            "big_answers": big_answers,
            "eval": {k: v for k, v in evaluation.items() if k not in ("confusion", "misplaced")},
            "mistakes": mistakes(evaluation, corpus_records, manifest),
        }
    print_report(result)
    (data / "results.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten to {data / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
