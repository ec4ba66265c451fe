"""VQA baseline: pre-extracted image features (pickle) + question LSTM, answer classification."""
import argparse
import json
import os
import pickle

import numpy as np

import torch
import torch.nn as nn

from _jobkit import Bar, get_logger, seed_everything

log = get_logger("vqa", colour=True)


def load_features(path):
    log.info("loading image features from %s (%.1f MB)", path, os.path.getsize(path) / 2**20)
    with open(path, "rb") as f:
        feats = pickle.load(f)
    log.info("loaded features for %d images", len(feats))
    return feats


class VQANet(nn.Module):
    def __init__(self, vocab, answers, feat_dim=512, dim=256):
        super().__init__()
        self.emb = nn.Embedding(vocab, 128)
        self.rnn = nn.LSTM(128, dim, batch_first=True)
        self.img = nn.Linear(feat_dim, dim)
        self.cls = nn.Linear(dim, answers)

    def forward(self, q, v):
        _, (h, _) = self.rnn(self.emb(q))
        return self.cls(torch.tanh(h[-1]) * torch.tanh(self.img(v)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data-root", required=True)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=64)
    args = p.parse_args()
    seed_everything(2018)
    with open(os.path.join(args.data_root, "questions_train.json"), encoding="utf-8") as f:
        questions = json.load(f)
    log.info("%d training questions, %d answers", len(questions["questions"]), len(questions["answers"]))
    train_feats = load_features(os.path.join(args.data_root, "features", "train2014_resnet152.pkl"))
    model = VQANet(len(questions["vocab"]), len(questions["answers"]))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    items = questions["questions"]
    for epoch in range(args.epochs):
        bar = Bar(len(items) // args.batch_size, desc="epoch %d" % epoch, sec_per_it=0.3)
        for i in range(0, len(items) - args.batch_size + 1, args.batch_size):
            batch = items[i:i + args.batch_size]
            q = torch.tensor([b["tokens"] for b in batch])
            v = torch.from_numpy(np.stack([train_feats[b["image_id"]] for b in batch]))
            a = torch.tensor([b["answer"] for b in batch])
            loss = nn.functional.cross_entropy(model(q, v), a)
            opt.zero_grad()
            loss.backward()
            opt.step()
            bar.update()
        bar.close()


if __name__ == "__main__":
    main()
