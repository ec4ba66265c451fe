"""Rebuild tests/data/stage_logs/ and its expectations by really running programs that fail in a known stage.

Usage: python tools/stage_logs/generate.py [--python PATH]

The programs (programs/) need PyTorch (CPU), PyTorch Lightning, transformers (with accelerate) and
TensorFlow/Keras importable by the interpreter given (`--python`, or the environment variable
STAGE_PYTHON, default: this interpreter). Nothing is downloaded: the models are tiny and randomly
initialised, the data synthetic. Each job in jobs.py runs once, in a scratch directory, as
`python train.py ARGS`; what it printed is written, unchanged but for this machine's paths, to
tests/data/stage_logs/<job>/ (stdout.txt + stderr.txt, or one merged log). A job with pretended
`gpus`/`retries` also gets a job.meta.yaml holding them and the real wall-clock start and end of
the run (whole seconds, start rounded down, end up). The expectations (stage, category, failure
file and line, and gpu_hours, or the log's first and last timestamps for a job without metadata)
go to tests/data/stage_logs.expected.yaml. The whole build takes about three minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PROGRAMS = HERE / "programs"
OUT = ROOT / "tests" / "data" / "stage_logs"
EXPECTED = ROOT / "tests" / "data" / "stage_logs.expected.yaml"

# Paths the logs show instead of this machine's (the job's work directory, the interpreter's)
WORKDIR = "/workspace/{job}"
SITE = "/opt/conda/lib/python3.11/site-packages"
STDLIB = "/opt/conda/lib/python3.11"
BINDIR = "/opt/conda/bin"

# Timestamps of Python logging: "2026-11-24 10:00:01,123" (asctime) and "11/24/2026 10:00:01"
# (Hugging Face's example scripts' datefmt)
_ASCTIME = re.compile(r"\b(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})\b")
_HF_DATE = re.compile(r"\b(\d\d/\d\d/\d{4} \d\d:\d\d:\d\d)\b")


def load_jobs():
    spec = importlib.util.spec_from_file_location("stage_jobs", HERE / "jobs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["stage_jobs"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module.JOBS


class Interpreter:
    """The Python that runs the programs, and where its files live (to hide them in the logs)."""

    def __init__(self, python: str):
        self.python = python
        info = json.loads(subprocess.run(
            [python, "-c", "import json, site, sys, sysconfig; p = sysconfig.get_paths(); "
             "print(json.dumps([[p['purelib'], p['platlib']] + site.getsitepackages(), p['stdlib'], "
             "sys.prefix, sys.base_prefix]))"],
            check=True, capture_output=True, text=True).stdout)
        site_dirs, stdlib, prefix, base_prefix = info
        self.paths = [(d, SITE) for d in site_dirs] + [(stdlib, STDLIB)]
        self.paths += [(str(Path(p) / "bin"), BINDIR) for p in (prefix, base_prefix)]

    def hide(self, text: str, workdir: Path, job: str) -> str:
        pairs = [(str(workdir), WORKDIR.format(job=job))] + self.paths
        for src, dst in sorted(pairs, key=lambda p: len(p[0]), reverse=True):
            text = text.replace(src, dst)
        return text


def run_env() -> dict[str, str]:
    env = dict(os.environ)
    for k in ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONWARNINGS", "COLUMNS", "LINES", "VIRTUAL_ENV"):
        env.pop(k, None)
    env.update({
        "PYTHONUNBUFFERED": "1",  # as job platforms set it: output reaches the log in order
        "PYTHONHASHSEED": "0", "CUDA_VISIBLE_DEVICES": "", "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
    })
    return env


def run_job(spec, interp: Interpreter, scratch: Path) -> tuple[dict[str, str], float, float]:
    """Run the job's program; return ({file name: text}, start, end) with start/end in epoch seconds."""
    workdir = scratch / spec.name
    workdir.mkdir()
    shutil.copy(PROGRAMS / spec.program, workdir / "train.py")
    stderr = subprocess.STDOUT if spec.merged_log else subprocess.PIPE
    start = time.time()
    proc = subprocess.run([interp.python, "train.py", *spec.args], cwd=workdir, env=run_env(),
                          stdout=subprocess.PIPE, stderr=stderr, timeout=600)
    end = time.time()
    if proc.returncode == 0:
        sys.exit(f"{spec.name}: {spec.program} did not fail")
    out = interp.hide(proc.stdout.decode("utf-8"), workdir, spec.name)
    if spec.merged_log:
        return {spec.merged_log: out}, start, end
    err = interp.hide(proc.stderr.decode("utf-8"), workdir, spec.name)
    return {"stdout.txt": out, "stderr.txt": err}, start, end


def failure_line(spec, files: dict[str, str]) -> tuple[str, int]:
    """(file, 1-based line) of the exception line that ended the run (lines split on \\n only)."""
    name = spec.merged_log or "stderr.txt"
    lines = files[name].split("\n")
    hits = [i for i, line in enumerate(lines) if re.search(spec.failure, line)]
    if not hits:
        sys.exit(f"{spec.name}: no line matches {spec.failure!r}; the run's end:\n{files[name][-3000:]}")
    if not any("Traceback (most recent call last):" in line for line in lines[:hits[-1]]):
        sys.exit(f"{spec.name}: the failure line has no traceback above it")
    return name, hits[-1] + 1


def log_span(files: dict[str, str]) -> tuple[dt.datetime, dt.datetime]:
    stamps = []
    for text in files.values():
        stamps += [dt.datetime.strptime(f"{s}.{ms}", "%Y-%m-%d %H:%M:%S.%f") for s, ms in _ASCTIME.findall(text)]
        stamps += [dt.datetime.strptime(s, "%m/%d/%Y %H:%M:%S") for s in _HF_DATE.findall(text)]
    if not stamps:
        raise ValueError("no timestamps")
    return min(stamps), max(stamps)


def iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).isoformat()


def stamp_text(t: dt.datetime) -> str:
    return t.isoformat(timespec="milliseconds" if t.microsecond else "seconds")


def write_job(spec, files: dict[str, str], start: float, end: float) -> dict:
    """Write the job's directory; return its expectation."""
    job_dir = OUT / spec.name
    job_dir.mkdir(parents=True)
    for name, text in files.items():
        (job_dir / name).write_bytes(text.encode("utf-8"))
    rel, line = failure_line(spec, files)
    expect = {"framework": spec.framework, "stage": spec.stage, "category": spec.category,
              "file": f"{spec.name}/{rel}", "line": line}
    if spec.gpus is not None:
        start_s, end_s = math.floor(start), math.ceil(end)
        # unquoted ISO timestamps, as a platform writes them (YAML loaders read them as datetimes)
        (job_dir / "job.meta.yaml").write_text(
            f"gpus: {spec.gpus}\nstart: {iso(start_s)}\nend: {iso(end_s)}\nretries: {spec.retries}\n",
            encoding="utf-8")
        expect.update(gpus=spec.gpus, retries=spec.retries, seconds=end_s - start_s,
                      gpu_hours=round(spec.gpus * (end_s - start_s) / 3600.0, 4))
    else:
        first, last = log_span(files)
        expect.update(log_start=stamp_text(first), log_end=stamp_text(last),
                      log_seconds=round((last - first).total_seconds(), 3))
    return expect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=os.environ.get("STAGE_PYTHON", sys.executable),
                        help="interpreter with torch, lightning, transformers and tensorflow")
    args = parser.parse_args()
    interp = Interpreter(args.python)
    jobs = load_jobs()
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    expected: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="stage-logs-") as scratch:
        for spec in jobs:
            files, start, end = run_job(spec, interp, Path(scratch))
            expected[spec.name] = write_job(spec, files, start, end)
            print(f"{spec.name}: {expected[spec.name]['stage']} {expected[spec.name]['category']} "
                  f"{expected[spec.name]['file']}:{expected[spec.name]['line']} ({end - start:.1f} s)")
    header = ("# Expected result of each job in tests/data/stage_logs/, written by tools/stage_logs/generate.py.\n"
              "# gpu_hours = gpus x (end - start) of job.meta.yaml, in hours; jobs without a metadata file\n"
              "# have log_start/log_end instead: the first and last timestamp printed in their logs.\n")
    EXPECTED.write_text(header + yaml.safe_dump(dict(sorted(expected.items())), sort_keys=False),
                        encoding="utf-8")
    print(f"{len(expected)} jobs written to {OUT}, expectations to {EXPECTED}")


if __name__ == "__main__":
    main()
