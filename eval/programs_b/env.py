"""Set b: execution-environment failures (path not found, library/command not found, permission denied)."""
from .common import P, D
from .dl import EXC

PROGRAMS = [
    # ---------------------------------------------------------------- path_not_found
    P("tf-gfile-notfound", "path_not_found", "tensorflow", D('''
        import tensorflow as tf, jobhelper
        jobhelper.banner("tf-vocab", vocab="/mnt/blob/user/vocab/wordpiece_32k.txt")
        with tf.io.gfile.GFile("/mnt/blob/user/vocab/wordpiece_32k.txt") as f:
            vocab = f.read().splitlines()
        '''), EXC, desc="tf.io.gfile.GFile on a vocab path from the developer's machine"),
    P("np-loadtxt-missing", "path_not_found", "numpy", D('''
        import numpy as np, jobhelper
        jobhelper.banner("anchors", anchors_file="data/anchors_k9.txt")
        jobhelper.warmup(3)
        anchors = np.loadtxt("data/anchors_k9.txt", delimiter=",")
        '''), EXC, desc="np.loadtxt of a missing anchors file (numpy's own 'not found' wording)"),
    P("sqlite-unable-open", "path_not_found", "stdlib", D('''
        import sqlite3, jobhelper
        jobhelper.banner("feature-store", db="/mnt/features/v3/index.sqlite")
        conn = sqlite3.connect("/mnt/features/v3/index.sqlite")
        rows = conn.execute("select id, path from samples").fetchall()
        '''), EXC, desc="sqlite3.connect to a database under a directory that does not exist"),
    P("sh-source-venv", "path_not_found", "shell", D('''
        #!/bin/bash
        set -e
        echo "activating environment"
        source /home/alice/envs/dl/bin/activate
        echo "activated"
        '''), r"No such file or directory", kind="shell", desc="bash `source` of a virtualenv path from the developer's machine"),
    P("sh-ls-cannot-access", "path_not_found", "shell", D('''
        #!/bin/bash
        set -e
        DATA=${DATA_DIR:-/datasets/imagenet/ILSVRC2012/train}
        echo "counting classes in $DATA"
        N=$(ls "$DATA" | wc -l)
        echo "found $N classes"
        ls -1 "$DATA" > classes.txt
        '''), r"^ls: cannot access", which="last", kind="shell", desc="ls of a dataset directory that is not mounted (set -e)"),
    P("copytree-missing", "path_not_found", "stdlib", D('''
        import shutil, os, jobhelper
        jobhelper.banner("stage-data", src="/data/local/coco2017/annotations", dst="./annotations")
        os.makedirs("outputs", exist_ok=True)
        shutil.copytree("/data/local/coco2017/annotations", "annotations")
        '''), EXC, desc="shutil.copytree of a source directory that does not exist"),
    P("json-config-missing", "path_not_found", "stdlib", D('''
        import json, argparse, jobhelper
        ap = argparse.ArgumentParser(); ap.add_argument("--config", default="configs/exp/t5_base_summ.json")
        args = ap.parse_args()
        jobhelper.banner("t5-summ", config=args.config)
        with open(args.config) as f:
            cfg = json.load(f)
        '''), EXC, args=("--config", "configs/exp/t5_large_summ.json"), desc="json config passed on the command line that does not exist"),

    # ---------------------------------------------------------------- library_not_found
    P("import-cv2-dataset", "library_not_found", "stdlib", D('''
        import jobhelper
        jobhelper.banner("ocr-det", aug="albumentations")
        from datasets_local import TextDataset
        ds = TextDataset("data/")
        '''), EXC, files={"datasets_local.py": "import os\nimport cv2\n\nclass TextDataset:\n    def __init__(self, root):\n        self.root = root\n"},
      desc="project dataset module imports cv2, not installed in the image"),
    P("import-sklearn-metrics", "library_not_found", "numpy", D('''
        import numpy as np, jobhelper
        jobhelper.banner("clf-eval", metric="macro_f1")
        jobhelper.warmup(5, tag="eval")
        preds = np.random.randint(0, 3, 100); gold = np.random.randint(0, 3, 100)
        from sklearn.metrics import f1_score
        print("macro F1", f1_score(gold, preds, average="macro"))
        '''), EXC, desc="scikit-learn imported at evaluation time, not installed"),
    P("ctypes-dep-missing", "library_not_found", "stdlib", D('''
        import ctypes, jobhelper
        jobhelper.banner("custom-op", op="fused_rope", lib="./build/libfused_rope.so")
        lib = ctypes.CDLL("./build/libfused_rope.so")
        print(lib.rope_version())
        '''), EXC,
      setup=("import os, subprocess\nos.makedirs('build', exist_ok=True)\n"
             "open('dep.c','w').write('int dep_fn(void){return 7;}\\n')\n"
             "open('op.c','w').write('int dep_fn(void);\\nint rope_version(void){return dep_fn();}\\n')\n"
             "subprocess.run(['gcc','-shared','-fPIC','-Wl,-soname,libcudart.so.12','-o','build/libcudart.so.12','dep.c'],check=True)\n"
             "subprocess.run(['gcc','-shared','-fPIC','-o','build/libfused_rope.so','op.c','build/libcudart.so.12'],check=True)\n"
             "os.remove('build/libcudart.so.12')\n"),
      desc="a compiled custom op whose dependent shared library is missing at load time"),
    P("sh-module-load", "library_not_found", "shell", D('''
        #!/bin/bash
        set -e
        echo "setting up toolchain"
        module load cuda/11.8 nccl/2.18
        echo "toolchain ready"
        '''), r"module: command not found", kind="shell", desc="`module` (environment modules) not available in the container"),
    P("dash-hipcc-not-found", "library_not_found", "shell", D('''
        #!/bin/sh
        set -e
        echo "building extension kernels"
        hipcc --version
        echo "ok"
        '''), r"hipcc: not found", kind="shell", interp="sh", desc="sh script calling hipcc (ROCm compiler), not installed"),
    P("importlib-model-zoo", "library_not_found", "stdlib", D('''
        import importlib, jobhelper
        jobhelper.banner("zoo", arch="efficientnet_v2")
        mod = importlib.import_module("timm_lite.models.efficientnet_v2")
        '''), EXC, files={"timm_lite/__init__.py": "", "timm_lite/models/__init__.py": ""},
      desc="importlib of a model module missing from the vendored package"),

    # ---------------------------------------------------------------- permission_denied (run as nobody)
    P("pandas-to-csv-usr", "permission_denied", "pandas", D('''
        import pandas as pd, jobhelper
        jobhelper.banner("eval-export", out="/usr/share/eval/results.csv")
        df = pd.DataFrame({"id": range(5), "score": [0.1, 0.5, 0.2, 0.9, 0.3]})
        print(df.describe(), flush=True)
        df.to_csv("/usr/share/results.csv", index=False)
        '''), EXC, as_nobody=True, desc="DataFrame.to_csv into /usr/share as a non-root user"),
    P("apt-get-lock", "permission_denied", "shell", D('''
        #!/bin/bash
        set -e
        echo "installing system deps"
        apt-get install -y --no-install-recommends libsndfile1
        '''), r"^E: Could not open lock file", which="first", kind="shell", as_nobody=True,
      desc="apt-get install without root"),
    P("sh-redirect-etc", "permission_denied", "shell", D('''
        #!/bin/bash
        set -e
        echo "registering cuda libs"
        echo "/usr/local/cuda/lib64" > /etc/ld.so.conf.d/cuda-12.conf
        ldconfig
        '''), r"Permission denied", kind="shell", as_nobody=True, desc="redirect into /etc as a non-root user"),
    P("sqlite-readonly-db", "permission_denied", "stdlib", D('''
        import sqlite3, jobhelper
        jobhelper.banner("hparam-log", db="shared/runs.db")
        conn = sqlite3.connect("shared/runs.db")
        print("runs so far:", conn.execute("select count(*) from runs").fetchone()[0], flush=True)
        conn.execute("insert into runs values (?, ?)", ("exp42", 0.81))
        conn.commit()
        '''), EXC, as_nobody=True,
      setup=("import sqlite3, os\nos.makedirs('shared', exist_ok=True)\nc = sqlite3.connect('shared/runs.db')\n"
             "c.execute('create table runs (name text, acc real)')\nc.execute(\"insert into runs values ('exp1', 0.7)\")\nc.commit()\nc.close()\n"
             "os.chmod('shared/runs.db', 0o444)\nos.chmod('shared', 0o555)\n"),
      desc="sqlite insert into a database file the job may only read"),
    P("subprocess-noexec", "permission_denied", "stdlib", D('''
        import subprocess, jobhelper
        jobhelper.banner("eval-hook", hook="./scripts/compute_bleu.sh")
        jobhelper.warmup(4, tag="decode")
        subprocess.run(["./scripts/compute_bleu.sh", "hyp.txt", "ref.txt"], check=True)
        '''), EXC, files={"scripts/compute_bleu.txt": "#!/bin/sh\necho BLEU 27.1\n"},
      setup="import os\nos.rename('scripts/compute_bleu.txt', 'scripts/compute_bleu.sh')\nos.chmod('scripts/compute_bleu.sh', 0o644)\n",
      desc="subprocess of a script without its execute bit"),
    P("ln-symlink-usr", "permission_denied", "shell", D('''
        #!/bin/bash
        set -e
        echo "linking python3 -> python"
        ln -sf "$(command -v python3 || echo /usr/bin/python3)" /usr/local/bin/python
        '''), r"^ln: ", kind="shell", as_nobody=True, desc="ln -s into /usr/local/bin as a non-root user"),
]
