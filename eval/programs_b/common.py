"""Shared bits of the set-b programs: a small helper module written next to every Python program."""
from programs.spec import Prog, D  # noqa: F401  (the dataclass describing a program; infrastructure only)

HELPER = D('''
    """job helper: banner, config echo and a short numpy warm-up loop with per-step logs."""
    import os, sys, time, json, math, random
    import numpy as _np

    def banner(name, **cfg):
        seed = int(os.environ.get("JOB_SEED", "0"))
        random.seed(seed); _np.random.seed(seed)
        print(f"[{time.strftime('%H:%M:%S')}] job {name} starting (pid {os.getpid()}, python {sys.version.split()[0]})", flush=True)
        print("config: " + json.dumps(cfg, sort_keys=True), flush=True)
        return seed

    def warmup(steps=None, tag="train"):
        steps = steps or int(os.environ.get("WARMUP_STEPS", "6"))
        w = _np.random.randn(8) * 0.1
        x = _np.random.randn(64, 8); y = x @ _np.arange(8) * 0.1
        for s in range(1, steps + 1):
            g = x.T @ (x @ w - y) / len(x)
            w -= 0.05 * g
            loss = float(_np.mean((x @ w - y) ** 2))
            print(f"{tag} step {s}/{steps} loss={loss:.4f} lr=0.05", flush=True)
        return loss
''')


def P(name, category, framework, code, expect=None, **kw):
    files = dict(kw.pop("files", {}))
    if files.get("jobhelper.py") is None:
        files["jobhelper.py"] = HELPER
    return Prog(name, category, framework, code, expect, files=files, **kw)
