"""Successful jobs (expected `no_failure`): they run to completion, full of benign lines that mention
errors the way real successful runs do. Each program is run several times with different seeds,
teardown noise (ENGINE_TEARDOWN) and platform wrappings."""

import textwrap

from .spec import Prog

TF_NOTICES = '''
import sys, time
# On GPU images without a visible GPU, TensorFlow's GPU build prints these two lines at import; the CPU
# build here does not, so they are written the way tensorflow/tsl/cuda/cudart_stub.cc and
# tf2tensorrt/utils/py_utils.cc word them (tensorflow/tensorflow#66750, #61468).
_t = time.strftime("%Y-%m-%d %H:%M:%S")
sys.stderr.write(f"{_t}.491725: I external/local_xla/xla/tsl/cuda/cudart_stub.cc:32] Could not find cuda drivers on your machine, GPU will not be used.\\n")
sys.stderr.write(f"{_t}.572682: W tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38] TF-TRT Warning: Could not find TensorRT\\n")
sys.stderr.flush()
'''

TORCH_MLP = """
import os, sys, json, warnings, torch, torch.nn as nn, torch.nn.functional as F, engine
log = engine.get_logger("trainer")
engine.banner(log, model="mlp_mixer_tiny", epochs=3, batch_size=128, amp=True)
torch.manual_seed(engine.SEED)
scaler = torch.cuda.amp.GradScaler()          # FutureWarning + UserWarning (no CUDA): harmless
model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
sched = torch.optim.lr_scheduler.StepLR(opt, 1)
sched.step()                                   # UserWarning: lr_scheduler.step() before optimizer.step()
batch = lambda s: (torch.randn(128, 64), torch.randint(0, 10, (128,)))
errors = 0
for epoch in range(1, 4):
    loss = engine.torch_train(log, model, batch, F.cross_entropy, steps=engine.scale(50, 150),
                              bar=engine.SEED % 2 == 0, desc=f"epoch {epoch}")
    val_err = max(0.05, 0.5 / epoch)
    log.info("epoch %d: train_loss=%.4f val_error=%.3f (errors: %d)", epoch, loss.item(), val_err, errors)
print(json.dumps({"status": "ok", "epochs": 3, "errors": 0, "failures": 0, "failed_batches": 0,
                  "val_error": round(val_err, 3)}))
log.info("Training completed successfully. Exit code 0")
"""

KERAS_FIT = TF_NOTICES + """
import os, numpy as np, engine
log = engine.get_logger("keras")
import tensorflow as tf, keras

class TTY:  # the platform attaches a pseudo-terminal, so Keras draws its carriage-return progress bars
    def __init__(self, s): self.s = s
    def isatty(self): return True
    def __getattr__(self, k): return getattr(self.s, k)
if engine.SEED % 2 == 0:
    sys.stdout = TTY(sys.stdout)

x = np.random.rand(2048, 20).astype("float32"); y = (x.sum(1) > 10).astype("int32")
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(2, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
class ErrLog(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        print(f"epoch {epoch + 1}: val_error={1 - logs['val_accuracy']:.4f} train_error={1 - logs['accuracy']:.4f}")
hist = model.fit(x, y, batch_size=64, epochs=engine.scale(3, 6), validation_split=0.2, verbose=1, callbacks=[ErrLog()])
loss, acc = model.evaluate(x[:256], y[:256], verbose=0)
print(f"Test error rate: {100 * (1 - acc):.2f}%  (0 failed batches)")
model.save("model.keras")
log.info("saved model.keras; errors=0 warnings=0")
"""

DATA_VALIDATE = """
import json, csv, random, engine
log = engine.get_logger("validate")
rnd = random.Random(engine.SEED)
rows = [[i, rnd.random(), rnd.choice(["cat", "dog", ""])] for i in range(engine.scale(3000, 9000))]
bad = 0
for i, r in enumerate(rows):
    if r[2] == "":
        bad += 1
        if bad <= 5:
            log.warning("row %d: empty label, dropping (errors: %d)", i, bad)
    if i % 200 == 0:
        log.info("validated %d rows, failed=%d", i, bad)
log.info("schema check: 0 errors, %d warnings", bad)
print(json.dumps({"rows": len(rows), "dropped": bad, "errors": 0, "failures": 0, "failed": 0,
                  "decode_errors": 0}, indent=2))
print("Validation finished: %d errors, %d warnings" % (0, min(bad, 12)))
print("failed=0 passed=%d" % (len(rows) - bad))
"""

DOWNLOAD_RETRY = """
import os, time, urllib.request, urllib.error, hashlib, engine
log = engine.get_logger("fetch")
base = os.environ["DATA_URL"]
for shard in range(engine.scale(2, 4)):
    url = f"{base}/flaky/shard-{os.getpid()}-{shard:05d}.bin"
    for attempt in range(1, 6):
        try:
            data = urllib.request.urlopen(url, timeout=10).read()
            log.info("downloaded %s (%d bytes, sha256 %s) after %d attempt(s)", url.rsplit("/", 1)[1], len(data),
                     hashlib.sha256(data).hexdigest()[:12], attempt)
            break
        except urllib.error.HTTPError as e:
            log.warning("Download failed (attempt %d/5): %s; retrying in %.1fs", attempt, e, 0.1 * attempt)
            time.sleep(0.1 * attempt)
engine.numpy_train(log, bar=engine.SEED % 3 == 0)
log.info("all shards fetched, 0 failed")
"""

CAUGHT_EXC = """
import os, io, logging, numpy as np, engine
from PIL import Image
log = engine.get_logger("dataset")
os.makedirs("imgs", exist_ok=True)
n = engine.scale(40, 120)
for i in range(n):
    if i in (7, 23):
        open(f"imgs/{i:05d}.jpg", "wb").write(b"\\x00\\x01not a jpeg")
    else:
        Image.fromarray((np.random.rand(16, 16, 3) * 255).astype("uint8")).save(f"imgs/{i:05d}.jpg")
ok = skipped = 0
for i in range(n):
    try:
        Image.open(f"imgs/{i:05d}.jpg").convert("RGB")
        ok += 1
    except Exception:
        skipped += 1
        log.exception("Failed to load sample %d, skipping", i)
log.info("loaded %d images, skipped %d corrupt", ok, skipped)
try:
    import wandb  # optional
except ImportError as e:
    log.warning("wandb not available (%s); logging to stdout only", e)
engine.numpy_train(log)
log.info("done")
"""

PIP_THEN_TRAIN = """
#!/bin/bash
set -e
echo "=== installing requirements ==="
python -m pip install --no-index numpy pandas h5py pillow 2>&1
python -m pip check 2>&1 || true
echo "=== starting training ==="
python -u train.py
echo "training finished with exit code $?"
"""

H5_CONVERT = """
import h5py, numpy as np, json, engine
log = engine.get_logger("convert")
n = engine.scale(20, 60)
with h5py.File("features.h5", "w") as f:
    for i in range(n):
        f.create_dataset(f"shard_{i:04d}", data=np.random.rand(128, 32).astype("float32"))
        if i % 5 == 0:
            log.info("converted shard %d/%d (failed=0)", i, n)
with h5py.File("features.h5", "r") as f:
    total = sum(f[k].shape[0] for k in f)
print(json.dumps({"converted": n, "rows": total, "failed": 0, "errors": []}))
"""

TF_LOOP = TF_NOTICES + """
import numpy as np, engine
log = engine.get_logger("tf_loop")
import tensorflow as tf
w = tf.Variable(tf.zeros([8, 1]))
opt = tf.keras.optimizers.SGD(0.05)
@tf.function
def step(x, y, scale):
    with tf.GradientTape() as t:
        loss = tf.reduce_mean((tf.matmul(x, w) - y) ** 2) * scale
    opt.apply_gradients([(t.gradient(loss, w), w)])
    return loss
for i in range(engine.scale(150, 400)):
    x = tf.random.normal([32, 8]); y = tf.reduce_sum(x, 1, keepdims=True)
    loss = step(x, y, float(i % 7 == 0) + 1.0 if i < 12 else 1.0)
    if i % 10 == 0:
        log.info("step %d loss %.5f mean_abs_error %.4f", i, float(loss), float(tf.reduce_mean(tf.abs(w - 1.0))))
log.info("finished: 0 errors")
"""

REPORT = """
import numpy as np, engine
log = engine.get_logger("eval")
engine.numpy_train(log, bar=True)
rng = np.random.default_rng(engine.SEED)
y = rng.integers(0, 3, 500); p = np.where(rng.random(500) < 0.9, y, (y + 1) % 3)
print("              precision    recall  f1-score   support")
for c in range(3):
    tp = ((p == c) & (y == c)).sum(); pr = tp / max(1, (p == c).sum()); rc = tp / max(1, (y == c).sum())
    print(f"{c:>12}       {pr:.2f}      {rc:.2f}      {2 * pr * rc / max(1e-9, pr + rc):.2f}       {(y == c).sum()}")
print(f"Mean squared error: {((p - y) ** 2).mean():.4f}")
print(f"error rate: {100 * (p != y).mean():.1f}%  misclassified: {(p != y).sum()}  failed: 0")
print("Evaluation complete. No errors.")
"""

DDP_OK = """
import os, torch, torch.distributed as dist, torch.nn as nn, engine
dist.init_process_group("gloo")
rank = dist.get_rank()
log = engine.get_logger(f"rank{rank}")
model = nn.parallel.DistributedDataParallel(nn.Linear(16, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
for step in range(1, engine.scale(60, 150)):
    x = torch.randn(32, 16); loss = ((model(x) - x.sum(1, keepdim=True)) ** 2).mean()
    opt.zero_grad(); loss.backward(); opt.step()
    if step % 10 == 0 and rank == 0:
        log.info("step %d loss %.4f", step, loss.item())
dist.barrier()
if rank == 0:
    log.info("training done; failures=0")
dist.destroy_process_group()
"""

SHELL_TOOLS = """
#!/bin/bash
set -e
echo "[$(date -u +%FT%TZ)] staging inputs"
mkdir -p stage out
for i in 1 2 3; do head -c 20000 /dev/urandom > stage/part$i.bin; done
tar -czvf stage.tar.gz stage
gzip -t stage.tar.gz && echo "gzip: integrity OK (0 errors)"
tar -xzf stage.tar.gz -C out
cp -v out/stage/part1.bin out/first.bin
python -u train.py
echo "[$(date -u +%FT%TZ)] job script done, exit 0"
"""

SIMPLE_TRAIN = """
import engine
log = engine.get_logger("train")
engine.numpy_train(log, bar=engine.SEED % 2 == 0, extra=lambda e: "errors=0 skipped_batches=0")
engine.summary(log, val_loss=0.0123, val_error=0.081, failed=0)
"""

SUCCESS = [
    Prog("ok-torch-mlp", "no_failure", "torch", TORCH_MLP, jobs=12),
    Prog("ok-keras-fit", "no_failure", "keras", KERAS_FIT, jobs=10),
    Prog("ok-data-validate", "no_failure", "stdlib", DATA_VALIDATE, jobs=9),
    Prog("ok-download-retry", "no_failure", "stdlib", DOWNLOAD_RETRY, jobs=9),
    Prog("ok-caught-exception", "no_failure", "pillow", CAUGHT_EXC, jobs=10),
    Prog("ok-pip-then-train", "no_failure", "shell", PIP_THEN_TRAIN, kind="shell",
         files={"train.py": SIMPLE_TRAIN}, jobs=9),
    Prog("ok-h5-convert", "no_failure", "h5py", H5_CONVERT, jobs=8),
    Prog("ok-tf-loop", "no_failure", "tensorflow", TF_LOOP, jobs=8),
    Prog("ok-eval-report", "no_failure", "numpy", REPORT, jobs=8),
    Prog("ok-torchrun-ddp", "no_failure", "torch", "#!/bin/bash\ntorchrun --nproc_per_node=2 ddp_ok.py\n", kind="shell",
         files={"ddp_ok.py": DDP_OK}, jobs=6),
    Prog("ok-shell-tools", "no_failure", "shell", SHELL_TOOLS, kind="shell", files={"train.py": SIMPLE_TRAIN}, jobs=8),
    Prog("ok-simple-train", "no_failure", "numpy", SIMPLE_TRAIN, jobs=8),
]

PROGRAMS = SUCCESS
