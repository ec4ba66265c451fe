"""Measure `triage classify` on many small jobs: the local process pool against a Dask LocalCluster.

Usage: python bench/scale.py [--jobs 2000] [--workers 2] [--out DIR] [--triage PATH] [--s3]

Run it with the Python of the environment where triage is installed with the dask extra. It builds
DIR/scale-N/: N small jobs, hard-linked copies of the sample jobs (sample_logs/: 46 jobs, 640 KB, files and job
directories) in turn, named so that they sort in copy order. On a warm page cache it then runs

  pool   triage classify -f jsonl -j W DIR/scale-N                 (the embedded local pool)
  dask   triage classify -f jsonl --dask local -j W DIR/scale-N    (a LocalCluster of W workers)
  start  triage classify -f jsonl --dask local -j W ONE-JOB        (the cluster's fixed cost)

and reports each one's wall time, jobs/s (for dask also without the fixed cost), the peak RSS of
triage's own process (which holds the scheduler under --dask local) and of its largest worker
process, sampled every 50 ms from /proc; it checks that pool and dask wrote identical JSONL. The
bytes read per job come from /proc/self/io (rchar: every byte read() returned, so a file read twice
counts twice) around an in-process run on up to 2,000 of the jobs, after a first job that loads the
compiled catalogue. With --s3, the same jobs are uploaded to moto's S3 server (started here) and
classified from s3://bench/scale/ by the pool and by the LocalCluster, whose summaries say the
bytes read from the store. Figures are printed and written to DIR/scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from run import process_tree, rss_bytes, sample_copies  # bench/run.py, beside this script

HERE = Path(__file__).resolve().parent
MB = 1024 * 1024
SAMPLE_SECONDS = 0.05
STORE_READ = re.compile(r"read \S+ \S+ of \S+ \S+ from the store \(\d+ objects\)")
BYTES_SAMPLE = 2000  # jobs classified in-process to measure the bytes read per job


def build_corpus(out: Path, jobs: int) -> Path:
    """DIR/scale-N: N copies of the sample jobs, in turn (made once, kept for the next run)."""
    return sample_copies(out / f"scale-{jobs}", jobs)


class Sampler(threading.Thread):
    """The peak RSS of a process and of each of its descendants, until stopped."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peaks: dict[int, int] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for pid in process_tree(self.root):
                self.peaks[pid] = max(self.peaks.get(pid, 0), rss_bytes(pid))
            self.stop.wait(SAMPLE_SECONDS)


def timed(command: list[str], stdout: Path) -> dict:
    """Run ``command`` with stdout to a file: wall seconds, exit status, peak RSS of it and its largest child."""
    with open(stdout, "wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE)
        sampler = Sampler(process.pid)
        sampler.start()
        _, stderr = process.communicate()
        seconds = time.perf_counter() - started
        sampler.stop.set()
        sampler.join()
    children = [peak for pid, peak in sampler.peaks.items() if pid != process.pid]
    return {
        "seconds": round(seconds, 2),
        "returncode": process.returncode,
        "main_rss_peak_mb": round(sampler.peaks.get(process.pid, 0) / MB, 1),
        "largest_worker_rss_peak_mb": round(max(children, default=0) / MB, 1),
        "processes": len(sampler.peaks),
        "stderr_tail": stderr.decode(errors="replace")[-300:],
    }


def bytes_read_per_job(corpus: Path) -> dict:
    """rchar (bytes read by read calls) of an in-process run on up to BYTES_SAMPLE jobs, per job."""
    snippet = f"""
import json, sys
from philly_triage import Classifier
engine = Classifier()
jobs = engine.find([{str(corpus)!r}]).jobs[:{BYTES_SAMPLE} + 1]
def rchar():
    return int(next(l for l in open('/proc/self/io') if l.startswith('rchar')).split()[1])
engine.classify(jobs[0])  # the first job loads the compiled catalogue: not a job's reading
jobs = jobs[1:]
before = rchar()
records = list(engine.classify_many(jobs, workers=1))
after = rchar()
sizes = sum(__import__('os').path.getsize(f) for job in jobs for f in job.files)
print(json.dumps({{"jobs": len(jobs), "read": after - before, "size": sizes}}))
"""
    result = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, check=True)
    got = json.loads(result.stdout)
    return {
        "jobs_measured": got["jobs"],
        "bytes_read_per_job": round(got["read"] / got["jobs"]),
        "job_size_bytes_mean": round(got["size"] / got["jobs"]),
    }


def s3_runs(corpus: Path, out: Path, triage: list[str], workers: str) -> dict:
    """The same jobs uploaded to moto's S3 server (in this process), classified from s3://bench/scale/
    with the pool and with the LocalCluster: wall time, and the bytes each run read from the store."""
    import s3fs
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{server.get_host_and_port()[1]}"
        fs = s3fs.S3FileSystem(key="x", secret="x", endpoint_url=endpoint)
        fs.mkdir("bench")
        objects = {}
        for link in sorted(corpus.iterdir()):
            files = [link] if link.is_file() else [p for p in sorted(link.resolve().rglob("*")) if p.is_file()]
            for path in files:
                inside = "" if path == link else "/" + path.relative_to(link.resolve()).as_posix()
                objects[f"bench/scale/{link.name}{inside}"] = path.read_bytes()
        started = time.perf_counter()
        fs.pipe(objects)
        upload = time.perf_counter() - started
        os.environ.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="us-east-1")
        option = ["--storage-option", f"endpoint_url={endpoint}"]
        url = "s3://bench/scale/"
        runs = {
            "s3 pool": timed([*triage, "classify", "-f", "jsonl", "-j", workers, *option, url], out / "s3-pool.jsonl"),
            "s3 dask": timed([*triage, "classify", "-f", "jsonl", "--dask", "local", "-j", workers, *option, url],
                             out / "s3-dask.jsonl"),
        }
        for run in runs.values():
            found = STORE_READ.search(run["stderr_tail"])
            run["store_read"] = found.group(0) if found else None
        same = (out / "s3-pool.jsonl").read_bytes() == (out / "s3-dask.jsonl").read_bytes()
        return {"objects": len(objects), "upload_seconds": round(upload, 1), "identical_jsonl": same, "runs": runs}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=2000, help="jobs in the corpus (default 2000: a minute)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes, for both (default 2)")
    parser.add_argument("--out", type=Path, default=HERE / ".data", help="where the corpus and scale.json go")
    parser.add_argument("--triage", default=None, help="the triage to run (default: python -m philly_triage)")
    parser.add_argument("--s3", action="store_true",
                        help="also classify the jobs from moto's S3 server (needs the s3 extra and moto)")
    args = parser.parse_args()
    triage = [args.triage] if args.triage else [sys.executable, "-m", "philly_triage"]
    corpus = build_corpus(args.out, args.jobs)
    for path in corpus.rglob("*"):  # a warm page cache for both
        if path.is_file():
            path.read_bytes()
    workers = str(args.workers)
    runs = {
        "pool": timed([*triage, "classify", "-f", "jsonl", "-j", workers, str(corpus)], args.out / "pool.jsonl"),
        "dask": timed([*triage, "classify", "-f", "jsonl", "--dask", "local", "-j", workers, str(corpus)],
                      args.out / "dask.jsonl"),
        "start": timed([*triage, "classify", "-f", "jsonl", "--dask", "local", "-j", workers,
                        str(next(iter(sorted(corpus.iterdir()))))], args.out / "start.jsonl"),
    }
    for name in ("pool", "dask"):
        runs[name]["jobs_per_second"] = round(args.jobs / runs[name]["seconds"], 1)
    steady = runs["dask"]["seconds"] - runs["start"]["seconds"]
    runs["dask"]["jobs_per_second_without_start"] = round(args.jobs / steady, 1) if steady > 0 else None
    identical = (args.out / "pool.jsonl").read_bytes() == (args.out / "dask.jsonl").read_bytes()
    report = {
        "jobs": args.jobs, "workers": args.workers, "cores": os.cpu_count(), "python": sys.version.split()[0],
        "identical_jsonl": identical, "runs": runs, **bytes_read_per_job(corpus),
    }
    if args.s3:
        report["s3"] = s3_runs(corpus, args.out, triage, workers)
        for name, run in report["s3"]["runs"].items():
            run["jobs_per_second"] = round(args.jobs / run["seconds"], 1)
            runs[name] = run
    (args.out / "scale.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"{args.jobs} jobs, {args.workers} workers; pool and dask JSONL identical: {identical}")
    for name, run in runs.items():
        rate = f"{run['jobs_per_second']:>8} jobs/s" if "jobs_per_second" in run else " " * 15
        print(f"  {name:<6}{run['seconds']:>8} s {rate}   triage {run['main_rss_peak_mb']} MB, "
              f"largest worker {run['largest_worker_rss_peak_mb']} MB, exit {run['returncode']}")
    print(f"  dask without the cluster's start: {runs['dask']['jobs_per_second_without_start']} jobs/s")
    if args.s3:
        s3 = report["s3"]
        print(f"  s3: {s3['objects']} objects uploaded in {s3['upload_seconds']} s; pool and dask JSONL identical: "
              f"{s3['identical_jsonl']}; {runs['s3 pool']['store_read']} (pool), {runs['s3 dask']['store_read']} (dask)")
        identical = identical and s3["identical_jsonl"]
    print(f"  bytes read per job: {report['bytes_read_per_job']} (jobs of {report['job_size_bytes_mean']} bytes "
          f"on average, {report['jobs_measured']} jobs measured)")
    if not identical or any(run["returncode"] not in (0, 3) for run in runs.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
