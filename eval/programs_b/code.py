"""Set b: general-code failures."""
from .common import P, D
from .dl import EXC

ARGP = D('''
    import argparse, jobhelper
    ap = argparse.ArgumentParser(prog="train.py")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--fp16", action="store_true")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--resume", metavar="CKPT")
    g.add_argument("--from-scratch", action="store_true")
    args = ap.parse_args()
    jobhelper.banner("argp", **vars(args))
''')

PROGRAMS = [
    # ---------------------------------------------------------------- illegal_argument
    P("argparse-store-true-value", "illegal_argument", "stdlib", ARGP, r"error: argument --fp16", args=("--epochs", "3", "--fp16=true"),
      desc="--fp16=true passed to a store_true flag"),
    P("argparse-mutex", "illegal_argument", "stdlib", ARGP, r"error: argument --from-scratch", args=("--resume", "ckpt/last.pt", "--from-scratch"),
      desc="launch script passes two mutually exclusive options"),
    P("np-normal-scale", "illegal_argument", "numpy", D('''
        import os, numpy as np, jobhelper
        sigma = float(os.environ.get("NOISE_STD", "-0.05"))
        jobhelper.banner("dp-noise", noise_std=sigma)
        grads = np.random.randn(10)
        noisy = grads + np.random.normal(0.0, sigma, size=grads.shape)
        '''), EXC, desc="np.random.normal with a negative scale from an env var"),
    P("float-env-arg", "illegal_argument", "stdlib", D('''
        import os, jobhelper
        raw = os.environ.get("LR", "3e-4,")
        jobhelper.banner("lr-parse", lr=raw)
        lr = float(raw)
        '''), EXC, env={"LR": "3e-4,"}, desc="float() of a learning rate with a trailing comma from the launch script"),
    P("keras-dense-units", "illegal_argument", "keras", D('''
        import os, keras, jobhelper
        hidden = int(os.environ.get("HIDDEN", "-256"))
        jobhelper.banner("keras-mlp", hidden=hidden)
        model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(hidden, activation="relu"), keras.layers.Dense(1)])
        '''), EXC, desc="keras Dense with negative units"),
    P("head-invalid-lines", "illegal_argument", "shell", D('''
        #!/bin/bash
        set -e
        N_SAMPLES=${1:-1e4}
        seq 1 50000 > all_ids.txt
        echo "subsampling $N_SAMPLES ids"
        head -n "$N_SAMPLES" all_ids.txt > subset.txt
        '''), r"^head: invalid number of lines", kind="shell", args=("1e4",), desc="head -n 1e4 (scientific notation from the launch config)"),

    # ---------------------------------------------------------------- type_mismatch
    P("range-str-epochs", "type_mismatch", "stdlib", D('''
        import os, jobhelper
        epochs = os.environ.get("EPOCHS", "12")
        jobhelper.banner("cfg-env", epochs=epochs)
        for ep in range(epochs):
            print("epoch", ep)
        '''), EXC, desc="range() of an epoch count read from os.environ as str"),
    P("slice-float-index", "type_mismatch", "stdlib", D('''
        import random, jobhelper
        jobhelper.banner("split", val_frac=0.1)
        samples = [f"img_{i:05d}.jpg" for i in range(1000)]
        random.shuffle(samples)
        cut = len(samples) * 0.9
        train, val = samples[:cut], samples[cut:]
        '''), EXC, desc="list slice with a float index"),
    P("torch-cat-ndarray", "type_mismatch", "torch", D('''
        import numpy as np, torch, jobhelper
        jobhelper.banner("feature-concat")
        img = torch.randn(4, 16)
        meta = np.random.randn(4, 3).astype(np.float32)
        fused = torch.cat((img, meta), dim=1)
        '''), EXC, desc="torch.cat of a tensor and a numpy array"),
    P("path-join-int", "type_mismatch", "stdlib", D('''
        import os, jobhelper
        jobhelper.banner("ckpt-path", run=17)
        run_id = 17
        ckpt = os.path.join("/outputs/runs", run_id, "best.pt")
        '''), EXC, desc="os.path.join with an int component"),
    P("nll-float-target", "type_mismatch", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("tabular-clf")
        logits = torch.randn(8, 4).log_softmax(-1)
        labels = torch.tensor([0, 1, 3, 2, 1, 0, 3, 2], dtype=torch.float32)   # read from a float CSV column
        loss = torch.nn.functional.nll_loss(logits, labels)
        '''), EXC, desc="nll_loss with float class targets"),

    # ---------------------------------------------------------------- key_not_found
    P("pandas-loc-date", "key_not_found", "pandas", D('''
        import pandas as pd, jobhelper
        jobhelper.banner("ts-forecast", split_date="2024-02-30")
        idx = pd.date_range("2024-01-01", periods=60, freq="D").strftime("%Y-%m-%d")
        df = pd.DataFrame({"load": range(60)}, index=idx)
        print(df.tail(3), flush=True)
        cutoff = df.loc["2024-02-30"]
        '''), r"^KeyError: ", which="first", desc="DataFrame.loc with a date label not in the index (chained pandas KeyError; the underlying one counts)"),
    P("template-substitute", "key_not_found", "stdlib", D('''
        import string, jobhelper
        jobhelper.banner("paths", template="$data_root/$split/shard-$shard.tar")
        tmpl = string.Template("$data_root/$split/shard-$shard.tar")
        urls = [tmpl.substitute(split="train", shard=f"{i:04d}") for i in range(4)]
        '''), EXC, desc="string.Template.substitute missing a placeholder value"),
    P("format-kwargs", "key_not_found", "stdlib", D('''
        import jobhelper
        cfg = {"run_dir": "/outputs/run7", "metric": "bleu"}
        jobhelper.banner("save", **cfg)
        jobhelper.warmup(3)
        path = "{run_dir}/ckpt_ep{epoch:03d}_{metric}.pt".format(**cfg)
        '''), EXC, desc="str.format(**cfg) with a placeholder not in cfg"),
    P("adam-momentum-key", "key_not_found", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("lr-logger", optimizer="adam")
        model = torch.nn.Linear(4, 2)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        for step in range(2):
            opt.zero_grad(); model(torch.randn(3, 4)).sum().backward(); opt.step()
            group = opt.state_dict()["param_groups"][0]
            print(f"step {step} lr={group['lr']} momentum={group['momentum']}")
        '''), EXC, desc="logging 'momentum' from an Adam param group"),
    P("configparser-section", "key_not_found", "stdlib", D('''
        import configparser, jobhelper
        jobhelper.banner("ini-config", file="train.ini")
        cp = configparser.ConfigParser(); cp.read("train.ini")
        print("sections:", cp.sections(), flush=True)
        bs = cp["training"].getint("batch_size")
        '''), EXC, files={"train.ini": "[data]\nroot = /data\n\n[train]\nbatch_size = 32\n"}, desc="ConfigParser section name differs from the ini file"),

    # ---------------------------------------------------------------- attribute_not_found
    P("tensor-ndims", "attribute_not_found", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("port-from-tf")
        x = torch.randn(2, 3, 4)
        if x.ndims == 3:
            x = x.unsqueeze(1)
        '''), EXC, desc="TensorFlow-style .ndims on a torch tensor"),
    P("df-iteritems", "attribute_not_found", "pandas", D('''
        import pandas as pd, jobhelper
        jobhelper.banner("col-stats")
        df = pd.DataFrame({"a": [1, 2], "b": [3.0, 4.0]})
        for name, col in df.iteritems():
            print(name, col.mean())
        '''), EXC, desc="DataFrame.iteritems removed in pandas 2"),
    P("np-NaN-removed", "attribute_not_found", "numpy", D('''
        import numpy as np, jobhelper
        jobhelper.banner("fill-missing")
        arr = np.array([1.0, 2.0, 3.0])
        arr[1] = np.NaN
        '''), EXC, desc="np.NaN removed in NumPy 2"),
    P("keras-fit-generator", "attribute_not_found", "keras", D('''
        import numpy as np, keras, jobhelper
        jobhelper.banner("keras-gen", epochs=1)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile("sgd", "mse")
        def gen():
            while True:
                yield np.random.rand(8, 4), np.random.rand(8, 1)
        model.fit_generator(gen(), steps_per_epoch=4, epochs=1)
        '''), EXC, desc="Keras 3 model has no fit_generator"),
    P("collections-mapping", "attribute_not_found", "stdlib", D('''
        import collections, jobhelper
        jobhelper.banner("merge-cfg")
        def merge(a, b):
            for k, v in b.items():
                if isinstance(v, collections.Mapping):
                    a[k] = merge(a.get(k, {}), v)
                else:
                    a[k] = v
            return a
        print(merge({"opt": {"lr": 1}}, {"opt": {"lr": 2}}))
        '''), EXC, desc="collections.Mapping removed in Python 3.10"),
    P("time-clock", "attribute_not_found", "stdlib", D('''
        import time, jobhelper
        jobhelper.banner("bench")
        t0 = time.clock()
        jobhelper.warmup(3)
        '''), EXC, desc="time.clock removed in Python 3.8"),

    # ---------------------------------------------------------------- null_reference
    P("environ-get-split", "null_reference", "stdlib", D('''
        import os, jobhelper
        jobhelper.banner("multi-node")
        hosts = os.environ.get("WORKER_HOSTS").split(",")
        '''), EXC, desc="os.environ.get(...) returned None, then .split"),
    P("in-none", "null_reference", "stdlib", D('''
        import json, jobhelper
        jobhelper.banner("label-filter")
        meta = json.loads('{"name": "sst2", "ignore_labels": null}')
        for lab in ["pos", "neg"]:
            if lab in meta["ignore_labels"]:
                continue
        '''), EXC, desc="`in` test against a null JSON field"),
    P("float-none", "null_reference", "stdlib", D('''
        import re, jobhelper
        jobhelper.banner("parse-lr-log")
        def last_lr(line):
            m = re.search(r"lr=([0-9.e-]+)", line)
            return m.group(1) if m else None
        lines = ["step 1 lr=0.1", "step 2 lr=0.05", "step 3 warmup done"]
        lrs = [float(last_lr(l)) for l in lines]
        '''), EXC, desc="float() of a helper that returned None"),
    P("xml-find-text", "null_reference", "stdlib", D('''
        import xml.etree.ElementTree as ET, jobhelper
        jobhelper.banner("voc-parse", split="trainval")
        xml = "<annotation><object><name>dog</name><bndbox><xmin>1</xmin></bndbox></object><object><bndbox/></object></annotation>"
        for obj in ET.fromstring(xml).iter("object"):
            print(obj.find("name").text, obj.find("bndbox/xmin").text)
        '''), EXC, desc="VOC annotation without a <name>: find() returns None"),
    P("none-item-assign", "null_reference", "stdlib", D('''
        import jobhelper
        jobhelper.banner("metrics")
        def init_metrics(cfg):
            if cfg.get("track"):
                return {}
        metrics = init_metrics({"track": False})
        metrics["loss"] = 0.5
        '''), EXC, desc="item assignment on None returned by an init function"),
    P("iadd-none", "null_reference", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("eval-loop")
        def evaluate(batch):
            acc = (batch.argmax(-1) == 0).float().mean().item()
            if acc > 0.99:
                return acc
        total = 0.0
        for i in range(5):
            total += evaluate(torch.randn(16, 4))
        '''), EXC, desc="accumulating a function result that is None on most paths"),

    # ---------------------------------------------------------------- undefined_variable
    P("class-comprehension", "undefined_variable", "stdlib", D('''
        import jobhelper
        jobhelper.banner("registry")
        class Cfg:
            BASE = 64
            widths = [BASE * m for m in (1, 2, 4)]
        '''), EXC, desc="class attribute referenced inside a comprehension in the class body"),
    P("except-var-cleared", "undefined_variable", "stdlib", D('''
        import jobhelper
        jobhelper.banner("retry")
        for attempt in range(2):
            try:
                int("x")
            except ValueError as err:
                print("attempt", attempt, "failed; retrying", flush=True)
        print("last error was:", err)
        '''), EXC, desc="using an except-clause name after the handler (Python deletes it)"),
    P("sh-positional-unbound", "undefined_variable", "shell", D('''
        #!/bin/bash
        set -euo pipefail
        echo "launching on nodes"
        NNODES=$1
        echo "nnodes=$NNODES"
        '''), r"unbound variable", kind="shell", desc="set -u and $1 not given by the launcher"),
    P("eval-expr", "undefined_variable", "stdlib", D('''
        import jobhelper
        jobhelper.banner("sched", lr_expr="base_lr * warmup_factor")
        base_lr = 0.1
        lr = eval("base_lr * warmup_factor")
        '''), EXC, desc="eval of a config expression naming an undefined variable"),
    P("rank0-writer", "undefined_variable", "stdlib", D('''
        import os, jobhelper
        jobhelper.banner("ddp-log", rank=os.environ.get("RANK", "1"))
        def train(rank):
            if rank == 0:
                writer = open("events.log", "w")
            for step in range(3):
                print(f"rank {rank} step {step}", flush=True)
                writer.write(f"{step}\\n")
        train(int(os.environ.get("RANK", "1")))
        '''), EXC, desc="writer created only on rank 0 (UnboundLocalError on other ranks)"),

    # ---------------------------------------------------------------- index_out_of_range
    P("str-index", "index_out_of_range", "stdlib", D('''
        import jobhelper
        jobhelper.banner("charcnn")
        words = ["the", "cat", "", "sat"]
        firsts = [w[0] for w in words]
        '''), EXC, desc="first character of an empty token"),
    P("shape-tuple-index", "index_out_of_range", "numpy", D('''
        import numpy as np, jobhelper
        jobhelper.banner("video-clf")
        clip = np.zeros((16, 112, 112))   # grayscale: no channel axis
        c = clip.shape[3]
        '''), EXC, desc="shape[3] of a 3-D array"),
    P("torch-gather-bounds", "index_out_of_range", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("topk-gather", classes=10)
        scores = torch.randn(3, 10)
        idx = torch.tensor([[2], [7], [12]])
        picked = torch.gather(scores, 1, idx)
        '''), EXC, desc="torch.gather with an index beyond the class dimension"),
    P("tf-strided-slice", "index_out_of_range", "tensorflow", D('''
        import tensorflow as tf, jobhelper
        jobhelper.banner("tf-feat", feat_dim=16)
        x = tf.random.normal([4, 16])
        last = x[:, 20]
        '''), EXC, desc="TF slice index beyond the dimension"),
    P("list-assign-index", "index_out_of_range", "stdlib", D('''
        import jobhelper
        jobhelper.banner("per-class-acc", classes=5)
        acc = [0.0] * 5
        for c, v in [(0, .9), (3, .8), (5, .7)]:
            acc[c] = v
        '''), EXC, desc="list assignment at class id 5 of 5"),

    # ---------------------------------------------------------------- not_implemented
    P("sparse-backend", "not_implemented", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("gnn-adj", sparse=True)
        idx = torch.tensor([[0, 1, 2], [1, 2, 0]])
        adj = torch.sparse_coo_tensor(idx, torch.ones(3), (3, 3))
        rev = adj.flip(0)
        '''), r"^NotImplementedError: Could not run", desc="torch op without a SparseCPU kernel"),
    P("autograd-no-backward", "not_implemented", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("custom-op")
        class Swish(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * torch.sigmoid(x)
        x = torch.randn(5, requires_grad=True)
        Swish.apply(x).sum().backward()
        '''), EXC, desc="custom autograd.Function without backward"),
    P("abc-abstract", "not_implemented", "stdlib", D('''
        import abc, jobhelper
        jobhelper.banner("trainer-api")
        class BaseTrainer(abc.ABC):
            @abc.abstractmethod
            def training_step(self, batch): ...
            @abc.abstractmethod
            def configure_optimizers(self): ...
        class MyTrainer(BaseTrainer):
            def training_step(self, batch):
                return 0.0
        t = MyTrainer()
        '''), EXC, desc="instantiating a subclass that did not implement an abstract method"),
    P("precision-mode", "not_implemented", "stdlib", D('''
        import os, jobhelper
        mode = os.environ.get("PRECISION", "fp8")
        jobhelper.banner("mixed-prec", precision=mode)
        def autocast_ctx(mode):
            if mode in ("fp32", "bf16"):
                return None
            raise NotImplementedError(f"precision mode '{mode}' is not supported yet")
        autocast_ctx(mode)
        '''), EXC, desc="explicitly unimplemented precision mode"),
    P("executor-base-submit", "not_implemented", "stdlib", D('''
        import concurrent.futures as cf, jobhelper
        jobhelper.banner("prefetch")
        class Prefetcher(cf.Executor):
            pass
        ex = Prefetcher()
        fut = ex.submit(print, "shard-0")
        '''), EXC, desc="concurrent.futures.Executor subclass without submit"),

    # ---------------------------------------------------------------- division_by_zero
    P("floordiv-zero", "division_by_zero", "stdlib", D('''
        import jobhelper
        jobhelper.banner("log-interval", batch=512)
        n_samples, batch = 300, 512
        steps = n_samples // batch
        log_every = 100 // steps
        '''), EXC, desc="integer // by zero steps per epoch"),
    P("zero-neg-power", "division_by_zero", "stdlib", D('''
        import jobhelper
        jobhelper.banner("inv-freq")
        counts = {"a": 10, "b": 0}
        weights = {k: float(v) ** -0.5 for k, v in counts.items()}
        '''), EXC, desc="0.0 ** -0.5 for a class with zero count"),
    P("expr-div-zero", "division_by_zero", "shell", D('''
        #!/bin/bash
        set -e
        TOTAL=$(ls -1 2>/dev/null | grep -c '\\.tfrecord$' || true)
        echo "shards: $TOTAL"
        PER_WORKER=$(expr 1024 / $TOTAL)
        echo "per worker $PER_WORKER"
        '''), r"^expr: division by zero", kind="shell", desc="expr division by a shard count of 0"),
    P("bc-div-zero", "division_by_zero", "shell", D('''
        #!/bin/bash
        set -e
        CORRECT=0; TOTAL=0
        echo "computing accuracy"
        ACC=$(echo "scale=4; $CORRECT / $TOTAL" | bc)
        [ -n "$ACC" ] || { echo "accuracy computation failed" >&2; exit 1; }
        echo "acc=$ACC"
        '''), r"Divide by zero", kind="shell", desc="bc division by zero on an empty eval set"),
    P("precision-int-div", "division_by_zero", "stdlib", D('''
        import jobhelper
        jobhelper.banner("det-eval", iou=0.5)
        tp, fp = 0, 0
        print(f"matched {tp} detections, {fp} false positives", flush=True)
        precision = tp / (tp + fp)
        '''), EXC, desc="precision with no detections"),
]
