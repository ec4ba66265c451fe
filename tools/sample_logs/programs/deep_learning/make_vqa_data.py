"""Write the VQA job's data: a questions JSON and a pickle of per-image feature vectors.

With --truncate-at F the pickle is cut to F of its size, as an interrupted copy leaves it.
"""
import argparse
import json
import os
import pickle

import numpy as np


def main():
    p = argparse.ArgumentParser()
    p.add_argument("root")
    p.add_argument("--no-features", action="store_true")
    p.add_argument("--truncate-at", type=float, default=None)
    args = p.parse_args()
    rng = np.random.default_rng(0)
    os.makedirs(os.path.join(args.root, "features"), exist_ok=True)
    image_ids = [int(i) for i in rng.choice(580000, 600, replace=False)]
    questions = [{"image_id": image_ids[i % 600], "tokens": [int(t) for t in rng.integers(1, 900, 12)],
                  "answer": int(rng.integers(0, 300))} for i in range(1280)]
    with open(os.path.join(args.root, "questions_train.json"), "w") as f:
        json.dump({"questions": questions, "vocab": ["<pad>"] + ["w%d" % i for i in range(999)],
                   "answers": ["a%d" % i for i in range(300)]}, f)
    if args.no_features:
        return
    feats = {i: rng.standard_normal(512).astype(np.float32) for i in image_ids}
    data = pickle.dumps(feats, protocol=pickle.HIGHEST_PROTOCOL)
    if args.truncate_at is not None:
        data = data[: int(len(data) * args.truncate_at)]
    with open(os.path.join(args.root, "features", "train2014_resnet152.pkl"), "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
