"""Build the sample jobs of the deep-learning and data dimensions by running real failing programs.

Each job runs one or more small training programs from programs/deep_learning/ on the CPU (the
tracebacks are genuine PyTorch / TensorFlow / NumPy / stdlib output), wraps their output in the
noise a platform job prints (platform preamble, pip, framework warnings, progress bars), and writes
it under `out/<job>`. build() returns, per job, the category and the file and line of the failure
that ended it, computed from what the build itself wrote (never by running a classifier).

Line convention: the failure line is the first line of the exception that ended the job as Python
(or the shell) printed it, i.e. the `Type: message` line; for a chained exception or a data-loader
re-raise it is the underlying exception's line, for a multi-rank job the root-cause rank's own line.

Two things cannot happen for real on a CPU-only build machine and are adapted by hand, both
documented at the job: CUDA/GPU out-of-memory messages (the traceback frames come from a real
run of the same program that failed a CPU allocation), and the kernel OOM killer (a watchdog in
the program sends itself the same SIGKILL; the launcher's reaction is real).

Run standalone: `python tools/sample_logs/group_deep_learning.py OUT_DIR` builds into OUT_DIR and
prints the expectations as YAML. The interpreter that runs the programs is $SAMPLE_PYTHON
(default: this interpreter); torch, numpy, pillow and tensorflow must be importable there.
"""

import calendar
import gzip
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PROGRAMS = Path(__file__).resolve().parent / "programs" / "deep_learning"

# Paths the normalised logs show instead of this machine's (interpreter, sandbox).
SITE = "/opt/conda/lib/python3.11/site-packages"
STDLIB = "/opt/conda/lib/python3.11"
BINDIR = "/opt/conda/bin"


# --------------------------------------------------------------------------------------------
# running programs


@dataclass
class Run:
    rc: int
    out: str
    err: str


@dataclass
class Sandbox:
    """A scratch directory for one job: code copy, data, work dir, and how to hide them."""

    root: Path
    code_as: str
    data_as: str
    work_as: str = "/tmp/job"
    pid_base: int = 4000
    t0: float = 0.0
    extra_paths: dict = field(default_factory=dict)

    @property
    def code(self) -> Path:
        return self.root / "code"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def work(self) -> Path:
        return self.root / "work"


class Builder:
    def __init__(self, python: str, scratch: Path):
        self.python = python
        self.scratch = scratch
        info = json.loads(subprocess.run(
            [python, "-c", "import json, site, sys, sysconfig; p = sysconfig.get_paths(); "
             "print(json.dumps([[p['purelib'], p['platlib']] + site.getsitepackages() + "
             "[site.getusersitepackages()], p['stdlib'], sys.prefix, sys.base_prefix]))"],
            check=True, capture_output=True, text=True).stdout)
        self.site_dirs, self.stdlib, prefix, base_prefix = info
        self.python_bins = sorted({str(Path(prefix) / "bin"), str(Path(python).parent),
                                   str(Path(base_prefix) / "bin")}, key=len, reverse=True)
        self.bin = scratch / "bin"
        self.bin.mkdir(parents=True)
        wrapper = self.bin / "python"
        wrapper.write_text('#!/bin/sh\nexec "%s" "$@"\n' % python)
        wrapper.chmod(0o755)
        torchrun = Path(python).parent / "torchrun"
        self.torchrun = [str(torchrun)] if torchrun.exists() else [python, "-m", "torch.distributed.run"]

    def sandbox(self, name: str, code_as: str, data_as: str, t0: str, pid_base: int) -> Sandbox:
        root = self.scratch / name
        shutil.copytree(PROGRAMS, root / "code", ignore=shutil.ignore_patterns("__pycache__"))
        (root / "data").mkdir()
        (root / "work").mkdir()
        return Sandbox(root, code_as, data_as, pid_base=pid_base, t0=_epoch(t0))

    def run(self, sb: Sandbox, args, *, env=None, merge=False, limit_as_gib=None, cwd=None,
            timeout=900) -> Run:
        full_env = dict(os.environ)
        for k in ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONWARNINGS"):
            full_env.pop(k, None)
        full_env.update({
            "PATH": "%s:%s" % (self.bin, os.environ.get("PATH", "/usr/bin:/bin")),
            "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "TF_ENABLE_ONEDNN_OPTS": "0",
            "SAMPLE_T0": "%d" % sb.t0, "CUDA_VISIBLE_DEVICES": "",
        })
        for k, v in (env or {}).items():
            if v is None:
                full_env.pop(k, None)
            else:
                full_env[k] = str(v)
        preexec = None
        if limit_as_gib:
            limit = int(limit_as_gib * 2**30)

            def preexec():  # an address-space limit like `ulimit -v` in the launch script
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        args = [self.python if a == "{python}" else str(a) for a in args]
        proc = subprocess.run(args, cwd=cwd or sb.code, env=full_env, preexec_fn=preexec,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT if merge else subprocess.PIPE,
                              timeout=timeout)
        out = proc.stdout.decode("utf-8", "replace")
        err = "" if merge else proc.stderr.decode("utf-8", "replace")
        return Run(proc.returncode, self.normalise(out, sb), self.normalise(err, sb))

    # ----------------------------------------------------------------------------------------
    # normalisation: this machine's paths, pids, clocks and timings -> stable, platform-like

    def normalise(self, text: str, sb: Sandbox) -> str:
        repl = [(str(sb.code), sb.code_as), (str(sb.data), sb.data_as), (str(sb.work), sb.work_as)]
        repl += list(sb.extra_paths.items())
        repl += [(str(sb.root), "/tmp/job"), (str(self.bin), BINDIR)]
        repl += [(d, SITE) for d in self.site_dirs] + [(self.stdlib, STDLIB)]
        repl += [(b, BINDIR) for b in self.python_bins]
        for src, dst in sorted(repl, key=lambda p: len(p[0]), reverse=True):
            text = text.replace(src, dst)
        text = re.sub(r"/__w/pytorch/pytorch/", "/opt/conda/conda-bld/pytorch/work/", text)
        text = _normalise_pids(text, sb.pid_base)
        text = _normalise_clocks(text, sb.t0)
        text = _normalise_timings(text)
        return text


def _epoch(stamp: str) -> float:
    return float(calendar.timegm(time.strptime(stamp, "%Y-%m-%d %H:%M:%S")))


_PID_PATTERNS = [
    r"(?<=pid\(s\) )(\d+)", r"(?<=\(pid )(\d+)", r"(?<=pid: )(\d+)", r"(?<=PID )(\d+)",
    r"(?<=Sending process )(\d+)", r"line \d+: +(\d+)(?= Killed)",
    r"(?m)^(?:\[rank\d\]: )?[IWEF]\d{4} [\d:.]+ +(\d+)(?= )",
]


def _normalise_pids(text: str, base: int) -> str:
    """Replace process ids (in the places logs print them) by stable fake ones, in one pass."""
    spans = {}
    for pat in _PID_PATTERNS:
        for m in re.finditer(pat, text):
            spans[m.start(1)] = (m.end(1), m.group(1))
    mapping: dict[str, str] = {}
    pieces, pos = [], 0
    for start in sorted(spans):
        end, pid = spans[start]
        if pid not in mapping:
            mapping[pid] = str(base + 17 * len(mapping) + len(mapping) % 3)
        pieces += [text[pos:start], mapping[pid]]
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def _normalise_clocks(text: str, t0: float) -> str:
    text = _normalise_glog_epochs(text, t0)

    # torch.distributed.elastic: "W1124 06:04:32.223000" (month-day, wall clock)
    seen: dict[str, str] = {}

    def glog_wall(m):
        key = m.group(2)
        if key not in seen:
            t = t0 + 1.5 + 0.4137 * len(seen)
            seen[key] = time.strftime("%m%d %H:%M:%S", time.gmtime(t)) + ".%06d" % (int(t * 1e6) % 10**6)
        return m.group(1) + seen[key]

    text = re.sub(r"(?m)(^[IWEF])(\d{4} \d\d:\d\d:\d\d\.\d{6})", glog_wall, text)

    # elastic failure summary "time      : 2026-11-24_06:04:37": keep the order, move the date
    stamps = sorted(set(re.findall(r"time +: (\d{4}-\d\d-\d\d_\d\d:\d\d:\d\d)", text)))
    for i, s in enumerate(stamps):
        text = text.replace(s, time.strftime("%Y-%m-%d_%H:%M:%S", time.gmtime(t0 + 9 + i)))
    text = re.sub(r"(host +: )\S+", r"\1gcr4xx012", text)
    text = re.sub(r"torchelastic_\w+/none_\w+", "torchelastic_l2k8tq5d/none_v0w4y1hb", text)
    text = re.sub(r"\[127\.0\.0\.1\]:\d+", "[127.0.0.1]:48290", text)
    text = re.sub(r"Thread 0x[0-9a-f]+", "Thread 0x00007f2f8bd3f740", text)
    return text


_PYLOG_STAMP = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) ")
_GLOG_EPOCH = re.compile(r"^((?:\[rank\d\]: )?[IWEF]0000 00:00:)\d+\.\d+")


def _normalise_glog_epochs(text: str, t0: float) -> str:
    """absl/glog lines printed before InitializeLog ("I0000 00:00:1795499601.060483") carry the epoch;
    give them the fake clock, in step with the program's own log stamps where the two interleave."""
    current = t0 - 3.0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = _PYLOG_STAMP.search(line)
        if m:
            current = max(current, calendar.timegm(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S"))
                          + int(m.group(2)) / 1000.0)
        g = _GLOG_EPOCH.match(line)
        if g:
            current += 0.0173
            lines[i] = g.group(1) + "%.6f" % current + line[g.end():]
    return "\n".join(lines)


def _normalise_timings(text: str) -> str:
    # Keras: "32/32 - 1s - 34ms/step", bar ETA "\x1b[1m12s\x1b[0m 936ms/step"; TF hooks: "(0.031 sec)"
    text = re.sub(r"\d+(?:ms|us|s)/step", "41ms/step", text)
    text = re.sub(r"(\d+/\d+ - )\d+s( - )", r"\g<1>1s\2", text)
    text = re.sub(r"(\x1b\[1m)\d+s(\x1b\[0m)", r"\g<1>1s\2", text)
    text = re.sub(r"\((\d+\.\d+) sec\)", "(0.712 sec)", text)
    text = re.sub(r"global_step/sec: [\d.]+", "global_step/sec: 14.0449", text)

    # Keras redraws with "\b" * width-of-previous-line, padding a shorter line with spaces; drop the
    # padding (it depended on the timings) and recompute the runs after the edits above
    text = re.sub(r" +(?=\x08)", "", text)

    def fix_backspaces(s: str) -> str:
        parts = re.split(r"(\x08+)", s)
        for i in range(1, len(parts), 2):
            prev = re.split(r"[\r\n]", parts[i - 1])[-1]
            parts[i] = "\x08" * len(re.sub(r"\x1b\[[0-9;]*m", "", prev))
        return "".join(parts)

    return fix_backspaces(text)


# --------------------------------------------------------------------------------------------
# platform noise (hand-written: what the job runner and pip print around the program)

NVIDIA_SMI = """\
+-----------------------------------------------------------------------------+
| NVIDIA-SMI 396.44                 Driver Version: 396.44                    |
|-------------------------------+----------------------+----------------------+
| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |
| Fan  Temp  Perf  Pwr:Usage/Cap|         Memory-Usage | GPU-Util  Compute M. |
|===============================+======================+======================|
{rows}+-----------------------------------------------------------------------------+
"""
SMI_ROW = """\
|   {i}  {name:<18}  On   | 00000000:{bus:02X}:00.0 Off |                    0 |
| N/A   {temp}C    P0    {pw}W / {cap}W |      0MiB / {mem}MiB |      0%      Default |
+-------------------------------+----------------------+----------------------+
"""


@dataclass
class Platform:
    job: str
    app_id: str
    user: str
    vc: str
    gpus: int
    image: str
    start: str
    gpu_model: str = "P100-PCIE-16GB"
    gpu_mem: int = 16280
    cluster: str = "rr1"
    host: str = "gcr4xx012"

    def preamble(self, attempt: int, attempts: int) -> str:
        t = _epoch(self.start) - 80
        ts = lambda dt: time.strftime("[%Y-%m-%d %H:%M:%S]", time.gmtime(t + dt))
        rows = "".join(SMI_ROW.format(i=i, name=("Tesla " + self.gpu_model)[:15] + "...", bus=0x04 + i, temp=31 + 2 * i, pw=26 + i,
                                      cap=250, mem=self.gpu_mem) for i in range(self.gpus))
        lines = [
            "%s Job runner 2.7.1 (%s-prod) starting %s, attempt %d of %d" % (
                ts(0), self.cluster, self.app_id, attempt, attempts),
            "%s job name: %s   user: %s   virtual cluster: %s" % (ts(0), self.job, self.user, self.vc),
            "%s requested %d GPU(s) on 1 container, docker image %s" % (ts(1), self.gpus, self.image),
            "%s container started on %s, visible GPUs: %s" % (
                ts(9), self.host, ",".join(str(i) for i in range(self.gpus))),
            "%s mounting /hdfs/%s/%s -> /philly/%s/%s/%s" % (
                ts(10), self.vc, self.user, self.cluster, self.vc, self.user),
            "%s nvidia-smi" % ts(12),
        ]
        smi = NVIDIA_SMI.format(rows=rows).rstrip("\n").split("\n")
        lines += smi
        lines.append("%s installing requirements (pip install --user -r requirements.txt)" % ts(13))
        return "\n".join(lines) + "\n"

    def launch_line(self, launch: str, dt: float = 52) -> str:
        return time.strftime("[%Y-%m-%d %H:%M:%S]", time.gmtime(_epoch(self.start) - 80 + dt)) + \
            " running launch script: %s\n" % launch

    def epilogue(self, rc: int, elapsed: float, attempt: int, attempts: int) -> str:
        end = _epoch(self.start) + elapsed
        ts = lambda dt: time.strftime("[%Y-%m-%d %H:%M:%S]", time.gmtime(end + dt))
        hours = (elapsed + 80) / 3600.0
        if rc == 0:
            lines = ["%s process exited with code 0" % ts(0),
                     "%s attempt %d of %d SUCCEEDED after %.2f h (%d GPU(s), %.2f GPU hours)" % (
                         ts(1), attempt, attempts, hours, self.gpus, hours * self.gpus)]
        else:
            verdict = "will be retried" if attempt < attempts else "no retries left"
            lines = ["%s process exited with code %d" % (ts(0), rc),
                     "%s attempt %d of %d FAILED after %.2f h (%d GPU(s), %.2f GPU hours); %s" % (
                         ts(1), attempt, attempts, hours, self.gpus, hours * self.gpus, verdict)]
        lines.append("%s uploading logs to /hdfs/%s/%s/logs/%s/%d" % (ts(2), self.vc, self.user, self.app_id, attempt))
        return "\n".join(lines) + "\n"


def pip_noise(installs, already, conflict=None, notice=True):
    """(stdout, stderr) of `pip install --user -r requirements.txt`."""
    out = []
    for name, ver, size in installs:
        out.append("Collecting %s==%s (from -r requirements.txt (line %d))" % (name, ver, len(out) // 3 + 1))
        wheel = "%s-%s-py3-none-any.whl" % (name.replace("-", "_"), ver)
        out.append("  Downloading %s (%s)" % (wheel, size))
        out.append("     \x1b[90m━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━\x1b[0m \x1b[32m%s\x1b[0m \x1b[31m12.4 MB/s\x1b[0m eta \x1b[36m0:00:00\x1b[0m" % size)
    for name, ver in already:
        out.append("Requirement already satisfied: %s in %s (from -r requirements.txt) (%s)" % (name, SITE, ver))
    out.append("Installing collected packages: " + ", ".join(n for n, _, _ in installs))
    out.append("Successfully installed " + " ".join("%s-%s" % (n, v) for n, v, _ in installs))
    err = []
    if conflict:
        err.append("ERROR: pip's dependency resolver does not currently take into account all the packages "
                   "that are installed. This behaviour is the source of the following dependency conflicts.")
        err += conflict
    err.append("WARNING: Running pip as the 'root' user can result in broken permissions and conflicting "
               "behaviour with the system package manager. It is recommended to use a virtual environment "
               "instead: https://pip.pypa.io/warnings/venv")
    if notice:
        err += ["", "[notice] A new release of pip is available: 23.2.1 -> 24.0",
                "[notice] To update, run: python -m pip install --upgrade pip"]
    return "\n".join(out) + "\n", "\n".join(err) + "\n"


# --------------------------------------------------------------------------------------------
# assembling a job


@dataclass
class Expectation:
    category: str
    file: str | None = None
    line: int | None = None

    def as_dict(self) -> dict:
        d = {"category": self.category}
        if self.file:
            d.update(file=self.file, line=self.line)
        return d


def _count_lines(text: str) -> int:
    """Lines that precede the next text appended to `text` (grep -n numbering)."""
    return text.count("\n")


def line_of(text: str, pattern: str, *, which: str = "last") -> int:
    """1-based number of the line matching `pattern` (a regex searched per \\n-separated line)."""
    hits = [i + 1 for i, ln in enumerate(text.split("\n")) if re.search(pattern, ln)]
    if not hits:
        raise AssertionError("pattern %r not found in program output:\n%s" % (pattern, text[-3000:]))
    return hits[-1] if which == "last" else hits[0]


def write(out: Path, rel: str, text: str) -> None:
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    if rel.endswith(".gz"):
        # mtime=0 and no file name keep the archive byte-identical between builds
        with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(data)
    else:
        path.write_bytes(data)


class Job:
    """Collects the text of one job's files and where its failure line lands."""

    def __init__(self, name: str):
        self.name = name
        self.files: dict[str, str] = {}
        self.expect: Expectation | None = None

    def add(self, rel: str, text: str) -> int:
        """Append text to file rel; return the number of lines before it."""
        before = self.files.get(rel, "")
        self.files[rel] = before + text
        return _count_lines(before)

    def fail_at(self, category: str, rel: str, offset: int, chunk: str, pattern: str, which="last"):
        self.expect = Expectation(category, rel, offset + line_of(chunk, pattern, which=which))

    def succeed(self):
        self.expect = Expectation("no_failure")

    def save(self, out: Path) -> None:
        shutil.rmtree(out / self.name, ignore_errors=True)
        for suffix in ("", ".gz"):
            p = out / (self.name + suffix)
            if p.is_file():
                p.unlink()
        for rel, text in self.files.items():
            write(out, rel, text)


def _elapsed(plat: Platform, run: Run) -> float:
    """Seconds from the program's start to a little after its last log stamp (its fake clock)."""
    stamps = [calendar.timegm(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S"))
              for m in _PYLOG_STAMP.finditer(run.out + run.err)]
    return max([_epoch(plat.start)] + stamps) - _epoch(plat.start) + 7


def std_job(job: Job, plat: Platform, run: Run, *, attempt=1, attempts=1, prefix="", launch="run.sh",
            pip=None, elapsed=None, stderr_name="stderr.txt", pre_err="", post_out=""):
    """Lay out one attempt as stdout.txt + stderr.txt; return (stderr rel path, offset of run.err)."""
    so, se = prefix + "stdout.txt", prefix + stderr_name
    pip_out, pip_err = pip or ("", "")
    job.add(so, plat.preamble(attempt, attempts) + pip_out + plat.launch_line(launch))
    job.add(so, run.out + ("" if run.out.endswith("\n") or not run.out else "\n") + post_out)
    job.add(so, plat.epilogue(run.rc, elapsed or _elapsed(plat, run), attempt, attempts))
    job.add(se, pip_err + pre_err)
    offset = job.add(se, run.err if run.err.endswith("\n") or not run.err else run.err + "\n")
    return se, offset


def single_log(job: Job, plat: Platform, rel: str, merged: Run, *, pip=None, launch="run.sh",
               elapsed=None, between=""):
    """Lay out one attempt as a single log (stdout and stderr merged); return offset of the run."""
    pip_out, pip_err = pip or ("", "")
    job.add(rel, plat.preamble(1, 1) + pip_out + pip_err + plat.launch_line(launch) + between)
    text = merged.out if merged.out.endswith("\n") else merged.out + "\n"
    offset = job.add(rel, text)
    job.add(rel, plat.epilogue(merged.rc, elapsed or _elapsed(plat, merged), 1, 1))
    return offset, text


# --------------------------------------------------------------------------------------------
# the jobs

TORCH_PIP = pip_noise(
    [("tensorboardX", "2.6.2.2", "101 kB"), ("yacs", "0.1.8", "14 kB")],
    [("torch", "2.13.0"), ("numpy", "2.4.6"), ("protobuf", "3.20.1")],
    conflict=["onnx 1.17.0 requires protobuf>=3.20.2, but you have protobuf 3.20.1 which is incompatible."])
TF_PIP = pip_noise(
    [("tensorflow-addons", "0.23.0", "611 kB"), ("typeguard", "2.13.3", "17 kB")],
    [("tensorflow", "2.21.0"), ("keras", "3.15.1"), ("numpy", "2.4.6")],
    conflict=["tensorflow-addons 0.23.0 requires typeguard<3.0.0,>=2.7, but you have typeguard 4.4.2 "
              "which is incompatible."])
PLAIN_PIP = pip_noise([("sacrebleu", "2.4.3", "106 kB"), ("portalocker", "2.10.1", "18 kB")],
                      [("torch", "2.13.0"), ("regex", "2024.11.6")], conflict=None, notice=False)

CUDA_OOM = ("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 3.06 GiB. GPU 0 has a total "
            "capacity of 15.77 GiB of which 1.71 GiB is free. Including non-PyTorch memory, this process has "
            "14.05 GiB memory in use. Of the allocated memory 12.87 GiB is allocated by PyTorch, and 768.25 MiB "
            "is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting "
            "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for "
            "Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)")


def job_resnet50_imagenet(b: Builder) -> Job:
    """gpu_out_of_memory, two retries. Real run on CPU under an address-space limit fails to allocate
    the first conv's output at the final resolution; the CPU allocator's message is replaced by
    PyTorch's CUDA OOM message (hand-written: no GPU here). Every frame above it is real."""
    job = Job("resnet50-imagenet-3f9c")
    plat = Platform(job.name, "application_1538432321571_4211", "jiahzhan", "msrlabs", 4,
                    "philly/jobs/custom/pytorch:v2.13-py311-cu121", "2018-10-03 11:40:00",
                    gpu_model="V100-PCIE-16GB")
    launch = "/philly/rr1/msrlabs/jiahzhan/resnet50/run_imagenet.sh"
    for attempt in (1, 2):
        plat.start = ("2018-10-03 11:40:00", "2018-10-03 12:31:47")[attempt - 1]
        sb = b.sandbox("%s-%d" % (job.name, attempt), "/philly/rr1/msrlabs/jiahzhan/resnet50",
                       "/hdfs/msrlabs/imagenet", plat.start, 5100 + 300 * attempt)
        run = b.run(sb, ["{python}", "imagenet_resnet.py", "--arch", "resnet50", "--batch-size", "256",
                         "--seed", str(attempt)], limit_as_gib=2.5)
        assert run.rc == 1 and "DefaultCPUAllocator: can't allocate memory" in run.err, run.err[-2000:]
        err = re.sub(r"(?m)^RuntimeError: \[enforce fail at alloc_cpu\.cpp.*$", lambda m: CUDA_OOM, run.err)
        run = Run(run.rc, run.out, err)
        rel, off = std_job(job, plat, run, attempt=attempt, attempts=2, prefix="%s/%d/" % (job.name, attempt),
                           launch=launch, pip=TORCH_PIP)
        if attempt == 2:
            job.fail_at("gpu_out_of_memory", rel, off, run.err, r"^torch\.OutOfMemoryError: CUDA out of memory")
    return job


TF_GPU_PREAMBLE = """\
I0000 00:00:1538566807.112834    {pid} gpu_device.cc:2020] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 14791 MB memory:  -> device: 0, name: Tesla V100-SXM2-16GB, pci bus id: 0000:00:1e.0, compute capability: 7.0
"""
TF_BFC = """\
I0000 00:00:1538566811.904116    {tid} cuda_dnn.cc:529] Loaded cuDNN version 90300
W0000 00:00:1538566812.331052    {tid} bfc_allocator.cc:502] Allocator (GPU_0_bfc) ran out of memory trying to allocate 32.00GiB (rounded to 34359738368)requested by op unet_1/conv2d_1/Relu
If the cause is memory fragmentation maybe the environment variable 'TF_GPU_ALLOCATOR=cuda_malloc_async' will improve the situation. 
Current allocation summary follows.
Current allocation summary follows.
I0000 00:00:1538566812.331290    {tid} bfc_allocator.cc:1049] BFCAllocator dump for GPU_0_bfc
I0000 00:00:1538566812.331301    {tid} bfc_allocator.cc:1056] Bin (256): 	Total Chunks: 31, Chunks in use: 31. 7.8KiB allocated for chunks. 7.8KiB in use in bin. 2.1KiB client-requested in use in bin.
I0000 00:00:1538566812.331309    {tid} bfc_allocator.cc:1056] Bin (512): 	Total Chunks: 4, Chunks in use: 4. 2.0KiB allocated for chunks. 2.0KiB in use in bin. 2.0KiB client-requested in use in bin.
I0000 00:00:1538566812.331316    {tid} bfc_allocator.cc:1056] Bin (1024): 	Total Chunks: 3, Chunks in use: 3. 3.2KiB allocated for chunks. 3.2KiB in use in bin. 3.0KiB client-requested in use in bin.
I0000 00:00:1538566812.331325    {tid} bfc_allocator.cc:1056] Bin (268435456): 	Total Chunks: 2, Chunks in use: 1. 2.81GiB allocated for chunks. 1.50GiB in use in bin. 1.50GiB client-requested in use in bin.
I0000 00:00:1538566812.331333    {tid} bfc_allocator.cc:1072] Bin for 32.00GiB was 256.00MiB, Chunk State: 
I0000 00:00:1538566812.331341    {tid} bfc_allocator.cc:1078]   Size: 1.31GiB | Requested Size: 0B | in_use: 0 | bin_num: 20, prev:   Size: 1.50GiB | Requested Size: 1.50GiB | in_use: 1 | bin_num: -1
I0000 00:00:1538566812.331349    {tid} bfc_allocator.cc:1085] Next region of size 3019898880
I0000 00:00:1538566812.331502    {tid} bfc_allocator.cc:1110]      Summary of in-use Chunks by size: 
I0000 00:00:1538566812.331511    {tid} bfc_allocator.cc:1113] 31 Chunks of size 256 totalling 7.8KiB
I0000 00:00:1538566812.331520    {tid} bfc_allocator.cc:1113] 1 Chunks of size 1610612736 totalling 1.50GiB
I0000 00:00:1538566812.331527    {tid} bfc_allocator.cc:1117] Sum Total of in-use chunks: 1.50GiB
I0000 00:00:1538566812.331534    {tid} bfc_allocator.cc:1119] Total size in pool: 2.81GiB memory_limit_: 14.44GiB available size: 11.63GiB curr_region_allocation_bytes_: 5.62GiB
I0000 00:00:1538566812.331546    {tid} bfc_allocator.cc:1128] Stats: 
Limit:                        15510011904
InUse:                         1610635264
MaxInUse:                      1610635264
NumAllocs:                             41
MaxAllocSize:                  1610612736
Reserved:                               0
PeakReserved:                           0
LargestFreeBlock:                       0

W0000 00:00:1538566812.331601    {tid} bfc_allocator.cc:513] ***********************************_________________________________________________________________
"""


def job_unet_cityscapes(b: Builder) -> Job:
    """gpu_out_of_memory, single log. Real Keras run on CPU whose first conv output (32 GiB) the CPU
    allocator refuses (a real ResourceExhaustedError); the device is rewritten to GPU:0/GPU_0_bfc and
    the GPU device and BFC allocator lines are added by hand (TF's own wording)."""
    job = Job("unet-cityscapes-bs16-0e7d.log")
    plat = Platform("unet-cityscapes-bs16-0e7d", "application_1538432321571_5307", "lzhang", "resrchvc", 1,
                    "philly/jobs/custom/tensorflow:v2.21-py311-cu125", "2018-10-08 16:20:00",
                    gpu_model="V100-SXM2-16GB")
    sb = b.sandbox(job.name, "/philly/rr1/resrchvc/lzhang/unet", "/hdfs/resrchvc/cityscapes", plat.start, 7100)
    run = b.run(sb, ["{python}", "unet_seg.py", "--crop", "2048,4096", "--batch-size", "16"], merge=True,
                env={"PYTHONUNBUFFERED": "1"})
    assert run.rc == 1 and "ResourceExhaustedError" in run.out, run.out[-3000:]
    text = run.out
    tid = re.search(r"(?m)^W0000 [\d:.]+ +(\d+) op_kernel", text).group(1)
    pid = re.search(r"(?m)^I0000 [\d:.]+ +(\d+) cpu_feature_guard", text).group(1)
    bfc, gpu = TF_BFC.format(tid=tid), TF_GPU_PREAMBLE.format(pid=pid, tid=tid)
    text = re.sub(r"(?m)^W0000 .*cpu_allocator_impl\.cc.*\n", lambda m: bfc, text)
    text = re.sub(r"(?m)^(I0000 .*cpu_feature_guard.*\n.*\n)", lambda m: m.group(1) + gpu, text)
    text = text.replace("device:CPU:0 by allocator cpu", "device:GPU:0 by allocator GPU_0_bfc")
    text = _normalise_glog_epochs(text, sb.t0)  # the inserted lines get the same clock
    assert "allocator cpu" not in text
    run = Run(run.rc, text, "")
    offset, chunk = single_log(job, plat, job.name, run, pip=TF_PIP, launch="python unet_seg.py")
    job.fail_at("gpu_out_of_memory", job.name, offset, chunk,
                r"^tensorflow\.python\.framework\.errors_impl\.ResourceExhaustedError")
    return job


def job_wordlm(b: Builder) -> Job:
    """cpu_out_of_memory: a DataLoader worker whose token cache keeps growing is SIGKILLed (the
    watchdog stands in for the OOM killer); PyTorch's reaction is real: "DataLoader worker (pid N)
    is killed by signal: Killed." chained into "exited unexpectedly"."""
    job = Job("job_20181012_0931_wordlm")
    plat = Platform(job.name, "application_1538432321571_7719", "xzhang", "msrlabs", 1,
                    "philly/jobs/custom/pytorch:v2.13-py311-cu121", "2018-10-12 09:31:00")
    sb = b.sandbox(job.name, "/philly/rr1/msrlabs/xzhang/wordlm", "/hdfs/msrlabs/xzhang/ptb", plat.start, 6200)
    corpus = sb.data / "ptb.train.txt"
    import random
    rnd = random.Random(3)
    words = ("the of market shares rose fell company said in a to percent year million billion trading "
             "stock new york analysts <unk> N").split()
    corpus.write_text("".join(" ".join(rnd.choice(words) for _ in range(rnd.randint(8, 25))) + "\n"
                              for _ in range(1500)))
    run = b.run(sb, ["{python}", "wordlm_train.py", "--corpus", corpus, "--workers", "2"],
                env={"SAMPLE_OOM_KILL_AFTER_MB": "+150"})
    assert run.rc == 1 and "DataLoader worker" in run.err, run.err[-3000:]
    rel, off = std_job(job, plat, run, prefix=job.name + "/", launch="/philly/rr1/msrlabs/xzhang/wordlm/run.sh",
                       pip=TORCH_PIP)
    pattern = r"DataLoader worker \(pid \d+\) is killed by signal: Killed"
    if not re.search(pattern, run.err):  # the signal may surface only as the summary error
        pattern = r"^RuntimeError: DataLoader worker \(pid\(s\) [\d, ]+\) exited unexpectedly"
    job.fail_at("cpu_out_of_memory", rel, off, run.err, pattern)
    return job


def job_criteo_dlrm(b: Builder) -> Job:
    """cpu_out_of_memory, two retries through a real launch script. Attempt 1 runs under a `ulimit -v`
    address-space limit: NumPy's real MemoryError. Attempt 2 has no limit: the process fills the
    array until the watchdog (standing in for the OOM killer) SIGKILLs it; bash's "Killed" line and
    exit status 137 are real."""
    job = Job("criteo-dlrm-7a21")
    plat = Platform(job.name, "application_1538432321571_3090", "ywang", "bingads", 2,
                    "philly/jobs/custom/pytorch:v2.13-py311-cu121", "2018-10-05 02:10:00",
                    gpu_model="P40")
    launch = "/philly/rr1/bingads/ywang/dlrm/dlrm_run.sh"
    for attempt in (1, 2):
        plat.start = ("2018-10-05 02:10:00", "2018-10-05 02:58:30")[attempt - 1]
        sb = b.sandbox("%s-%d" % (job.name, attempt), "/philly/rr1/bingads/ywang/dlrm",
                       "/hdfs/bingads/criteo", plat.start, 8100 + 211 * attempt)
        if attempt == 1:
            run = b.run(sb, ["bash", sb.code / "dlrm_run.sh"], limit_as_gib=8, env={"DATA": sb.data})
            assert run.rc == 1 and "Unable to allocate" in run.err, run.err[-2000:]
        else:
            run = b.run(sb, ["bash", sb.code / "dlrm_run.sh"], env={"DATA": sb.data,
                                                                       "SAMPLE_OOM_KILL_AFTER_MB": "+2500"})
            assert run.rc == 137 and " Killed " in run.err, (run.rc, run.err[-2000:])
        rel, off = std_job(job, plat, run, attempt=attempt, attempts=2, prefix="%s/%d/" % (job.name, attempt),
                           launch=launch, pip=TORCH_PIP)
        if attempt == 2:
            job.fail_at("cpu_out_of_memory", rel, off, run.err, r"dlrm_run\.sh: line \d+: +\d+ Killed ")
    return job


def job_dcgan(b: Builder) -> Job:
    """framework_api_misuse: feature matching reuses discriminator features whose graph the D step's
    backward() already freed -> real "Trying to backward through the graph a second time"."""
    job = Job("dcgan-celeba-b812")
    plat = Platform(job.name, "application_1538432321571_6034", "hli", "vision", 1,
                    "philly/jobs/custom/pytorch:v2.13-py311-cu121", "2018-10-09 22:05:00")
    sb = b.sandbox(job.name, "/philly/rr1/vision/hli/dcgan", "/hdfs/vision/celeba", plat.start, 3300)
    run = b.run(sb, ["{python}", "dcgan_train.py", "--iters", "50", "--warmup", "20"])
    assert run.rc == 1 and "backward through the graph a second time" in run.err, run.err[-2000:]
    rel, off = std_job(job, plat, run, prefix=job.name + "/", launch="/philly/rr1/vision/hli/dcgan/train.sh",
                       pip=TORCH_PIP)
    job.fail_at("framework_api_misuse", rel, off, run.err,
                r"^RuntimeError: Trying to backward through the graph a second time")
    return job


def job_textcnn(b: Builder) -> Job:
    """framework_api_misuse: Keras 2 code (`Adam(lr=..., decay=...)`) on Keras 3 -> real
    "ValueError: Argument(s) not recognized: {'lr': 0.0001}" after stage 1 trained fine."""
    job = Job("keras-textcnn-imdb-51c0")
    plat = Platform(job.name, "application_1538432321571_2218", "mchen", "nlp", 1,
                    "philly/jobs/custom/tensorflow:v2.21-py311-cu125", "2018-10-04 14:12:00")
    sb = b.sandbox(job.name, "/philly/rr1/nlp/mchen/textcnn", "/hdfs/nlp/imdb", plat.start, 2600)
    run = b.run(sb, ["{python}", "textcnn_keras.py"])
    assert run.rc == 1 and "Argument(s) not recognized" in run.err, run.err[-2000:]
    rel, off = std_job(job, plat, run, prefix=job.name + "/", launch="python textcnn_keras.py",
                       pip=TF_PIP)
    job.fail_at("framework_api_misuse", rel, off, run.err, r"^ValueError: Argument\(s\) not recognized")
    return job


def job_ddp_ranker(b: Builder) -> Job:
    """tensor_mismatch, multi-rank: real torchrun with two gloo ranks. Rank 1's shard has one more
    feature column -> "mat1 and mat2 shapes cannot be multiplied"; rank 0 then fails in the gloo
    all-reduce ("Connection closed by peer") and aborts; the launcher prints ChildFailedError."""
    job = Job("ddp-ranker-2n-4e9a")
    plat = Platform(job.name, "application_1538432321571_8802", "kliu", "bingads", 2,
                    "philly/jobs/custom/pytorch:v2.13-py311-cu121", "2018-10-16 08:47:00")
    sb = b.sandbox(job.name, "/philly/rr1/bingads/kliu/ranker", "/hdfs/bingads/kliu/shards", plat.start, 9400)
    subprocess.run([b.python, "-c", "import numpy as np, sys; rng = np.random.default_rng(0); "
                    "np.save(sys.argv[1] + '/shard-00000.npy', rng.random((5000, 129), dtype=np.float32)); "
                    "np.save(sys.argv[1] + '/shard-00001.npy', rng.random((5000, 130), dtype=np.float32))",
                    str(sb.data)], check=True)
    port = str(29500 + os.getpid() % 400)
    run = b.run(sb, b.torchrun + ["--nproc_per_node=2", "--master_port", port, "ddp_train.py",
                                  "--shards", sb.data], env={"OMP_NUM_THREADS": None})
    assert run.rc != 0 and "[rank1]: RuntimeError: mat1 and mat2" in run.err, run.err[-3000:]
    rel, off = std_job(job, plat, run, prefix=job.name + "/",
                       launch="torchrun --nproc_per_node=2 ddp_train.py --shards /hdfs/bingads/kliu/shards",
                       pip=TORCH_PIP)
    job.fail_at("tensor_mismatch", rel, off, run.err,
                r"^\[rank1\]: RuntimeError: mat1 and mat2 shapes cannot be multiplied", which="first")
    return job


def job_cifar_eval(b: Builder) -> Job:
    """tensor_mismatch, single log: a checkpoint saved from nn.DataParallel (keys prefixed `module.`)
    loaded into the plain model -> real "Error(s) in loading state_dict"."""
    job = Job("job_20181019_1603_eval_resnet.log")
    plat = Platform("job_20181019_1603_eval_resnet", "application_1538432321571_9950", "wtang", "vision", 1,
                    "philly/jobs/custom/pytorch:v2.13-py311-cu121", "2018-10-19 16:03:00")
    sb = b.sandbox(job.name, "/philly/rr1/vision/wtang/cifar", "/hdfs/vision/wtang/checkpoints", plat.start, 1200)
    ckpt = sb.data / "resnet_dp_best.pth.tar"
    made = b.run(sb, ["{python}", "cifar_train_dp.py", "--out", ckpt])
    assert made.rc == 0, made.err
    run = b.run(sb, ["{python}", "cifar_eval.py", "--checkpoint", ckpt], merge=True,
                env={"PYTHONUNBUFFERED": "1"})
    assert run.rc == 1 and "Error(s) in loading state_dict" in run.out, run.out[-2000:]
    offset, chunk = single_log(job, plat, job.name, run, pip=PLAIN_PIP,
                               launch="python cifar_eval.py --checkpoint /hdfs/vision/wtang/checkpoints/"
                                      "resnet_dp_best.pth.tar")
    job.fail_at("tensor_mismatch", job.name, offset, chunk, r"^RuntimeError: Error\(s\) in loading state_dict")
    return job


def job_vae(b: Builder) -> Job:
    """loss_nan: the decoder's sigmoid saturates to exactly 1.0, (1-x)*log(1-p) = 0*log 0; with
    anomaly detection on, real "Function 'LogBackward0' returned nan values in its 0th output."."""
    job = Job("vae-mnist-kl-77ab")
    plat = Platform(job.name, "application_1538432321571_4476", "rzhou", "msrlabs", 1,
                    "philly/jobs/custom/pytorch:v2.13-py311-cu121", "2018-10-07 03:15:00")
    sb = b.sandbox(job.name, "/philly/rr1/msrlabs/rzhou/vae", "/hdfs/msrlabs/mnist", plat.start, 7700)
    run = b.run(sb, ["{python}", "vae_train.py", "--detect-anomaly", "--lr", "3e-3"])
    assert run.rc == 1 and "returned nan values" in run.err, run.err[-2000:]
    rel, off = std_job(job, plat, run, prefix=job.name + "/", launch="/philly/rr1/msrlabs/rzhou/vae/run.sh",
                       pip=TORCH_PIP)
    job.fail_at("loss_nan", rel, off, run.err, r"^RuntimeError: Function 'LogBackward0' returned nan values")
    return job


def job_widedeep(b: Builder) -> Job:
    """loss_nan: TF1-style MonitoredTrainingSession with a too-large learning rate; the real
    NanTensorHook logs "Model diverged with loss = NaN." and raises NanLossDuringTrainingError."""
    job = Job("widedeep-watchtime-tf1-2c3e")
    plat = Platform(job.name, "application_1538432321571_1187", "sguo", "bingads", 1,
                    "philly/jobs/custom/tensorflow:v2.21-py311-cu125", "2018-10-02 19:40:00",
                    gpu_model="P40")
    sb = b.sandbox(job.name, "/philly/rr1/bingads/sguo/widedeep", "/hdfs/bingads/sguo/watchtime",
                   plat.start, 5600)
    run = b.run(sb, ["{python}", "widedeep_tf1.py", "--model-dir", sb.work / "model", "--learning-rate", "1.0"])
    assert run.rc == 1 and "NanLossDuringTrainingError" in run.err, run.err[-2000:]
    rel, off = std_job(job, plat, run, prefix=job.name + "/", launch="python widedeep_tf1.py",
                       pip=TF_PIP)
    job.fail_at("loss_nan", rel, off, run.err, r"NanLossDuringTrainingError: NaN loss during training")
    return job


def job_vqa(b: Builder) -> Job:
    """corrupt_data, two retries. Attempt 1: the feature pickle had not been copied yet
    (FileNotFoundError, a different category: only the last retry counts). Attempt 2: the copy was
    interrupted -> real "_pickle.UnpicklingError: pickle data was truncated". stderr is gzipped."""
    job = Job("job_20181005_2210_vqa")
    plat = Platform(job.name, "application_1538432321571_3377", "tyang", "vision", 4,
                    "philly/jobs/custom/pytorch:v2.13-py311-cu121", "2018-10-05 22:10:00")
    for attempt in (1, 2):
        plat.start = ("2018-10-05 22:10:00", "2018-10-05 22:41:10")[attempt - 1]
        sb = b.sandbox("%s-%d" % (job.name, attempt), "/philly/rr1/vision/tyang/vqa", "/hdfs/vision/vqa2",
                       plat.start, 2900 + 97 * attempt)
        make = ["{python}", "make_vqa_data.py", sb.data]
        make += ["--no-features"] if attempt == 1 else ["--truncate-at", "0.61"]
        assert b.run(sb, make).rc == 0
        run = b.run(sb, ["{python}", "vqa_train.py", "--data-root", sb.data])
        name = "stderr.txt" if attempt == 1 else "stderr.txt.gz"
        rel, off = std_job(job, plat, run, attempt=attempt, attempts=2, prefix="%s/%d/" % (job.name, attempt),
                           launch="/philly/rr1/vision/tyang/vqa/train.sh", pip=TORCH_PIP, stderr_name=name)
        if attempt == 1:
            assert run.rc == 1 and "FileNotFoundError" in run.err, run.err[-2000:]
        else:
            assert run.rc == 1 and "pickle data was truncated" in run.err, run.err[-2000:]
            job.fail_at("corrupt_data", rel, off, run.err, r"^_pickle\.UnpicklingError: pickle data was truncated")
    return job


def job_detr(b: Builder) -> Job:
    """corrupt_data: one truncated JPEG decoded by PIL inside a DataLoader worker; the real re-raise
    "OSError: Caught OSError in DataLoader worker process N." carries the original
    "OSError: image file is truncated (... bytes not processed)"."""
    job = Job("detr-coco-finetune-a19f")
    plat = Platform(job.name, "application_1538432321571_6612", "pxu", "vision", 2,
                    "philly/jobs/custom/pytorch:v2.13-py311-cu121", "2018-10-11 10:02:00")
    sb = b.sandbox(job.name, "/philly/rr1/vision/pxu/detr", "/hdfs/vision/coco", plat.start, 4400)
    assert b.run(sb, ["{python}", "make_images.py", sb.data, "--truncate", "57"]).rc == 0
    run = b.run(sb, ["{python}", "detr_finetune.py", "--coco-path", sb.data])
    assert run.rc == 1 and "image file is truncated" in run.err, run.err[-2000:]
    rel, off = std_job(job, plat, run, prefix=job.name + "/", launch="/philly/rr1/vision/pxu/detr/run.sh",
                       pip=TORCH_PIP)
    job.fail_at("corrupt_data", rel, off, run.err, r"^OSError: image file is truncated")
    return job


def job_transformer_wmt(b: Builder) -> Job:
    """unexpected_encoding: the container has no locale (LC_ALL=C), so open() decodes ASCII; the French
    BPE dictionary is UTF-8 -> real UnicodeDecodeError, re-raised `from` it as a RuntimeError."""
    job = Job("transformer-wmt-enfr-0b3d")
    plat = Platform(job.name, "application_1538432321571_0815", "hwei", "nlp", 8,
                    "philly/jobs/custom/pytorch:v2.13-py311-cu121", "2018-10-01 23:55:00")
    sb = b.sandbox(job.name, "/philly/rr1/nlp/hwei/fairseq", "/hdfs/nlp/wmt14_en_fr/data-bin", plat.start, 3700)
    assert b.run(sb, ["{python}", "make_wmt_dicts.py", sb.data]).rc == 0
    run = b.run(sb, ["{python}", "transformer_wmt.py", sb.data],
                env={"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
                     "PYTHONIOENCODING": "utf-8"})
    assert run.rc == 1 and "UnicodeDecodeError" in run.err, run.err[-2000:]
    rel, off = std_job(job, plat, run, prefix=job.name + "/", launch="/philly/rr1/nlp/hwei/fairseq/train.sh",
                       pip=PLAIN_PIP)
    job.fail_at("unexpected_encoding", rel, off, run.err, r"^UnicodeDecodeError: 'ascii' codec can't decode")
    return job


def job_summarize(b: Builder) -> Job:
    """unexpected_encoding, single gzipped log: printing a summary with a typographic quote to an
    ASCII stdout (LC_ALL=C container) -> real UnicodeEncodeError; stderr's backslashreplace turns
    the progress bars' block characters into \\u2588 escapes."""
    job = Job("pegasus-cnndm-summ-e6a2.log.gz")
    plat = Platform("pegasus-cnndm-summ-e6a2", "application_1538432321571_7071", "jfeng", "nlp", 1,
                    "philly/jobs/custom/pytorch:v2.13-py311-cu121", "2018-10-13 05:30:00")
    sb = b.sandbox(job.name, "/philly/rr1/nlp/jfeng/summ", "/hdfs/nlp/cnn_dm", plat.start, 6900)
    assert b.run(sb, ["{python}", "make_articles.py", sb.data / "val.jsonl"]).rc == 0
    run = b.run(sb, ["{python}", "summarize_eval.py", "--data", sb.data / "val.jsonl"], merge=True,
                env={"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
                     "PYTHONUNBUFFERED": "1"})
    assert run.rc == 1 and "UnicodeEncodeError" in run.out, run.out[-2000:]
    offset, chunk = single_log(job, plat, job.name, run, pip=PLAIN_PIP,
                               launch="python summarize_eval.py --data /hdfs/nlp/cnn_dm/val.jsonl")
    job.fail_at("unexpected_encoding", job.name, offset, chunk, r"^UnicodeEncodeError: 'ascii' codec can't encode")
    return job


def job_mnist_ok(b: Builder) -> Job:
    """no_failure: trains to the end. Misleading lines, all real: a UserWarning mentioning "error",
    the "Failure to do this ..." lr_scheduler warning, "0 errors", train_error/val_error metrics, a
    failed download "attempt 1 failed ... retrying" that the next mirror fixes, and a caught
    ConnectionRefusedError logged with logging.exception (traceback) before training goes on."""
    job = Job("mnist-cnn-baseline-19e0")
    plat = Platform(job.name, "application_1538432321571_0042", "qsun", "msrlabs", 1,
                    "philly/jobs/custom/pytorch:v2.13-py311-cu121", "2018-10-10 13:13:00")
    sb = b.sandbox(job.name, "/philly/rr1/msrlabs/qsun/mnist", "/hdfs/msrlabs/mnist", plat.start, 1900)
    run = b.run(sb, ["{python}", "mnist_cnn.py", "--work", sb.work, "--epochs", "3"])
    assert run.rc == 0 and "Traceback" in run.out, (run.rc, run.err[-2000:])
    std_job(job, plat, run, prefix=job.name + "/", launch="/philly/rr1/msrlabs/qsun/mnist/run.sh",
            pip=TORCH_PIP)
    job.succeed()
    return job


def job_cifar_keras_ok(b: Builder) -> Job:
    """no_failure, single log: a Keras fit with a metric called `error` (error, val_error), Keras'
    ANSI progress bars with \\r and \\b, "0 errors" lines, pip's resolver ERROR line at the top."""
    job = Job("keras-cifar10-resnet20-5d7a.log")
    plat = Platform("keras-cifar10-resnet20-5d7a", "application_1538432321571_5151", "dma", "vision", 1,
                    "philly/jobs/custom/tensorflow:v2.21-py311-cu125", "2018-10-14 18:00:00")
    sb = b.sandbox(job.name, "/philly/rr1/vision/dma/cifar", "/hdfs/vision/cifar10", plat.start, 3100)
    run = b.run(sb, ["{python}", "cifar_keras.py", "--epochs", "4"], merge=True,
                env={"PYTHONUNBUFFERED": "1"})
    assert run.rc == 0, run.out[-3000:]
    single_log(job, plat, job.name, run, pip=TF_PIP, launch="python cifar_keras.py --epochs 4")
    job.succeed()
    return job


JOBS = [job_resnet50_imagenet, job_unet_cityscapes, job_wordlm, job_criteo_dlrm, job_dcgan, job_textcnn,
        job_ddp_ranker, job_cifar_eval, job_vae, job_widedeep, job_vqa, job_detr, job_transformer_wmt,
        job_summarize, job_mnist_ok, job_cifar_keras_ok]


def build(out: Path) -> dict[str, dict]:
    """Run every program, write the jobs under `out`, return {job name: expectation}."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    python = os.environ.get("SAMPLE_PYTHON", sys.executable)
    expectations: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="dl-samples-") as scratch:
        builder = Builder(python, Path(scratch))
        for make in JOBS:
            job = make(builder)
            job.save(out)
            expectations[job.name] = job.expect.as_dict()
    return expectations


def _yaml(expectations: dict[str, dict]) -> str:
    lines = []
    for name, exp in expectations.items():
        lines.append("%s:" % name)
        for k, v in exp.items():
            lines.append("  %s: %s" % (k, v))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: group_deep_learning.py OUT_DIR")
    sys.stdout.write(_yaml(build(Path(sys.argv[1]))))
