"""Benchmark `triage classify` against ripgrep's keyword scan of the same logs.

Usage: python bench/run.py [--data DIR] [--repeat N] [--generate] [--timeout S] [--triage PATH] [--quick]

Run it with the Python of the environment where triage is installed. On a warm page cache, it
times, in one run, each pair of commands alternately, N times (default 3), and compares medians:

  corpus          triage classify -f jsonl DIR/corpus              2,000 logs, 1 GB
  small-20000     triage classify -f jsonl DIR/small-20000         20,000 small jobs (sample_logs copies)
  one small job   triage classify -f jsonl ONE                     start-up
  big             triage classify -f jsonl DIR/big                 one 1 GB log
  big --full      triage classify --full -f jsonl DIR/big
  corpus --full   triage classify --full -f jsonl DIR/corpus

each against `rg -i -c -f EIGHT` over the same paths, EIGHT holding the study's eight keywords
(assert, wrong, error, exception, fault, fail, crash, unsuccessful): the scan the study made by hand.
It also measures triage's peak memory, summed over its process tree, at 2,000 and 20,000 small jobs,
and runs `triage eval` on the corpus once to show that the answers are right. Figures are printed
and written to DIR/results.json. --quick runs each command once and leaves out the --full corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
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
# The study's keywords: the grep its authors made by hand to find where a log says what failed.
STUDY_KEYWORDS = ("assert", "wrong", "error", "exception", "fault", "fail", "crash", "unsuccessful")
# Targets (issue 18): the ratio triage/rg of the medians for each benchmark, and triage's peak memory
# summed over its processes.
RATIO_TARGETS = {"corpus": 1.0, "small-20000": 3.0, "one small job": 5.0, "big": 0.3, "big --full": 2.0,
                 "corpus --full": 4.0}
MEMORY_TARGET_MB = 100.0
SMALL_JOBS = (2000, 20000)
PYTHON_SNIPPET = "import sys; print(sys.version.split()[0])"


# --- measuring one command ---------------------------------------------------------------------------


@dataclass
class Run:
    """One execution of a command."""

    seconds: float
    returncode: Optional[int]
    timed_out: bool
    wait4_maxrss_mb: float  # ru_maxrss from wait4 (recorded only: Linux counts in it the RSS of this
    # script at the fork that started the command, so it says more about this script than the command)
    tree_rss_peak_mb: float  # sampled peak of the sum of RSS over the live process tree
    tree_pss_peak_mb: float  # the same with PSS (shared pages divided among the processes sharing them)
    largest_hwm_mb: float  # the largest VmHWM (a process's own peak RSS) of any process seen in the tree
    processes_seen: int  # most processes seen at once in the tree

    @property
    def peak_mb(self) -> float:
        return max(self.largest_hwm_mb, self.tree_rss_peak_mb)


class TreeSampler(threading.Thread):
    """Samples the memory of a process and all its descendants until stopped."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root = root
        self.stop = threading.Event()
        self.rss_peak = 0
        self.pss_peak = 0
        self.hwm_peak = 0
        self.most_processes = 0

    def run(self) -> None:
        while not self.stop.is_set():
            pids = process_tree(self.root)
            rss = sum(rss_bytes(pid) for pid in pids)
            pss = sum(_pss_bytes(pid) for pid in pids)
            self.rss_peak = max(self.rss_peak, rss)
            self.pss_peak = max(self.pss_peak, pss)
            self.hwm_peak = max([self.hwm_peak] + [_hwm_bytes(pid) for pid in pids])
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


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _hwm_bytes(pid: int) -> int:
    """A process's own peak RSS since it started (VmHWM): what wait4 would say without the fork's inheritance."""
    return _kib_field(f"/proc/{pid}/status", "VmHWM:") * 1024


def _pss_bytes(pid: int) -> int:
    return _kib_field(f"/proc/{pid}/smaps_rollup", "Pss:") * 1024


def _kib_field(path: str, name: str) -> int:
    """The figure (in KiB) of the line starting with ``name`` in a /proc file; 0 if it is not there."""
    try:
        with open(path) as lines:
            for line in lines:
                if line.startswith(name):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_once(command: list[str], stdout: Path, timeout: float, env: Optional[dict] = None) -> Run:
    """Run ``command`` (stdout to a file), with its wall time and memory; kill it after ``timeout``."""
    with open(stdout, "wb") as out, open(str(stdout) + ".err", "wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, start_new_session=True, env=env)
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
        largest_hwm_mb=sampler.hwm_peak / MB,
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
        "largest_hwm_mb": round(run.largest_hwm_mb, 1),
        "wait4_includes_descendants": run.wait4_maxrss_mb >= 190,
        "sampler_includes_descendants": run.tree_rss_peak_mb >= 190,
    }


# --- the benchmarks ---------------------------------------------------------------------------------


@dataclass
class Measure:
    """All runs of one command, and their median."""

    command: list[str]
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> Optional[float]:
        done = sorted(r.seconds for r in self.runs if not r.timed_out)
        if not done or len(done) < len(self.runs):
            return None  # a run that timed out leaves no median
        return statistics.median(done)

    @property
    def peak_mb(self) -> float:
        return max((r.peak_mb for r in self.runs), default=0.0)

    def summary(self) -> dict:
        median = self.median
        return {
            "command": self.command,
            "median_seconds": round(median, 4) if median is not None else None,
            "seconds": [round(r.seconds, 4) for r in self.runs],
            "timed_out": any(r.timed_out for r in self.runs),
            "peak_mb": round(self.peak_mb, 1),
            "runs": [{k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(r).items()} for r in self.runs],
        }


def measure_pair(triage_cmd: list[str], rg_cmd: list[str], repeat: int, timeout: float, work: Path, name: str,
                 env: Optional[dict] = None) -> tuple[Measure, Measure]:
    """``repeat`` runs of triage and of rg, alternating them (triage, rg, triage, rg, ...)."""
    triage, rg = Measure(triage_cmd), Measure(rg_cmd)
    slug = name.replace(" ", "-")
    for attempt in range(repeat):
        run = run_once(triage_cmd, work / f"{slug}.triage.{attempt}.out", timeout, env)
        triage.runs.append(run)
        print(f"  {name}: triage run {attempt + 1}: {_seconds(run)}", flush=True)
        run = run_once(rg_cmd, work / f"{slug}.rg.{attempt}.out", timeout)
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
    """Write the study's eight keywords, one per line; also report the Python that runs triage."""
    output = subprocess.run([interpreter_of(triage), "-c", PYTHON_SNIPPET], capture_output=True, text=True,
                            check=False)
    if output.returncode != 0:
        sys.exit(f"run.py: cannot run triage's Python:\n{output.stderr}")
    path = work / "keywords.txt"
    path.write_text("\n".join(STUDY_KEYWORDS) + "\n", encoding="utf-8")
    return path, {"keywords": len(STUDY_KEYWORDS), "python": output.stdout.strip()}


def small_jobs(data: Path, count: int) -> Path:
    """DIR/small-COUNT: COUNT small jobs, copies of the sample jobs (see ``sample_copies``)."""
    return sample_copies(data / f"small-{count}", count)


def sample_copies(target: Path, count: int) -> Path:
    """``target`` holding ``count`` copies of the sample jobs (sample_logs/: files and job
    directories) in turn, hard-linked where the file system allows, so that every tool reads them
    as regular files; made once, and kept while it holds ``count`` entries."""
    samples = sorted((REPO / "sample_logs").iterdir(), key=lambda p: p.name)
    if target.is_dir() and sum(1 for _ in target.iterdir()) == count:
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for index in range(count):
        sample = samples[index % len(samples)]
        _copy(sample, target / f"a{index // len(samples):05}-{sample.name}")
    return target


def _copy(source: Path, destination: Path) -> None:
    if source.is_dir():
        destination.mkdir()
        for child in sorted(source.iterdir()):
            _copy(child, destination / child.name)
        return
    try:
        os.link(source, destination)
    except OSError:
        shutil.copyfile(source, destination)


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


# --- eval -------------------------------------------------------------------------------------------


def run_eval(triage: str, data: Path, timeout: float, work: Path) -> dict:
    """`triage eval` on the corpus: accuracy, localisation and the jobs it got wrong."""
    # --study-only: the corpus is labelled with the study's 20 categories (a job killed from outside is
    # unclassified there), not with the infrastructure ones (time_limit, fatal_signal) added since
    command = [triage, "eval", "--study-only", str(data / "corpus"), "--expect", str(data / "corpus.expected.yaml"),
               "--format", "json"]
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


def benchmark_line(name: str, triage: Measure, rg: Measure, data_bytes: int, jobs: int) -> dict:
    """The figures and verdicts of one benchmark: medians, their ratio, and triage's peak memory."""
    line = {"benchmark": name, "ratio_target": RATIO_TARGETS[name], "bytes": data_bytes, "jobs": jobs,
            "rg": rg.summary(), "triage": triage.summary()}
    median, rg_median = triage.median, rg.median
    if median is None or rg_median is None:
        line.update(status="timed out" if median is None else "rg failed", ratio_result="MISS")
    else:
        ratio = median / rg_median
        line.update(
            status="ok", ratio=round(ratio, 3), ratio_result="PASS" if ratio <= RATIO_TARGETS[name] else "MISS",
            pair_ratios=[round(t.seconds / r.seconds, 3) for t, r in zip(triage.runs, rg.runs)],
            mb_per_s=round(data_bytes / MB / median, 1), jobs_per_s=round(jobs / median, 1),
        )
    line["peak_mb"] = round(triage.peak_mb, 1)
    return line


def memory_line(name: str, jobs: int, triage: Measure) -> dict:
    """Triage's peak memory, summed over its processes, on ``jobs`` jobs."""
    runs = triage.runs
    peak = triage.peak_mb
    return {
        "benchmark": name, "jobs": jobs, "peak_mb": round(peak, 1), "target_mb": MEMORY_TARGET_MB,
        "result": "PASS" if peak <= MEMORY_TARGET_MB else "MISS",
        "tree_rss_mb": round(max(r.tree_rss_peak_mb for r in runs), 1),
        "tree_pss_mb": round(max(r.tree_pss_peak_mb for r in runs), 1),
        "largest_process_mb": round(max(r.largest_hwm_mb for r in runs), 1),
        "processes": max(r.processes_seen for r in runs),
    }


def print_report(result: dict) -> None:
    m = result["machine"]
    print()
    print(f"machine: {m['cores']} cores, {m['cpu']}, {m['memory_gb']} GB RAM, Python {result['triage_python']}, "
          f"{m['rg']}, {m['triage']} (git {m['git']}), load average at start {m['load_average']}")
    d = result["data"]
    print(f"data: corpus {d['corpus_jobs']} jobs, {d['corpus_bytes'] / MB:.1f} MB; big log {d['big_bytes'] / MB:.1f} MB; "
          f"rg -i -c -f with the study's {d['keywords']} keywords; medians of {result['repeat']} runs each, the two "
          "commands alternating, on a warm page cache")
    print()
    header = (f"{'benchmark':<14} {'triage s':>9} {'rg s':>8} {'triage/rg':>10} {'target':>8} {'ratio':>5} "
              f"{'MB/s':>8} {'jobs/s':>8} {'peak MB':>8}")
    print(header)
    print("-" * len(header))
    for line in result["benchmarks"]:
        rg_median = line["rg"]["median_seconds"]
        triage_median = line["triage"]["median_seconds"]
        rg_text = f"{rg_median:8.3f}" if rg_median is not None else f"{'-':>8}"
        triage_text = f"{triage_median:9.3f}" if triage_median is not None else f"{'timeout':>9}"
        ratio = f"{line['ratio']:10.3f}" if "ratio" in line else f"{'-':>10}"
        speed = f"{line['mb_per_s']:8.1f} {line['jobs_per_s']:8.1f}" if "mb_per_s" in line else f"{'-':>8} {'-':>8}"
        print(f"{line['benchmark']:<14} {triage_text} {rg_text} {ratio} {'<= ' + str(line['ratio_target']):>8} "
              f"{line['ratio_result']:>5} {speed} {line['peak_mb']:8.1f}")
    print()
    print(f"peak memory, summed over triage's processes (target <= {MEMORY_TARGET_MB:.0f} MB):")
    for line in result["memory"]:
        print(f"  {line['benchmark']:<14} {line['jobs']:>6} jobs: {line['peak_mb']:6.1f} MB {line['result']:>5} "
              f"(RSS sum {line['tree_rss_mb']} MB, PSS sum {line['tree_pss_mb']} MB, largest process "
              f"{line['largest_process_mb']} MB, {line['processes']} processes)")
    test = result["memory_self_test"]
    print("  peak = the larger of the sum of RSS over the process tree (sampled every "
          f"{int(SAMPLE_SECONDS * 1000)} ms from /proc) and the largest VmHWM of a process of it; self-test "
          f"with a 200 MB grandchild: RSS sum {test['tree_rss_peak_mb']} MB, VmHWM {test['largest_hwm_mb']} MB")
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
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command; medians count (default: 3)")
    parser.add_argument("--generate", action="store_true", help="generate the data first if DIR is missing")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds before a triage run is killed (default: 600)")
    parser.add_argument("--quick", action="store_true", help="one run each, and no --full run on the corpus")
    parser.add_argument("--triage", help="the triage executable (default: next to this Python, else on PATH)")
    args = parser.parse_args(argv)
    repeat = 1 if args.quick else args.repeat

    rg = shutil.which("rg")
    if rg is None:
        print("run.py: ripgrep (rg) is not installed; install Debian's `ripgrep` (apt-get install ripgrep) "
              "or `cargo install ripgrep`", file=sys.stderr)
        return 2
    data: Path = args.data
    if not (data / "corpus").is_dir() or not (data / "big").is_dir():
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
    # triage runs as an installed package does: from compiled bytecode (a warm-up run writes it)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    with tempfile.TemporaryDirectory(prefix="triage-bench-") as tmp:
        work = Path(tmp)
        keywords, found = keyword_file(triage, work)
        info = machine(rg, triage)
        print("memory self-test ...", flush=True)
        self_test = memory_self_test(work)
        print("building the small jobs ...", flush=True)
        smalls = {count: small_jobs(data, count) for count in SMALL_JOBS}
        print("warming the page cache ...", flush=True)
        warm_cache(data / "corpus", data / "big", *smalls.values())
        corpus_bytes = sum(p.stat().st_size for p in (data / "corpus").iterdir() if p.is_file())
        corpus_jobs = sum(1 for p in (data / "corpus").iterdir())
        big_bytes = sum(p.stat().st_size for p in (data / "big").iterdir() if p.is_file())
        small_bytes = sum(p.stat().st_size for p in smalls[SMALL_JOBS[-1]].rglob("*") if p.is_file())
        one = min((p for p in smalls[SMALL_JOBS[0]].iterdir() if p.is_file()), key=lambda p: p.stat().st_size)

        def triage_cmd(path: Path, *extra: str) -> list[str]:
            return [triage, "classify", *extra, "-f", "jsonl", str(path)]

        def rg_cmd(path: Path) -> list[str]:
            return [rg, "-i", "-c", "-f", str(keywords), str(path)]

        # One untimed run first: it writes the bytecode and the catalogue cache, one-time costs.
        warmup = run_once(triage_cmd(one), work / "warmup.out", args.timeout, env)
        print(f"warm-up: triage on one job: {_seconds(warmup)}", flush=True)
        plan = [
            ("corpus", data / "corpus", (), corpus_bytes, corpus_jobs),
            ("small-20000", smalls[20000], (), small_bytes, 20000),
            ("one small job", one, (), one.stat().st_size, 1),
            ("big", data / "big", (), big_bytes, 1),
            ("big --full", data / "big", ("--full",), big_bytes, 1),
        ]
        if not args.quick:
            plan.append(("corpus --full", data / "corpus", ("--full",), corpus_bytes, corpus_jobs))
        lines, measured = [], {}
        for name, path, extra, size, jobs in plan:
            print(f"{name} ...", flush=True)
            pair = measure_pair(triage_cmd(path, *extra), rg_cmd(path), repeat, args.timeout, work, name, env)
            measured[name] = pair
            lines.append(benchmark_line(name, *pair, size, jobs))
        print("small-2000 (memory) ...", flush=True)
        small_2000 = Measure(triage_cmd(smalls[2000]))
        for attempt in range(repeat):
            small_2000.runs.append(run_once(small_2000.command, work / f"small-2000.{attempt}.out", args.timeout, env))
        memory = [
            memory_line("corpus", corpus_jobs, measured["corpus"][0]),
            memory_line("small-2000", 2000, small_2000),
            memory_line("small-20000", 20000, measured["small-20000"][0]),
        ]
        if not args.quick:  # memory that does not grow with the jobs: 60,000 of them, small-20000 three times
            print("small-20000 x3 (memory, 60,000 jobs) ...", flush=True)
            flat = Measure([triage, "classify", "-f", "jsonl"] + [str(smalls[20000])] * 3)
            flat.runs.append(run_once(flat.command, work / "small-60000.out", args.timeout, env))
            memory.append(memory_line("small-20000 x3", 60000, flat))

        big_expected = manifest.get("big", {}).get("big.log", {})
        big_answers = {"classify": check_big(read_records(work / "big.triage.0.out"), big_expected),
                       "classify --full": check_big(read_records(work / "big---full.triage.0.out"), big_expected)}
        print("eval ...", flush=True)
        evaluation = run_eval(triage, data, args.timeout, work)
        corpus_records = read_records(work / "corpus.triage.0.out")
        statuses = _count(r.get("status", "?") for r in corpus_records)
        corpus_statuses = f"{len(corpus_records)} records: " + ", ".join(f"{n} {s}" for s, n in statuses.items())

        result = {
            "machine": info,
            "triage_python": found["python"],
            "repeat": repeat,
            "data": {"dir": str(data), "corpus_jobs": corpus_jobs, "corpus_bytes": corpus_bytes, "big_bytes": big_bytes,
                     "keywords": found["keywords"]},
            "memory_method": "peak_mb = max(sum of RSS over the process tree sampled every 50 ms from /proc, "
                             "largest VmHWM of a process of the tree)",
            "memory_self_test": self_test,
            "warmup_seconds": round(warmup.seconds, 3),
            "benchmarks": lines,
            "memory": memory,
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
