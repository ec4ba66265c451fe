"""Set b: deep-learning failures (GPU/CPU out of memory, framework API misuse, tensor mismatch, loss NaN)."""
from .common import P, D

EXC = r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt)(: |$)"

OOM_V2 = ("CUDA out of memory. Tried to allocate 3.38 GiB. GPU 1 has a total capacity of 39.39 GiB of which 2.91 GiB is free. "
          "Including non-PyTorch memory, this process has 36.47 GiB memory in use. Of the allocated memory 33.02 GiB is allocated by "
          "PyTorch, and 2.87 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting "
          "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  "
          "(https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)")
OOM_V1 = ("CUDA out of memory. Tried to allocate 768.00 MiB (GPU 0; 15.78 GiB total capacity; 13.94 GiB already allocated; "
          "412.19 MiB free; 14.51 GiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting "
          "max_split_size_mb to avoid fragmentation.  See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF")

PROGRAMS = [
    # ---------------------------------------------------------------- gpu_out_of_memory (hand-written CUDA text)
    P("dp-replica-oom", "gpu_out_of_memory", "torch", D(f'''
        import torch, jobhelper
        from torch._utils import ExceptionWrapper
        jobhelper.banner("dp-replica", gpus=2, batch_per_gpu=96, model="vit_l16")
        jobhelper.warmup(4)
        model = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.GELU(), torch.nn.Linear(64, 10))
        def replica_forward(device, batch):
            if device == 1:
                # the second replica gets the larger shard of the ragged last batch
                raise torch.OutOfMemoryError({OOM_V2!r})
            return model(batch)
        outs = []
        for dev in (0, 1):
            try:
                outs.append(replica_forward(dev, torch.randn(96, 32)))
            except Exception:
                outs.append(ExceptionWrapper(where=f"in replica {{dev}} on device {{dev}}"))
        for o in outs:
            if isinstance(o, ExceptionWrapper):
                o.reraise()
        '''), r"^torch\.OutOfMemoryError: CUDA out of memory", jobs=2,
      hand="torch 2.x CUDA caching allocator OOM message (c10/cuda/CUDACachingAllocator.cpp) raised in a DataParallel replica via torch's real ExceptionWrapper",
      desc="DataParallel-style replica failure re-raised by ExceptionWrapper; cause is the inner CUDA OOM"),
    P("jax-xla-oom", "gpu_out_of_memory", "stdlib", D('''
        import jobhelper, sys
        from jaxlib.xla_extension import XlaRuntimeError
        jobhelper.banner("flax-lm", batch=512, seq_len=2048, precision="bf16")
        jobhelper.warmup(3, tag="compile")
        print("2026-12-06 02:11:09.532118: W external/xla/xla/tsl/framework/bfc_allocator.cc:497] Allocator (GPU_0_bfc) ran out of memory trying to allocate 32.00GiB (rounded to 34359738368)requested by op ", file=sys.stderr, flush=True)
        def train_step(state, batch):
            raise XlaRuntimeError("RESOURCE_EXHAUSTED: Out of memory while trying to allocate 34359738368 bytes.")
        train_step(None, None)
        '''), r"^jaxlib\.xla_extension\.XlaRuntimeError: RESOURCE_EXHAUSTED",
      files={"jaxlib/__init__.py": "", "jaxlib/xla_extension.py": "class XlaRuntimeError(RuntimeError):\n    pass\n"},
      hand="JAX/XLA BFC allocator warning and XlaRuntimeError RESOURCE_EXHAUSTED wording (xla/tsl/framework/bfc_allocator.cc, jax issues); raised from a stand-in jaxlib class",
      desc="JAX train step exhausting GPU memory"),
    P("cudnn-alloc-failed", "gpu_out_of_memory", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("unet3d", patch=[192, 192, 160], batch=4, cudnn_benchmark=True)
        jobhelper.warmup(5)
        class Conv3dCudnn(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                raise RuntimeError("cuDNN error: CUDNN_STATUS_ALLOC_FAILED")
        x = torch.randn(2, 1, 8, 8, 8)
        y = Conv3dCudnn.apply(x)
        '''), r"^RuntimeError: cuDNN error: CUDNN_STATUS_ALLOC_FAILED",
      hand="cuDNN allocation failure as torch reports it (aten/src/ATen/cudnn/Exceptions.h: 'cuDNN error: ' + cudnnGetErrorString)",
      desc="3D U-Net convolution failing to allocate cuDNN workspace"),
    P("backward-oom-v1", "gpu_out_of_memory", "torch", D(f'''
        import torch, jobhelper
        jobhelper.banner("bert-large", grad_accum=8, batch=48, fp16=True)
        class Attn(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2
            @staticmethod
            def backward(ctx, g):
                raise RuntimeError({OOM_V1!r})
        w = torch.randn(16, 16, requires_grad=True)
        for step in range(1, 4):
            loss = Attn.apply(w @ w).pow(2).mean()
            print(f"step {{step}} fwd done loss={{loss.item():.4f}}", flush=True)
            if step == 3:
                loss.backward()
        '''), r"^RuntimeError: CUDA out of memory",
      hand="torch 1.x CUDA OOM wording (c10/cuda/CUDACachingAllocator.cpp, torch<=1.13) raised from a real autograd backward",
      desc="OOM in backward of a large attention block, old torch wording"),

    # ---------------------------------------------------------------- cpu_out_of_memory (real allocation failures)
    P("worker-array-memoryerror", "cpu_out_of_memory", "torch", D('''
        import resource, numpy as np, torch, jobhelper
        from torch.utils.data import Dataset, DataLoader
        jobhelper.banner("pointcloud-voxel", workers=1, voxel_grid=[16384, 1048576])
        def limit(_):
            vm = int(open("/proc/self/statm").read().split()[0]) * 4096
            resource.setrlimit(resource.RLIMIT_AS, (vm + (768 << 20), vm + (768 << 20)))
        class Voxels(Dataset):
            def __len__(self): return 8
            def __getitem__(self, i):
                grid = np.zeros((16384, 1048576), dtype=np.float32)
                return torch.from_numpy(grid[:1, :4])
        for batch in DataLoader(Voxels(), batch_size=2, num_workers=1, worker_init_fn=limit):
            print(batch.shape)
        '''), r"_ArrayMemoryError: Unable to allocate", desc="DataLoader worker allocating a dense voxel grid beyond the memory limit", jobs=2),
    P("pil-new-huge", "cpu_out_of_memory", "pillow", D('''
        import resource, jobhelper
        from PIL import Image
        jobhelper.banner("panorama-stitch", canvas=[90000, 60000])
        vm = int(open("/proc/self/statm").read().split()[0]) * 4096
        resource.setrlimit(resource.RLIMIT_AS, (vm + (512 << 20), vm + (512 << 20)))
        tiles = [Image.new("RGB", (256, 256), (i, i, i)) for i in range(4)]
        print(f"stitching {len(tiles)} tiles", flush=True)
        canvas = Image.new("RGB", (90000, 60000))
        '''), EXC, desc="Pillow canvas allocation under a memory limit"),
    P("bash-xrealloc", "cpu_out_of_memory", "shell", D('''
        #!/bin/bash
        ulimit -v 250000
        echo "loading vocabulary into memory"
        VOCAB=$(head -c 600000000 /dev/zero | tr '\\0' 'a')
        echo "vocab size ${#VOCAB}"
        '''), r"xrealloc: cannot allocate|xmalloc: cannot allocate", kind="shell",
      desc="bash reading a huge file into a variable under ulimit -v"),
    P("sort-memory-exhausted", "cpu_out_of_memory", "shell", D('''
        #!/bin/bash
        set -e
        ulimit -v 80000
        echo "dedup: sorting shard of 300MB"
        head -c 300000000 /dev/urandom | sort -S 600M -o shard.sorted
        echo "done"
        '''), r"sort: memory exhausted", kind="shell", desc="sort -S larger than the address space limit"),

    # ---------------------------------------------------------------- framework_api_misuse
    P("leaf-inplace", "framework_api_misuse", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("manual-sgd", lr=0.1)
        w = torch.randn(4, 4, requires_grad=True)
        for step in range(3):
            loss = (w ** 2).sum()
            loss.backward()
            print(f"step {step} loss={loss.item():.3f}", flush=True)
            w -= 0.1 * w.grad
        '''), EXC, desc="manual SGD update of a leaf tensor outside torch.no_grad()"),
    P("tf-tape-twice", "framework_api_misuse", "tensorflow", D('''
        import tensorflow as tf, jobhelper
        jobhelper.banner("gan-tf2", d_steps=1, g_steps=1)
        gen = tf.Variable(tf.random.normal([4, 4])); disc = tf.Variable(tf.random.normal([4, 1]))
        x = tf.random.normal([8, 4])
        with tf.GradientTape() as tape:
            fake = tf.matmul(x, gen)
            d_loss = tf.reduce_mean(tf.matmul(fake, disc))
            g_loss = -d_loss
        d_grads = tape.gradient(d_loss, [disc])
        print("discriminator updated", flush=True)
        g_grads = tape.gradient(g_loss, [gen])
        '''), EXC, desc="non-persistent GradientTape used for two gradient computations"),
    P("meta-device-forward", "framework_api_misuse", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("llm-init", init_on="meta", params="7B")
        with torch.device("meta"):
            model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 4))
        print("model built on meta device; skipped to_empty()/load_state_dict", flush=True)
        out = model(torch.randn(2, 16))
        '''), EXC, desc="forward of a model still on the meta device with a CPU input"),
    P("keras-fit-uncompiled", "framework_api_misuse", "keras", D('''
        import numpy as np, keras, jobhelper
        jobhelper.banner("keras-tabular", epochs=2)
        model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
        model.summary()
        x, y = np.random.rand(64, 10), np.random.rand(64, 1)
        model.fit(x, y, epochs=2, verbose=2)
        '''), EXC, desc="model.fit before model.compile"),
    P("autograd-unused", "framework_api_misuse", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("maml-inner", inner_steps=1)
        head = torch.nn.Linear(8, 2); aux = torch.nn.Linear(8, 2)
        x = torch.randn(4, 8)
        loss = head(x).pow(2).mean()
        params = list(head.parameters()) + list(aux.parameters())
        grads = torch.autograd.grad(loss, params, create_graph=True)
        '''), EXC, desc="torch.autograd.grad over parameters not used in the graph"),

    # ---------------------------------------------------------------- tensor_mismatch
    P("bmm-batch", "tensor_mismatch", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("cross-attn", heads=4, q_len=16, k_len=8)
        q = torch.randn(4, 16, 8); k = torch.randn(4, 16, 8)
        scores = torch.bmm(q, k)
        '''), EXC, desc="torch.bmm of queries with untransposed keys"),
    P("lstm-input-size", "tensor_mismatch", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("lstm-lm", emb=64, hidden=128)
        emb = torch.nn.Embedding(100, 64); rnn = torch.nn.LSTM(input_size=128, hidden_size=128)
        tokens = torch.randint(0, 100, (12, 3))
        out, _ = rnn(emb(tokens))
        '''), EXC, desc="LSTM built with input_size=hidden size fed 64-dim embeddings"),
    P("collate-stack-worker", "tensor_mismatch", "torch", D('''
        import torch, jobhelper
        from torch.utils.data import Dataset, DataLoader
        jobhelper.banner("det-aug", workers=2, resize=None)
        class Imgs(Dataset):
            def __len__(self): return 16
            def __getitem__(self, i):
                side = 64 if i % 5 else 48       # some images were not resized
                return torch.zeros(3, side, side)
        for n, b in enumerate(DataLoader(Imgs(), batch_size=8, num_workers=2)):
            print("batch", n, tuple(b.shape), flush=True)
        '''), r"^RuntimeError: stack expects each tensor to be equal size", desc="default_collate in a DataLoader worker stacking images of different sizes"),
    P("np-dot-align", "tensor_mismatch", "numpy", D('''
        import numpy as np, jobhelper
        jobhelper.banner("pca-project", n_components=20)
        feats = np.random.randn(32, 10)
        proj = np.random.randn(20, 5)
        print("projecting", feats.shape, "with", proj.shape, flush=True)
        z = np.dot(feats, proj)
        '''), EXC, desc="np.dot of (32,10) and (20,5)"),
    P("mha-embed-assert", "tensor_mismatch", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("seq2seq", d_model=64, enc_dim=32)
        attn = torch.nn.MultiheadAttention(embed_dim=64, num_heads=4)
        mem = torch.randn(10, 2, 32)
        out, w = attn(mem, mem, mem)
        '''), EXC, desc="MultiheadAttention embed_dim 64 given 32-dim memory (AssertionError)"),

    # ---------------------------------------------------------------- loss_nan
    P("d2-loss-infinite", "loss_nan", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("maskrcnn-r50", base_lr=0.2, warmup_iters=0)
        logits = torch.tensor([[0.0, 1.0]]); probs = torch.tensor([[0.0, 1.0]])
        for it in range(17, 21):
            loss_dict = {"loss_cls": float(-(probs * torch.log(probs)).sum()) if it == 20 else 0.7 - it * 0.01, "loss_box_reg": 0.31}
            losses = sum(loss_dict.values())
            print(f"iter: {it}  total_loss: {losses:.3f}  loss_cls: {loss_dict['loss_cls']:.3f}", flush=True)
            if not torch.isfinite(torch.tensor(losses)).all():
                raise FloatingPointError(f"Loss became infinite or NaN at iteration={it}!\\nloss_dict = {loss_dict}")
        '''), r"^FloatingPointError: Loss became infinite or NaN", desc="detectron2-style check after 0*log(0) in the classification loss"),
    P("policy-multinomial-nan", "loss_nan", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("ppo-cartpole", lr=3.0, entropy_coef=0.0)
        torch.manual_seed(0)
        policy = torch.nn.Linear(4, 2)
        with torch.no_grad():
            policy.weight.fill_(float("inf"))
        for ep in range(3):
            logits = policy(torch.randn(4) if ep < 2 else torch.tensor([1.0, -1.0, 0.5, 0.0]))
            probs = torch.softmax(logits, -1)
            print(f"episode {ep} probs={probs.tolist()}", flush=True)
            action = torch.multinomial(probs, 1)
        '''), EXC, desc="policy weights diverged to inf, softmax gives NaN probabilities, torch.multinomial rejects them"),
    P("tf-assert-all-finite", "loss_nan", "tensorflow", D('''
        import tensorflow as tf, jobhelper
        jobhelper.banner("tf-regression", lr=50.0)
        w = tf.Variable([[1.0], [2.0]])
        x = tf.constant([[1e20, 3e20]]); y = tf.constant([[1.0]])
        for step in range(3):
            with tf.GradientTape() as t:
                loss = tf.reduce_mean((tf.matmul(x, w) - y) ** 2)
            loss = tf.debugging.assert_all_finite(loss, "training loss is not finite")
            w.assign_sub(50.0 * t.gradient(loss, w))
            print("step", step, float(loss), flush=True)
        '''), r"InvalidArgumentError", desc="tf.debugging.assert_all_finite on an overflowing squared error"),
    P("assert-isfinite-bare", "loss_nan", "numpy", D('''
        import math, numpy as np, jobhelper
        jobhelper.banner("logreg-np", lr=10.0)
        x = np.random.randn(50, 3) * 40; y = (np.random.rand(50) > 0.5).astype(float)
        w = np.zeros(3)
        with np.errstate(all="ignore"):
            for ep in range(30):
                p = 1 / (1 + np.exp(-(x @ w)))
                loss = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
                print(f"epoch {ep} loss {loss:.4f}", flush=True)
                assert math.isfinite(loss)
                w -= 10.0 * x.T @ (p - y) / len(y)
        '''), r"^AssertionError", desc="bare `assert math.isfinite(loss)` after log(0) in cross-entropy"),
    P("diverged-inf", "loss_nan", "torch", D('''
        import torch, jobhelper
        jobhelper.banner("wgan", lr=5.0, clip=None)
        w = torch.tensor([3.0], requires_grad=True)
        opt = torch.optim.SGD([w], lr=5.0)
        for epoch in range(1, 20):
            loss = (w ** 4).sum()
            opt.zero_grad(); loss.backward(); opt.step()
            print(f"epoch {epoch} loss {loss.item():.4g}", flush=True)
            if torch.isinf(loss) or torch.isnan(loss):
                raise RuntimeError(f"Training diverged at epoch {epoch}: loss={loss.item()}")
        '''), r"^RuntimeError: Training diverged", desc="SGD with lr=5 on a quartic: loss overflows to inf"),
]
