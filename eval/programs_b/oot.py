"""Set b: failures outside the study's taxonomy (an infrastructure category where one names the cause, else `unclassified`)."""
import signal
from .common import P, D
from .dl import EXC

LOOP = D('''
    import time, jobhelper
    jobhelper.banner("long-run", epochs=1000)
    for ep in range(1, 100000):
        jobhelper.warmup(2, tag=f"epoch {ep}")
        time.sleep(0.3)
''')

PROGRAMS = [
    P("coreutils-timeout", "unclassified", "shell", D('''
        #!/bin/bash
        set -e
        echo "running with a 4s wall-clock budget"
        timeout 4 python -u loop.py
        '''), kind="shell", mark="exit_code", files={"loop.py": LOOP}, jobs=2, desc="coreutils timeout kills the trainer: exit 124, no message"),
    P("python-abort", "fatal_signal", "shell", D('''
        #!/bin/bash
        echo "starting trainer"
        python -u crash.py
        '''), r"Aborted", kind="shell",
      files={"crash.py": "import os, jobhelper\njobhelper.banner('native-ext')\njobhelper.warmup(3)\nos.abort()\n"},
      desc="the trainer aborts (SIGABRT) with no message; bash reports Aborted"),
    P("sighup-child", "unclassified", "shell", D('''
        #!/bin/bash
        echo "launching under nohup-less session"
        python -u loop.py
        '''), r"Hangup", kind="shell", files={"loop.py": LOOP}, signal_after=(r"epoch 3", signal.SIGHUP, "children"),
      desc="SIGHUP to the trainer (lost terminal session); bash reports Hangup"),
    P("quality-gate-map", "unclassified", "stdlib", D('''
        import sys, jobhelper
        jobhelper.banner("det-release", min_map=0.30)
        jobhelper.warmup(5)
        m = 0.124
        print(f"final eval: mAP@0.5={m:.3f} (required >= 0.30)", flush=True)
        if m < 0.30:
            sys.exit(f"release gate not met: mAP {m:.3f} < 0.300, refusing to publish model")
        '''), r"^release gate not met", desc="job exits non-zero because its own quality gate is not met"),
    P("gloo-store-timeout", "lost_worker", "torch", D('''
        import datetime, os, torch.distributed as dist, jobhelper
        jobhelper.banner("ddp-gloo", world_size=2, rank=0)
        os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(29500 + os.getpid() % 1000))
        print("waiting for 1 peer to join the rendezvous", flush=True)
        dist.init_process_group("gloo", rank=0, world_size=2, timeout=datetime.timedelta(seconds=4))
        '''), EXC, jobs=2, desc="rendezvous times out because the second node never joined (real torch.distributed)"),
    P("silent-os-exit", "unclassified", "stdlib", D('''
        import os, jobhelper
        jobhelper.banner("export")
        jobhelper.warmup(4)
        print("exporting model artifacts...", flush=True)
        os._exit(3)
        '''), mark="exit_code", desc="os._exit(3) with no error text"),
    P("recursion-segv-bash", "fatal_signal", "shell", D('''
        #!/bin/bash
        echo "building parse trees"
        python -u deep.py
        '''), r"Segmentation fault", kind="shell",
      files={"deep.py": "import sys, jobhelper\njobhelper.banner('tree-lstm')\nsys.setrecursionlimit(10**7)\n"
                        "tree = []\nfor _ in range(10**6):\n    tree = [tree]\nimport pickle\nprint(len(pickle.dumps(tree)))\n"},
      desc="pickling a 10^6-deep nested tree with a raised recursion limit overflows the C stack: bare segfault"),
    P("recursion-segv-faulthandler", "fatal_signal", "stdlib", D('''
        import faulthandler, sys, jobhelper
        faulthandler.enable()
        jobhelper.banner("tree-lstm", faulthandler=True)
        sys.setrecursionlimit(10**7)
        import pickle
        tree = []
        for _ in range(10**6):
            tree = [tree]
        print(len(pickle.dumps(tree)))
        '''), r"^Fatal Python error: Segmentation fault", desc="segfault from C-stack overflow, faulthandler dump"),
    P("mmap-sigbus", "fatal_signal", "shell", D('''
        #!/bin/bash
        echo "memory-mapping feature file"
        python -u mm.py
        '''), r"Bus error", kind="shell",
      files={"mm.py": D('''
        import mmap, os, jobhelper
        jobhelper.banner("mmap-feats")
        with open("feats.bin", "wb") as f: f.write(bytes(1 << 20))
        f = open("feats.bin", "r+b"); m = mmap.mmap(f.fileno(), 0)
        os.truncate("feats.bin", 0)      # another process rewrote the file
        print(sum(m[i] for i in range(0, 1 << 20, 4096)))
      ''')},
      desc="reading an mmap whose file was truncated: SIGBUS, bash reports Bus error"),
    P("sigterm-drain", "preemption", "stdlib", D('''
        import signal, sys, time, jobhelper
        def on_term(sig, frame):
            print("SIGTERM received: node is being drained, saving state and exiting", file=sys.stderr, flush=True)
            sys.exit(143)
        signal.signal(signal.SIGTERM, on_term)
        jobhelper.banner("elastic", preemptible=True)
        for ep in range(1, 1000):
            jobhelper.warmup(2, tag=f"epoch {ep}")
            time.sleep(0.3)
        '''), r"^SIGTERM received", signal_after=(r"epoch 3", signal.SIGTERM, "pid"), desc="SIGTERM from a node drain, handled"),
    P("nccl-watchdog-abort", "collective_failure", "torch", D('''
        import os, sys, time, jobhelper
        jobhelper.banner("ddp-8gpu", world_size=8, rank=3, timeout_s=600)
        jobhelper.warmup(4)
        w = "WorkNCCL(SeqNum=20931, OpType=ALLREDUCE, NumelIn=1048576, NumelOut=1048576, Timeout(ms)=600000) ran for 600027 milliseconds before timing out."
        print(f"[rank3]:[E1206 02:31:17.104512416 ProcessGroupNCCL.cpp:632] [Rank 3] Watchdog caught collective operation timeout: {w}", file=sys.stderr, flush=True)
        print("[rank3]:[E1206 02:31:17.104731911 ProcessGroupNCCL.cpp:2271] [PG ID 0 PG GUID 0(default_pg) Rank 3]  failure detected by watchdog at work sequence id: 20931 PG status: last enqueued work: 20932, last completed work: 20930", file=sys.stderr, flush=True)
        print("[rank3]:[E1206 02:31:17.104790113 ProcessGroupNCCL.cpp:670] Stack trace of the failed collective not found, potentially because FlightRecorder is disabled. You can enable it by setting TORCH_NCCL_TRACE_BUFFER_SIZE to a non-zero value.", file=sys.stderr, flush=True)
        print("[rank3]:[E1206 02:31:17.104812630 ProcessGroupNCCL.cpp:684] [Rank 3] Some NCCL operations have failed or timed out. Due to the asynchronous nature of CUDA kernels, subsequent GPU operations might run on corrupted/incomplete data.", file=sys.stderr, flush=True)
        print("terminate called after throwing an instance of 'c10::DistBackendError'", file=sys.stderr, flush=True)
        print(f"  what():  [PG ID 0 PG GUID 0(default_pg) Rank 3] Process group watchdog thread terminated with exception: [Rank 3] Watchdog caught collective operation timeout: {w}", file=sys.stderr, flush=True)
        os.abort()
        '''), r"Watchdog caught collective operation timeout", which="first",
      hand="PyTorch ProcessGroupNCCL watchdog timeout lines (torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp, torch 2.4+ wording) followed by a real SIGABRT",
      desc="NCCL collective timeout detected by the watchdog; process aborted"),
]
