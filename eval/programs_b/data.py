"""Set b: data failures (corrupt data, unexpected encoding) and code that does not parse."""
from .common import P, D
from .dl import EXC

PROGRAMS = [
    # ---------------------------------------------------------------- corrupt_data
    P("lzma-corrupt", "corrupt_data", "stdlib", D('''
        import lzma, jobhelper
        jobhelper.banner("corpus-xz", shard="shard-0007.jsonl.xz")
        with lzma.open("shard-0007.jsonl.xz", "rt") as f:
            n = sum(1 for _ in f)
        '''), EXC,
      setup=("import lzma\nd = lzma.compress(('{\"text\": \"hello world\"}\\n' * 5000).encode())\n"
             "b = bytearray(d); b[len(b)//2:len(b)//2+64] = bytes(64)\nopen('shard-0007.jsonl.xz','wb').write(bytes(b))\n"),
      desc="xz shard with a zeroed block in the middle"),
    P("sqlite-not-database", "corrupt_data", "stdlib", D('''
        import sqlite3, jobhelper
        jobhelper.banner("lmdb-like-index", db="index.db")
        conn = sqlite3.connect("index.db")
        n = conn.execute("select count(*) from items").fetchone()
        '''), EXC, setup="import os\nopen('index.db','wb').write(os.urandom(8192))\n", desc="sqlite index file overwritten with garbage"),
    P("wave-riff", "corrupt_data", "stdlib", D('''
        import wave, glob, jobhelper
        jobhelper.banner("kws-audio", sr=16000)
        for p in sorted(glob.glob("clips/*.wav")):
            with wave.open(p) as w:
                print(p, w.getnframes(), flush=True)
        '''), EXC,
      setup=("import wave, os\nos.makedirs('clips', exist_ok=True)\n"
             "for i in range(3):\n    w = wave.open(f'clips/yes_{i}.wav','wb'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000); w.writeframes(bytes(3200)); w.close()\n"
             "d = open('clips/yes_1.wav','rb').read(); open('clips/yes_1.wav','wb').write(b'\\x00' * 12 + d[12:])\n"),
      desc="a WAV clip whose RIFF header was zeroed"),
    P("csv-field-limit", "corrupt_data", "stdlib", D('''
        import csv, jobhelper
        jobhelper.banner("captions-csv")
        with open("captions.csv", newline="") as f:
            rows = list(csv.reader(f))
        print(len(rows))
        '''), EXC,
      setup="open('captions.csv','w').write('id,caption\\n1,\\x22a dog on a\\n' + ''.join(f'{i},img_{i}\\n' for i in range(2, 40000)))\n",
      desc="captions CSV cut mid-record leaves an unterminated quote: field larger than field limit"),
    P("h5-truncated", "corrupt_data", "h5py", D('''
        import h5py, jobhelper
        jobhelper.banner("h5-features", file="feats_val.h5")
        with h5py.File("feats_val.h5", "r") as f:
            x = f["features"][:]
        '''), EXC,
      setup=("import h5py, numpy as np\nwith h5py.File('full.h5','w') as f: f['features'] = np.zeros((200, 100))\n"
             "d = open('full.h5','rb').read(); open('feats_val.h5','wb').write(d[:4096])\n"),
      desc="HDF5 file truncated by an interrupted copy"),
    P("npy-short-read", "corrupt_data", "numpy", D('''
        import numpy as np, jobhelper
        jobhelper.banner("emb-cache", file="emb.npy")
        emb = np.load("emb.npy")
        '''), EXC,
      setup="import numpy as np\nnp.save('e.npy', np.zeros((100,100)))\nd = open('e.npy','rb').read(); open('emb.npy','wb').write(d[:2000])\n",
      desc="np.load of a .npy file that was not fully written"),
    P("sha256-mismatch", "corrupt_data", "shell", D('''
        #!/bin/bash
        set -e
        echo "verifying dataset archive"
        sha256sum -c SHA256SUMS
        tar xzf train.tar.gz
        '''), r"FAILED$", kind="shell",
      setup=("import hashlib, os\nd = os.urandom(20000)\nopen('train.tar.gz','wb').write(d[:15000])\n"
             "open('SHA256SUMS','w').write(hashlib.sha256(d).hexdigest() + '  train.tar.gz\\n')\n"),
      stream="stdout", desc="sha256sum -c of a partially downloaded archive"),

    # ---------------------------------------------------------------- unexpected_encoding
    P("sjis-read-utf8", "unexpected_encoding", "stdlib", D('''
        import jobhelper
        jobhelper.banner("ja-corpus")
        with open("corpus_ja.txt", encoding="utf-8") as f:
            lines = f.readlines()
        '''), EXC, setup="open('corpus_ja.txt','wb').write('こんにちは世界\\n学習データ\\n'.encode('shift_jis'))\n",
      desc="Shift-JIS corpus read as UTF-8"),
    P("latin1-encode-zh", "unexpected_encoding", "stdlib", D('''
        import jobhelper
        jobhelper.banner("export-preds")
        preds = ["positive", "negative", "中性"]
        with open("preds.txt", "w", encoding="latin-1") as f:
            for p in preds:
                f.write(p + "\\n")
        '''), EXC, desc="writing Chinese labels to a latin-1 file"),
    P("subprocess-text-decode", "unexpected_encoding", "stdlib", D('''
        import subprocess, jobhelper
        jobhelper.banner("git-info")
        out = subprocess.run(["cat", "build_info.txt"], capture_output=True, text=True, encoding="utf-8").stdout
        '''), EXC, setup="open('build_info.txt','wb').write(b'built by J\\xfcrgen on node 7\\n')\n",
      desc="subprocess output in latin-1 decoded as UTF-8"),
    P("iconv-illegal", "unexpected_encoding", "shell", D('''
        #!/bin/bash
        set -e
        echo "normalising transcripts to ASCII"
        iconv -f utf-8 -t ascii transcripts.txt > transcripts.ascii
        '''), r"^iconv: ", kind="shell", setup="open('transcripts.txt','w', encoding='utf-8').write('hello\\ncafé au lait\\n')\n",
      desc="iconv to ASCII of UTF-8 text with accents"),
    P("utf16-truncated", "unexpected_encoding", "stdlib", D('''
        import jobhelper
        jobhelper.banner("win-export")
        raw = open("export.txt", "rb").read()
        text = raw.decode("utf-16-le")
        '''), EXC, setup="open('export.txt','wb').write('label\\tscore\\n'.encode('utf-16-le') + b'\\x0a')\n",
      desc="UTF-16 file with an odd trailing byte"),

    # ---------------------------------------------------------------- syntax_error
    P("fstring-nested-quotes", "syntax_error", "stdlib", D('''
        import jobhelper
        cfg = {"lr": 0.1}
        jobhelper.banner("fstr")
        print(f"lr is {cfg["lr"]}")
        '''), r"^SyntaxError: ", desc="Python 3.12 f-string quote nesting run by 3.11"),
    P("py312-type-alias", "syntax_error", "stdlib", D('''
        import jobhelper
        type Batch = list[dict[str, float]]
        def collate(items: Batch) -> Batch:
            return items
        '''), r"^SyntaxError: ", desc="Python 3.12 `type` statement run by 3.11"),
    P("invalid-decimal-module", "syntax_error", "stdlib", D('''
        import jobhelper
        jobhelper.banner("stages")
        from stages import schedule
        '''), r"^SyntaxError: ", files={"stages.py": "1st_stage_epochs = 10\n2nd_stage_epochs = 5\nschedule = [10, 5]\n"},
      desc="imported module with an identifier starting with a digit"),
    P("missing-comma", "syntax_error", "stdlib", D('''
        import jobhelper
        PARAMS = dict(
            lr=0.1,
            momentum=0.9
            weight_decay=5e-4,
        )
        '''), r"^SyntaxError: ", desc="missing comma in a dict(...) call"),
    P("dash-array", "syntax_error", "shell", D('''
        #!/bin/sh
        echo "sweeping learning rates"
        LRS=(0.1 0.01 0.001)
        for lr in ${LRS[@]}; do echo "lr=$lr"; done
        '''), r"Syntax error", kind="shell", interp="sh", desc="bash array syntax in a script run by sh (dash)"),
    P("expected-colon", "syntax_error", "stdlib", D('''
        import jobhelper
        def evaluate(model, loader)
            return 0.0
        '''), r"^SyntaxError: ", desc="def without its colon"),
]
