"""Deep-learning failures: GPU/CPU out of memory, framework API misuse, tensor mismatch, loss NaN."""

import textwrap

from .spec import Prog

# A real PyTorch training prelude: a small MLP on random data, logged through engine.py.
TORCH_PRE = """
import sys, torch, torch.nn as nn, torch.nn.functional as F
import engine
log = engine.get_logger("trainer")
engine.banner(log, model="{model}", batch_size={bs}, lr=0.01, epochs=90, amp=True, data="/mnt/data/{data}")
torch.manual_seed(engine.SEED)
model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
def batch(step):
    return torch.randn({bs}, 64), torch.randint(0, 10, ({bs},))
"""


def tpre(model="resnet50", bs=32, data="imagenet"):
    return textwrap.indent(TORCH_PRE.format(model=model, bs=bs, data=data), "    ")


# Keras/TensorFlow prelude: a real model.fit on random data.
KERAS_PRE = """
import os, sys, numpy as np
import engine
log = engine.get_logger("keras_train")
import tensorflow as tf
import keras
engine.banner(log, model="{model}", batch_size={bs}, epochs=3, optimizer="adam")
x = np.random.rand(512, 20).astype("float32"); y = (x.sum(1) > 10).astype("int32")
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(2, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, batch_size={bs}, epochs=engine.scale(2, 4), verbose=2)
"""


def kpre(model="mobilenet_v2", bs=32):
    return textwrap.indent(KERAS_PRE.format(model=model, bs=bs), "    ")


CUDA_ALLOC = "wording of c10/cuda/CUDACachingAllocator.cpp (pytorch/pytorch), as quoted in user reports"

GPU_OOM = [
    Prog("torch-oom-v2", "gpu_out_of_memory", "torch", tpre("vit_l16", 256) + """
    oom_step = engine.scale(40, 150)
    def step_hook(step, loss):
        if step == oom_step:
            raise torch.OutOfMemoryError(
                "CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which "
                "1.06 GiB is free. Including non-PyTorch memory, this process has 78.08 GiB memory in use. Of the "
                "allocated memory 75.31 GiB is allocated by PyTorch, and 1.21 GiB is reserved by PyTorch but "
                "unallocated. If reserved but unallocated memory is large try setting "
                "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for "
                "Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)")
    engine.torch_train(log, model, batch, F.cross_entropy, steps=400, on_step=step_hook)
    """, expect=r"^torch\.OutOfMemoryError: CUDA out of memory", jobs=3,
         hand="the CUDA OOM message (raised as torch.OutOfMemoryError from a real training step): " + CUDA_ALLOC),
    Prog("torch-oom-v1-runtimeerror", "gpu_out_of_memory", "torch", tpre("deeplabv3", 16, "cityscapes") + """
    oom_step = engine.scale(30, 120)
    def step_hook(step, loss):
        if step == oom_step:
            raise RuntimeError("CUDA out of memory. Tried to allocate 1.53 GiB (GPU 0; 15.78 GiB total capacity; "
                               "12.90 GiB already allocated; 1.01 GiB free; 13.70 GiB reserved in total by PyTorch) "
                               "If reserved memory is >> allocated memory try setting max_split_size_mb to avoid "
                               "fragmentation.  See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF")
    engine.torch_train(log, model, batch, F.cross_entropy, steps=300, on_step=step_hook, bar=engine.SEED % 2 == 0)
    """, expect=r"^RuntimeError: CUDA out of memory", jobs=2,
         hand="the PyTorch 1.x CUDA OOM message: " + CUDA_ALLOC),
    Prog("torch04-cuda-runtime-error", "gpu_out_of_memory", "torch", tpre("seq2seq_attn", 128, "wmt16") + """
    oom_step = engine.scale(20, 90)
    def step_hook(step, loss):
        if step == oom_step:
            raise RuntimeError("cuda runtime error (2) : out of memory at /pytorch/aten/src/THC/generic/THCStorage.cu:58")
    engine.torch_train(log, model, batch, F.cross_entropy, steps=200, on_step=step_hook)
    """, expect=r"^RuntimeError: cuda runtime error \(2\) : out of memory", jobs=2,
         hand="PyTorch 0.4 THC wording 'cuda runtime error (2) : out of memory at .../THCStorage.cu:58' (the study's own example)"),
    Prog("torch-cuda-error-oom-eval", "gpu_out_of_memory", "torch", tpre("bert_large", 64, "squad") + """
    engine.torch_train(log, model, batch, F.cross_entropy, steps=engine.scale(60, 150))
    log.info("Running evaluation on dev set (10570 examples)")
    with torch.no_grad():
        for i in range(engine.scale(20, 60)):
            logits = model(torch.randn(64, 64))
            if i % 5 == 0:
                log.info("eval batch %d", i)
    sys.stderr.write("CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.\\n")
    raise RuntimeError("CUDA error: out of memory\\nCUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.\\nFor debugging consider passing CUDA_LAUNCH_BLOCKING=1.\\nCompile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.\\n")
    """, expect=r"^RuntimeError: CUDA error: out of memory",
         hand="c10 CUDA error text 'CUDA error: out of memory' + CUDA_LAUNCH_BLOCKING hint (c10/cuda/CUDAException.cpp)"),
    Prog("torch-cublas-alloc", "gpu_out_of_memory", "torch", tpre("gpt2_medium", 8, "openwebtext") + """
    bad = 1 + engine.scale(0, 3)
    def step_hook(step, loss):
        if step == bad:
            raise RuntimeError("CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`")
    engine.torch_train(log, model, batch, F.cross_entropy, steps=50, every=1, on_step=step_hook)
    """, expect=r"^RuntimeError: CUDA error: CUBLAS_STATUS_ALLOC_FAILED",
         hand="'CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`' (aten/src/ATen/cuda/CublasHandlePool.cpp, as in pytorch user reports)"),
    Prog("nccl-unhandled-cuda-oom", "gpu_out_of_memory", "torch", tpre("llama_7b_lora", 4, "alpaca") + """
    import torch.distributed as dist
    log.info("Initializing process group: backend=nccl world_size=8 rank=0")
    engine.torch_train(log, model, batch, F.cross_entropy, steps=engine.scale(10, 40))
    log.info("all_reduce of gradient bucket 0 (25.0 MiB)")
    raise dist.DistBackendError("NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1970, unhandled cuda error (run with NCCL_DEBUG=INFO for details), NCCL version 2.20.5\\nncclUnhandledCudaError: Call to CUDA function failed.\\nLast error:\\nCuda failure 2 'out of memory'")
    """, expect=r"^torch\.distributed\.DistBackendError: NCCL error in:",
         hand="NCCL 'unhandled cuda error ... Cuda failure 2 'out of memory'' in torch's DistBackendError wording (NVIDIA/nccl#1410, pytorch c10d)"),
    Prog("tf-resource-exhausted-gpu", "gpu_out_of_memory", "tensorflow", kpre("resnet50", 256) + """
    import time
    for i, (shape, size) in enumerate([("3.06GiB", 3288334336), ("1.53GiB", 1644167168)]):
        t = time.strftime("%Y-%m-%d %H:%M:%S")
        sys.stderr.write(f"{t}.{123456+i}: W tensorflow/core/common_runtime/bfc_allocator.cc:290] Allocator (GPU_0_bfc) ran out of memory trying to allocate {shape} with freed_by_count=0. The caller indicates that this is not a failure, but this may mean that there could be performance gains if more memory were available.\\n")
    sys.stderr.write(time.strftime("%Y-%m-%d %H:%M:%S") + ".200000: W tensorflow/core/framework/op_kernel.cc:1828] OP_REQUIRES failed at conv_ops_impl.h:1204 : RESOURCE_EXHAUSTED: OOM when allocating tensor with shape[256,64,112,112] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc\\n")
    sys.stderr.flush()
    raise tf.errors.ResourceExhaustedError(None, None, "{{function_node __wrapped__Conv2D_device_/job:localhost/replica:0/task:0/device:GPU:0}} OOM when allocating tensor with shape[256,64,112,112] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc [Op:Conv2D] name: ")
    """, expect=r"^tensorflow\.python\.framework\.errors_impl\.ResourceExhaustedError:", jobs=2,
         hand="TF BFC allocator W lines and 'OOM when allocating tensor ... by allocator GPU_0_bfc' (tensorflow bfc_allocator.cc/op_kernel.cc, as in tensorflow/tensorflow#19879, #47820); raised as the real tf.errors.ResourceExhaustedError"),
    Prog("keras-graph-exec-oom", "gpu_out_of_memory", "keras", kpre("efficientnet_b7", 128) + """
    raise tf.errors.ResourceExhaustedError(None, None, "Graph execution error:\\n\\nDetected at node sequential_1/conv2d_3/Relu defined at (most recent call last):\\n  File \\"train.py\\", line 12, in <module>\\n\\nOOM when allocating tensor with shape[128,160,150,150] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc\\n\\t [[{{node sequential_1/conv2d_3/Relu}}]]\\nHint: If you want to see a list of allocated tensors when OOM happens, add report_tensor_allocations_upon_oom to RunOptions for current allocation info. This isn't available when running in Eager mode.\\n [Op:__inference_one_step_on_iterator_2841]")
    """, expect=r"^tensorflow\.python\.framework\.errors_impl\.ResourceExhaustedError: Graph execution error",
         hand="TF graph-execution OOM text with the report_tensor_allocations_upon_oom hint (tensorflow issues, e.g. #19879, Azure/MachineLearningNotebooks#880)"),
]

# Host memory really exhausted (or the process really SIGKILLed the way the OOM killer does).
CPU_OOM = [
    Prog("numpy-array-memory-error", "cpu_out_of_memory", "numpy", """
    import numpy as np, engine
    log = engine.get_logger("features")
    engine.numpy_train(log)
    log.info("building co-occurrence matrix for vocab of 1,400,000 tokens")
    cooc = np.zeros((1_400_000, 1_400_000), dtype=np.float64)
    """, expect=r"^numpy\._core\._exceptions\._ArrayMemoryError: Unable to allocate", jobs=2),
    Prog("python-memoryerror-bytearray", "cpu_out_of_memory", "stdlib", """
    import engine
    log = engine.get_logger("loader")
    engine.numpy_train(log, epochs=2)
    log.info("reading shard index into memory")
    buf = bytearray(40 * 1024 ** 4)
    """, expect=r"^MemoryError"),
    Prog("torch-cpu-alloc", "cpu_out_of_memory", "torch", tpre("embedding_bag", 4096, "criteo") + """
    engine.torch_train(log, model, batch, F.cross_entropy, steps=engine.scale(40, 120))
    log.info("allocating embedding table: 2500000000 rows x 16")
    table = torch.empty(2_500_000_000, 4096)
    """, expect=r"^RuntimeError: \[enforce fail at alloc_cpu\.cpp", jobs=2),
    Prog("tf-cpu-oom", "cpu_out_of_memory", "tensorflow", kpre("wide_deep", 512) + """
    big = tf.zeros([200000, 200000, 8])
    """, expect=r"^tensorflow\.python\.framework\.errors_impl\.ResourceExhaustedError:"),
    Prog("ulimit-memoryerror-list", "cpu_out_of_memory", "shell", """
    #!/bin/bash
    set -e
    echo "[launch] limiting address space to 3 GB as the container's memory limit"
    ulimit -v 3000000
    python -u preprocess.py
    """, files={"preprocess.py": """
    import engine, numpy as np
    log = engine.get_logger("preprocess")
    engine.numpy_train(log, epochs=2)
    log.info("loading all 12M captions into memory")
    shards = []
    for i in range(10000):
        shards.append(np.ones(25_000_000, dtype=np.float32))
        if i % 2 == 0:
            log.info("loaded shard %d (%d MB so far)", i, 100 * (i + 1))
    """}, kind="shell", expect=r"MemoryError", jobs=2),
    Prog("oom-killer-sigkill", "cpu_out_of_memory", "shell", """
    #!/bin/bash
    echo "starting data preparation"
    python -u prep.py --workers 16
    status=$?
    echo "prep.py exited with status $status"
    exit $status
    """, files={"prep.py": """
    import os, signal, engine, numpy as np
    log = engine.get_logger("prep")
    engine.numpy_train(log, epochs=2)
    held = []
    for i in range(engine.scale(6, 14)):
        held.append(np.ones(16_000_000))
        log.info("materialised feature block %d, rss ~%d MB", i, 128 * (i + 1))
    # the kernel's OOM killer sends SIGKILL when the cgroup limit is hit; here the process receives it for real
    os.kill(os.getpid(), signal.SIGKILL)
    """}, kind="shell", expect=r"Killed\s+python", jobs=3,
         desc="process really SIGKILLed (as by the OOM killer); bash prints its real 'Killed' line"),
    Prog("dataloader-worker-killed", "cpu_out_of_memory", "torch", """
    import os, signal, torch, engine
    from torch.utils.data import Dataset, DataLoader
    log = engine.get_logger("train")
    class Images(Dataset):
        def __len__(self): return 4096
        def __getitem__(self, i):
            if i == 700 + engine.SEED:
                os.kill(os.getpid(), signal.SIGKILL)   # what the OOM killer does to a worker
            return torch.randn(3, 32, 32), i % 10
    loader = DataLoader(Images(), batch_size=64, num_workers=2)
    for step, (x, y) in enumerate(loader):
        if step % 2 == 0:
            log.info("step %d batch %s", step, tuple(x.shape))
    """, expect=(r"^RuntimeError: DataLoader worker \(pid \d+\) is killed by signal: Killed",
                 r"^RuntimeError: DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"), jobs=2,
         desc="the worker's SIGKILL is the cause; torch's 'exited unexpectedly' is raised from it"),
    Prog("cpp-bad-alloc", "cpu_out_of_memory", "shell", """
    #!/bin/bash
    g++ -O1 -o build_index build_index.cc 2>/dev/null
    echo "building ANN index over 50M vectors"
    ./build_index
    """, files={"build_index.cc": """
    #include <cstdio>
    #include <vector>
    int main() {
      std::vector<std::vector<float>> shards;
      for (int i = 0; i < 4; ++i) { shards.emplace_back(1000000, 0.f); std::printf("shard %d loaded\\n", i); std::fflush(stdout); }
      std::vector<float> all(1ULL << 60);  // throws std::bad_alloc
      return 0;
    }
    """}, kind="shell", expect=r"what\(\):\s+std::bad_alloc"),
]

API_MISUSE = [
    Prog("backward-twice", "framework_api_misuse", "torch", tpre("gan", 64, "celeba") + """
    engine.torch_train(log, model, batch, F.cross_entropy, steps=engine.scale(40, 120))
    x, y = batch(0)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    log.info("generator step")
    loss.backward()
    """, expect=r"^RuntimeError: Trying to backward through the graph a second time"),
    Prog("no-grad-fn", "framework_api_misuse", "torch", tpre("lstm_lm", 32, "ptb") + """
    engine.torch_train(log, model, batch, F.cross_entropy, steps=engine.scale(30, 100))
    with torch.no_grad():
        x, y = batch(1)
        loss = F.cross_entropy(model(x), y)
    loss.backward()
    """, expect=r"^RuntimeError: element 0 of tensors does not require grad"),
    Prog("inplace-modified", "framework_api_misuse", "torch", tpre("unet", 8, "kitti") + """
    engine.torch_train(log, model, batch, F.cross_entropy, steps=engine.scale(30, 100))
    x = torch.randn(8, 64, requires_grad=True)
    h = torch.sigmoid(x)
    h.mul_(2)
    h.sum().backward()
    """, expect=r"^RuntimeError: one of the variables needed for gradient computation has been modified by an inplace operation"),
    Prog("numpy-requires-grad", "framework_api_misuse", "torch", tpre("mlp", 64, "higgs") + """
    import numpy as np
    def step_hook(step, loss):
        if step == 50:
            np.save("preds.npy", model(torch.randn(4, 64)).numpy())
    engine.torch_train(log, model, batch, F.cross_entropy, steps=100, on_step=step_hook)
    """, expect=r"^RuntimeError: Can't call numpy\(\) on Tensor that requires grad"),
    Prog("grad-nonscalar", "framework_api_misuse", "torch", tpre("regressor", 32, "housing") + """
    engine.torch_train(log, model, batch, F.cross_entropy, steps=engine.scale(30, 80))
    out = model(torch.randn(32, 64))
    out.backward()
    """, expect=r"^RuntimeError: grad can be implicitly created only for scalar outputs"),
    Prog("keras-legacy-lr", "framework_api_misuse", "keras", """
    import numpy as np, engine
    log = engine.get_logger("keras_train")
    import keras
    engine.banner(log, model="textcnn", lr=1e-3, decay=1e-6)
    log.info("building model")
    opt = keras.optimizers.Adam(lr=1e-3, decay=1e-6)
    """, expect=r"^ValueError: Argument\(s\) not recognized", jobs=2),
    Prog("tf1-variable-exists", "framework_api_misuse", "tensorflow", """
    import engine
    log = engine.get_logger("tf1")
    import tensorflow as tf
    tf.compat.v1.disable_eager_execution()
    engine.numpy_train(log, epochs=2)
    def tower(x):
        with tf.compat.v1.variable_scope("tower"):
            w = tf.compat.v1.get_variable("w", [10, 10])
            return tf.matmul(x, w)
    x = tf.compat.v1.placeholder(tf.float32, [None, 10])
    log.info("building tower for gpu:0")
    a = tower(x)
    log.info("building tower for gpu:1")
    b = tower(x)
    """, expect=r"^ValueError: Variable tower/w already exists, disallowed"),
    Prog("tf1-uninitialized", "framework_api_misuse", "tensorflow", """
    import engine
    log = engine.get_logger("tf1")
    import tensorflow as tf
    tf.compat.v1.disable_eager_execution()
    engine.numpy_train(log, epochs=2)
    w = tf.compat.v1.get_variable("weights", [4, 4])
    y = tf.reduce_sum(w)
    with tf.compat.v1.Session() as sess:
        log.info("session created, running first step")
        print(sess.run(y))
    """, expect=r"^tensorflow\.python\.framework\.errors_impl\.FailedPreconditionError:"),
    Prog("tf-function-variable", "framework_api_misuse", "tensorflow", """
    import engine
    log = engine.get_logger("tf2")
    import tensorflow as tf
    engine.numpy_train(log, epochs=2)
    @tf.function
    def train_step(x):
        v = tf.Variable(1.0)
        return x * v
    for i in range(3):
        log.info("step %d -> %s", i, train_step(tf.constant(float(i))).numpy())
    """, expect=r"^\s+ValueError: tf\.function only supports singleton tf\.Variables created on the first call"),
    Prog("sampler-shuffle", "framework_api_misuse", "torch", tpre("resnet18", 128, "cifar10") + """
    from torch.utils.data import DataLoader, TensorDataset, RandomSampler
    engine.torch_train(log, model, batch, F.cross_entropy, steps=engine.scale(30, 90))
    ds = TensorDataset(torch.randn(100, 64), torch.randint(0, 10, (100,)))
    log.info("building validation loader")
    val = DataLoader(ds, batch_size=16, shuffle=True, sampler=RandomSampler(ds))
    """, expect=r"^ValueError: sampler option is mutually exclusive with shuffle"),
]

TENSOR_MISMATCH = [
    Prog("mat1-mat2", "tensor_mismatch", "torch", tpre("classifier_head", 64) + """
    engine.torch_train(log, model, batch, F.cross_entropy, steps=engine.scale(40, 150))
    head = nn.Linear(256, 10)
    log.info("fine-tuning new head")
    out = head(torch.randn(64, 512))
    """, expect=r"^RuntimeError: mat1 and mat2 shapes cannot be multiplied", jobs=2),
    Prog("state-dict-module-prefix", "tensor_mismatch", "torch", """
    import torch, torch.nn as nn, engine
    log = engine.get_logger("infer")
    net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(10))
    net(torch.randn(1, 3, 32, 32))
    torch.save(nn.DataParallel(net).state_dict(), "best.pth")
    log.info("loading checkpoint best.pth for single-GPU inference")
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(7200, 10))
    model.load_state_dict(torch.load("best.pth"))
    """, expect=r"^RuntimeError: Error\(s\) in loading state_dict for Sequential", jobs=2),
    Prog("state-dict-size", "tensor_mismatch", "torch", """
    import torch, torchvision_stub as tv, engine
    log = engine.get_logger("finetune")
    ckpt = tv.resnet_tiny(1000).state_dict()
    model = tv.resnet_tiny(10)
    log.info("restoring ImageNet weights into 10-class model")
    model.load_state_dict(ckpt)
    """, files={"torchvision_stub.py": """
    import torch.nn as nn
    class Tiny(nn.Module):
        def __init__(self, n):
            super().__init__(); self.conv1 = nn.Conv2d(3, 8, 3); self.fc = nn.Linear(8, n)
    def resnet_tiny(n): return Tiny(n)
    """}, expect=r"^RuntimeError: Error\(s\) in loading state_dict for Tiny"),
    Prog("keras-input-shape", "tensor_mismatch", "keras", kpre("mnist_mlp", 64) + """
    images = np.random.rand(32, 28, 28).astype("float32")
    clf = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10)])
    clf.predict(images)
    """, expect=r"^ValueError: Exception encountered when calling Sequential\.call\(\)"),
    Prog("tf-matmul-incompatible", "tensor_mismatch", "tensorflow", """
    import engine
    log = engine.get_logger("tf2")
    import tensorflow as tf
    engine.numpy_train(log)
    w = tf.random.normal([300, 128])
    feats = tf.random.normal([64, 256])
    log.info("projecting features")
    z = tf.matmul(feats, w)
    """, expect=r"^tensorflow\.python\.framework\.errors_impl\.InvalidArgumentError: .*Matrix size-incompatible"),
    Prog("numpy-broadcast", "tensor_mismatch", "numpy", """
    import numpy as np, engine
    log = engine.get_logger("metrics")
    engine.numpy_train(log)
    probs = np.random.rand(512, 10)
    labels = np.random.randint(0, 10, 500)
    err = probs - np.eye(10)[labels]
    """, expect=r"^ValueError: operands could not be broadcast together"),
    Prog("torch-cat-sizes", "tensor_mismatch", "torch", tpre("fusion", 32) + """
    engine.torch_train(log, model, batch, F.cross_entropy, steps=engine.scale(40, 120))
    img = torch.randn(32, 128); txt = torch.randn(16, 64)
    fused = torch.cat([img, txt], dim=1)
    """, expect=r"^RuntimeError: Sizes of tensors must match except in dimension 1"),
    Prog("conv-channels", "tensor_mismatch", "torch", """
    import torch, torch.nn as nn, engine
    log = engine.get_logger("train")
    engine.numpy_train(log)
    conv = nn.Conv2d(3, 64, 7, stride=2, padding=3)
    gray = torch.randn(8, 1, 64, 64)
    log.info("forward on grayscale batch")
    conv(gray)
    """, expect=r"^RuntimeError: Given groups=1, weight of size"),
    Prog("batch-size-mismatch", "tensor_mismatch", "torch", tpre("tagger", 64) + """
    engine.torch_train(log, model, batch, F.cross_entropy, steps=engine.scale(40, 120))
    logits = model(torch.randn(64, 64))
    F.cross_entropy(logits, torch.randint(0, 10, (32,)))
    """, expect=r"^ValueError: Expected input batch_size \(64\) to match target batch_size \(32\)"),
    Prog("view-invalid", "tensor_mismatch", "torch", tpre("lenet", 48) + """
    engine.torch_train(log, model, batch, F.cross_entropy, steps=engine.scale(40, 100))
    x = torch.randn(48, 1, 28, 28)
    x.view(64, 784)
    """, expect=r"^RuntimeError: shape '\[64, 784\]' is invalid for input of size"),
    Prog("mse-size", "tensor_mismatch", "torch", tpre("regressor", 64) + """
    engine.torch_train(log, model, batch, F.cross_entropy, steps=engine.scale(30, 90))
    pred = model(torch.randn(64, 64))
    target = torch.randn(64, 64)
    (pred - target).pow(2).mean()
    """, expect=r"^RuntimeError: The size of tensor a \(10\) must match the size of tensor b \(64\)"),
]

LOSS_NAN = [
    Prog("anomaly-log-nan", "loss_nan", "torch", tpre("vae", 64, "mnist") + """
    torch.autograd.set_detect_anomaly(True)
    engine.torch_train(log, model, batch, F.cross_entropy, steps=engine.scale(30, 80))
    p = torch.zeros(8, requires_grad=True)
    kl = (p * torch.log(p)).sum()
    kl.backward()
    """, expect=r"^RuntimeError: Function '\w+' returned nan values in its \d+th output", jobs=3),
    Prog("tf-check-numerics", "loss_nan", "tensorflow", """
    import engine, numpy as np
    log = engine.get_logger("tf2")
    import tensorflow as tf
    engine.numpy_train(log)
    logits = tf.constant([[0.0, 1.0], [1.0, 0.0]]); probs = tf.constant([[0.0, 1.0], [1.0, 0.0]])
    loss = -tf.reduce_sum(probs * tf.math.log(probs))
    tf.debugging.check_numerics(loss, "loss is not finite")
    """, expect=r"^tensorflow\.python\.framework\.errors_impl\.InvalidArgumentError: .*loss is not finite"),
    Prog("detr-loss-is-nan", "loss_nan", "torch", tpre("detr_r50", 4, "coco") + """
    import math
    def step_hook(step, loss):
        value = loss.item() if step < 70 + engine.SEED else float("nan")
        if not math.isfinite(value):
            print("Loss is {}, stopping training".format(value))
            print({"loss_ce": value, "loss_bbox": 0.4121, "loss_giou": 0.8012})
            sys.exit(1)
    engine.torch_train(log, model, batch, F.cross_entropy, steps=300, on_step=step_hook)
    """, expect=r"^Loss is nan, stopping training", stream="stdout", jobs=2,
         desc="the DETR engine.py pattern: print 'Loss is nan, stopping training' and sys.exit(1)"),
    Prog("clip-grad-nonfinite", "loss_nan", "torch", tpre("transformer_lm", 16, "wikitext103") + """
    bad_step = engine.scale(40, 90)
    def step_hook(step, loss):
        if step == bad_step:
            for p in model.parameters():
                p.grad.fill_(float("inf"))
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0, error_if_nonfinite=True)
    engine.torch_train(log, model, batch, F.cross_entropy, steps=200, on_step=step_hook, lr=3.0)
    """, expect=r"^RuntimeError: The total norm of order 2\.0 for gradients from `parameters` is non-finite"),
    Prog("numpy-floating-invalid", "loss_nan", "numpy", """
    import numpy as np, engine
    np.seterr(divide="ignore", invalid="raise")
    log = engine.get_logger("crf")
    engine.numpy_train(log)
    p = np.array([0.0, 0.3, 0.7])
    log.info("computing entropy regulariser of the attention weights")
    entropy = -(p * np.log(p)).sum()
    """, expect=r"^FloatingPointError: invalid value encountered in multiply"),
    Prog("fairseq-min-loss-scale", "loss_nan", "torch", tpre("transformer_wmt_en_de", 4096, "wmt14") + """
    scale = 128.0
    def step_hook(step, loss):
        global scale
        if step > 40 + engine.SEED:
            scale /= 2
            log.info("NOTE: gradient overflow detected, ignoring gradient, setting loss scale to: %s", scale)
            if scale < 1e-4:
                raise FloatingPointError("Minimum loss scale reached (0.0001). Your loss is probably exploding. "
                                         "Try lowering the learning rate, using gradient clipping or increasing the batch size.")
    engine.torch_train(log, model, batch, F.cross_entropy, steps=300, on_step=step_hook)
    """, expect=r"^FloatingPointError: Minimum loss scale reached",
         desc="fairseq's fp16 optimizer raises this text; reproduced in a real loop"),
    Prog("keras-terminate-on-nan", "loss_nan", "keras", """
    import numpy as np, engine
    log = engine.get_logger("keras_train")
    import keras
    x = np.random.rand(256, 8).astype("float32") * 1e3; y = np.random.rand(256, 1).astype("float32")
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=50.0), loss="mse")
    hist = model.fit(x, y, epochs=5, batch_size=16, verbose=2, callbacks=[keras.callbacks.TerminateOnNaN()])
    if not np.isfinite(hist.history["loss"][-1]):
        raise ValueError(f"Training diverged: loss is {hist.history['loss'][-1]} after {len(hist.history['loss'])} epochs")
    """, expect=r"^ValueError: Training diverged: loss is (nan|inf)"),
    Prog("assert-loss-finite", "loss_nan", "torch", tpre("ppo_policy", 256, "atari") + """
    bad_step = engine.scale(50, 150)
    def step_hook(step, loss):
        if step == bad_step:
            loss = loss * float("nan")
        assert torch.isfinite(loss).all(), f"Model diverged with loss = NaN at step {step}"
    engine.torch_train(log, model, batch, F.cross_entropy, steps=400, on_step=step_hook)
    """, expect=r"^AssertionError: Model diverged with loss = NaN"),
]

PROGRAMS = GPU_OOM + CPU_OOM + API_MISUSE + TENSOR_MISMATCH + LOSS_NAN
