"""The ordinary text of training logs: what surrounds the failure.

Everything here is drawn from a ``random.Random`` passed in, so the same seed gives the same text.
The shapes follow real logs: timestamped INFO lines in a few styles, training progress lines and
HF-Trainer dicts, tqdm progress bars that rewrite one line with carriage returns, warnings full of
error words, NCCL INFO chatter, pip output, metrics such as ``val_error`` and ANSI colours.

Progress text is rendered into *blocks* (a few KB to a few tens of KB, always ending with progress
lines) that the generator assembles into logs; see ``render_block``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# A log's line style: how its own log lines are prefixed.
STYLES = ("pylog", "dashlog", "bracket", "glog", "rank", "plain")

ANSI_COLOURS = ("\x1b[32m", "\x1b[36m", "\x1b[1;34m", "\x1b[33m", "\x1b[35m")
ANSI_RESET = "\x1b[0m"
DATES = ("2026-11-24", "2026-11-25", "2026-12-02", "2027-01-13", "2027-02-07")
LOGGERS = ("trainer", "train", "__main__", "root", "data", "engine", "utils.checkpoint", "model")
GLOG_FILES = ("trainer.cc", "train_loop.py", "data_feed.cc", "executor.cc", "checkpoint.py", "main.py")
HOSTS = ("gcr4xx012", "gcr-gpu-099", "sr-a100-217", "node-0431", "phx-v100-08", "gpu-node-12")


@dataclass
class Clock:
    """Wall-clock time of a log, in seconds since midnight, moving forward as lines are printed."""

    date: str
    seconds: float
    pid: int = 4242

    def tick(self, rng: random.Random, most: float = 2.0) -> None:
        self.seconds = (self.seconds + rng.random() * most) % 86400

    def hms(self) -> str:
        whole = int(self.seconds)
        return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"

    def millis(self) -> int:
        return int(self.seconds * 1000) % 1000

    def stamp(self) -> str:
        """``2026-11-24 10:00:00,123``: Python logging's asctime."""
        return f"{self.date} {self.hms()},{self.millis():03d}"

    def glog(self, level: str = "I") -> str:
        """``I1124 10:00:00.123456 12345 file.cc:42] ``: a glog/absl prefix."""
        micros = int(self.seconds * 1_000_000) % 1_000_000
        return f"{level}{self.date[5:7]}{self.date[8:10]} {self.hms()}.{micros:06d} {self.pid} "


def new_clock(rng: random.Random) -> Clock:
    return Clock(rng.choice(DATES), rng.uniform(0, 80000), rng.randint(1000, 99999))


@dataclass
class Trainer:
    """The state a training loop's progress lines report: epoch, step, loss, learning rate."""

    epoch: int = 0
    step: int = 0
    steps_per_epoch: int = 1000
    loss: float = 2.5
    lr: float = 1e-4
    rank: int = 0
    ranks: tuple = (0,)
    extra: dict = field(default_factory=dict)

    def advance(self, rng: random.Random, steps: int = 1) -> None:
        self.step += steps
        if self.step % self.steps_per_epoch < steps:
            self.epoch += 1
        self.loss = max(0.01, self.loss * (1 - 0.002 * rng.random()) + rng.gauss(0, 0.01))


def new_trainer(rng: random.Random, ranks: tuple = (0,)) -> Trainer:
    return Trainer(
        epoch=rng.randint(0, 40),
        step=rng.randint(0, 200_000),
        steps_per_epoch=rng.choice((391, 500, 1000, 1563, 2502, 5005)),
        loss=rng.uniform(0.2, 6.0),
        lr=rng.choice((1e-3, 5e-4, 3e-4, 1e-4, 2e-5, 0.1, 0.01)),
        rank=ranks[0],
        ranks=ranks,
    )


class Prefixer:
    """Adds a style's prefix (timestamp, level, logger, rank tag) to a log line."""

    def __init__(self, style: str, clock: Clock, rng: random.Random):
        self.style = style
        self.clock = clock
        self.rng = rng

    def log(self, message: str, level: str = "INFO", rank: int = 0) -> str:
        """A line printed through the program's logger."""
        clock, style = self.clock, self.style
        clock.tick(self.rng)
        if style == "pylog":
            line = f"{clock.stamp()} {level} {self.rng.choice(LOGGERS)}: {message}"
        elif style == "dashlog":
            line = f"{clock.stamp()} - {level} - {self.rng.choice(LOGGERS)} - {message}"
        elif style == "bracket":
            line = f"[{clock.date} {clock.hms()}.{clock.millis():03d}] {message}"
        elif style == "glog":
            line = f"{clock.glog(level[0])}{self.rng.choice(GLOG_FILES)}:{self.rng.randint(20, 900)}] {message}"
        else:
            line = message
        if self.rng.random() < 0.06:
            line = f"{self.rng.choice(ANSI_COLOURS)}{line}{ANSI_RESET}"
        return self.raw(line, rank)

    def raw(self, line: str, rank: int = 0) -> str:
        """A line printed straight to stdout/stderr (warnings, tracebacks, tqdm): only a rank tag."""
        if self.style == "rank":
            return f"[rank{rank}]: {line}"
        return line


# --- training progress ----------------------------------------------------------------------------


def progress_line(rng: random.Random, trainer: Trainer, form: int) -> str:
    """One progress report in one of several frameworks' wordings (``form`` picks which)."""
    t = trainer
    if form == 0:
        return (
            f"epoch {t.epoch} step {t.step} loss {t.loss:.4f} lr {t.lr:.1e} "
            f"grad_norm {rng.uniform(0.1, 4):.3f} {rng.randint(8000, 90000)} tokens/s"
        )
    if form == 1:
        batch = t.step % t.steps_per_epoch
        return (
            f"Epoch: [{t.epoch}][{batch:4d}/{t.steps_per_epoch}]\tTime {rng.uniform(0.2, 0.5):.3f} "
            f"({rng.uniform(0.2, 0.5):.3f})\tData {rng.uniform(0, 0.05):.3f} ({rng.uniform(0, 0.05):.3f})\t"
            f"Loss {t.loss:.4e} ({t.loss * 1.02:.4e})\tAcc@1 {rng.uniform(20, 90):6.2f} "
            f"({rng.uniform(20, 90):6.2f})\tAcc@5 {rng.uniform(60, 99):6.2f} ({rng.uniform(60, 99):6.2f})"
        )
    if form == 2:
        batch = t.step % t.steps_per_epoch
        return (
            f"| epoch {t.epoch:3d} | {batch:5d}/{t.steps_per_epoch:5d} batches | lr {t.lr:.2e} | "
            f"ms/batch {rng.uniform(20, 300):6.2f} | loss {t.loss:5.2f} | ppl {2.718 ** min(t.loss, 9):8.2f}"
        )
    if form == 3:
        return (
            f"{{'loss': {t.loss:.4f}, 'grad_norm': {rng.uniform(0.1, 9):.6f}, "
            f"'learning_rate': {t.lr * rng.uniform(0.2, 1):.4e}, 'epoch': {t.epoch + rng.random():.2f}}}"
        )
    return (
        f"epoch {t.epoch:03d}:  {t.step % t.steps_per_epoch:5d} / {t.steps_per_epoch} loss={t.loss:.3f}, "
        f"ppl={2.718 ** min(t.loss, 9):.2f}, wps={rng.randint(5000, 60000)}, ups={rng.uniform(1, 9):.2f}, "
        f"wpb={rng.randint(2000, 8000)}, bsz={rng.choice((64, 128, 256))}, num_updates={t.step}, "
        f"lr={t.lr:.4g}, gnorm={rng.uniform(0.2, 3):.3f}, train_wall={rng.randint(20, 90)}, wall={rng.randint(100, 99999)}"
    )


BAR_ASCII = " 123456789#"
BAR_UNICODE = " ▏▎▍▌▋▊▉█"


def _bar(fraction: float, width: int, glyphs: str) -> str:
    cells = fraction * width
    full = int(cells)
    if full >= width:
        return glyphs[-1] * width
    partial = glyphs[int((cells - full) * (len(glyphs) - 1))]
    return glyphs[-1] * full + partial + " " * (width - full - 1)


def tqdm_line(rng: random.Random, updates: int, total: int = 0, desc: str = "") -> str:
    """One tqdm bar as it lands in a log file: ``updates`` redraws separated by ``\\r``, no newline.

    Each redraw looks like `` 45%|####5     | 450/1000 [00:10<00:12, 44.1it/s]``.
    """
    total = total or rng.choice((100, 391, 500, 782, 1000, 1563, 3125, 10000))
    glyphs = BAR_ASCII if rng.random() < 0.5 else BAR_UNICODE
    rate = rng.uniform(1.5, 60.0)
    label = f"{desc}: " if desc else ""
    start = rng.randint(0, max(0, total - updates))
    stride = max(1, (total - start) // max(1, updates))
    parts = []
    for k in range(updates):
        done = min(total, start + k * stride)
        elapsed = int(done / rate)
        left = int((total - done) / rate)
        parts.append(
            f"{label}{100 * done // total:3d}%|{_bar(done / total, 10, glyphs)}| {done}/{total} "
            f"[{elapsed // 60:02d}:{elapsed % 60:02d}<{left // 60:02d}:{left % 60:02d}, {rate:5.2f}it/s]"
        )
    return "\r" + "\r".join(parts)


def keras_line(rng: random.Random, updates: int) -> str:
    """Keras' verbose=1 progress bar, redrawn with ``\\r``, as it lands in a file."""
    total = rng.choice((469, 782, 1563))
    parts = []
    for k in range(1, updates + 1):
        done = max(1, total * k // updates)
        arrow = int(30 * done / total)
        bar = "=" * max(0, arrow - 1) + (">" if arrow < 30 else "=") + "." * (30 - arrow)
        parts.append(
            f"{done:4d}/{total} [{bar}] - ETA: {rng.randint(0, 90)}s - loss: {rng.uniform(0.1, 2):.4f} "
            f"- accuracy: {rng.uniform(0.3, 0.99):.4f}"
        )
    return "\r".join(parts)


# --- warnings, metrics, info ------------------------------------------------------------------------

WARNINGS = (
    "$site/torch/optim/lr_scheduler.py:143: UserWarning: Detected call of `lr_scheduler.step()` before "
    "`optimizer.step()`. In PyTorch 1.1.0 and later, you should call them in the opposite order: "
    "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping "
    "the first value of the learning rate schedule. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate\n"
    '  warnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. "',
    "$site/torch/utils/data/dataloader.py:558: UserWarning: This DataLoader will create 16 worker processes "
    "in total. Our suggested max number of worker in current system is 8, which is smaller than what this "
    "DataLoader is going to create. Please be aware that excessive worker creation might get DataLoader "
    "running slow or even freeze, lower the worker number to avoid potential slowness/freeze if necessary.\n"
    "  warnings.warn(_create_warning_msg(",
    "$site/torch/nn/parallel/_functions.py:68: UserWarning: Was asked to gather along dimension 0, but all "
    "input tensors were scalars; will instead unsqueeze and return a vector.\n"
    "  warnings.warn('Was asked to gather along dimension 0, but all '",
    "$site/transformers/tokenization_utils_base.py:1601: FutureWarning: `clean_up_tokenization_spaces` was "
    "not set. It will be set to `True` by default. This behavior will be depracted in transformers v4.45, "
    "and will be then set to `False` by default. For more details check this issue: "
    "https://github.com/huggingface/transformers/issues/31884",
    "$site/sklearn/metrics/_classification.py:1531: UndefinedMetricWarning: Precision is ill-defined and "
    "being set to 0.0 in labels with no predicted samples. Use `zero_division` parameter to control this behavior.\n"
    "  _warn_prf(average, modifier, f\"{metric.capitalize()} is\", len(result))",
    "$site/numpy/core/fromnumeric.py:3504: RuntimeWarning: Mean of empty slice.\n"
    "  return _methods._mean(a, axis=axis, dtype=dtype,",
    "$site/torch/autograd/__init__.py:266: UserWarning: Error detected while computing the gradient "
    "norm: non-finite values were found and will be ignored. (Triggered internally at "
    "../torch/csrc/autograd/engine.cpp:1203.)",
    "$site/torch/distributed/distributed_c10d.py:4126: UserWarning: No device id is provided via "
    "`init_process_group` or `barrier `. Using the current device set by the user. This may cause "
    "an error or a hang if the device is wrong.",
    "[W socket.cpp:663] [c10d] The client socket has failed to connect to [$host]:29500 (errno: 99 - Cannot "
    "assign requested address).",
    "[W ProcessGroupNCCL.cpp:1856] Warning: 0NCCL_ASYNC_ERROR_HANDLING is deprecated, use "
    "TORCH_NCCL_ASYNC_ERROR_HANDLING instead (function operator())",
    "[W reducer.cpp:1389] Warning: find_unused_parameters=True was specified in DDP constructor, but did "
    "not find any unused parameters in the forward pass. This flag results in an extra traversal of the "
    "autograd graph every iteration,  which can adversely affect performance. (function operator())",
    "WARNING: connection error while uploading metrics to the tracking server (HTTPSConnectionPool(host="
    "'mlflow.internal', port=443): Read timed out. (read timeout=10)); retrying in 5s",
    "WARNING:root:Failed to write TensorBoard event file shard, retrying (attempt 1 of 5)",
    "$date $hms.$micros: W tensorflow/core/common_runtime/bfc_allocator.cc:290] Allocator (GPU_0_bfc) ran "
    "out of memory trying to allocate 2.25GiB with freed_by_count=0. The caller indicates that this is not "
    "a failure, but may mean that there could be performance gains if more memory were available.",
    "$date $hms.$micros: W tensorflow/core/kernels/data/cache_dataset_ops.cc:854] The calling iterator did "
    "not fully read the dataset being cached. In order to avoid unexpected truncation of the dataset, the "
    "partially cached contents of the dataset  will be discarded.",
    "wandb: WARNING Step only increases in log calls; ignoring a metric logged at an earlier step "
    "(error count 0).",
    "Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 32768.0",
)


def warning_text(rng: random.Random, clock: Clock, site: str, host: str) -> list[str]:
    """One warning as Python, PyTorch, TensorFlow, pip or wandb print it (one or two lines)."""
    text = rng.choice(WARNINGS)
    micros = f"{rng.randint(0, 999999):06d}"
    text = (
        text.replace("$site", site).replace("$host", host).replace("$date", clock.date)
        .replace("$hms", clock.hms()).replace("$micros", micros)
    )
    return text.split("\n")


def metrics_text(rng: random.Random, trainer: Trainer) -> str:
    """An evaluation summary with metric names that contain error words."""
    form = rng.randrange(4)
    if form == 0:
        return (
            f"val_error: {rng.uniform(0.02, 0.5):.4f}  val_loss: {trainer.loss * 1.1:.4f}  "
            f"val_acc: {rng.uniform(0.5, 0.98):.4f}"
        )
    if form == 1:
        return f"eval: top1_err={rng.uniform(15, 60):.2f} top5_err={rng.uniform(2, 20):.2f} (best top1_err={rng.uniform(15, 60):.2f})"
    if form == 2:
        return f"train_error_rate: {rng.uniform(0.01, 0.4):.4f}, test_error_rate: {rng.uniform(0.01, 0.4):.4f}, failures: 0"
    return (
        f"***** eval metrics ***** eval_loss = {trainer.loss:.4f}, eval_accuracy = {rng.uniform(0.4, 0.95):.4f}, "
        f"eval_runtime = {rng.uniform(10, 300):.2f}, eval_samples_per_second = {rng.uniform(50, 900):.3f}"
    )


def info_text(rng: random.Random, trainer: Trainer, paths: dict) -> str:
    """A routine INFO message: checkpoints, throughput, memory, evaluation."""
    form = rng.randrange(8)
    if form == 0:
        return f"Saving checkpoint to {paths['ckpt_dir']}/checkpoint-{trainer.step}"
    if form == 1:
        return f"throughput: {rng.uniform(100, 5000):.1f} samples/s, data time {rng.uniform(0, 0.1):.3f}s"
    if form == 2:
        return (
            f"[memory] allocated {rng.uniform(1, 30):.2f} GiB, reserved {rng.uniform(2, 40):.2f} GiB, "
            f"max allocated {rng.uniform(2, 40):.2f} GiB"
        )
    if form == 3:
        return f"Evaluating on {rng.choice((5000, 10000, 50000))} samples (batch size {rng.choice((64, 128, 256))})"
    if form == 4:
        return f"Current learning rate: {trainer.lr:.2e}"
    if form == 5:
        return f"Best checkpoint so far: {paths['ckpt_dir']}/best.pt (val_acc {rng.uniform(0.5, 0.95):.4f})"
    if form == 6:
        return f"Shuffling shard {rng.randint(0, 1023):05d}-of-01024 with buffer size {rng.choice((1000, 10000))}"
    return f"time per iteration: {rng.uniform(0.1, 2):.3f}s, eta {rng.randint(0, 99)}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"


def survived_error(rng: random.Random, prefix: Prefixer, paths: dict, rank: int) -> list[str]:
    """An error the job lived through: a skipped sample or a retried upload, with its traceback."""
    if rng.random() < 0.6:
        image = f"{paths['data']}/train/n{rng.randint(1000000, 9999999):08d}/img_{rng.randint(0, 99999)}.JPEG"
        return [prefix.log(
            f"failed to decode {image}: image file is truncated ({rng.randint(1, 64)} bytes not processed); skipping sample",
            "ERROR", rank)]
    site = paths["site"]
    lines = [
        prefix.log(f"Exception in checkpoint upload thread; will retry in {rng.choice((10, 30, 60))}s", "ERROR", rank),
        "Traceback (most recent call last):",
        f'  File "{paths["app"]}/utils/upload.py", line {rng.randint(30, 200)}, in _upload',
        "    client.upload_file(local, remote)",
        f'  File "{site}/urllib3/connectionpool.py", line 793, in urlopen',
        "    response = self._make_request(",
        f'  File "{site}/urllib3/connection.py", line 466, in getresponse',
        "    httplib_response = super().getresponse()",
        "ConnectionResetError: [Errno 104] Connection reset by peer",
    ]
    return [lines[0]] + [prefix.raw(line, rank) for line in lines[1:]]


# --- blocks -----------------------------------------------------------------------------------------


def render_block(rng: random.Random, style: str, target: int, paths: dict, interleave: bool = False) -> str:
    """A run of training output of about ``target`` characters that ends with progress lines.

    ``interleave`` tags lines with several ranks, as when all ranks of a job share one log.
    """
    clock = new_clock(rng)
    ranks = tuple(range(rng.choice((2, 4, 8)))) if interleave else (rng.choice((0, 0, 0, 1, 3)),)
    trainer = new_trainer(rng, ranks)
    prefix = Prefixer(style, clock, rng)
    form = rng.randrange(5)
    tqdm_desc = rng.choice(("", "", "Iteration", "train", f"Epoch {trainer.epoch}", "Evaluating"))
    lines: list[str] = []
    size = 0
    while size < target:
        rank = rng.choice(ranks)
        roll = rng.random()
        if roll < 0.60:
            trainer.advance(rng, rng.choice((1, 10, 50, 100)))
            new = [prefix.log(progress_line(rng, trainer, form), rank=rank)]
        elif roll < 0.68:
            updates = int(rng.lognormvariate(3.5, 0.9)) + 2
            if form == 3 and rng.random() < 0.3:
                bar = keras_line(rng, updates)
            else:
                bar = tqdm_line(rng, updates, desc=tqdm_desc)
            if form == 3 and rng.random() < 0.5:  # HF Trainer prints its dict right after the bar
                bar += progress_line(rng, trainer, 3)
            new = [prefix.raw(bar, rank)]
        elif roll < 0.76:
            new = [prefix.log(info_text(rng, trainer, paths), rank=rank)]
        elif roll < 0.86:
            new = [prefix.raw(line, rank) for line in warning_text(rng, clock, paths["site"], paths["host"])]
        elif roll < 0.93:
            new = [prefix.log(metrics_text(rng, trainer), rank=rank)]
        elif roll < 0.97:
            new = [nccl_info(rng, paths["host"], clock.pid, rank, trainer)]
        elif roll < 0.985:
            new = survived_error(rng, prefix, paths, rank)
        else:
            new = [prefix.log(f"wandb: logging {rng.randint(3, 40)} metrics at step {trainer.step}", rank=rank)]
        lines.extend(new)
        size += sum(len(line) + 1 for line in new)
    for _ in range(3):
        trainer.advance(rng, 1)
        lines.append(prefix.log(progress_line(rng, trainer, form), rank=rng.choice(ranks)))
    return "\n".join(lines) + "\n"


def nccl_info(rng: random.Random, host: str, pid: int, rank: int, trainer: Trainer) -> str:
    """One NCCL INFO line (NCCL_DEBUG=INFO), as printed during init, at runtime or at teardown."""
    head = f"{host}:{pid + rank}:{pid + rank + rng.randint(1, 90)} [{rank}] NCCL INFO "
    form = rng.randrange(9)
    nranks = max(len(trainer.ranks), 2)
    comm = f"0x{rng.getrandbits(44):x}"
    if form == 0:
        return head + f"Channel {rng.randint(0, 31):02d}/{rng.choice((2, 4, 32))} : " + " ".join(f"{r:3d}" for r in range(nranks))
    if form == 1:
        return head + f"comm {comm} rank {rank} nranks {nranks} cudaDev {rank} busId {rng.choice(('1b000', '3d000', '89000', 'b2000'))} - Init COMPLETE"
    if form == 2:
        return head + f"Channel {rng.randint(0, 31):02d}/0 : {rank}[{rank}] -> {(rank + 1) % nranks}[{(rank + 1) % nranks}] via P2P/IPC/read"
    if form == 3:
        return head + f"Trees [0] {(rank + 1) % nranks}/-1/-1->{rank}->{max(rank - 1, -1)} [1] -1/-1/-1->{rank}->{(rank + 1) % nranks}"
    if form == 4:
        return head + "Using network Socket"
    if form == 5:
        return head + f"NET/Socket : Using [0]eth0:10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}<0>"
    if form == 6:
        return head + "threadThresholds 8/8/64 | 64/8/64 | 512 | 512"
    if form == 7:
        return head + f"{rng.choice((2, 4, 32))} coll channels, 0 nvls channels, {rng.choice((2, 4, 32))} p2p channels, 2 p2p channels per peer"
    return head + "Connected all rings"


TEARDOWN_FORMS = 10


def teardown_line(rng: random.Random, clock: Clock, host: str, rank: int, seq: int) -> str:
    """What other ranks and the launcher print while a failed job winds down: no progress, no success."""
    clock.tick(rng, 5.0)
    tag = f"[rank{rank}]:"
    form = rng.randrange(TEARDOWN_FORMS)
    comm = f"0x{rng.getrandbits(44):x}"
    nccl = f"{host}:{clock.pid + rank}:{clock.pid + rank + 7} [{rank}] NCCL INFO "
    if form == 0:
        return nccl + f"[Service thread] Connection closed by localRank {rng.randint(0, 7)}"
    if form == 1:
        return nccl + f"comm {comm} rank {rank} nranks 8 cudaDev {rank} busId {rng.choice(('1b000', '3d000', '89000'))} - Abort COMPLETE"
    if form == 2:
        return (
            f"{tag}[E{clock.date[5:7]}{clock.date[8:10]} {clock.hms()}.{rng.randint(0, 999999):06d} {clock.pid} "
            f"ProcessGroupNCCL.cpp:616] [Rank {rank}] Watchdog caught collective operation timeout: WorkNCCL(SeqNum={seq}, "
            f"OpType=ALLREDUCE, NumelIn={rng.randint(1, 9999999)}, NumelOut={rng.randint(1, 9999999)}, "
            f"Timeout(ms)=600000) ran for {600000 + rng.randint(1, 999)} milliseconds before timing out."
        )
    if form == 3:
        return (
            f"{tag}[E{clock.date[5:7]}{clock.date[8:10]} {clock.hms()}.{rng.randint(0, 999999):06d} {clock.pid} "
            f"ProcessGroupNCCL.cpp:1537] [PG 0 Rank {rank}] Timeout at NCCL work: {seq}, last enqueued NCCL work: "
            f"{seq}, last completed NCCL work: {seq - 1}."
        )
    if form == 4:
        return (
            f"{clock.glog('W')}torch/distributed/elastic/multiprocessing/api.py:897] Sending process "
            f"{clock.pid + rank} closing signal SIGTERM"
        )
    if form == 5:
        return "[W socket.cpp:464] [c10d] The server socket has failed to listen on [::]:29500 (errno: 98 - Address already in use)."
    if form == 6:
        return f"{tag}[I ProcessGroupNCCL.cpp:1120] [PG 0 Rank {rank}] ProcessGroupNCCL destructor entered."
    if form == 7:
        return "wandb: Waiting for W&B process to finish... (failed 1). Press Control-C to abort syncing."
    if form == 8:
        return f"[{host}] rank {rank} heartbeat: waiting for peers to exit ({rng.randint(1, 1800)}s elapsed, {rng.randint(1, 7)} pending)"
    return f"{tag}[W ProcessGroupNCCL.cpp:1233] Warning: WorkNCCL(SeqNum={seq}) is still pending after {rng.randint(30, 1800)}s (function checkTimeout)"


def render_teardown_block(rng: random.Random, target: int, host: str) -> str:
    """About ``target`` characters of teardown chatter from other ranks and the launcher."""
    clock = new_clock(rng)
    seq = rng.randint(1000, 900000)
    lines = []
    size = 0
    while size < target:
        line = teardown_line(rng, clock, host, rng.randint(0, 7), seq)
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines) + "\n"
