"""Failures outside the study's taxonomy: signals, crashes without a message, hangs and time limits
(labelled with triage's infrastructure categories where one names the cause: preemption,
fatal_signal, collective_failure, time_limit), silent non-zero exits and a failed quality gate
(unclassified). Plus the OOM-killed container whose only evidence is the platform's `OOMKilled`
(cpu_out_of_memory)."""

import signal
import textwrap

from .spec import Prog

TRAIN = textwrap.indent("""
import os, sys, time, engine
log = engine.get_logger("train")
engine.banner(log, model="resnet101", epochs=90, batch_size=256, data="/mnt/data/imagenet")
""", "    ")

SLOW_LOOP = """
    for epoch in range(1, 1000):
        engine.numpy_train(log, epochs=1, steps=engine.scale(80, 160))
        log.info("epoch %d checkpoint saved to ./ckpt/epoch_%d.pt", epoch, epoch)
        time.sleep(0.2)
"""

DDP_PROG = """
import os, time, torch, torch.distributed as dist, engine
dist.init_process_group("gloo")
rank = dist.get_rank()
log = engine.get_logger(f"rank{rank}")
x = torch.ones(1000)
for step in range(1, 100000):
    dist.all_reduce(x)
    x /= dist.get_world_size()
    if step % 5 == 0 and rank == 0:
        log.info("step %d loss %.4f", step, 1.0 / step)
    time.sleep(0.02)
"""

OOT = [
    Prog("sigterm-bash-child", "preemption", "shell", """
    #!/bin/bash
    echo "launching trainer"
    python -u train.py
    echo "trainer exited with $?"
    exit 143
    """, files={"train.py": TRAIN + SLOW_LOOP}, kind="shell",
         signal_after=(r"epoch 2 checkpoint saved", signal.SIGTERM, "children"),
         expect=r"^Terminated$", jobs=2, desc="SIGTERM really sent to the running trainer (preemption)"),
    Prog("sigterm-handler", "preemption", "torch", TRAIN + """
    import signal
    def on_term(signum, frame):
        log.warning("Received SIGTERM (signal %d): preemption notice from the scheduler, saving checkpoint and exiting", signum)
        log.info("checkpoint saved to ./ckpt/preempt.pt")
        sys.exit(143)
    signal.signal(signal.SIGTERM, on_term)
    """ + SLOW_LOOP, signal_after=(r"epoch 3 checkpoint saved", signal.SIGTERM, "pid"),
         expect=r"Received SIGTERM", stream="stdout", jobs=2),
    Prog("torchrun-sigterm", "preemption", "torch", """
    #!/bin/bash
    echo "starting torchrun with 2 local workers"
    torchrun --nproc_per_node=2 ddp_train.py
    """, files={"ddp_train.py": DDP_PROG}, kind="shell",
         signal_after=(r"step 40 loss", signal.SIGTERM, "children"),
         expect=r"SignalException: Process \d+ got signal: 15", jobs=2,
         desc="SIGTERM really sent to the torchrun agent"),
    Prog("segfault-core", "fatal_signal", "shell", """
    #!/bin/bash
    ulimit -c unlimited
    echo "running feature extraction"
    python -u extract.py
    """, files={"extract.py": """
    import ctypes, engine
    log = engine.get_logger("extract")
    engine.numpy_train(log, epochs=2)
    log.info("calling native decoder")
    ctypes.string_at(0)
    """}, kind="shell", expect=r"Segmentation fault\s+\(core dumped\)", jobs=3),
    Prog("faulthandler-segv", "fatal_signal", "stdlib", """
    import faulthandler, ctypes, engine
    faulthandler.enable()
    log = engine.get_logger("train")
    engine.numpy_train(log)
    log.info("entering custom CUDA-free kernel")
    ctypes.string_at(0)
    """, expect=r"^Fatal Python error: Segmentation fault", jobs=2),
    Prog("nccl-watchdog-timeout", "collective_failure", "torch", """
    #!/bin/bash
    python -u train.py
    """, files={"train.py": TRAIN + """
    import torch, datetime
    engine.numpy_train(log, epochs=engine.scale(2, 4))
    log.info("entering all_reduce of step 6120")
    ts = datetime.datetime.now().strftime("%m%d %H:%M:%S.%f")
    wc = "WorkNCCL(SeqNum=6120, OpType=ALLREDUCE, NumelIn=25557032, NumelOut=25557032, Timeout(ms)=600000)"
    sys.stderr.write(f"[rank0]:[E{ts}000 ProcessGroupNCCL.cpp:616] [Rank 0] Watchdog caught collective operation timeout: {wc} ran for 600031 milliseconds before timing out.\\n")
    sys.stderr.write(f"[rank0]:[E{ts}321 ProcessGroupNCCL.cpp:1785] [PG ID 0 PG GUID 0(default_pg) Rank 0] Exception (either an error or timeout) detected by watchdog at work: 6120, last enqueued NCCL work: 6121, last completed NCCL work: 6119.\\n")
    sys.stderr.write(f"[rank0]:[E{ts}350 ProcessGroupNCCL.cpp:630] [Rank 0] Some NCCL operations have failed or timed out. Due to the asynchronous nature of CUDA kernels, subsequent GPU operations might run on corrupted/incomplete data.\\n")
    sys.stderr.write(f"[rank0]:[E{ts}360 ProcessGroupNCCL.cpp:636] [Rank 0] To avoid data inconsistency, we are taking the entire process down.\\n")
    sys.stderr.write(f"[rank0]:[E{ts}900 ProcessGroupNCCL.cpp:1595] [PG ID 0 PG GUID 0(default_pg) Rank 0] Process group watchdog thread terminated with exception: [Rank 0] Watchdog caught collective operation timeout: {wc} ran for 600031 milliseconds before timing out.\\n")
    sys.stderr.write("terminate called after throwing an instance of 'c10::DistBackendError'\\n")
    sys.stderr.write(f"  what():  [PG ID 0 PG GUID 0(default_pg) Rank 0] Process group watchdog thread terminated with exception: [Rank 0] Watchdog caught collective operation timeout: {wc} ran for 600031 milliseconds before timing out.\\n")
    sys.stderr.flush()
    os.abort()
    """}, kind="shell", expect=r"Watchdog caught collective operation timeout", which="first", jobs=2,
         hand="the NCCL watchdog lines (written by the program, then a real abort): ProcessGroupNCCL.cpp wording as in "
              "pytorch/pytorch#118369, hiyouga/LlamaFactory#7396, XPixelGroup/BasicSR#737"),
    Prog("slurm-time-limit", "time_limit", "torch", TRAIN + SLOW_LOOP,
         signal_after=(r"epoch 2 checkpoint saved", signal.SIGTERM, "pid"), styles=("slurm",),
         mark="slurm_timelimit", jobs=2, desc="trainer really SIGTERMed; the slurmstepd CANCELLED ... DUE TO TIME LIMIT line is "
                                   "hand-written in Slurm's wording (e.g. ZettaAI/zetta_utils#671)"),
    Prog("silent-exit-3", "unclassified", "stdlib", TRAIN + """
    engine.numpy_train(log, epochs=engine.scale(3, 6))
    log.info("evaluation finished, writing report")
    sys.exit(3)
    """, mark="exit_code", jobs=2, desc="prints normal progress, then sys.exit(3); only the platform's exit line shows it"),
    Prog("keyboard-interrupt", "unclassified", "stdlib", TRAIN + SLOW_LOOP,
         signal_after=(r"epoch 2 checkpoint saved", signal.SIGINT, "pid"), expect=r"^KeyboardInterrupt"),
    Prog("quality-gate", "unclassified", "stdlib", TRAIN + """
    engine.numpy_train(log, epochs=engine.scale(2, 4))
    acc = 0.412
    log.info("val_accuracy=%.3f (required: 0.600)", acc)
    if acc < 0.6:
        sys.exit(f"Quality gate failed: val_accuracy {acc:.3f} < 0.600, model not promoted")
    """, expect=r"^Quality gate failed", desc="the job's own quality gate fails it (out of the taxonomy)"),
    Prog("sigterm-k8s-python", "preemption", "torch", TRAIN + SLOW_LOOP,
         signal_after=(r"epoch 2 checkpoint saved", signal.SIGTERM, "pid"), styles=("k8s_dir",),
         mark="k8s_status", desc="SIGTERM really sent to the container's python (pod eviction); only the pod status shows it"),
]

OOM_KILLED = [
    Prog("python-oomkilled", "cpu_out_of_memory", "numpy", TRAIN + """
    import signal, numpy as np
    engine.numpy_train(log, epochs=2)
    held = []
    for i in range(engine.scale(5, 12)):
        held.append(np.ones(8_000_000))
        log.info("caching decoded images: %d MB", 64 * (i + 1))
    os.kill(os.getpid(), signal.SIGKILL)   # the kernel's cgroup OOM kill, received for real
    """, styles=("k8s_dir",), mark="k8s_status", jobs=2,
         desc="python really SIGKILLed as by the cgroup OOM killer; the pod status says OOMKilled / exit code 137"),
]

PROGRAMS = OOT + OOM_KILLED
