"""General code failures: the ten general-code categories, from Python, frameworks and shell."""

import textwrap

from .spec import Prog

PRE = textwrap.indent("""
import os, sys, json, engine
log = engine.get_logger("train")
engine.banner(log, task="{task}", batch_size=32, lr=3e-4, seed=engine.SEED)
engine.numpy_train(log, bar=engine.SEED % 3 == 0)
""", "    ")


def pre(task="classification"):
    return PRE.replace("{task}", task)


TPRE = textwrap.indent("""
import os, sys, torch, torch.nn as nn, torch.nn.functional as F, engine
log = engine.get_logger("trainer")
engine.banner(log, task="{task}", batch_size=64, lr=0.01)
torch.manual_seed(engine.SEED)
model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10))
batch = lambda step: (torch.randn(64, 32), torch.randint(0, 10, (64,)))
engine.torch_train(log, model, batch, F.cross_entropy, steps=engine.scale(40, 160), bar=engine.SEED % 2 == 1)
""", "    ")


def tpre(task="classification"):
    return TPRE.replace("{task}", task)


ARGPARSE = textwrap.indent("""
import argparse, engine
p = argparse.ArgumentParser(prog="train.py", description="Train a text classifier")
p.add_argument("--data", required=True)
p.add_argument("--batch-size", type=int, default=32)
p.add_argument("--lr", type=float, default=1e-3)
p.add_argument("--optimizer", choices=["sgd", "adam"], default="adam")
p.add_argument("--epochs", type=int, default=10)
args = p.parse_args()
""", "    ")

ILLEGAL_ARGUMENT = [
    Prog("argparse-required", "illegal_argument", "stdlib", ARGPARSE, args=("--batch-size", "64"),
         expect=r"error: the following arguments are required: --data", jobs=2),
    Prog("argparse-choice", "illegal_argument", "stdlib", ARGPARSE,
         args=("--data", "/mnt/data/sst2", "--optimizer", "adamw"), expect=r"error: argument --optimizer: invalid choice"),
    Prog("argparse-int", "illegal_argument", "stdlib", ARGPARSE, args=("--data", "x", "--batch-size", "64,"),
         expect=r"error: argument --batch-size: invalid int value"),
    Prog("argparse-unrecognized", "illegal_argument", "shell", """
    #!/bin/bash
    LR_DECAY=${LR_DECAY:-0.1}
    python train.py --data /mnt/data/sst2 --lr_decay $LR_DECAY
    """, files={"train.py": ARGPARSE}, kind="shell", expect=r"error: unrecognized arguments: --lr_decay"),
    Prog("torch-invalid-lr", "illegal_argument", "torch", tpre() + """
    lr = float(os.environ.get("LR", "-0.1"))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    """, expect=r"^ValueError: Invalid learning rate: -0\.1"),
    Prog("dataloader-batch-zero", "illegal_argument", "torch", tpre() + """
    from torch.utils.data import DataLoader, TensorDataset
    bs = int(os.environ.get("EVAL_BATCH", "0"))
    DataLoader(TensorDataset(torch.randn(10, 2)), batch_size=bs)
    """, expect=r"^ValueError: batch_size should be a positive integer value"),
    Prog("int-literal", "illegal_argument", "stdlib", pre() + """
    warmup = int(os.environ.get("WARMUP_STEPS", "3e-4"))
    """, expect=r"^ValueError: invalid literal for int\(\) with base 10: '3e-4'"),
    Prog("numpy-choice-replace", "illegal_argument", "numpy", pre("retrieval") + """
    import numpy as np
    negatives = np.random.choice(50, size=64, replace=False)
    """, expect=r"^ValueError: Cannot take a larger sample than population when .?replace=False"),
    Prog("pandas-sample-frac", "illegal_argument", "pandas", pre("tabular") + """
    import pandas as pd
    df = pd.DataFrame({"x": range(100)})
    df.sample(frac=2.0)
    """, expect=r"^ValueError: Replace has to be set to `True` when upsampling"),
    Prog("strptime-format", "illegal_argument", "stdlib", pre("forecast") + """
    from datetime import datetime
    start = datetime.strptime("2026/11/01", "%Y-%m-%d")
    """, expect=r"^ValueError: time data '2026/11/01' does not match format '%Y-%m-%d'"),
    Prog("dropout-prob", "illegal_argument", "torch", tpre() + """
    head = nn.Dropout(p=float(os.environ.get("DROPOUT", "1.5")))
    """, expect=r"^ValueError: dropout probability has to be between 0 and 1, but got 1\.5"),
    Prog("sh-cp-bad-option", "illegal_argument", "shell", """
    #!/bin/bash
    set -e
    echo "staging data"
    cp --reflinks=auto -r data/ /tmp/stage/
    """, kind="shell", expect=r"^cp: unrecognized option '--reflinks=auto'"),
    Prog("sh-tar-bad-option", "illegal_argument", "shell", """
    #!/bin/bash
    set -e
    echo "packing outputs"
    tar --zstd-level=19 -cf outputs.tar.zst outputs/
    """, kind="shell", expect=r"^tar: unrecognized option '--zstd-level=19'"),
]

TYPE_MISMATCH = [
    Prog("posixpath-plus-str", "type_mismatch", "stdlib", pre() + """
    from pathlib import Path
    out = Path("/tmp/outputs") + "/model.bin"
    """, expect=r"^TypeError: unsupported operand type\(s\) for \+: 'PosixPath' and 'str'"),
    Prog("concat-str-int", "type_mismatch", "stdlib", pre() + """
    epoch = 3
    log.info("saving " + "checkpoint_" + epoch + ".pt")
    """, expect=r"^TypeError: can only concatenate str \(not \"int\"\) to str", jobs=2),
    Prog("torch-stack-list", "type_mismatch", "torch", tpre() + """
    feats = [[0.1, 0.2], [0.3, 0.4]]
    torch.stack(feats)
    """, expect=r"^TypeError: expected Tensor as element 0 in argument 0, but got list"),
    Prog("torch-dtype-linear", "type_mismatch", "torch", tpre() + """
    import numpy as np
    x = torch.from_numpy(np.random.rand(8, 32))
    model(x)
    """, expect=r"^RuntimeError: mat1 and mat2 must have the same dtype"),
    Prog("int-not-iterable", "type_mismatch", "stdlib", pre() + """
    num_layers = 12
    for i, layer in enumerate(num_layers):
        pass
    """, expect=r"^TypeError: 'int' object is not iterable"),
    Prog("json-float32", "type_mismatch", "numpy", pre() + """
    import numpy as np
    metrics = {"acc": np.float32(0.913), "f1": np.float32(0.88)}
    with open("metrics.json", "w") as f:
        json.dump(metrics, f)
    """, expect=r"^TypeError: Object of type float32 is not JSON serializable", jobs=2),
    Prog("compare-str-int", "type_mismatch", "stdlib", pre() + """
    best = "0.0"
    if 0.87 > best:
        pass
    """, expect=r"^TypeError: '>' not supported between instances of 'float' and 'str'"),
    Prog("numpy-zeros-str", "type_mismatch", "numpy", pre() + """
    import numpy as np
    buf = np.zeros(os.environ.get("HIDDEN", "768"))
    """, expect=r"^TypeError: 'str' object cannot be interpreted as an integer"),
    Prog("tf-add-dtype", "type_mismatch", "tensorflow", pre() + """
    import tensorflow as tf
    logits = tf.random.normal([4, 3])
    logits + tf.constant([1, 2, 3])
    """, expect=r"^tensorflow\.python\.framework\.errors_impl\.InvalidArgumentError: .*(expected to be a float tensor|cannot compute)"),
    Prog("unhashable-list", "type_mismatch", "stdlib", pre() + """
    vocab = {}
    vocab[["[CLS]", "[SEP]"]] = 0
    """, expect=r"^TypeError: unhashable type: 'list'"),
    Prog("embedding-float-idx", "type_mismatch", "torch", tpre() + """
    emb = nn.Embedding(100, 16)
    emb(torch.rand(4, 7) * 100)
    """, expect=r"^RuntimeError: Expected tensor for argument #1 'indices' to have one of the following scalar types"),
]

KEY_NOT_FOUND = [
    Prog("config-key", "key_not_found", "stdlib", pre() + """
    cfg = {"model": {"hidden": 768, "layers": 12}, "optim": {"lr": 3e-4}}
    lr = cfg["optim"]["learning_rate"]
    """, expect=r"^KeyError: 'learning_rate'", jobs=3),
    Prog("pandas-column", "key_not_found", "pandas", pre("tabular") + """
    import pandas as pd
    df = pd.DataFrame({"text": ["a", "b"], "Label": [0, 1]})
    y = df["label"]
    """, expect=r"^KeyError: 'label'", which="first", desc="pandas raises KeyError from KeyError: the cause is the first"),
    Prog("environ-local-rank", "key_not_found", "stdlib", pre() + """
    local_rank = int(os.environ["LOCAL_RANK"])
    """, expect=r"^KeyError: 'LOCAL_RANK'"),
    Prog("ckpt-optimizer-key", "key_not_found", "torch", tpre() + """
    torch.save({"model": model.state_dict(), "epoch": 3}, "last.pt")
    ckpt = torch.load("last.pt")
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    opt.load_state_dict(ckpt["optimizer"])
    """, expect=r"^KeyError: 'optimizer'"),
    Prog("h5py-missing-dataset", "key_not_found", "h5py", pre() + """
    import h5py, numpy as np
    with h5py.File("train.h5", "w") as f:
        f["images"] = np.zeros((4, 8))
    with h5py.File("train.h5", "r") as f:
        y = f["labels"][:]
    """, expect=r"^KeyError: \"Unable to synchronously open object \(object 'labels' doesn't exist\)\""),
    Prog("npz-missing-key", "key_not_found", "numpy", pre() + """
    import numpy as np
    np.savez("mnist.npz", x_train=np.zeros(3), x_test=np.zeros(2))
    d = np.load("mnist.npz")
    y = d["y_train"]
    """, expect=r"^KeyError: 'y_train is not a file in the archive'"),
    Prog("dataloader-worker-keyerror", "key_not_found", "torch", """
    import torch, engine
    from torch.utils.data import Dataset, DataLoader
    log = engine.get_logger("train")
    class Samples(Dataset):
        def __init__(self):
            self.rows = [{"image": [0.0] * 8, "label": i % 3} for i in range(1000)]
            self.rows[333 + engine.SEED] = {"image": [0.0] * 8, "lbl": 1}
        def __len__(self): return len(self.rows)
        def __getitem__(self, i):
            r = self.rows[i]
            return torch.tensor(r["image"]), r["label"]
    for step, (x, y) in enumerate(DataLoader(Samples(), batch_size=16, num_workers=2)):
        log.info("step %d loss %.3f", step, float(x.sum()))
    """, expect=r"^KeyError: 'label'"),
    Prog("vocab-lookup", "key_not_found", "stdlib", pre("nmt") + """
    vocab = {w: i for i, w in enumerate(["<pad>", "<s>", "</s>", "the", "a"])}
    ids = [vocab[w] for w in "the cat".split()]
    """, expect=r"^KeyError: 'cat'"),
    Prog("keras-history-key", "key_not_found", "keras", """
    import numpy as np, engine
    log = engine.get_logger("keras_train")
    import keras
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    m.compile("adam", "mse")
    h = m.fit(np.random.rand(64, 4), np.random.rand(64, 1), epochs=engine.scale(2, 4), verbose=2)
    log.info("best val loss %.4f", min(h.history["val_loss"]))
    """, expect=r"^KeyError: 'val_loss'"),
]

ATTRIBUTE_NOT_FOUND = [
    Prog("np-float-removed", "attribute_not_found", "numpy", pre() + """
    import numpy as np
    weights = np.ones(10, dtype=np.float)
    """, expect=r"^AttributeError: module 'numpy' has no attribute 'float'", jobs=2),
    Prog("dataparallel-attr", "attribute_not_found", "torch", tpre() + """
    model = nn.DataParallel(model)
    model.fc.reset_parameters()
    """, expect=r"^AttributeError: 'DataParallel' object has no attribute 'fc'"),
    Prog("namespace-attr", "attribute_not_found", "stdlib", pre() + """
    import argparse
    args = argparse.Namespace(lr=3e-4, epochs=10)
    steps = args.warmup_steps
    """, expect=r"^AttributeError: 'Namespace' object has no attribute 'warmup_steps'"),
    Prog("tf-placeholder", "attribute_not_found", "tensorflow", pre() + """
    import tensorflow as tf
    x = tf.placeholder(tf.float32, [None, 784])
    """, expect=r"^AttributeError: module 'tensorflow' has no attribute 'placeholder'"),
    Prog("str-decode", "attribute_not_found", "stdlib", pre() + """
    line = "label\\ttext"
    fields = line.decode("utf-8").split("\\t")
    """, expect=r"^AttributeError: 'str' object has no attribute 'decode'"),
    Prog("keras-predict-classes", "attribute_not_found", "keras", """
    import numpy as np, engine
    log = engine.get_logger("keras_train")
    import keras
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy")
    m.fit(np.random.rand(64, 4), np.random.randint(0, 3, 64), epochs=2, verbose=2)
    preds = m.predict_classes(np.random.rand(8, 4))
    """, expect=r"^AttributeError: 'Sequential' object has no attribute 'predict_classes'"),
    Prog("pandas-append", "attribute_not_found", "pandas", pre("tabular") + """
    import pandas as pd
    results = pd.DataFrame(columns=["epoch", "acc"])
    results = results.append({"epoch": 1, "acc": 0.8}, ignore_index=True)
    """, expect=r"^AttributeError: 'DataFrame' object has no attribute 'append'", jobs=2),
    Prog("pil-antialias", "attribute_not_found", "pillow", pre("vision") + """
    from PIL import Image
    img = Image.new("RGB", (64, 64))
    img = img.resize((32, 32), Image.ANTIALIAS)
    """, expect=r"^AttributeError: module 'PIL\.Image' has no attribute 'ANTIALIAS'"),
    Prog("trainer-scheduler", "attribute_not_found", "stdlib", pre() + """
    class Trainer:
        def __init__(self):
            self.optimizer = "adam"
        def step(self):
            self.scheduler.step()
    Trainer().step()
    """, expect=r"^AttributeError: 'Trainer' object has no attribute 'scheduler'"),
]

NULL_REFERENCE = [
    Prog("none-subscript", "null_reference", "stdlib", pre() + """
    def load_meta(path):
        if not os.path.exists(path):
            log.warning("meta file %s missing", path)
            return None
    meta = load_meta("meta.json")
    n = meta["num_classes"]
    """, expect=r"^TypeError: 'NoneType' object is not subscriptable", jobs=2),
    Prog("none-shape", "null_reference", "numpy", pre("vision") + """
    import numpy as np
    def imread(p):
        return None   # like cv2.imread on an unreadable file
    img = imread("frames/000123.png")
    h, w = img.shape[:2]
    """, expect=r"^AttributeError: 'NoneType' object has no attribute 'shape'", jobs=2),
    Prog("none-unpack", "null_reference", "stdlib", pre() + """
    def evaluate(epoch):
        if epoch % 2:
            return 0.81, 0.79
    acc, f1 = evaluate(2)
    """, expect=r"^TypeError: cannot unpack non-iterable NoneType object"),
    Prog("none-iterable", "null_reference", "stdlib", pre() + """
    callbacks = None
    for cb in callbacks:
        cb()
    """, expect=r"^TypeError: 'NoneType' object is not iterable"),
    Prog("worker-none-convert", "null_reference", "torch", """
    import torch, engine
    from torch.utils.data import Dataset, DataLoader
    log = engine.get_logger("train")
    class Frames(Dataset):
        def __len__(self): return 512
        class Img:
            def convert(self, mode): return torch.zeros(4)
        def load(self, i):   # returns None for an unreadable frame, like cv2.imread
            return None if i == 200 + engine.SEED else self.Img()
        def __getitem__(self, i):
            return self.load(i).convert("RGB")
    for step, x in enumerate(DataLoader(Frames(), batch_size=8, num_workers=2)):
        if step % 4 == 0:
            log.info("step %d", step)
    """, expect=r"^AttributeError: 'NoneType' object has no attribute 'convert'"),
    Prog("none-mul", "null_reference", "stdlib", pre() + """
    cfg = {"lr": None}
    lr = cfg["lr"] * 0.1
    """, expect=r"^TypeError: unsupported operand type\(s\) for \*: 'NoneType' and 'float'"),
    Prog("re-match-group", "null_reference", "stdlib", pre() + """
    import re
    ckpt = "model_final.pt"
    step = int(re.match(r"model_(\\d+)\\.pt", ckpt).group(1))
    """, expect=r"^AttributeError: 'NoneType' object has no attribute 'group'"),
    Prog("none-callable", "null_reference", "stdlib", pre() + """
    hooks = {"on_epoch_end": None}
    hooks["on_epoch_end"](3)
    """, expect=r"^TypeError: 'NoneType' object is not callable"),
    Prog("grad-none-data", "null_reference", "torch", tpre() + """
    frozen = nn.Linear(4, 4)
    for p in frozen.parameters():
        p.data.add_(p.grad.data, alpha=-0.1)
    """, expect=r"^AttributeError: 'NoneType' object has no attribute 'data'"),
    Prog("none-len", "null_reference", "stdlib", pre() + """
    val_set = None
    log.info("validation examples: %d", len(val_set))
    """, expect=r"^TypeError: object of type 'NoneType' has no len\(\)"),
]

UNDEFINED_VARIABLE = [
    Prog("name-np", "undefined_variable", "stdlib", pre() + """
    scores = np.array([0.1, 0.2])
    """, expect=r"^NameError: name 'np' is not defined", jobs=2),
    Prog("unbound-best-acc", "undefined_variable", "stdlib", pre() + """
    def maybe_save(acc):
        if acc > 0.9:
            best_acc = acc
        log.info("best so far %.3f", best_acc)
    maybe_save(0.71)
    """, expect=r"^UnboundLocalError: cannot access local variable 'best_acc'"),
    Prog("name-args-didyoumean", "undefined_variable", "stdlib", pre() + """
    def build(arg):
        return args.hidden
    build(None)
    """, expect=r"^NameError: name 'args' is not defined"),
    Prog("sh-unbound-variable", "undefined_variable", "shell", """
    #!/bin/bash
    set -euo pipefail
    echo "job starting at $(date -u +%FT%TZ)"
    OUT_DIR=$OUTPUT_ROOT/run_$RANDOM
    mkdir -p "$OUT_DIR"
    """, kind="shell", expect=r"OUTPUT_ROOT: unbound variable", jobs=2),
    Prog("name-val-loader", "undefined_variable", "torch", tpre() + """
    log.info("running validation")
    for x, y in val_loader:
        pass
    """, expect=r"^NameError: name 'val_loader' is not defined", jobs=2),
    Prog("free-variable", "undefined_variable", "stdlib", pre() + """
    def make_step():
        def step():
            return scheduler
        step()
        scheduler = 1
    make_step()
    """, expect=r"^NameError: cannot access free variable 'scheduler'"),
    Prog("worker-nameerror", "undefined_variable", "torch", """
    import torch, engine
    from torch.utils.data import Dataset, DataLoader
    log = engine.get_logger("train")
    class Clips(Dataset):
        def __len__(self): return 256
        def __getitem__(self, i):
            x = torch.zeros(3)
            if i >= 100 + engine.SEED:
                x = transform(x)
            return x
    for step, x in enumerate(DataLoader(Clips(), batch_size=8, num_workers=2)):
        log.info("step %d", step)
    """, expect=r"^NameError: name 'transform' is not defined"),
    Prog("keras-global-nameerror", "undefined_variable", "keras", """
    import numpy as np, engine
    log = engine.get_logger("keras_train")
    import keras
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    m.compile("adam", "mse")
    m.fit(np.random.rand(64, 4), np.random.rand(64, 1), epochs=engine.scale(2, 4), verbose=2)
    def lr_at(step):
        global base_lr
        return base_lr * 0.5 ** (step // 1000)
    log.info("next lr %g", lr_at(2000))
    """, expect=r"^NameError: name 'base_lr' is not defined"),
    Prog("method-nameerror", "undefined_variable", "stdlib", pre() + """
    class Evaluator:
        def run(self):
            total = 0
            for i in range(3):
                total += i
            return totl / 3
    Evaluator().run()
    """, expect=r"^NameError: name 'totl' is not defined"),
]

INDEX_OUT_OF_RANGE = [
    Prog("list-index", "index_out_of_range", "stdlib", pre() + """
    gpus = os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",")[1:]
    log.info("using device %s", gpus[0])
    """, expect=r"^IndexError: list index out of range", jobs=2),
    Prog("torch-index-dim", "index_out_of_range", "torch", tpre() + """
    logits = torch.randn(10, 5)
    logits[10]
    """, expect=r"^IndexError: index 10 is out of bounds for dimension 0 with size 10"),
    Prog("numpy-index-axis", "index_out_of_range", "numpy", pre() + """
    import numpy as np
    conf = np.zeros((5, 5))
    conf[5, 2] += 1
    """, expect=r"^IndexError: index 5 is out of bounds for axis 0 with size 5"),
    Prog("embedding-index", "index_out_of_range", "torch", tpre() + """
    emb = nn.Embedding(30522, 16)
    emb(torch.tensor([[101, 2023, 30522, 102]]))
    """, expect=r"^IndexError: index out of range in self"),
    Prog("pandas-iloc", "index_out_of_range", "pandas", pre("tabular") + """
    import pandas as pd
    df = pd.DataFrame({"a": [1, 2, 3]})
    last = df.iloc[3]
    """, expect=r"^IndexError: single positional indexer is out-of-bounds"),
    Prog("sys-argv", "index_out_of_range", "stdlib", pre() + """
    config_path = sys.argv[1]
    """, expect=r"^IndexError: list index out of range"),
    Prog("ce-target-bounds", "index_out_of_range", "torch", tpre() + """
    F.cross_entropy(torch.randn(4, 10), torch.tensor([1, 2, 10, 3]))
    """, expect=r"^IndexError: Target 10 is out of bounds"),
    Prog("tf-gather", "index_out_of_range", "tensorflow", pre() + """
    import tensorflow as tf
    table = tf.random.normal([10, 4])
    tf.gather(table, [1, 3, 12])
    """, expect=r"^tensorflow\.python\.framework\.errors_impl\.InvalidArgumentError: .*indices\[2\] = 12 is not in \[0, 10\)"),
    Prog("cuda-device-assert-index", "index_out_of_range", "torch", tpre() + """
    asserts = "".join(
        f"../aten/src/ATen/native/cuda/IndexKernel.cu:92: operator(): block: [0,0,0], thread: [{t},0,0] Assertion "
        f"`-sizes[i] <= index && index < sizes[i] && \\"index out of bounds\\"` failed.\\n" for t in range(32))
    sys.stderr.write(asserts)
    sys.stderr.flush()
    raise RuntimeError("CUDA error: device-side assert triggered\\nCUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.\\nFor debugging consider passing CUDA_LAUNCH_BLOCKING=1.\\nCompile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.\\n")
    """, expect=r"^RuntimeError: CUDA error: device-side assert triggered",
         hand="IndexKernel.cu 'index out of bounds' device assertions and 'CUDA error: device-side assert triggered' (pytorch aten/src/ATen/native/cuda/IndexKernel.cu, as in huggingface/accelerate#2539)"),
    Prog("h5py-index", "index_out_of_range", "h5py", pre() + """
    import h5py, numpy as np
    with h5py.File("shard.h5", "w") as f:
        f["x"] = np.zeros((100, 4))
    with h5py.File("shard.h5", "r") as f:
        row = f["x"][100]
    """, expect=r"^IndexError: Index \(100\) out of range"),
]

NOT_IMPLEMENTED = [
    Prog("bare-notimplemented", "not_implemented", "stdlib", pre() + """
    class BaseAugment:
        def __call__(self, x):
            raise NotImplementedError
    class Mixup(BaseAugment):
        pass
    Mixup()([1, 2])
    """, expect=r"^NotImplementedError\s*$", jobs=2),
    Prog("module-no-forward", "not_implemented", "torch", tpre() + """
    class Head(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(10, 2)
        def foward(self, x):
            return self.fc(x)
    Head()(torch.randn(2, 10))
    """, expect=r"^NotImplementedError: Module \[Head\] is missing the required \"forward\" function"),
    Prog("dataset-getitem", "not_implemented", "torch", """
    import torch, engine
    from torch.utils.data import Dataset, DataLoader
    log = engine.get_logger("train")
    engine.numpy_train(log)
    class Base(Dataset):
        def __len__(self): return 10
    for x in DataLoader(Base(), batch_size=2):
        pass
    """, expect=r"^NotImplementedError: Subclasses of Dataset should implement __getitem__"),
    Prog("unsupported-backbone", "not_implemented", "stdlib", pre("detection") + """
    def build_backbone(name):
        if name in ("resnet50", "resnet101"):
            return name
        raise NotImplementedError(f"Unsupported backbone: {name}")
    build_backbone(os.environ.get("BACKBONE", "vit_h_14"))
    """, expect=r"^NotImplementedError: Unsupported backbone: vit_h_14", jobs=2),
    Prog("keras-layer-call", "not_implemented", "keras", """
    import numpy as np, engine
    log = engine.get_logger("keras_train")
    import keras
    class Gate(keras.layers.Layer):
        pass
    class Net(keras.Model):
        def __init__(self):
            super().__init__(); self.g = Gate()
        def call(self, x):
            return self.g(x)
    Net()(np.zeros((2, 3), "float32"))
    """, expect=r"^NotImplementedError: Exception encountered when calling Gate\.call\(\)"),
    Prog("strategy-not-impl", "not_implemented", "stdlib", pre() + """
    STRATEGIES = {"ddp": object, "fsdp": object}
    def get_strategy(name):
        if name not in STRATEGIES:
            raise NotImplementedError(f"Distributed strategy '{name}' is not implemented yet")
    get_strategy("deepspeed_stage_3")
    """, expect=r"^NotImplementedError: Distributed strategy 'deepspeed_stage_3' is not implemented yet"),
    Prog("abstract-loss", "not_implemented", "torch", tpre() + """
    class Loss(nn.Module):
        def compute(self, a, b):
            raise NotImplementedError("compute() must be implemented by subclasses")
        def forward(self, a, b):
            return self.compute(a, b)
    class FocalLoss(Loss):
        pass
    FocalLoss()(torch.zeros(2), torch.zeros(2))
    """, expect=r"^NotImplementedError: compute\(\) must be implemented by subclasses"),
    Prog("export-onnx-todo", "not_implemented", "stdlib", pre() + """
    def export(fmt):
        if fmt == "torchscript":
            return "ok"
        raise NotImplementedError(f"export format {fmt!r}")
    export("onnx")
    """, expect=r"^NotImplementedError: export format 'onnx'"),
    Prog("numpy-ufunc-notimpl", "not_implemented", "numpy", pre() + """
    import numpy as np
    class Lazy(np.lib.mixins.NDArrayOperatorsMixin):
        def __array_ufunc__(self, ufunc, method, *inputs, **kw):
            return NotImplemented
    np.add(Lazy(), 1)
    log.info("unreachable")
    """, expect=r"^TypeError: operand type\(s\) all returned NotImplemented", jobs=0),
]

DIVISION_BY_ZERO = [
    Prog("mean-empty", "division_by_zero", "stdlib", pre() + """
    losses = [l for l in [] if l > 0]
    log.info("avg loss %.4f", sum(losses) / len(losses))
    """, expect=r"^ZeroDivisionError: division by zero", jobs=2),
    Prog("float-division", "division_by_zero", "stdlib", pre() + """
    correct, total = 0.0, 0.0
    acc = correct / total
    """, expect=r"^ZeroDivisionError: float division by zero"),
    Prog("int-modulo", "division_by_zero", "stdlib", pre() + """
    log_every = int(os.environ.get("LOG_EVERY", "0"))
    for step in range(10):
        if step % log_every == 0:
            pass
    """, expect=r"^ZeroDivisionError: integer (division or )?modulo by zero"),
    Prog("numpy-divide-raise", "division_by_zero", "numpy", pre() + """
    import numpy as np
    np.seterr(divide="raise")
    counts = np.array([3.0, 0.0, 5.0])
    inv = 1.0 / counts
    """, expect=r"^FloatingPointError: divide by zero encountered in divide"),
    Prog("steps-per-epoch", "division_by_zero", "stdlib", pre() + """
    n_train, batch_size = 0, 64
    steps = n_train // batch_size
    warmup_ratio = 100 / steps
    """, expect=r"^ZeroDivisionError: division by zero"),
    Prog("torch-int-div-zero", "division_by_zero", "torch", tpre() + """
    counts = torch.tensor([4, 0, 2])
    torch.tensor([8, 8, 8]) // counts
    """, expect=r"^RuntimeError: ZeroDivisionError"),
    Prog("decimal-divzero", "division_by_zero", "stdlib", pre() + """
    from decimal import Decimal
    ratio = Decimal("1.5") / Decimal("0")
    """, expect=r"^decimal\.DivisionByZero:"),
    Prog("fraction-zero", "division_by_zero", "stdlib", pre() + """
    from fractions import Fraction
    r = Fraction(3, 0)
    """, expect=r"^ZeroDivisionError: Fraction\(3, 0\)"),
    Prog("sh-arith-div0", "division_by_zero", "shell", """
    #!/bin/bash
    set -e
    TOTAL=128
    NGPU=$(ls /dev | grep -c '^nvidia[0-9]' || true)
    echo "found $NGPU GPUs"
    let "PER_GPU = TOTAL / NGPU"
    echo "per-GPU batch: $PER_GPU"
    """, kind="shell", expect=r"division by 0"),
    Prog("sh-dash-div0", "division_by_zero", "shell", """
    #!/bin/sh
    set -e
    SAMPLES=$(find . -name '*.wav' | wc -l)
    echo "found $SAMPLES audio files"
    EPOCH_STEPS=$((SAMPLES / 32))
    echo "steps per epoch: $EPOCH_STEPS"
    LOG_EVERY=$((1000 / EPOCH_STEPS))
    """, kind="shell", interp="sh", expect=r"arithmetic expression: division by zero"),
]

PROGRAMS = ILLEGAL_ARGUMENT + TYPE_MISMATCH + KEY_NOT_FOUND + ATTRIBUTE_NOT_FOUND + NULL_REFERENCE + \
    UNDEFINED_VARIABLE + INDEX_OUT_OF_RANGE + NOT_IMPLEMENTED + DIVISION_BY_ZERO
PROGRAMS = [p for p in PROGRAMS if p.jobs > 0]
