"""DLRM-style click-through-rate model; the whole day of Criteo features is preloaded into RAM."""
import argparse

import numpy as np
import torch
import torch.nn as nn

from _jobkit import Bar, get_logger, seed_everything
from _oom_emulation import check_rss

log = get_logger("dlrm")

N_DENSE, N_SPARSE = 13, 26


def load_day(path, rows, chunk):
    """Read a day of preprocessed features (synthetic rows generated from `path`'s seed)."""
    log.info("allocating feature matrix for %d rows x %d columns", rows, N_DENSE + N_SPARSE)
    feats = np.empty((rows, N_DENSE + N_SPARSE), dtype=np.float32)
    labels = np.empty(rows, dtype=np.float32)
    rng = np.random.default_rng(42)
    bar = Bar(rows // chunk, desc="loading %s" % path, sec_per_it=1.7, every=4)
    for start in range(0, rows - chunk + 1, chunk):
        feats[start:start + chunk] = rng.random((chunk, N_DENSE + N_SPARSE), dtype=np.float32)
        labels[start:start + chunk] = rng.random(chunk, dtype=np.float32) < 0.25
        check_rss()
        bar.update()
    bar.close()
    return feats, labels


class DLRM(nn.Module):
    def __init__(self, emb_dim=16, buckets=10000):
        super().__init__()
        self.emb = nn.ModuleList(nn.EmbeddingBag(buckets, emb_dim, mode="sum") for _ in range(N_SPARSE))
        self.bottom = nn.Sequential(nn.Linear(N_DENSE, 64), nn.ReLU(), nn.Linear(64, emb_dim))
        self.top = nn.Sequential(nn.Linear(emb_dim * (N_SPARSE + 1), 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, dense, sparse):
        z = [self.bottom(dense)] + [e(sparse[:, i:i + 1]) for i, e in enumerate(self.emb)]
        return self.top(torch.cat(z, 1)).squeeze(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--day", default="/data/criteo/day_0.npz")
    p.add_argument("--rows", type=int, default=104_857_600)
    p.add_argument("--chunk", type=int, default=2_000_000)
    p.add_argument("--batch-size", type=int, default=2048)
    args = p.parse_args()
    seed_everything(0)
    model = DLRM()
    log.info("model: %d parameters", sum(p.numel() for p in model.parameters()))
    feats, labels = load_day(args.day, args.rows, args.chunk)
    opt = torch.optim.Adagrad(model.parameters(), lr=0.01)
    for start in range(0, len(labels), args.batch_size):
        x = torch.from_numpy(feats[start:start + args.batch_size])
        dense, sparse = x[:, :N_DENSE], (x[:, N_DENSE:] * 9999).long()
        loss = nn.functional.binary_cross_entropy_with_logits(
            model(dense, sparse), torch.from_numpy(labels[start:start + args.batch_size]))
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main()
