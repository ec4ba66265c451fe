#!/usr/bin/env python3
"""Builds the sample jobs for the execution-environment and general-code categories.

Every failure in these logs comes from really running a small failing program or launch script
(under programs/, files env_* and code_*) and capturing what it printed. Only the platform framing
around it (preamble, nvidia-smi table, pip noise, exit summary) is written here. Volatile parts of
the captured output (temporary paths, interpreter prefix, pids, object addresses, ports) are
replaced with fixed values so that a rebuild gives the same files.

    python tools/sample_logs/group_general.py OUT_DIR     # builds into OUT_DIR, prints expectations

build(out) returns {job name: {"category", "file", "line"}}; "file" is relative to out and "line"
is 1-based, counting "\\n" only, in the decompressed text.
"""
from __future__ import annotations

import base64
import bz2
import datetime
import gzip
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

PROGRAMS = Path(__file__).resolve().parent / "programs"
NOBODY = 65534
SITE_PREFIX = "/opt/conda"
LAUNCH_AT = 12.4          # seconds from a job's start to its launch command


# ---------------------------------------------------------------- running programs for real

@dataclass
class Run:
    stdout: str
    stderr: str
    rc: int


@dataclass
class Job:
    """One job's scratch space: code directory (shown in logs as `codedir`) and its runs."""
    name: str
    root: Path
    codedir: str
    env: dict = field(default_factory=dict)

    @property
    def code(self) -> Path:
        return self.root / "code"


class Runner:
    def __init__(self, python: str, out: Path):
        self.python = python
        self.out = out
        self.tmp = Path(tempfile.mkdtemp(prefix="triage-gen-"))
        os.chmod(self.tmp, 0o755)
        info = subprocess.run(
            [python, "-c", "import sys, sysconfig; p = sysconfig.get_paths(); "
             "print(p['purelib']); print(p['platlib']); print(p['stdlib']); print(p['include']); "
             "print(sysconfig.get_config_var('EXT_SUFFIX')); print('%d.%d' % sys.version_info[:2]); "
             "import torch"],
            capture_output=True, text=True)
        if info.returncode != 0:
            raise RuntimeError("SAMPLE_PYTHON=%s cannot import torch:\n%s" % (python, info.stderr))
        purelib, platlib, stdlib, self.include, self.ext_suffix, self.pyver = info.stdout.split("\n")[:6]
        site = "%s/lib/python%s/site-packages" % (SITE_PREFIX, self.pyver)
        self.subs = [(purelib, site), (platlib, site), (stdlib, "%s/lib/python%s" % (SITE_PREFIX, self.pyver))]
        self.is_root = os.geteuid() == 0

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def job(self, m: "Meta", files: dict[str, str], codedir: str = "/app", python_for_nobody=False) -> Job:
        """Copies programs/<src> to code/<target> and puts `python` on PATH."""
        name = m.name
        for stale in [self.out / name] + [self.out / (name + ext) for ext in (".log", ".log.gz", ".log.bz2")]:
            if stale.is_dir():
                shutil.rmtree(stale)
            elif stale.exists():
                stale.unlink()
        job = Job(name, self.tmp / name, codedir)
        job.env["TRAINLIB_START"] = m.clock()
        job.code.mkdir(parents=True)
        (job.root / "bin").mkdir()
        (job.root / "home").mkdir()
        for target, src in files.items():
            dest = job.code / target
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(PROGRAMS / src, dest)
        py = self.python
        if python_for_nobody and not self._usable_by_nobody(py):
            py = "/usr/bin/python3"
        # a wrapper, not a symlink: a venv interpreter reached through a symlink loses its venv
        (job.root / "bin" / "python").write_text('#!/bin/sh\nexec "%s" "$@"\n' % py)
        for dirpath, dirnames, filenames in os.walk(job.root):
            os.chmod(dirpath, 0o755)
            for f in filenames:
                if not os.path.islink(os.path.join(dirpath, f)):
                    os.chmod(os.path.join(dirpath, f), 0o755 if dirpath.endswith("/bin") else 0o644)
        return job

    def _usable_by_nobody(self, py: str) -> bool:
        if not self.is_root:
            return True
        r = subprocess.run(self._drop() + ["sh", "-c", 'exec "$0" -c pass', py], capture_output=True)
        return r.returncode == 0

    @staticmethod
    def _drop() -> list[str]:
        return ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"]

    def environ(self, job: Job, extra: dict | None = None) -> dict:
        env = {
            "PATH": "%s:/usr/local/bin:/usr/bin:/bin" % (job.root / "bin"),
            "HOME": str(job.root / "home"),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_NO_CACHE_DIR": "1",
            "TERM": "dumb",
        }
        env.update(job.env)
        env.update(extra or {})
        return env

    def run(self, job: Job, argv: list[str], merge=False, env=None, as_nobody=False, timeout=600) -> Run:
        cmd = (self._drop() if as_nobody and self.is_root else []) + argv
        p = subprocess.run(cmd, cwd=job.code, env=self.environ(job, env), timeout=timeout,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT if merge else subprocess.PIPE)
        err = "" if merge else p.stderr.decode("utf-8", "replace")
        return Run(self.clean(job, p.stdout.decode("utf-8", "replace")), self.clean(job, err), p.returncode)

    def clean(self, job: Job, text: str) -> str:
        text = text.replace(str(job.code), job.codedir).replace(str(job.root / "home"), "/home/job")
        text = text.replace(str(job.root), "/tmp/philly-job").replace(str(self.tmp), "/tmp")
        for old, new in self.subs:
            text = text.replace(old, new)
        text = re.sub(r"\b0x[0-9a-f]{8,16}\b", "0x7f3b2c9e41f0", text)
        text = re.sub(r"(line \d+: )\d+( (?:Terminated|Segmentation fault|Killed|Aborted))", r"\g<1>4127\2", text)
        return text


# ---------------------------------------------------------------- platform framing (hand-written)

@dataclass
class Meta:
    name: str
    app: str          # platform application id
    user: str
    host: str
    gpus: int
    start: str        # "YYYY-mm-dd HH:MM:SS"
    image: str = "philly/jobs/custom/pytorch:v2-py311-cuda12"
    vc: str = "msrlabs"

    def clock(self, secs: float = LAUNCH_AT + 1.2) -> str:
        """When the job's own fake clock starts (shortly after the launch command)."""
        return self.at(secs)[:19]

    def at(self, secs: float) -> str:
        t = datetime.datetime.strptime(self.start, "%Y-%m-%d %H:%M:%S") + datetime.timedelta(seconds=secs)
        return t.strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (t.microsecond // 1000)


def preamble(m: Meta, attempt=1, attempts=1, launch="bash run.sh", pip: list[str] | None = None,
             offset=0.0) -> str:
    o = offset
    lines = [
        "[%s] PHILLY_JOB_ID=%s" % (m.at(o), m.app),
        "[%s] Job %s submitted by %s to virtual cluster %s (attempt %d of %d)" % (
            m.at(o + 0.003), m.name, m.user, m.vc, attempt, attempts),
        "[%s] Container host: %s, GPUs allocated: %d" % (m.at(o + 0.01), m.host, m.gpus),
        "[%s] Pulling docker image %s ..." % (m.at(o + 1.8), m.image),
        "[%s] Image ready (digest sha256:%s)" % (m.at(o + 7.3), hashlib.sha256(m.image.encode()).hexdigest()[:32]),
        "[%s] Mounting /hdfs/%s -> /hdfs/%s (ro), /philly/rr1/%s -> /philly/rr1/%s (rw)" % (
            m.at(o + 7.35), m.vc, m.vc, m.vc, m.vc),
        "[%s] NCCL_IB_DISABLE=0 NCCL_SOCKET_IFNAME=ib0 PHILLY_GPU_COUNT=%d" % (m.at(o + 7.36), m.gpus),
        "[%s] PHILLY_LOG_DIRECTORY=/var/storage/shared/%s/sys/jobs/%s/logs" % (m.at(o + 7.36), m.vc, m.app),
    ]
    lines += nvidia_smi(m)
    if pip:
        lines.append("[%s] Installing job requirements" % m.at(o + 9.1))
        lines += pip
    lines.append("[%s] Running launch command: %s" % (m.at(o + LAUNCH_AT), launch))
    return "\n".join(lines) + "\n"


def nvidia_smi(m: Meta) -> list[str]:
    rows = [
        "+-----------------------------------------------------------------------------+",
        "| NVIDIA-SMI 410.48                 Driver Version: 410.48                    |",
        "|-------------------------------+----------------------+----------------------+",
        "| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |",
        "| Fan  Temp  Perf  Pwr:Usage/Cap|         Memory-Usage | GPU-Util  Compute M. |",
        "|===============================+======================+======================|",
    ]
    for g in range(m.gpus):
        rows += [
            "|   %d  Tesla P40           On   | 00000000:%02X:00.0 Off |                    0 |" % (g, 0x04 + g * 4),
            "| N/A   %2dC    P8    %2dW / 250W |      0MiB / 22919MiB |      0%%      Default |" % (
                27 + (g * 3) % 5, 9 + g % 3),
            "+-------------------------------+----------------------+----------------------+",
        ]
    return rows


def pip_noise(*pkgs: str) -> list[str]:
    site = "%s/lib/python3.11/site-packages" % SITE_PREFIX
    out = []
    for spec in pkgs:
        name, _, ver = spec.partition("==")
        out.append("Requirement already satisfied: %s in %s (%s)" % (name, site, ver))
    return out


def epilogue(m: Meta, secs: float, rc: int, attempt=1, attempts=1, logs: "Run | None" = None) -> str:
    """The platform's exit summary, stamped after the last timestamp the job itself printed."""
    start = datetime.datetime.strptime(m.start, "%Y-%m-%d %H:%M:%S")
    secs = max(secs, LAUNCH_AT + 1.3)
    if logs is not None:
        for stamp in re.findall(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", logs.stdout + logs.stderr):
            elapsed = (datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S") - start).total_seconds()
            secs = max(secs, elapsed + 1.7)
    state = "SUCCEEDED" if rc == 0 else "FAILED"
    lines = ["[%s] Launch command finished with exit code %d" % (m.at(secs), rc)]
    if rc != 0 and attempt < attempts:
        lines.append("[%s] Attempt %d %s; the job will be retried (%d attempt(s) left)" % (
            m.at(secs + 0.4), attempt, state, attempts - attempt))
    else:
        lines.append("[%s] Job %s %s after %d attempt(s)" % (m.at(secs + 0.4), m.app, state, attempt))
    lines.append("[%s] Uploading logs to /var/storage/shared/%s/sys/jobs/%s/logs" % (m.at(secs + 1.1), m.vc, m.app))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- assembling files

class Doc:
    """Accumulates a log file and reports the line (grep -n) of lines it is told to find."""

    def __init__(self):
        self.text = ""

    def add(self, chunk: str, find: str | None = None, occurrence: int = -1) -> int | None:
        if chunk and not chunk.endswith("\n"):
            chunk += "\n"
        before = self.text.count("\n")
        self.text += chunk
        if find is None:
            return None
        hits = [i for i, line in enumerate(chunk.split("\n")[:-1]) if re.search(find, line)]
        if not hits:
            raise AssertionError("expected line /%s/ not in captured output:\n%s" % (find, chunk))
        return before + hits[occurrence] + 1


def write(out: Path, rel: str, doc: Doc | str) -> None:
    text = doc.text if isinstance(doc, Doc) else doc
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    if rel.endswith(".gz"):
        data = gzip.compress(data, compresslevel=9, mtime=0)
    elif rel.endswith(".bz2"):
        data = bz2.compress(data)
    path.write_bytes(data)


def expect(category: str, file: str | None = None, line: int | None = None) -> dict:
    if category == "no_failure":
        return {"category": category}
    assert file and line, (category, file, line)
    return {"category": category, "file": file, "line": line}


def make_wheel(dest: Path, name: str, version: str, requires: tuple[str, ...] = ()) -> Path:
    dist = "%s-%s.dist-info" % (name.replace("-", "_"), version)
    meta = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)
    meta += "".join("Requires-Dist: %s\n" % r for r in requires)
    files = {
        "%s/__init__.py" % name.replace("-", "_"): "__version__ = %r\n" % version,
        dist + "/METADATA": meta,
        dist + "/WHEEL": "Wheel-Version: 1.0\nGenerator: triage-samples\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for p, c in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (p, digest, len(c.encode())))
    files[dist + "/RECORD"] = "\n".join(record + [dist + "/RECORD,,"]) + "\n"
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / ("%s-%s-py3-none-any.whl" % (name.replace("-", "_"), version))
    with zipfile.ZipFile(path, "w") as z:
        for p, c in files.items():
            info = zipfile.ZipInfo(p, date_time=(2018, 10, 1, 0, 0, 0))
            z.writestr(info, c)
    os.chmod(path, 0o644)
    return path


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


STD_PIP = pip_noise("torch==2.13.0", "numpy==1.26.4", "tqdm==4.66.1", "tensorboardX==1.4", "pyyaml==6.0.1")


# ---------------------------------------------------------------- execution environment

def job_lstm_local_path(r: Runner, out: Path):
    m = Meta("job_20181011_0932_lstm", "application_1539150421_0932", "v-xiaoz", "gcr-gpu-013", 1,
             "2018-10-11 09:32:04")
    job = r.job(m, {"main.py": "env_lstm_lm.py"}, codedir="/philly/rr1/msrlabs/v-xiaoz/lstm-lm")
    run = r.run(job, ["python", "main.py", "--epochs", "2"])
    so, se = Doc(), Doc()
    so.add(preamble(m, launch="python main.py --epochs 2", pip=STD_PIP))
    so.add(run.stdout)
    so.add(epilogue(m, 97.2, run.rc, logs=run))
    line = se.add(run.stderr, find=r"^FileNotFoundError: \[Errno 2\]")
    write(out, m.name + "/stdout.txt", so)
    write(out, m.name + "/stderr.txt", se)
    return m.name, expect("path_not_found", m.name + "/stderr.txt", line)


def job_seq2seq_cp(r: Runner, out: Path):
    m = Meta("seq2seq-wmt-a71c", "application_1539150421_4407", "v-hazhan", "gcr-gpu-102", 8,
             "2018-10-12 13:05:47")
    job = r.job(m, {"run.sh": "env_seq2seq_launch.sh"}, codedir="/philly/rr1/msrlabs/v-hazhan/fairseq")
    exp = None
    for attempt in (1, 2):
        m2 = Meta(**{**m.__dict__, "start": "2018-10-12 13:%02d:47" % (5 + 9 * (attempt - 1))})
        run = r.run(job, ["bash", "-x", "run.sh"], env={"LOCAL_SCRATCH": "/tmp/philly-job/scratch"})
        so, se = Doc(), Doc()
        so.add(preamble(m2, attempt=attempt, attempts=2, launch="bash -x run.sh", pip=STD_PIP))
        so.add(run.stdout)
        so.add(epilogue(m2, 14.9, run.rc, attempt=attempt, attempts=2, logs=run))
        line = se.add(run.stderr, find=r"^cp: cannot stat '.*': No such file or directory")
        rel = "%s/retry-%d/" % (m.name, attempt)
        write(out, rel + "stdout.txt", so)
        write(out, rel + "stderr.txt", se)
        exp = expect("path_not_found", rel + "stderr.txt", line)
    return m.name, exp


def _merged_log_job(r: Runner, out: Path, m: Meta, files: dict, argv: list[str], category: str, find: str,
                    end: float, suffix=".log", pip=STD_PIP, env=None):
    """The other common shape: one log file (plain or compressed) holding platform, stdout and stderr."""
    job = r.job(m, files)
    run = r.run(job, argv, merge=True, env=env)
    d = Doc()
    d.add(preamble(m, launch=" ".join(argv), pip=pip))
    line = d.add(run.stdout, find=find)
    d.add(epilogue(m, end, run.rc, logs=run))
    rel = m.name + suffix
    write(out, rel, d)
    return rel, expect(category, rel, line)


def job_resnet_no_horovod(r: Runner, out: Path):
    m = Meta("resnet50-imagenet-3f2e", "application_1539150421_2210", "v-chenli", "gcr-gpu-047", 8,
             "2018-10-13 01:44:09")
    argv = ["python", "main.py", "--distributed", "--batch-size", "64", "--lr", "0.4"]
    return _merged_log_job(r, out, m, {"main.py": "env_resnet_hvd.py"}, argv, "library_not_found",
                           r"^ModuleNotFoundError: No module named 'horovod'", end=31.0, suffix=".log.gz")


def job_ctc_libcudnn(r: Runner, out: Path):
    m = Meta("speech-ctc-libri-91bd", "application_1539150421_3172", "v-ruizh", "gcr-gpu-088", 4,
             "2018-10-14 19:20:31", image="philly/jobs/custom/pytorch:v2-py311-cuda12-nocudnn")
    job = r.job(m, {"train.py": "env_ctc_train.py"}, codedir="/philly/rr1/msrlabs/v-ruizh/deepspeech")
    pkg = job.code / "speech_ops"
    pkg.mkdir()
    built = False
    if shutil.which("gcc") and Path(r.include, "Python.h").exists():
        shutil.copy(PROGRAMS / "env_cudnn_stub.c", job.root / "stub.c")
        shutil.copy(PROGRAMS / "env_speech_ops_C.c", job.root / "ops.c")
        stub = subprocess.run(["gcc", "-shared", "-fPIC", "-o", "libcudnn.so.8", "-Wl,-soname,libcudnn.so.8",
                               "stub.c"], cwd=job.root, capture_output=True)
        if stub.returncode == 0:
            os.symlink("libcudnn.so.8", job.root / "libcudnn.so")
            ext = subprocess.run(["gcc", "-shared", "-fPIC", "-I" + r.include, "-o",
                                  str(pkg / ("_C" + r.ext_suffix)), "ops.c", "-L.", "-lcudnn"],
                                 cwd=job.root, capture_output=True)
            built = ext.returncode == 0
        for f in ("libcudnn.so.8", "libcudnn.so", "stub.c", "ops.c"):   # the image has no cuDNN
            if os.path.lexists(job.root / f):
                os.remove(job.root / f)
    shutil.copy(PROGRAMS / ("env_speech_ops_init.py" if built else "env_speech_ops_ctypes_init.py"),
                pkg / "__init__.py")
    run = r.run(job, ["python", "train.py", "--beam-width", "100"], env={"LD_LIBRARY_PATH": "/usr/local/cuda/lib64"})
    so, se = Doc(), Doc()
    so.add(preamble(m, launch="python train.py --beam-width 100", pip=STD_PIP))
    so.add(run.stdout)
    so.add(epilogue(m, 44.6, run.rc, logs=run))
    pattern = r"^ImportError: libcudnn\.so\.8: cannot open shared object file" if built else \
        r"^OSError: libcudnn\.so\.8: cannot open shared object file"
    line = se.add(run.stderr, find=pattern)
    write(out, m.name + "/stdout.txt", so)
    write(out, m.name + "/stderr.txt", se)
    return m.name, expect("library_not_found", m.name + "/stderr.txt", line)


def job_dcgan_readonly(r: Runner, out: Path):
    m = Meta("job_20181015_1412_dcgan", "application_1539150421_1412", "v-yizhan", "gcr-gpu-019", 1,
             "2018-10-15 14:12:26")
    job = r.job(m, {"dcgan.py": "env_dcgan_ckpt.py"}, codedir="/philly/rr1/msrlabs/v-yizhan/dcgan",
                python_for_nobody=True)
    models = job.root / "models"
    models.mkdir()
    os.chmod(models, 0o555)   # read-only output folder (owned by another user on the platform)
    run = r.run(job, ["python", "dcgan.py", "--output-dir", str(models), "--epochs", "2"], as_nobody=True)
    run.stdout = run.stdout.replace("/tmp/philly-job/models", "/hdfs/msrlabs/v-yizhan/models/dcgan")
    run.stderr = run.stderr.replace("/tmp/philly-job/models", "/hdfs/msrlabs/v-yizhan/models/dcgan")
    so, se = Doc(), Doc()
    so.add(preamble(m, launch="python dcgan.py --output-dir /hdfs/msrlabs/v-yizhan/models/dcgan --epochs 2",
                    pip=STD_PIP))
    so.add(run.stdout)
    so.add(epilogue(m, 61.3, run.rc, logs=run))
    line = se.add(run.stderr, find=r"^PermissionError: \[Errno 13\] Permission denied")
    write(out, m.name + "/stdout.txt", so)
    write(out, m.name + "/stderr.txt", se)
    return m.name, expect("permission_denied", m.name + "/stderr.txt", line)


def job_bert_pip_system(r: Runner, out: Path):
    m = Meta("bert-squad-ft-77c0", "application_1539150421_5120", "v-weizh", "gcr-gpu-061", 4,
             "2018-10-16 10:48:13")
    if not Path("/usr/bin/python3").exists() or subprocess.run(
            ["/usr/bin/python3", "-m", "pip", "--version"], capture_output=True).returncode != 0:
        raise RuntimeError("bert-squad-ft-77c0 needs /usr/bin/python3 with pip (a system site-packages)")
    job = r.job(m, {"run.sh": "env_bert_setup.sh"}, codedir="/app")
    wheels = job.code / "wheels"
    make_wheel(wheels, "tensorboardX", "1.4")
    make_wheel(wheels, "pytorch-pretrained-bert", "0.4.0")
    (job.code / "requirements.txt").write_text("tensorboardX==1.4\npytorch-pretrained-bert==0.4.0\n")
    os.chmod(job.code / "requirements.txt", 0o644)
    os.symlink("/usr/bin/python3", job.root / "bin" / "python3")
    env = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels), "PIP_USER": "0",
           "PIP_BREAK_SYSTEM_PACKAGES": "1", "DATA": "/hdfs/msrlabs/v-weizh/squad"}
    run = r.run(job, ["bash", "run.sh"], env=env, as_nobody=True)
    so, se = Doc(), Doc()
    so.add(preamble(m, launch="bash run.sh", pip=None))
    so.add(run.stdout)
    so.add(epilogue(m, 21.7, run.rc, logs=run))
    line = se.add(run.stderr, find=r"^ERROR: Could not install packages due to an OSError: \[Errno 13\] "
                                   r"Permission denied")
    write(out, m.name + "/stdout.txt", so)
    write(out, m.name + "/stderr.txt", se)
    return m.name, expect("permission_denied", m.name + "/stderr.txt", line)


# ---------------------------------------------------------------- general code

def _py_dir_job(r: Runner, out: Path, m: Meta, files: dict, argv: list[str], category: str, find: str,
                codedir="/app", occurrence=-1, end=60.0, stderr_name="stderr.txt", env=None):
    """The common shape: platform + stdout in stdout.txt, Python's stderr (with the failure) in stderr.txt."""
    job = r.job(m, dict(files, **{"trainlib.py": "code_common.py"}), codedir=codedir)
    run = r.run(job, argv, env=env)
    so, se = Doc(), Doc()
    so.add(preamble(m, launch=" ".join(argv), pip=STD_PIP))
    so.add(run.stdout)
    so.add(epilogue(m, end, run.rc, logs=run))
    line = se.add(run.stderr, find=find, occurrence=occurrence)
    write(out, m.name + "/stdout.txt", so)
    write(out, "%s/%s" % (m.name, stderr_name), se)
    return m.name, expect(category, "%s/%s" % (m.name, stderr_name), line)


def job_finetune_argparse(r: Runner, out: Path):
    m = Meta("job_20181009_2307_finetune", "application_1539150421_2307", "v-lizha", "gcr-gpu-033", 1,
             "2018-10-09 23:07:55")
    return _merged_log_job(r, out, m, {"finetune.py": "code_finetune_args.py", "run.sh": "code_finetune_launch.sh"},
                           ["bash", "run.sh", "lr=2e-5"], "illegal_argument",
                           r"^finetune\.py: error: argument --lr: invalid float value", end=16.2,
                           env={"DATA": "/hdfs/msrlabs/v-lizha/glue/MRPC"})


def job_nmt_batch_zero(r: Runner, out: Path):
    m = Meta("nmt-transformer-base-5d19", "application_1539150421_0871", "v-jiayu", "gcr-gpu-110", 8,
             "2018-10-11 09:32:58")
    return _py_dir_job(r, out, m, {"train.py": "code_nmt_batch.py"},
                       ["python", "train.py", "--global-batch-size", "4", "--world-size", "8"],
                       "illegal_argument", r"^ValueError: batch_size should be a positive integer value", end=38.5)


def job_vae_pathjoin(r: Runner, out: Path):
    m = Meta("job_20181013_1130_vae", "application_1539150421_1130", "v-mingz", "gcr-gpu-007", 1,
             "2018-10-13 11:30:02")
    return _py_dir_job(r, out, m, {"vae.py": "code_vae_path.py"},
                       ["python", "vae.py", "--output-dir", "/philly/rr1/msrlabs/v-mingz/vae", "--epochs", "10"],
                       "type_mismatch", r"^TypeError: unsupported operand type\(s\) for \+: 'PosixPath' and 'str'",
                       codedir="/philly/rr1/msrlabs/v-mingz/code/vae", end=52.0)


def job_bucket_float_range(r: Runner, out: Path):
    m = Meta("bucketed-lm-e0a3", "application_1539150421_6631", "v-qiliu", "gcr-gpu-052", 2,
             "2018-10-12 14:01:40")
    return _py_dir_job(r, out, m, {"lm.py": "code_bucket_sampler.py"}, ["python", "lm.py"],
                       "type_mismatch", r"^TypeError: 'float' object cannot be interpreted as an integer", end=40.1)


def job_effnet_worker_key(r: Runner, out: Path):
    m = Meta("img-cls-effnet-b0-2c8a", "application_1539150421_7314", "v-shuai", "gcr-gpu-071", 4,
             "2018-10-13 22:12:51")
    return _py_dir_job(r, out, m, {"train.py": "code_effnet_worker.py"}, ["python", "train.py"],
                       "key_not_found", r"^KeyError: 'label'$", stderr_name="stderr.txt.gz", end=71.9)


def job_ppo_config_chain(r: Runner, out: Path):
    m = Meta("rl-ppo-atari-1f77", "application_1539150421_8125", "v-kaiwu", "gcr-gpu-095", 1,
             "2018-10-14 03:40:02")
    # the chained RuntimeError is a wrapper: the underlying KeyError (first traceback) is the failure
    return _py_dir_job(r, out, m, {"ppo.py": "code_ppo_config.py"},
                       ["python", "ppo.py", "--config", "ppo_breakout.json"],
                       "key_not_found", r"^KeyError: 'optimizer'$", occurrence=0, end=22.4)


def job_wavenet_np_float(r: Runner, out: Path):
    m = Meta("job_20181017_0815_wavenet", "application_1539150421_0815", "v-yuxie", "gcr-gpu-024", 2,
             "2018-10-17 08:15:01")
    return _py_dir_job(r, out, m, {"wavenet.py": "code_wavenet_mulaw.py"}, ["python", "wavenet.py"],
                       "attribute_not_found", r"^AttributeError: module '[a-z]+' has no attribute", end=45.0)


def job_ptrgen_dataparallel(r: Runner, out: Path):
    m = Meta("summarizer-ptrgen-6b12", "application_1539150421_9046", "v-haoche", "gcr-gpu-118", 2,
             "2018-10-15 17:01:40")
    return _py_dir_job(r, out, m, {"summarize.py": "code_ptrgen_dp.py"}, ["python", "summarize.py"],
                       "attribute_not_found", r"^AttributeError: 'DataParallel' object has no attribute 'generate'",
                       end=88.8)


def job_yolo_none_image(r: Runner, out: Path):
    m = Meta("job_20181018_1655_yolo", "application_1539150421_1655", "v-peizh", "gcr-gpu-066", 4,
             "2018-10-18 16:54:30")
    return _py_dir_job(r, out, m, {"train.py": "code_yolo_none.py"}, ["python", "train.py"],
                       "null_reference", r"^AttributeError: 'NoneType' object has no attribute 'shape'", end=26.3)


def job_crnn_worker_none(r: Runner, out: Path):
    m = Meta("ocr-crnn-synth-0d4e", "application_1539150421_3390", "v-xinlu", "gcr-gpu-030", 1,
             "2018-10-19 11:20:02")
    return _py_dir_job(r, out, m, {"crnn.py": "code_crnn_worker.py"}, ["python", "crnn.py"],
                       "null_reference", r"^TypeError: 'NoneType' object is not subscriptable$", end=33.0)


def job_textcnn_py2(r: Runner, out: Path):
    m = Meta("job_20181008_1021_textcnn", "application_1539150421_1021", "v-fangw", "gcr-gpu-011", 1,
             "2018-10-08 10:21:37", image="philly/jobs/custom/tensorflow:v1.10-py3")
    files = {"train.py": "code_textcnn_train.py", "data_helpers.py": "code_textcnn_helpers.py2"}
    return _merged_log_job(r, out, m, files, ["python", "train.py"], "syntax_error",
                           r"^SyntaxError: Missing parentheses in call to 'print'",
                           end=15.8, pip=pip_noise("tensorflow-gpu==1.10.0", "numpy==1.14.5"))


def _shell_dir_job(r: Runner, out: Path, m: Meta, files: dict, argv: list[str], category: str, find: str,
                   env=None, end=20.0):
    job = r.job(m, files)
    run = r.run(job, argv, env=env)
    so, se = Doc(), Doc()
    so.add(preamble(m, launch=" ".join(argv), pip=STD_PIP))
    so.add(run.stdout)
    so.add(epilogue(m, end, run.rc, logs=run))
    line = se.add(run.stderr, find=find)
    write(out, m.name + "/stdout.txt", so)
    write(out, m.name + "/stderr.txt", se)
    return m.name, expect(category, m.name + "/stderr.txt", line)


def job_ds2_shell_syntax(r: Runner, out: Path):
    m = Meta("deepspeech2-aishell-4a90", "application_1539150421_4090", "v-zhyang", "gcr-gpu-084", 4,
             "2018-10-17 21:03:19")
    return _shell_dir_job(r, out, m, {"run.sh": "code_ds2_launch.sh"}, ["bash", "run.sh"], "syntax_error",
                          r"syntax error near unexpected token", env={"NGPU": "4"}, end=13.6)


def job_seg_unbound_local(r: Runner, out: Path):
    m = Meta("job_20181019_0205_seg", "application_1539150421_0205", "v-jinglu", "gcr-gpu-049", 4,
             "2018-10-19 02:05:11")
    return _py_dir_job(r, out, m, {"train_seg.py": "code_seg_bestacc.py"}, ["python", "train_seg.py", "--epochs", "3"],
                       "undefined_variable", r"^UnboundLocalError: ", end=121.0)


def job_gnn_unbound_shell(r: Runner, out: Path):
    m = Meta("gnn-cora-sweep-88e1", "application_1539150421_8801", "v-taoqin", "gcr-gpu-003", 1,
             "2018-10-18 07:50:44")
    return _shell_dir_job(r, out, m, {"run.sh": "code_gnn_sweep.sh"}, ["bash", "run.sh"], "undefined_variable",
                          r"SWEEP_INDEX: unbound variable", end=12.2)


def job_mtl_no_checkpoint(r: Runner, out: Path):
    m = Meta("job_20181010_1744_mtl", "application_1539150421_1744", "v-sunwei", "gcr-gpu-058", 2,
             "2018-10-10 17:43:49")
    return _merged_log_job(r, out, m, {"mtl.py": "code_mtl_resume.py", "trainlib.py": "code_common.py"},
                           ["python", "mtl.py", "--ckpt-dir", "checkpoints"], "index_out_of_range",
                           r"^IndexError: list index out of range", end=24.0, suffix=".log.bz2")


def job_bert_embedding_index(r: Runner, out: Path):
    m = Meta("bert-pretrain-zh-c3f5", "application_1539150421_5503", "v-yimeng", "gcr-gpu-126", 8,
             "2018-10-16 06:29:40")
    return _py_dir_job(r, out, m, {"pretrain.py": "code_bert_embed.py"}, ["python", "pretrain.py"],
                       "index_out_of_range", r"^IndexError: index out of range in self", end=54.7)


def job_maml_abstract(r: Runner, out: Path):
    m = Meta("job_20181016_2340_maml", "application_1539150421_2340", "v-bochen", "gcr-gpu-015", 1,
             "2018-10-16 23:39:30")
    return _py_dir_job(r, out, m, {"meta_train.py": "code_maml_abstract.py"}, ["python", "meta_train.py"],
                       "not_implemented", r"^NotImplementedError$", end=19.5)


def job_gpt_missing_forward(r: Runner, out: Path):
    m = Meta("gpt-small-ablation-72aa", "application_1539150421_7201", "v-wenhui", "gcr-gpu-099", 1,
             "2018-10-20 10:12:20")
    return _merged_log_job(r, out, m, {"train_gpt.py": "code_gpt_forward.py", "trainlib.py": "code_common.py"},
                           ["python", "train_gpt.py"], "not_implemented",
                           r"^NotImplementedError: Module \[GPT\] is missing the required \"forward\"", end=28.1)


def job_squad_empty_eval(r: Runner, out: Path):
    m = Meta("eval-squad-dev-e917", "application_1539150421_9170", "v-minghu", "gcr-gpu-077", 1,
             "2018-10-21 04:11:52")
    job = r.job(m, {"eval.py": "code_squad_eval.py", "run.sh": "code_squad_launch.sh",
                         "trainlib.py": "code_common.py"})
    # attempt 1: preempted by the scheduler while evaluating (a real SIGTERM to the Python process)
    m1 = Meta(**{**m.__dict__, "start": "2018-10-21 03:58:10"})
    job.env["TRAINLIB_START"] = m1.clock()
    so_path, se_path = job.root / "a1.out", job.root / "a1.err"
    with open(so_path, "wb") as so_f, open(se_path, "wb") as se_f:
        p = subprocess.Popen(["bash", "run.sh", "--slow"], cwd=job.code, env=r.environ(job), stdout=so_f, stderr=se_f)
        deadline = time.time() + 120
        while "shard 1/4" not in se_path.read_text() and time.time() < deadline and p.poll() is None:
            time.sleep(0.2)
        os.kill(int((job.code / "eval.pid").read_text()), signal.SIGTERM)
        p.wait(timeout=60)
    a1 = Run(r.clean(job, so_path.read_text()), r.clean(job, se_path.read_text()), p.returncode)
    so, se = Doc(), Doc()
    so.add(preamble(m1, attempt=1, attempts=2, launch="bash run.sh", pip=STD_PIP))
    head, sep, tail = a1.stdout.partition("eval.py exited with status")
    so.add(head)
    so.add("[%s] Received preemption notice from scheduler; sending SIGTERM to job processes\n" % m1.at(41.0))
    so.add(sep + tail)
    so.add(epilogue(m1, 41.3, a1.rc, attempt=1, attempts=2, logs=a1))
    se.add(a1.stderr)
    write(out, m.name + "/retry-1/stdout.txt", so)
    write(out, m.name + "/retry-1/stderr.txt", se)
    # attempt 2: runs to the end of the dev set and divides by the number of kept examples
    job.env["TRAINLIB_START"] = m.clock()
    run = r.run(job, ["bash", "run.sh"])
    so, se = Doc(), Doc()
    so.add(preamble(m, attempt=2, attempts=2, launch="bash run.sh", pip=STD_PIP))
    so.add(run.stdout)
    so.add(epilogue(m, 33.9, run.rc, attempt=2, attempts=2, logs=run))
    line = se.add(run.stderr, find=r"^ZeroDivisionError: ")
    write(out, m.name + "/retry-2/stdout.txt", so)
    write(out, m.name + "/retry-2/stderr.txt", se)
    return m.name, expect("division_by_zero", m.name + "/retry-2/stderr.txt", line)


def job_tacotron_modulo(r: Runner, out: Path):
    m = Meta("job_20181014_0611_tacotron", "application_1539150421_0611", "v-renyi", "gcr-gpu-040", 1,
             "2018-10-14 06:10:31")
    return _py_dir_job(r, out, m, {"train_tts.py": "code_tacotron_steps.py"}, ["python", "train_tts.py"],
                       "division_by_zero", r"^ZeroDivisionError: integer (division or )?modulo by zero", end=29.9)


# ---------------------------------------------------------------- no failure / unclassified

def job_transformer_ok(r: Runner, out: Path):
    m = Meta("job_20181012_2210_transformer", "application_1539150421_2210", "v-xuetan", "gcr-gpu-090", 1,
             "2018-10-12 22:09:58")
    job = r.job(m, {"train.py": "code_transformer_ok.py", "trainlib.py": "code_common.py"})
    # a real pip dependency-resolver complaint: install a package that breaks an installed one's pin
    wheels = job.root / "wheels"
    make_wheel(wheels, "sacrebleu", "1.2.10")
    make_wheel(wheels, "sacrebleu", "1.3.0")
    make_wheel(wheels, "fairseq-lite", "0.6.0", requires=("sacrebleu==1.2.10",))
    subprocess.run([r.python, "-m", "venv", str(job.root / "venv")], check=True, capture_output=True)
    pip = [str(job.root / "venv" / "bin" / "python"), "-m", "pip", "install", "--no-index", "--find-links",
           str(wheels)]
    first = r.run(job, pip + ["fairseq-lite==0.6.0"])
    second = r.run(job, pip + ["sacrebleu==1.3.0"])
    assert "dependency resolver does not currently take into account" in second.stderr, second
    pip_lines = (first.stdout + first.stderr + second.stdout + second.stderr).replace(
        "/tmp/philly-job/wheels", "/hdfs/msrlabs/v-xuetan/wheels").replace(
        "/tmp/philly-job/venv", SITE_PREFIX).rstrip("\n").split("\n")
    port = free_port()
    run = r.run(job, ["python", "train.py"], env={"METRICS_PORT": str(port)})
    so, se = Doc(), Doc()
    so.add(preamble(m, launch="python train.py", pip=pip_noise("torch==2.13.0", "numpy==1.26.4") + pip_lines))
    so.add(run.stdout)
    so.add(epilogue(m, 302.5, run.rc, logs=run))
    se.add(run.stderr)
    assert run.rc == 0 and first.rc == 0 and second.rc == 0, (run, first, second)
    write(out, m.name + "/stdout.txt", so)
    write(out, m.name + "/stderr.txt", se)
    return m.name, expect("no_failure")


def job_cifar_retry_ok(r: Runner, out: Path):
    m = Meta("cifar10-wrn-28-10-b4d2", "application_1539150421_4d2a", "v-liyuan", "gcr-gpu-104", 1,
             "2018-10-13 08:01:12")
    job = r.job(m, {"train.py": "code_cifar_wrn.py", "run.sh": "code_cifar_launch.sh",
                         "trainlib.py": "code_common.py"})
    port = free_port()
    url = "http://127.0.0.1:%d/datasets/cifar-10-python.tar.gz" % port
    shown = "http://127.0.0.1:8081/datasets/cifar-10-python.tar.gz"
    for attempt in (1, 2):
        if attempt == 2:   # the node's dataset cache was warm on the second machine
            (job.code / "data").mkdir(exist_ok=True)
            (job.code / "data" / "cifar-10-python.tar.gz").write_bytes(b"\x1f\x8b")
        ma = Meta(**{**m.__dict__, "start": "2018-10-13 %02d:01:12" % (8 + attempt - 1),
                     "host": "gcr-gpu-10%d" % (3 + attempt)})
        job.env["TRAINLIB_START"] = ma.clock()
        run = r.run(job, ["bash", "run.sh"], env={"DATA_URL": url})
        so, se = Doc(), Doc()
        so.add(preamble(ma, attempt=attempt, attempts=2, launch="bash run.sh", pip=STD_PIP))
        so.add(run.stdout.replace(url, shown))
        so.add(epilogue(ma, 9.0 if attempt == 1 else 402.0, run.rc, attempt=attempt, attempts=2, logs=run))
        se.add(run.stderr.replace(url, shown))
        write(out, "%s/%d/stdout.txt" % (m.name, attempt), so)
        write(out, "%s/%d/stderr.txt" % (m.name, attempt), se)
        assert (run.rc != 0) == (attempt == 1), run
    return m.name, expect("no_failure")


def job_kd_silent_exit(r: Runner, out: Path):
    m = Meta("job_20181020_1302_kd", "application_1539150421_1302", "v-ganzha", "gcr-gpu-029", 2,
             "2018-10-20 13:02:15")
    job = r.job(m, {"distill.py": "code_kd_quiet.py", "run.sh": "code_kd_launch.sh"})
    run = r.run(job, ["bash", "run.sh"])
    assert run.rc == 1 and not run.stderr.strip(), run
    so = Doc()
    so.add(preamble(m, launch="bash run.sh", pip=STD_PIP))
    line = so.add(run.stdout, find=r"^\[launcher\] process 0 exited with code 1$")
    write(out, m.name + "/stdout.txt", so)
    write(out, m.name + "/stderr.txt", run.stderr)
    return m.name, expect("unclassified", m.name + "/stdout.txt", line)


def job_pointnet_segfault(r: Runner, out: Path):
    m = Meta("pointnet-modelnet-5a3c", "application_1539150421_5a3c", "v-yuezha", "gcr-gpu-057", 1,
             "2018-10-18 20:40:05")
    job = r.job(m, {"train.py": "code_pointnet_ext.py", "run.sh": "code_pointnet_launch.sh"})
    run = r.run(job, ["sh", "run.sh"], merge=True)
    for core in job.code.glob("core*"):
        core.unlink()
    d = Doc()
    d.add(preamble(m, launch="sh run.sh", pip=STD_PIP))
    line = d.add(run.stdout, find=r"^Segmentation fault( \(core dumped\))?$")
    d.add(epilogue(m, 35.2, run.rc, logs=run))
    rel = m.name + ".log"
    write(out, rel, d)
    return rel, expect("unclassified", rel, line)


JOBS = [
    job_lstm_local_path, job_seq2seq_cp,
    job_resnet_no_horovod, job_ctc_libcudnn,
    job_dcgan_readonly, job_bert_pip_system,
    job_finetune_argparse, job_nmt_batch_zero,
    job_vae_pathjoin, job_bucket_float_range,
    job_effnet_worker_key, job_ppo_config_chain,
    job_wavenet_np_float, job_ptrgen_dataparallel,
    job_yolo_none_image, job_crnn_worker_none,
    job_textcnn_py2, job_ds2_shell_syntax,
    job_seg_unbound_local, job_gnn_unbound_shell,
    job_mtl_no_checkpoint, job_bert_embedding_index,
    job_maml_abstract, job_gpt_missing_forward,
    job_squad_empty_eval, job_tacotron_modulo,
    job_transformer_ok, job_cifar_retry_ok,
    job_kd_silent_exit, job_pointnet_segfault,
]


def build(out: Path) -> dict[str, dict]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    r = Runner(os.environ.get("SAMPLE_PYTHON") or sys.executable, out)
    expectations = {}
    try:
        for make in JOBS:
            name, exp = make(r, out)
            expectations[name] = exp
    finally:
        r.close()
    return expectations


def _yaml(expectations: dict[str, dict]) -> str:
    lines = []
    for name in sorted(expectations):
        lines.append("%s:" % name)
        for k in ("category", "file", "line"):
            if k in expectations[name]:
                v = expectations[name][k]
                lines.append("  %s: %s" % (k, v if isinstance(v, int) else '"%s"' % v))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: group_general.py OUT_DIR")
    sys.stdout.write(_yaml(build(Path(sys.argv[1]))))
