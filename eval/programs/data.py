"""Data failures: corrupt data files (really damaged by the setup code) and unexpected encodings."""

import textwrap

from .spec import Prog

PRE = textwrap.indent("""
import os, sys, engine
log = engine.get_logger("data")
engine.banner(log, dataset="{ds}", num_workers=4, shuffle=True)
engine.numpy_train(log, bar=engine.SEED % 4 == 1)
""", "    ")


def pre(ds="custom"):
    return PRE.replace("{ds}", ds)


def truncate(path, keep):
    return f"d = open({path!r}, 'rb').read(); open({path!r}, 'wb').write(d[:{keep}])"


CORRUPT = [
    Prog("pickle-truncated", "corrupt_data", "pickle", pre("squad_features") + """
    import pickle
    with open("cache/features.pkl", "rb") as f:
        feats = pickle.load(f)
    """, setup="import pickle, os; os.makedirs('cache'); pickle.dump([{'ids': list(range(64)), 'y': i} for i in range(2000)], "
               "open('cache/features.pkl', 'wb')); " + truncate("cache/features.pkl", 40000),
         expect=r"^_pickle\.UnpicklingError: pickle data was truncated", jobs=2),
    Prog("pickle-empty", "corrupt_data", "pickle", pre("vocab") + """
    import pickle
    vocab = pickle.load(open("vocab.pkl", "rb"))
    """, setup="open('vocab.pkl', 'wb').close()", expect=r"^EOFError: Ran out of input"),
    Prog("torch-load-damaged", "corrupt_data", "torch", pre("imagenet") + """
    import torch
    log.info("loading pretrained weights from resnet50.pth")
    sd = torch.load("resnet50.pth", map_location="cpu")
    """, setup="import torch; torch.save({'w': torch.randn(300, 300)}, 'resnet50.pth'); " + truncate("resnet50.pth", 200000),
         expect=r"^RuntimeError: PytorchStreamReader failed reading zip archive", jobs=2),
    Prog("tarfile-broken", "corrupt_data", "stdlib", pre("speech_commands") + """
    import tarfile
    with tarfile.open("speech_commands_v0.02.tar.gz") as tar:
        tar.extractall("data", filter="data")
    """, setup="import tarfile, os, io; os.makedirs('src'); [open(f'src/{i}.wav','wb').write(os.urandom(20000)) for i in range(20)]; "
               "t = tarfile.open('speech_commands_v0.02.tar.gz', 'w:gz'); t.add('src'); t.close(); " + truncate("speech_commands_v0.02.tar.gz", 150000),
         expect=r"^(tarfile\.ReadError|EOFError|gzip\.BadGzipFile)"),
    Prog("zipfile-bad", "corrupt_data", "stdlib", pre("glue") + """
    import zipfile
    zipfile.ZipFile("glue_data.zip").extractall("data")
    """, setup="open('glue_data.zip','wb').write(b'<html><body>Error 403: quota exceeded</body></html>')",
         expect=r"^zipfile\.BadZipFile: File is not a zip file"),
    Prog("pil-truncated", "corrupt_data", "pillow", pre("coco") + """
    from PIL import Image
    img = Image.open("images/000000391895.jpg")
    img = img.convert("RGB").resize((224, 224))
    """, setup="from PIL import Image; import numpy as np, os; os.makedirs('images'); "
               "Image.fromarray((np.random.rand(256,256,3)*255).astype('uint8')).save('images/000000391895.jpg', quality=95); "
               + truncate("images/000000391895.jpg", 9000),
         expect=r"^OSError: image file is truncated", jobs=2),
    Prog("pil-unidentified", "corrupt_data", "pillow", pre("openimages") + """
    from PIL import Image
    Image.open("images/0a1b2c3d.png")
    """, setup="import os; os.makedirs('images'); open('images/0a1b2c3d.png','wb').write(os.urandom(2048))",
         expect=r"^PIL\.UnidentifiedImageError: cannot identify image file"),
    Prog("h5-signature", "corrupt_data", "h5py", pre("modelnet40") + """
    import h5py
    f = h5py.File("ply_data_train0.h5", "r")
    """, setup="import os; open('ply_data_train0.h5','wb').write(os.urandom(4096))",
         expect=r"^OSError: Unable to synchronously open file \(file signature not found\)"),
    Prog("npy-bad-magic", "corrupt_data", "numpy", pre("features") + """
    import numpy as np
    x = np.load("train_x.npy")
    """, setup="import os; open('train_x.npy','wb').write(b'version https://git-lfs.github.com/spec/v1\\noid sha256:4d7a\\nsize 1048576\\n')",
         expect=r"^ValueError: This file contains pickled \(object\) data"),
    Prog("json-truncated", "corrupt_data", "json", pre("squad") + """
    import json
    with open("train-v2.0.json") as f:
        data = json.load(f)
    """, setup="import json; json.dump({'version': 'v2.0', 'data': [{'title': f't{i}', 'context': 'x' * 200} for i in range(300)]}, "
               "open('train-v2.0.json', 'w')); " + truncate("train-v2.0.json", 30011),
         expect=r"^json\.decoder\.JSONDecodeError:", jobs=2),
    Prog("gzip-truncated", "corrupt_data", "stdlib", pre("c4") + """
    import gzip
    n = 0
    with gzip.open("c4-train.00000-of-01024.json.gz", "rt") as f:
        for line in f:
            n += 1
    """, setup="import gzip, os; g = gzip.open('c4-train.00000-of-01024.json.gz', 'wt'); [g.write('{\"text\": \"%s\"}\\n' % os.urandom(60).hex()) for _ in range(5000)]; g.close(); "
               + truncate("c4-train.00000-of-01024.json.gz", 60000),
         expect=r"^EOFError: Compressed file ended before the end-of-stream marker was reached"),
    Prog("tfrecord-truncated", "corrupt_data", "tensorflow", pre("imagenet_tfrecord") + """
    import tensorflow as tf
    n = 0
    for rec in tf.data.TFRecordDataset("train-00001-of-01024"):
        n += 1
    """, setup="import tensorflow as tf, os\nwith tf.io.TFRecordWriter('train-00001-of-01024') as w:\n    [w.write(os.urandom(1000)) for _ in range(100)]\n" + truncate("train-00001-of-01024", 50500),
         expect=r"^tensorflow\.python\.framework\.errors_impl\.DataLossError:"),
    Prog("pandas-parsererror", "corrupt_data", "pandas", pre("criteo_csv") + """
    import pandas as pd
    df = pd.read_csv("clicks.csv")
    """, setup="import random; rows = ['a,b,c,d,e'] + ['1,2,3,4,5'] * 3000; rows[2500] = '1,2,3,4,5,6,7'; open('clicks.csv','w').write('\\n'.join(rows))",
         expect=r"^pandas\.errors\.ParserError: Error tokenizing data"),
    Prog("sh-targz-truncated", "corrupt_data", "shell", """
    #!/bin/bash
    set -e
    echo "extracting checkpoint archive"
    tar -xzf ckpt.tar.gz -C restored/
    """, setup="import tarfile, os; os.makedirs('ck'); os.makedirs('restored'); [open(f'ck/shard{i}.bin','wb').write(os.urandom(50000)) for i in range(6)]; "
               "t = tarfile.open('ckpt.tar.gz', 'w:gz'); t.add('ck'); t.close(); " + truncate("ckpt.tar.gz", 120000),
         kind="shell", expect=r"^gzip: stdin: unexpected end of file", which="first"),
    Prog("sh-unzip-corrupt", "corrupt_data", "shell", """
    #!/bin/bash
    set -e
    echo "unpacking annotations"
    unzip -o annotations_trainval2017.zip
    """, setup="import zipfile, os; z = zipfile.ZipFile('annotations_trainval2017.zip', 'w'); z.writestr('instances.json', os.urandom(90000)); z.close(); "
               + truncate("annotations_trainval2017.zip", 60000),
         kind="shell", expect=r"End-of-central-directory signature not found"),
]

ENCODING = [
    Prog("ascii-decode", "unexpected_encoding", "stdlib", pre("wikiann") + """
    with open("train.txt", encoding="ascii") as f:
        sents = [l.split() for l in f]
    """, setup="open('train.txt', 'w', encoding='utf-8').write('Paris B-LOC\\n' * 400 + 'Zürich B-LOC\\n')",
         expect=r"^UnicodeDecodeError: 'ascii' codec can't decode byte", jobs=2),
    Prog("utf8-decode-latin1", "unexpected_encoding", "stdlib", pre("reviews") + """
    with open("reviews.tsv") as f:
        rows = [l.rstrip("\\n").split("\\t") for l in f]
    """, setup="open('reviews.tsv', 'w', encoding='latin-1').write('id\\ttext\\n' + '1\\tgreat\\n' * 300 + '2\\tcaf\\xe9 cr\\xe8me\\n')",
         expect=r"^UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9"),
    Prog("print-ascii-stdout", "unexpected_encoding", "stdlib", pre("translation") + """
    for src, tgt in [("hello", "bonjour"), ("thanks", "谢谢")]:
        print(f"sample: {src} -> {tgt}")
    """, env={"PYTHONIOENCODING": "ascii"}, expect=r"^UnicodeEncodeError: 'ascii' codec can't encode character"),
    Prog("pandas-gbk", "unexpected_encoding", "pandas", pre("weibo") + """
    import pandas as pd
    df = pd.read_csv("weibo_senti_100k.csv")
    """, setup="open('weibo_senti_100k.csv', 'w', encoding='gbk').write('label,review\\n' + '1,很好\\n' * 300)",
         expect=r"^UnicodeDecodeError: 'utf-8' codec can't decode byte"),
    Prog("py2-pickle", "unexpected_encoding", "pickle", pre("legacy_features") + """
    import pickle
    with open("features_py2.pkl", "rb") as f:
        feats = pickle.load(f)
    """, setup="open('features_py2.pkl', 'wb').write(b'\\x80\\x02]q\\x00(U\\x05caf\\xc3\\xa9q\\x01U\\x03abcq\\x02e.')",
         expect=r"^UnicodeDecodeError: 'ascii' codec can't decode byte"),
    Prog("json-utf16", "unexpected_encoding", "json", pre("intents") + """
    import json
    cfg = json.load(open("intents.json"))
    """, setup="open('intents.json', 'w', encoding='utf-16').write('{\"intents\": []}')",
         expect=r"^UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0"),
    Prog("csv-cp1252", "unexpected_encoding", "stdlib", pre("products") + """
    import csv
    with open("products.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    """, setup="open('products.csv', 'w', encoding='cp1252').write('name,price\\n' + 'cable,3\\n' * 500 + 'caf\\u00e9 \\u201cpremium\\u201d,9\\n')",
         expect=r"^UnicodeDecodeError: 'utf-8' codec can't decode byte"),
    Prog("encode-ascii-labels", "unexpected_encoding", "stdlib", pre("ner") + """
    labels = ["PER", "LOC", "ORG", "MISC", "Straße"]
    with open("labels.bin", "wb") as f:
        for l in labels:
            f.write(l.encode("ascii") + b"\\n")
    """, expect=r"^UnicodeEncodeError: 'ascii' codec can't encode character '\\xdf'"),
    Prog("gbk-illegal", "unexpected_encoding", "stdlib", pre("chinese_corpus") + """
    with open("corpus.txt", encoding="gbk") as f:
        text = f.read()
    """, setup="open('corpus.txt', 'w', encoding='utf-8').write('今天天气很好。\\n' * 200 + '€\\n')",
         expect=r"^UnicodeDecodeError: 'gbk' codec can't decode byte"),
    Prog("h5py-asstr", "unexpected_encoding", "h5py", pre("captions") + """
    import h5py
    with h5py.File("captions.h5", "r") as f:
        caps = f["captions"].asstr()[()]
    """, setup="import h5py, numpy as np\nwith h5py.File('captions.h5', 'w') as f:\n    f.create_dataset('captions', data=np.array([b'a dog', b'caf\\xe9'], dtype=h5py.string_dtype('utf-8')))\n",
         expect=r"^UnicodeDecodeError: 'utf-8' codec can't decode byte"),
    Prog("bytes-decode-utf8-stream", "unexpected_encoding", "stdlib", pre("logs") + """
    import subprocess
    out = subprocess.run(["cat", "events.log"], capture_output=True).stdout.decode()
    """, setup="open('events.log', 'wb').write(b'ok\\n' * 100 + b'\\xff\\xfe bad\\n')",
         expect=r"^UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff"),
]

PROGRAMS = CORRUPT + ENCODING
