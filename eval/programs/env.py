"""Execution-environment failures: path not found, library/command not found, permission denied.

Programs marked as_nobody run as user nobody (setpriv), the way platforms run jobs unprivileged; the
work directory, /opt, /mnt, /var/log and the environment's site-packages belong to root there.
DATA_URL points at the generator's local HTTP server (404 for missing files).
"""

import textwrap

from .spec import Prog

PY_PRE = textwrap.indent("""
import os, sys, engine
log = engine.get_logger("train")
engine.banner(log, data_dir="/mnt/data", output_dir="./outputs", epochs=engine.scale(2, 5))
engine.numpy_train(log)
""", "    ")

PATH_NOT_FOUND = [
    Prog("open-missing-csv", "path_not_found", "stdlib", PY_PRE + """
    import csv
    log.info("reading labels")
    with open("/home/alice/projects/sentiment/data/train_labels.csv") as f:
        rows = list(csv.reader(f))
    """, expect=r"^FileNotFoundError: \[Errno 2\] No such file or directory", jobs=2),
    Prog("pandas-read-csv-missing", "path_not_found", "pandas", PY_PRE + """
    import pandas as pd
    df = pd.read_csv(os.path.join(os.environ.get("DATA_ROOT", "data"), "criteo", "day_0.tsv"), sep="\\t")
    """, expect=r"^FileNotFoundError: \[Errno 2\] No such file or directory"),
    Prog("torch-load-missing-ckpt", "path_not_found", "torch", PY_PRE + """
    import torch
    log.info("resuming from checkpoint")
    state = torch.load("checkpoints/epoch_12.pt", map_location="cpu")
    """, expect=r"^FileNotFoundError: \[Errno 2\] No such file or directory: 'checkpoints/epoch_12\.pt'"),
    Prog("pil-open-missing", "path_not_found", "pillow", PY_PRE + """
    from PIL import Image
    for name in ["000001.jpg", "000002.jpg"]:
        img = Image.open(os.path.join("/datasets/celeba/img_align_celeba", name)).convert("RGB")
    """, expect=r"^FileNotFoundError: \[Errno 2\] No such file or directory: '/datasets/celeba"),
    Prog("h5py-open-missing", "path_not_found", "h5py", PY_PRE + """
    import h5py
    with h5py.File("/data/features/resnet152_pool5.h5", "r") as f:
        feats = f["features"][:]
    """, expect=r"^FileNotFoundError: \[Errno 2\] Unable to synchronously open file"),
    Prog("np-load-missing", "path_not_found", "numpy", PY_PRE + """
    import numpy as np
    emb = np.load("embeddings/glove.840B.300d.npy")
    """, expect=r"^FileNotFoundError: \[Errno 2\] No such file or directory"),
    Prog("tfrecord-missing", "path_not_found", "tensorflow", PY_PRE + """
    import tensorflow as tf
    ds = tf.data.TFRecordDataset(["/mnt/blob/imagenet/train-00000-of-01024"])
    for rec in ds.take(1):
        pass
    """, expect=r"^tensorflow\.python\.framework\.errors_impl\.NotFoundError: .*No such file or directory"),
    Prog("keras-load-model-missing", "path_not_found", "keras", PY_PRE + """
    import keras
    model = keras.models.load_model("/outputs/run_17/best_model.keras")
    """, expect=r"^ValueError: File not found: filepath=/outputs/run_17/best_model\.keras"),
    Prog("listdir-missing", "path_not_found", "stdlib", PY_PRE + """
    classes = sorted(os.listdir("/mnt/data/train"))
    """, expect=r"^FileNotFoundError: \[Errno 2\] No such file or directory: '/mnt/data/train'"),
    Prog("sh-cp-cannot-stat", "path_not_found", "shell", """
    #!/bin/bash
    set -e
    echo "Copying pretrained weights"
    mkdir -p ./pretrained
    cp /mnt/models/bert-base-uncased/pytorch_model.bin ./pretrained/
    python train.py
    """, kind="shell", expect=r"^cp: cannot stat", jobs=2),
    Prog("sh-cd-missing", "path_not_found", "shell", """
    #!/bin/bash
    set -e
    export DATA_DIR=/mnt/philly/ipgsrch/data/coco2017
    echo "DATA_DIR=$DATA_DIR"
    cd $DATA_DIR/annotations
    ls -la
    """, kind="shell", expect=r"cd: .*: No such file or directory"),
    Prog("python-cant-open-file", "path_not_found", "shell", """
    #!/bin/bash
    echo "launching trainer on $(hostname)"
    python src/trian.py --config configs/base.yaml
    """, kind="shell", expect=r"can't open file .*\[Errno 2\] No such file or directory", jobs=3),
    Prog("sh-tar-cannot-open", "path_not_found", "shell", """
    #!/bin/bash
    set -e
    echo "Extracting dataset"
    tar -xf /mnt/data/imagenet/ILSVRC2012_img_val.tar -C /tmp/val
    """, kind="shell", expect=r"^tar: .*Cannot open: No such file or directory"),
    Prog("sh-unzip-missing", "path_not_found", "shell", """
    #!/bin/bash
    set -e
    echo "Unpacking glue data"
    unzip -q glue_data.zip -d data/
    """, kind="shell", expect=r"^unzip:\s+cannot find or open glue_data\.zip"),
    Prog("sh-wget-404", "path_not_found", "shell", """
    #!/bin/bash
    set -e
    echo "Downloading vocabulary"
    wget --no-verbose -O vocab.txt "$DATA_URL/models/bert-large-cased/vocab.txt"
    python train.py --vocab vocab.txt
    """, kind="shell", expect=r"ERROR 404"),
    Prog("sh-curl-404", "path_not_found", "shell", """
    #!/bin/bash
    set -euo pipefail
    echo "fetching config"
    curl -sSfL -o config.json "$DATA_URL/configs/t5-3b/config.json"
    """, kind="shell", expect=r"^curl: \(22\) The requested URL returned error: 404"),
    Prog("sh-gzip-missing", "path_not_found", "shell", """
    #!/bin/bash
    set -e
    echo "decompressing corpus"
    gzip -d /data/corpus/news.2019.en.shuffled.deduped.gz
    """, kind="shell", expect=r"^gzip: .*: No such file or directory"),
]

LIBRARY_NOT_FOUND = [
    Prog("import-apex", "library_not_found", "torch", PY_PRE + """
    import torch
    log.info("enabling mixed precision with apex")
    from apex import amp
    """, expect=r"^ModuleNotFoundError: No module named 'apex'", jobs=2),
    Prog("ctypes-libcudnn", "library_not_found", "stdlib", PY_PRE + """
    import ctypes
    log.info("loading cuDNN")
    ctypes.CDLL("libcudnn.so.8")
    """, expect=r"^OSError: libcudnn\.so\.8: cannot open shared object file"),
    Prog("torch-six", "library_not_found", "torch", PY_PRE + """
    import torch
    from torch._six import string_classes
    """, expect=r"^ModuleNotFoundError: No module named 'torch\._six'"),
    Prog("python-m-deepspeed", "library_not_found", "shell", """
    #!/bin/bash
    echo "Launching with deepspeed launcher"
    python -m deepspeed.launcher.runner --num_gpus 8 train.py --deepspeed ds_config.json
    """, kind="shell", expect=r"No module named 'deepspeed'|No module named deepspeed", jobs=2),
    Prog("python-m-horovod", "library_not_found", "shell", """
    #!/bin/bash
    python -m horovod
    """, kind="shell", expect=r"No module named horovod"),
    Prog("sh-nvidia-smi", "library_not_found", "shell", """
    #!/bin/bash
    set -e
    echo "=== environment ==="
    env | grep -E '^(PATH|LANG)=' || true
    nvidia-smi --query-gpu=name,memory.total --format=csv
    python train.py
    """, kind="shell", expect=r"nvidia-smi: command not found"),
    Prog("subprocess-ffmpeg", "library_not_found", "stdlib", PY_PRE + """
    import subprocess
    log.info("extracting audio track")
    subprocess.check_call("ffmpeg -i clip_0001.mp4 -ar 16000 clip_0001.wav", shell=True)
    """, expect=r"ffmpeg: not found", which="first"),
    Prog("subprocess-nvidia-smi", "library_not_found", "stdlib", PY_PRE + """
    import subprocess
    log.info("querying GPUs")
    out = subprocess.run(["nvidia-smi", "--query-gpu=memory.used", "--format=csv"], check=True, capture_output=True)
    """, expect=r"^FileNotFoundError: \[Errno 2\] No such file or directory: 'nvidia-smi'"),
    Prog("import-tfa", "library_not_found", "tensorflow", PY_PRE + """
    import tensorflow as tf
    import tensorflow_addons as tfa
    """, expect=r"^ModuleNotFoundError: No module named 'tensorflow_addons'"),
    Prog("import-transformers", "library_not_found", "torch", PY_PRE + """
    from transformers import AutoModelForSequenceClassification
    """, expect=r"^ModuleNotFoundError: No module named 'transformers'"),
    Prog("ctypes-libnccl", "library_not_found", "stdlib", PY_PRE + """
    import ctypes.util, ctypes
    ctypes.CDLL("libnccl.so.2", mode=ctypes.RTLD_GLOBAL)
    """, expect=r"^OSError: libnccl\.so\.2: cannot open shared object file"),
    Prog("sh-horovodrun", "library_not_found", "shell", """
    #!/bin/bash
    set -e
    NP=${NP:-4}
    echo "starting $NP workers"
    horovodrun -np $NP python train.py
    """, kind="shell", expect=r"horovodrun: command not found"),
    Prog("os-system-mpirun", "library_not_found", "stdlib", PY_PRE + """
    status = os.system("mpirun -np 4 --allow-run-as-root python worker.py")
    if status != 0:
        log.error("mpirun failed with status %d", status >> 8)
        sys.exit(1)
    """, expect=r"mpirun: not found"),
]

PERMISSION_DENIED = [
    Prog("makedirs-root", "permission_denied", "stdlib", PY_PRE + """
    out = "/output/exp42"
    os.makedirs(out, exist_ok=True)
    """, as_nobody=True, expect=r"^PermissionError: \[Errno 13\] Permission denied: '/output'", jobs=2),
    Prog("torch-save-readonly", "permission_denied", "torch", PY_PRE + """
    import torch
    log.info("saving checkpoint")
    torch.save({"epoch": 3, "w": torch.zeros(3)}, "/opt/checkpoint_epoch3.pt")
    """, as_nobody=True, expect=r"Permission denied"),
    Prog("h5py-create-readonly", "permission_denied", "h5py", PY_PRE + """
    import h5py, numpy as np
    with h5py.File("features_cache.h5", "w") as f:
        f["x"] = np.zeros(10)
    """, as_nobody=True, expect=r"^PermissionError: \[Errno 13\] Unable to synchronously create file"),
    Prog("sh-script-not-executable", "permission_denied", "shell", """
    #!/bin/bash
    echo "running preprocessing"
    ./scripts/preprocess.sh --lang en
    echo "exit: $?"
    exit 126
    """, files={"noexec/placeholder": ""}, setup="import os; os.makedirs('scripts', exist_ok=True); "
              "open('scripts/preprocess.sh','w').write('#!/bin/bash\\necho hi\\n'); os.chmod('scripts/preprocess.sh', 0o644)",
         kind="shell", expect=r"\./scripts/preprocess\.sh: Permission denied", jobs=2),
    Prog("pip-install-site-packages", "permission_denied", "shell", """
    #!/bin/bash
    set -e
    echo "installing project package"
    # the platform runs the job's commands as an unprivileged user
    setpriv --reuid=65534 --regid=65534 --clear-groups "$PYTHON" -m pip install --no-index --no-deps wheels/myproj-0.3.1-py3-none-any.whl
    python train.py
    """, files={"myproj/pyproject.toml": """
    [build-system]
    requires = ["setuptools"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "myproj"
    version = "0.3.1"
    """, "myproj/myproj/__init__.py": "VERSION = '0.3.1'\n"},
         setup="import subprocess, sys; subprocess.run([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', "
               "'--no-build-isolation', '--no-index', './myproj', '-w', 'wheels'], check=True)",
         kind="shell", expect=r"^ERROR: Could not install packages due to an OSError: \[Errno 13\] Permission denied",
         jobs=2),
    Prog("sh-mkdir-mnt", "permission_denied", "shell", """
    #!/bin/bash
    set -e
    OUT=/mnt/output/$(date +%Y%m%d)
    echo "output dir: $OUT"
    mkdir -p $OUT
    """, kind="shell", as_nobody=True, expect=r"^mkdir: cannot create directory .*: Permission denied"),
    Prog("sh-cp-readonly", "permission_denied", "shell", """
    #!/bin/bash
    set -e
    echo "training done, exporting model"
    cp -v /etc/hostname /opt/models_best.pt
    """, kind="shell", as_nobody=True, expect=r"^cp: cannot create regular file .*: Permission denied"),
    Prog("tf-gfile-makedirs", "permission_denied", "tensorflow", PY_PRE + """
    import tensorflow as tf
    tf.io.gfile.makedirs("/srv/tensorboard/run_9")
    """, as_nobody=True, expect=r"^tensorflow\.python\.framework\.errors_impl\.PermissionDeniedError:"),
    Prog("sh-touch-varlog", "permission_denied", "shell", """
    #!/bin/bash
    set -e
    LOG=/var/log/train_$(whoami).log
    touch $LOG
    """, kind="shell", as_nobody=True, expect=r"^touch: cannot touch .*: Permission denied"),
    Prog("keras-save-readonly", "permission_denied", "keras", """
    import numpy as np, engine
    log = engine.get_logger("keras_train")
    import keras
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile("adam", "mse")
    model.fit(np.random.rand(64, 4), np.random.rand(64, 2), epochs=engine.scale(2, 4), verbose=2)
    model.save("/opt/final_model.keras")
    """, as_nobody=True, expect=r"^PermissionError: \[Errno 13\] Permission denied"),
    Prog("logging-filehandler", "permission_denied", "stdlib", """
    import logging, engine
    log = engine.get_logger("train")
    log.info("attaching file log")
    logging.getLogger().addHandler(logging.FileHandler("/var/log/trainer.log"))
    """, as_nobody=True, expect=r"^PermissionError: \[Errno 13\] Permission denied: '/var/log/trainer\.log'"),
]

PROGRAMS = PATH_NOT_FOUND + LIBRARY_NOT_FOUND + PERMISSION_DENIED
