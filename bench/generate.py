"""Generate a deterministic, realistic benchmark corpus of failed deep-learning job logs.

Usage: python bench/generate.py [--out DIR] [--seed N] [--jobs 2000] [--total-mb 1024] [--big-mb 1024]

Writes, under DIR (default bench/.data):

  corpus/job-NNNNN.log      one log per job, sizes lognormal between 20 KB and 2 MB, about
                            --total-mb in all
  corpus.expected.yaml      each job's expected answer, as `triage eval --expect` reads it
                            (category, file and the failure's line)
  big/big.log               one --big-mb log, with multi-MB carriage-return progress lines
  big.expected.yaml         its expected answer
  manifest.json             the parameters, and per job: category, line, where the failure
                            is (end, middle, none), style and size

The same seed gives byte-identical output: all randomness comes from random.Random seeded with
the seed (and a job's index), and nothing depends on the time.

Placement of the failure: ~85% of jobs fail near the end of their log (a traceback or a fatal
line, then perhaps a launcher's summary); ~10% fail in the middle of the final part and are followed
by 50 KB-1 MB of other ranks' and the launcher's teardown output (no progress); ~5% completed.
A few jobs are killed from outside (unclassified), and a few interleave several ranks' output.

Speed: training output is rendered once into pools of blocks, and logs are assembled from them.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from failures import (
    UNCLASSIFIED_SPECS, Rendered, Spec, job_vars, pick_spec, render_epilogue, render_failure,
)
from loglines import (
    STYLES, Prefixer, new_clock, new_trainer, nccl_info, progress_line, render_block,
    render_teardown_block, tqdm_line,
)

HERE = Path(__file__).resolve().parent
KB, MB = 1024, 1024 * 1024
MIN_JOB, MAX_JOB = 20 * KB, 2 * MB
SIZE_SIGMA = 1.0  # of the lognormal job sizes
BLOCKS_PER_STYLE = 160
TEARDOWN_BLOCKS = 48
PYTHON_OF_STYLE = {
    "pylog": "3.10", "dashlog": "3.11", "bracket": "3.8", "glog": "3.10", "rank": "3.11", "plain": "3.11",
}
SHARE_NO_FAILURE = 0.05
SHARE_MIDDLE = 0.10
SHARE_UNCLASSIFIED = 0.015
SHARE_INTERLEAVED = 0.02
MIDDLE_MIN_JOB = 150 * KB  # a job must be this big to have a long teardown after its failure
BIG_CR_LINE_BYTES = (6 * MB, 3 * MB)  # the big log's two long progress-bar lines
# What ends a long-running job: failures of the training itself, not of its setup.
# Failures one rank can have on its own while the others go on (used where ranks interleave).
RANK_LOCAL_CATEGORIES = (
    "gpu_out_of_memory", "cpu_out_of_memory", "loss_nan", "corrupt_data", "index_out_of_range", "key_not_found",
    "tensor_mismatch", "type_mismatch", "null_reference", "division_by_zero", "unexpected_encoding",
)
BIG_CATEGORIES = ("gpu_out_of_memory", "cpu_out_of_memory", "loss_nan", "corrupt_data", "index_out_of_range")


@dataclass(frozen=True)
class Block:
    """Pre-rendered training (or teardown) output: its bytes and how many lines it ends."""

    data: bytes
    newlines: int


@dataclass(frozen=True)
class Plan:
    """What one job will be: its name, size, style and where its failure goes."""

    index: int
    name: str
    size: int
    style: str
    placement: str  # "end", "middle", "none" (completed) or "killed" (unclassified)
    interleaved: bool


@dataclass(frozen=True)
class Outcome:
    """What a generated job is expected to be classified as."""

    category: str  # a catalogue id, "no_failure" or "unclassified"
    line: Optional[int]  # 1-based line of the failure in the job's file
    size: int


def paths_for(rng: random.Random, pyver: str) -> dict:
    """The paths that pre-rendered blocks mention."""
    site = {"3.8": "/usr/local/lib/python3.8/dist-packages", "3.10": "/usr/local/lib/python3.10/site-packages",
            "3.11": "/opt/conda/lib/python3.11/site-packages"}[pyver]
    project = rng.choice(("bert", "resnet50", "nmt", "gpt-small", "detr", "unet"))
    return {
        "site": site, "app": rng.choice(("/app", f"/workspace/{project}")),
        "data": rng.choice((f"/mnt/data/{project}", f"/hdfs/data/{project}")),
        "ckpt_dir": f"/mnt/ckpt/{project}", "host": rng.choice(("gcr4xx012", "sr-a100-217", "node-0431")),
    }


def _block(text: str) -> Block:
    data = text.encode("utf-8")
    return Block(data, data.count(b"\n"))


def build_pools(seed: int) -> tuple[dict[str, list[Block]], list[Block]]:
    """Training-output blocks for each style (plus interleaved ranks), and teardown blocks."""
    pools: dict[str, list[Block]] = {}
    for style in STYLES + ("interleaved",):
        rng = random.Random(f"{seed}/pool/{style}")
        render_style = "rank" if style == "interleaved" else style
        pyver = PYTHON_OF_STYLE[render_style]
        count = BLOCKS_PER_STYLE // 2 if style == "interleaved" else BLOCKS_PER_STYLE
        pools[style] = []
        for _ in range(count):
            size = int(min(48 * KB, max(3 * KB, rng.lognormvariate(math.log(11 * KB), 0.6))))
            text = render_block(rng, render_style, size, paths_for(rng, pyver), interleave=style == "interleaved")
            pools[style].append(_block(text))
    rng = random.Random(f"{seed}/pool/teardown")
    teardown = [_block(render_teardown_block(rng, rng.randint(8 * KB, 24 * KB), rng.choice(("gcr4xx012", "node-0431"))))
                for _ in range(TEARDOWN_BLOCKS)]
    return pools, teardown


def job_sizes(rng: random.Random, jobs: int, total: int) -> list[int]:
    """Lognormal sizes clipped to [MIN_JOB, MAX_JOB], their median chosen so they sum to ``total``."""
    normals = [rng.gauss(0.0, 1.0) for _ in range(jobs)]

    def sizes(mu: float) -> list[int]:
        return [int(min(MAX_JOB, max(MIN_JOB, math.exp(mu + SIZE_SIGMA * z)))) for z in normals]

    low, high = math.log(MIN_JOB) - 5, math.log(MAX_JOB) + 5
    for _ in range(60):
        mid = (low + high) / 2
        if sum(sizes(mid)) < total:
            low = mid
        else:
            high = mid
    return sizes((low + high) / 2)


def plan_jobs(seed: int, jobs: int, total: int) -> list[Plan]:
    """Each job's size, style and failure placement, with the shares of the module docstring."""
    rng = random.Random(f"{seed}/plan")
    sizes = job_sizes(rng, jobs, total)
    indices = list(range(jobs))
    rng.shuffle(indices)
    n_none = round(jobs * SHARE_NO_FAILURE)
    n_killed = round(jobs * SHARE_UNCLASSIFIED)
    placement = ["end"] * jobs
    for i in indices[:n_none]:
        placement[i] = "none"
    for i in indices[n_none:n_none + n_killed]:
        placement[i] = "killed"
    big_enough = [i for i in indices[n_none + n_killed:] if sizes[i] >= MIDDLE_MIN_JOB]
    for i in big_enough[: round(jobs * SHARE_MIDDLE)]:
        placement[i] = "middle"
    failing = [i for i in range(jobs) if placement[i] in ("end", "middle")]
    interleaved = set(rng.sample(failing, min(len(failing), max(1, round(jobs * SHARE_INTERLEAVED)))))
    return [
        Plan(i, f"job-{i + 1:05d}.log", sizes[i], "rank" if i in interleaved else rng.choice(STYLES), placement[i],
             i in interleaved)
        for i in range(jobs)
    ]


# --- the parts of one log ----------------------------------------------------------------------------


def render_head(rng: random.Random, values: dict, style: str, small: bool, distributed: bool) -> list[str]:
    """The start of a job's log: the runner's preamble, nvidia-smi, pip, the launch, NCCL init, config."""
    clock = new_clock(rng)
    stamp = lambda: f"[{clock.date} {clock.hms()}]"  # noqa: E731 - a tiny local helper
    lines = []
    if rng.random() < 0.7:
        clock.tick(rng)
        lines += [
            f"{stamp()} Job runner 2.7.1 (rr1-prod) starting {values['appid']}, attempt 1 of 1",
            f"{stamp()} job name: {values['script']}-{values['jobid']}   user: {values['user']}   virtual cluster: {values['vc']}",
            f"{stamp()} requested {values['ngpu']} GPU(s) on 1 container, docker image philly/jobs/custom/pytorch:v2.13",
            f"{stamp()} container started on {values['host']}, visible GPUs: {','.join(str(g) for g in range(int(values['ngpu'])))}",
        ]
    if not small and rng.random() < 0.5:
        lines += [
            "+-----------------------------------------------------------------------------+",
            "| NVIDIA-SMI 525.85.12    Driver Version: 525.85.12    CUDA Version: 12.0     |",
            "|-------------------------------+----------------------+----------------------+",
        ]
        for gpu in range(int(values["ngpu"])):
            lines += [
                f"|   {gpu}  Tesla V100-SXM2...  On   | 00000000:{gpu + 4:02X}:00.0 Off |                    0 |",
                f"| N/A   {rng.randint(28, 40)}C    P0    {rng.randint(40, 60)}W / 300W |      0MiB / 32768MiB |      0%      Default |",
            ]
        lines.append("+-----------------------------------------------------------------------------+")
    if not small and rng.random() < 0.6:
        lines.append(f"{stamp()} installing requirements (pip install --user -r requirements.txt)")
        packages = ("tensorboardX==2.6.2.2", "yacs==0.1.8", "timm==0.9.12", "einops==0.7.0", "wandb==0.16.3")
        for package in rng.sample(packages, 3):
            name = package.split("==")[0]
            lines += [
                f"Collecting {package} (from -r requirements.txt (line {rng.randint(1, 9)}))",
                f"  Downloading {name}-{package.split('==')[1]}-py3-none-any.whl ({rng.randint(10, 900)} kB)",
                f"     \x1b[90m━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━\x1b[0m \x1b[32m{rng.randint(10, 900)} kB\x1b[0m "
                f"\x1b[31m{rng.uniform(1, 40):.1f} MB/s\x1b[0m eta \x1b[36m0:00:00\x1b[0m",
            ]
        lines += [f"Requirement already satisfied: {p} in {values['site']} (from -r requirements.txt)"
                  for p in ("torch", "numpy", "protobuf", "pyyaml")]
        if rng.random() < 0.4:
            lines += [
                "WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection "
                "broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f3a9c2b1d50>: "
                "Failed to establish a new connection: [Errno 101] Network is unreachable')': /simple/einops/",
                "ERROR: pip's dependency resolver does not currently take into account all the packages that are installed. "
                "This behaviour is the source of the following dependency conflicts.",
                "onnx 1.17.0 requires protobuf>=3.20.2, but you have protobuf 3.20.1 which is incompatible.",
            ]
        lines += ["Installing collected packages: tensorboardX, yacs, timm",
                  "Successfully installed tensorboardX-2.6.2.2 timm-0.9.12 yacs-0.1.8",
                  "WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with "
                  "the system package manager. It is recommended to use a virtual environment instead: https://pip.pypa.io/warnings/venv"]
    launcher = f"torchrun --nproc_per_node {values['ngpu']} " if distributed else "python "
    lines.append(f"{stamp()} Running launch command: {launcher}{values['script']} --config configs/{values['vc']}.yaml")
    if distributed:
        glog = clock.glog("W") + "torch/distributed/run.py:757] "
        lines += [glog, glog + "*" * 41,
                  glog + "Setting OMP_NUM_THREADS environment variable for each process to be 1 in default, to avoid your "
                  "system being overloaded, please further tune the variable for optimal performance in your application as needed. ",
                  glog + "*" * 41]
        trainer = new_trainer(rng, tuple(range(int(values["ngpu"]))))
        lines += [nccl_info(rng, values["host"], int(values["pid"]), rng.choice(trainer.ranks), trainer)
                  for _ in range(0 if small else rng.randint(5, 40))]
    prefix = Prefixer(style, clock, rng)
    lines += [
        prefix.log(f"Namespace(batch_size={values['bsz']}, data='{values['data']}', epochs=90, fp16=True, lr=0.1, "
                   f"output_dir='{values['out']}', resume='{values['ckpt']}', seed={rng.randint(0, 9999)}, workers=8)"),
        prefix.log(f"model: {values['model']} with {rng.uniform(1, 400):.1f}M parameters"),
    ]
    return lines


def completion_lines(rng: random.Random, values: dict, style: str) -> list[str]:
    """How a job that finished well ends its log."""
    clock = new_clock(rng)
    prefix = Prefixer(style, clock, rng)
    lines = [prefix.log(f"Saving model checkpoint to {values['out']}/final")]
    lines.append(prefix.log(rng.choice((
        "Training completed. Do not forget to share your model on huggingface.co/models =)",
        f"Training completed in {rng.randint(1, 70)}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}. "
        f"Best val_acc: {rng.uniform(0.5, 0.99):.4f}",
        f"Training finished successfully after {rng.randint(3, 300)} epochs",
    ))))
    if rng.random() < 0.2:  # the interpreter's teardown complains, harmlessly
        lines += [
            f"Exception ignored in: <function _MultiProcessingDataLoaderIter.__del__ at 0x7f{rng.getrandbits(36):09x}>",
            "Traceback (most recent call last):",
            f'  File "{values["site"]}/torch/utils/data/dataloader.py", line 1479, in __del__',
            "    self._shutdown_workers()",
            f'  File "{values["site"]}/torch/utils/data/dataloader.py", line 1443, in _shutdown_workers',
            "    if self._persistent_workers or self._workers_status[worker_id]:",
            "AssertionError: can only test a child process",
        ]
    if rng.random() < 0.5:
        lines += [f"[{clock.date} {clock.hms()}.500] Launch command finished with exit code 0",
                  f"[{clock.date} {clock.hms()}.900] Uploading logs to /var/storage/shared/{values['vc']}/sys/jobs/{values['appid']}/logs"]
    return lines


CONSEQUENCES = (
    "RuntimeError: [../third_party/gloo/gloo/transport/tcp/pair.cc:598] Connection closed by peer [10.{a}.{b}.{c}]:{port}",
    "RuntimeError: NCCL communicator was aborted on rank {rank}.  Original reason for failure was: NCCL error: "
    "remote process exited or there was a network error, NCCL version 2.19.3",
)


def interleave_ranks(
    rng: random.Random, failure: Rendered, values: dict, pyver: str, ranks: int
) -> tuple[list[str], int]:
    """Merge the failing rank's traceback with a sibling rank's consequent one and other ranks' output.

    Processes interleave at their writes (see ``chunks``), so a frame or an exception message stays
    whole. Other ranks' progress comes only before the failure; after it, only their NCCL chatter and
    the sibling's exception. Returns the merged lines and the index of the failure line among them.
    """
    first = int(values["rank"])
    second = rng.choice([r for r in range(ranks) if r != first])
    others = [r for r in range(ranks) if r not in (first, second)] or [second]
    sibling = traceback_of_consequence(rng, values, pyver, second)
    own = chunks(failure.lines, failure.failure_index)
    theirs = chunks(sibling, len(sibling) - 1)
    trainer = new_trainer(rng, tuple(range(ranks)))
    form = rng.randrange(5)
    progress = []
    for _ in range(rng.randint(3, 12)):
        trainer.advance(rng)
        progress.append((rng.choice(others), [progress_line(rng, trainer, form)]))
    chatter = [(r, [nccl_info(rng, values["host"], int(values["pid"]), r, trainer)])
               for r in (rng.choice(others) for _ in range(rng.randint(2, 10)))]
    before = _merge(rng, [[(first, c) for c in own[:-1]], [(second, c) for c in theirs[:-1]], progress])
    after = _merge(rng, [[(second, theirs[-1])], chatter])
    lines = [f"[rank{rank}]: {line}" for rank, chunk in before for line in chunk]
    failure_at = len(lines) + failure.failure_index - sum(len(c) for c in own[:-1])
    lines += [f"[rank{first}]: {line}" for line in own[-1]]
    lines += [f"[rank{rank}]: {line}" for rank, chunk in after for line in chunk]
    return lines, failure_at


def chunks(lines: list[str], failure_index: int) -> list[list[str]]:
    """Split a failure's lines into what a process writes at once.

    A traceback frame is one write (its ``File`` line with the code and caret lines under it), and so
    is the exception line with the rest of its message; every other line is a write of its own. The
    last chunk is the one that starts with the failure line.
    """
    result: list[list[str]] = []
    for index, line in enumerate(lines):
        under_frame = line.startswith("    ") and index < failure_index and result and result[-1][0].startswith("  File ")
        if result and (index > failure_index or under_frame):
            result[-1].append(line)
        else:
            result.append([line])
    return result


def traceback_of_consequence(rng: random.Random, values: dict, pyver: str, rank: int) -> list[str]:
    """A sibling rank's traceback: it failed because the first rank died."""
    text = rng.choice(CONSEQUENCES).format(a=rng.randint(0, 255), b=rng.randint(0, 255), c=rng.randint(1, 254),
                                           port=rng.randint(20000, 60000), rank=rank)
    spec = Spec("consequence", "backward", "@tb\n>>" + text.replace("$", "$$"))
    return render_failure(rng, spec, values, pyver).lines


def _merge(rng: random.Random, sequences: list[list]) -> list:
    """Interleave sequences at random, keeping each one's order."""
    queues = [list(reversed(s)) for s in sequences if s]
    merged = []
    while queues:
        queue = rng.choices(queues, weights=[len(q) for q in queues])[0]
        merged.append(queue.pop())
        if not queue:
            queues.remove(queue)
    return merged


def fill(rng: random.Random, pool: list[Block], budget: int) -> tuple[list[bytes], int]:
    """Blocks of the pool adding up to about ``budget`` bytes (the last one cut at a line end)."""
    parts, size, newlines = [], 0, 0
    misses = 0  # blocks whose first line alone is longer than what is left
    while size < budget and misses < 20:
        block = rng.choice(pool)
        data, count = block.data, block.newlines
        if size + len(data) > budget:
            cut = data.rfind(b"\n", 0, budget - size)
            if cut < 0:
                misses += 1
                continue
            data = data[: cut + 1]
            count = data.count(b"\n")
        parts.append(data)
        size += len(data)
        newlines += count
    return parts, newlines


def write_filler(out, rng: random.Random, pool: list[Block], budget: int) -> int:
    """Write about ``budget`` bytes of the pool's blocks, a few MB at a time; return the lines written."""
    newlines = 0
    while budget > 0:
        parts, count = fill(rng, pool, min(8 * MB, budget))
        if not parts:
            break
        chunk = b"".join(parts)
        out.write(chunk)
        budget -= len(chunk)
        newlines += count
    return newlines


def _text(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def build_job(plan: Plan, seed: int, pools: dict[str, list[Block]], teardown: list[Block]) -> tuple[bytes, Outcome]:
    """The bytes of one job's log and its expected outcome."""
    rng = random.Random(f"{seed}/job/{plan.index}")
    style = plan.style
    pyver = PYTHON_OF_STYLE[style]
    clock = new_clock(rng)
    values = job_vars(rng, plan.name, pyver, clock)
    prefix = Prefixer(style, clock, rng)
    trainer = new_trainer(rng, (int(values["rank"]),))
    form = rng.randrange(5)
    spec = None
    if plan.placement == "killed":
        spec = rng.choice(UNCLASSIFIED_SPECS)
    elif plan.interleaved:  # one rank failed on its own, in its training code
        spec = pick_spec(rng, categories=RANK_LOCAL_CATEGORIES, python_only=True)
    elif plan.placement in ("end", "middle"):
        spec = pick_spec(rng, tracebacks_only=plan.placement == "middle")
    epilogue = []
    if plan.placement in ("end", "middle"):
        epilogue = render_epilogue(rng, values, "torchrun" if plan.interleaved else "", shell=spec.shell)
    distributed = plan.interleaved or style == "rank" or any("torch/distributed" in line for line in epilogue)
    head = _text(render_head(rng, values, style, plan.size < 60 * KB, distributed))

    progress_tail = []
    for _ in range(rng.randint(2, 6)):
        trainer.advance(rng)
        progress_tail.append(prefix.log(progress_line(rng, trainer, form), rank=trainer.rank))

    attach = ""  # an unfinished progress bar the failure's first line is printed onto
    failure_at: Optional[int] = None
    category = "no_failure"
    if spec is None:
        final = completion_lines(rng, values, style)
    else:
        failure = render_failure(rng, spec, values, pyver)
        category = failure.category
        if plan.interleaved:
            lines, failure_at = interleave_ranks(rng, failure, values, pyver, int(values["ngpu"]))
        else:
            lines, failure_at = failure.lines, failure.failure_index
            if style == "rank" and not spec.shell:
                lines = [prefix.raw(line, trainer.rank) for line in lines]
            if failure.attachable and rng.random() < 0.25:
                attach = tqdm_line(rng, rng.randint(3, 60), desc=rng.choice(("", "Iteration", "train")))
        final = lines + epilogue

    tail = _text(progress_tail)
    tail_newlines = len(progress_tail)
    final_bytes = _text(final)
    if attach:
        final_bytes = attach.encode("utf-8") + final_bytes
    after = b""
    if plan.placement == "middle":
        want = min(int(math.exp(rng.uniform(math.log(50 * KB), math.log(1 * MB)))), int(plan.size * 0.7))
        after = b"".join(fill(rng, teardown, want)[0])

    pool = pools["interleaved" if plan.interleaved else style]
    budget = plan.size - len(head) - len(tail) - len(final_bytes) - len(after)
    body, body_newlines = fill(rng, pool, budget)
    data = b"".join([head, *body, tail, final_bytes, after])
    line = None
    if failure_at is not None:
        line = head.count(b"\n") + body_newlines + tail_newlines + failure_at + 1
    return data, Outcome(category, line, len(data))


def build_big(path: Path, seed: int, size: int, pools: dict[str, list[Block]]) -> Outcome:
    """Write the big log: ``size`` bytes of one long job's training output, failing near the end."""
    rng = random.Random(f"{seed}/big")
    style = "pylog"
    pyver = PYTHON_OF_STYLE[style]
    clock = new_clock(rng)
    values = job_vars(rng, "big", pyver, clock)
    prefix = Prefixer(style, clock, rng)
    trainer = new_trainer(rng)
    spec = pick_spec(rng, tracebacks_only=True, categories=BIG_CATEGORIES)
    failure = render_failure(rng, spec, values, pyver)
    epilogue = render_epilogue(rng, values, rng.choice(("runner", "torchrun")))
    head = _text(render_head(rng, values, style, small=False, distributed=True))
    long_lines = [(tqdm_line(rng, n // 80, total=n // 80 * 10, desc="Evaluating") + "\n").encode("utf-8")
                  for n in BIG_CR_LINE_BYTES]
    progress_tail = []
    for _ in range(4):
        trainer.advance(rng, 10)
        progress_tail.append(prefix.log(progress_line(rng, trainer, 0)))
    final = _text(progress_tail) + _text(failure.lines + epilogue)
    body_budget = size - len(head) - sum(len(x) for x in long_lines) - len(final)
    newlines = head.count(b"\n")
    with open(path, "wb") as out:
        out.write(head)
        first = body_budget // 2
        for budget, long_line in zip((first, body_budget - first), long_lines):
            newlines += write_filler(out, rng, pools[style], budget)
            out.write(long_line)
            newlines += 1
        out.write(final)
    line = newlines + len(progress_tail) + failure.failure_index + 1
    return Outcome(failure.category, line, path.stat().st_size)


# --- output ------------------------------------------------------------------------------------------


def expectations_yaml(outcomes: dict[str, Outcome], seed: int, what: str) -> str:
    """The expectations file: job -> category, or -> {category, file, line}."""
    lines = [f"# Expected result of each job in {what}, written by bench/generate.py (seed {seed})."]
    for name, outcome in outcomes.items():
        if outcome.line is None:
            lines.append(f"{name}: {outcome.category}")
        else:
            lines += [f"{name}:", f"  category: {outcome.category}", f"  file: {name}", f"  line: {outcome.line}"]
    return "\n".join(lines) + "\n"


def generate(out: Path, seed: int, jobs: int, total_mb: float, big_mb: float, quiet: bool = False) -> dict:
    """Write the corpus, the big log, their expectations and the manifest; return the manifest."""
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("corpus", "big"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
        (out / sub).mkdir()
    pools, teardown = build_pools(seed)
    say(f"pools rendered in {time.perf_counter() - started:.1f}s")

    plans = plan_jobs(seed, jobs, int(total_mb * MB))
    outcomes: dict[str, Outcome] = {}
    for plan in plans:
        data, outcome = build_job(plan, seed, pools, teardown)
        (out / "corpus" / plan.name).write_bytes(data)
        outcomes[plan.name] = outcome
    corpus_bytes = sum(o.size for o in outcomes.values())
    say(f"corpus: {jobs} jobs, {corpus_bytes / MB:.1f} MB, {time.perf_counter() - started:.1f}s")
    (out / "corpus.expected.yaml").write_text(expectations_yaml(outcomes, seed, "corpus/"), encoding="utf-8")

    big = None
    if big_mb > 0:
        big = build_big(out / "big" / "big.log", seed, int(big_mb * MB), pools)
        (out / "big.expected.yaml").write_text(expectations_yaml({"big.log": big}, seed, "big/"), encoding="utf-8")
        say(f"big log: {big.size / MB:.1f} MB, {time.perf_counter() - started:.1f}s")

    manifest = {
        "generator": "bench/generate.py",
        "seed": seed, "jobs": jobs, "total_mb": total_mb, "big_mb": big_mb,
        "corpus_bytes": corpus_bytes, "big_bytes": big.size if big else 0,
        "placements": _count(p.placement for p in plans),
        "categories": _count(o.category for o in outcomes.values()),
        "corpus": {
            p.name: {"category": outcomes[p.name].category, "line": outcomes[p.name].line, "placement": p.placement,
                     "style": p.style, "interleaved": p.interleaved, "bytes": outcomes[p.name].size}
            for p in plans
        },
        "big": {"big.log": {"category": big.category, "line": big.line, "bytes": big.size}} if big else {},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    say(f"done in {time.perf_counter() - started:.1f}s -> {out}")
    return manifest


def _count(values) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / ".data", help="output directory (default: bench/.data)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2000, help="number of job logs in corpus/")
    parser.add_argument("--total-mb", type=float, default=1024, help="total size of corpus/ in MB")
    parser.add_argument("--big-mb", type=float, default=1024, help="size of big/big.log in MB (0: none)")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.total_mb <= 0 or args.big_mb < 0:
        parser.error("--jobs and --total-mb must be positive, --big-mb not negative")
    generate(args.out, args.seed, args.jobs, args.total_mb, args.big_mb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
