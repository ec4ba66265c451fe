"""Shared training helpers, copied next to every held-out program as `engine.py`.

The jobs' programs import it the way real projects import their own `engine.py`/`utils.py`: it
sets up logging, prints a config banner, and runs a small but real training loop (NumPy linear
regression, or a tiny PyTorch model) so that the logs have realistic progress before the failure.
JOB_SEED (set by the generator) varies lengths, numbers and the logging format between jobs.
"""

import json
import logging
import math
import os
import random
import sys
import time

SEED = int(os.environ.get("JOB_SEED", "0"))
VERBOSITY = int(os.environ.get("ENGINE_VERBOSITY", "1"))   # log every step/VERBOSITY
rng = random.Random(SEED)

_FORMATS = [
    "%(asctime)s - %(name)s - %(levelname)s - %(message)s",
    "[%(asctime)s] %(levelname)s [%(name)s] %(message)s",
    "%(levelname)s:%(name)s:%(message)s",
    "%(asctime)s %(levelname)-8s %(message)s",
]


def get_logger(name="train"):
    log = logging.getLogger(name)
    if not log.handlers:
        h = logging.StreamHandler(sys.stdout)
        h.setFormatter(logging.Formatter(_FORMATS[SEED % len(_FORMATS)]))
        log.addHandler(h)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


def scale(lo, hi):
    """A length between lo and hi, picked by the job's seed."""
    return rng.randint(lo, hi)


def banner(log, **cfg):
    log.info("Namespace(%s)", ", ".join(f"{k}={v!r}" for k, v in cfg.items()))
    log.info("Config:\n%s", json.dumps(cfg, indent=2, sort_keys=True))
    log.info("python %s on %s, pid %d", sys.version.split()[0], sys.platform, os.getpid())
    if SEED % 4 != 3:
        env_report(log)


def env_report(log):
    """The installed packages, as many training scripts log them at start-up."""
    from importlib import metadata
    dists = sorted({(d.metadata["Name"] or "?").lower(): d.version for d in metadata.distributions()}.items())
    log.info("Environment: %d packages", len(dists))
    for name, version in dists:
        print(f"    {name}=={version}")


def numpy_train(log, epochs=None, steps=None, every=10, on_step=None, bar=False, metric_name="val_loss",
                extra=None):
    """Real mini-batch SGD on a random linear regression; prints progress; on_step(epoch, step) may raise."""
    import numpy as np

    r = np.random.default_rng(SEED)
    epochs = epochs or scale(2, 5)
    steps = steps or scale(60, 200) * (3 if VERBOSITY >= 20 else 1)
    every = max(1, every // VERBOSITY)
    w_true = r.normal(size=16)
    w = np.zeros(16)
    lr = 0.05
    for epoch in range(1, epochs + 1):
        it = range(1, steps + 1)
        if bar:
            from tqdm import tqdm
            it = tqdm(it, desc=f"Epoch {epoch}/{epochs}", miniters=max(1, steps // 12), mininterval=0,
                      ncols=100)
        t0 = time.time()
        for step in it:
            x = r.normal(size=(32, 16))
            y = x @ w_true + 0.1 * r.normal(size=32)
            err = x @ w - y
            loss = float((err ** 2).mean())
            w -= lr * (2 * x.T @ err / 32)
            if on_step is not None:
                on_step(epoch, step)
            if not bar and step % every == 0:
                log.info("epoch %d step %d/%d loss %.4f lr %.2e (%.1f ms/step)", epoch, step, steps, loss, lr,
                         1000 * (time.time() - t0) / step)
        val = float(((r.normal(size=(256, 16)) @ (w - w_true)) ** 2).mean())
        msg = f"epoch {epoch} done: train_loss={loss:.4f} {metric_name}={val:.4f}"
        if extra:
            msg += " " + extra(epoch)
        log.info(msg)
        lr *= 0.7
    return w


def torch_train(log, model, make_batch, loss_fn, steps=None, every=10, on_step=None, lr=1e-2, bar=False,
                desc="train"):
    """A real PyTorch loop over make_batch(step) -> (x, y); on_step(step, loss) may raise."""
    import torch

    steps = steps or scale(60, 240)
    every = max(1, every // VERBOSITY)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    it = range(1, steps + 1)
    if bar:
        from tqdm import tqdm
        it = tqdm(it, desc=desc, miniters=max(1, steps // 15), mininterval=0, ncols=100)
    loss = None
    for step in it:
        x, y = make_batch(step)
        out = model(x)
        loss = loss_fn(out, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if on_step is not None:
            on_step(step, loss)
        if not bar and step % every == 0:
            log.info("%s step %d/%d loss %.4f grad_norm %.3f", desc, step, steps, loss.item(),
                     float(sum(p.grad.norm() ** 2 for p in model.parameters() if p.grad is not None) ** 0.5))
    return loss


def summary(log, **metrics):
    log.info("final metrics: %s", json.dumps(metrics, sort_keys=True))


def ceil_div(a, b):
    return int(math.ceil(a / b))


# Teardown noise: what real jobs print at interpreter shutdown, after their last line of work.
# ENGINE_TEARDOWN=del|atexit|both makes a buffered event writer fail in its destructor (a closed
# handle) and/or a telemetry flush fail in an atexit hook; Python reports both as "Exception ignored".
class _EventWriter:
    def __init__(self):
        self._fh = open(os.devnull, "w")

    def close(self):
        self._fh = None

    def __del__(self):
        self._fh.flush()


def _flush_telemetry():
    raise ConnectionResetError(104, "Connection reset by peer")


_TEARDOWN = os.environ.get("ENGINE_TEARDOWN", "")
if _TEARDOWN in ("del", "both"):
    _writer = _EventWriter()
    _writer.close()
if _TEARDOWN in ("atexit", "both"):
    import atexit
    atexit.register(_flush_telemetry)
