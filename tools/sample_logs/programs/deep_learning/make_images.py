"""Write a small image folder with an annotation list; --truncate NAME cuts that JPEG short."""
import argparse
import json
import os

import numpy as np
from PIL import Image


def main():
    p = argparse.ArgumentParser()
    p.add_argument("root")
    p.add_argument("--count", type=int, default=96)
    p.add_argument("--truncate", action="append", default=[])
    args = p.parse_args()
    rng = np.random.default_rng(1)
    os.makedirs(os.path.join(args.root, "train2017"), exist_ok=True)
    anns = []
    for i in range(args.count):
        name = "%012d.jpg" % (int(rng.integers(1, 581929)))
        yy, xx = np.mgrid[0:96, 0:128]
        img = np.stack([(xx * 2 + i) % 256, (yy * 2) % 256, rng.integers(0, 256, (96, 128))], -1)
        path = os.path.join(args.root, "train2017", name)
        Image.fromarray(img.astype(np.uint8)).save(path, quality=90)
        anns.append({"file_name": name, "category_id": int(rng.integers(0, 80))})
    for name in args.truncate:
        # an interrupted copy: keep the first 60% of the file
        path = os.path.join(args.root, "train2017", anns[int(name)]["file_name"])
        data = open(path, "rb").read()
        with open(path, "wb") as f:
            f.write(data[: int(len(data) * 0.6)])
    with open(os.path.join(args.root, "instances_train2017.json"), "w") as f:
        json.dump({"images": anns}, f)


if __name__ == "__main__":
    main()
