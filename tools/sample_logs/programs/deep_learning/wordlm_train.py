"""Word-level LSTM language model; each DataLoader worker keeps its own token cache."""
import argparse
import os

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

from _jobkit import Bar, get_logger, seed_everything
from _oom_emulation import check_rss

log = get_logger("wordlm", colour=True)


class CorpusDataset(Dataset):
    def __init__(self, path, vocab, seq_len):
        with open(path, encoding="utf-8") as f:
            self.lines = f.read().splitlines()
        self.vocab, self.seq_len = vocab, seq_len
        self.cache = {}

    def __len__(self):
        return len(self.lines)

    def __getitem__(self, i):
        if i not in self.cache:
            # context window: this sentence followed by its neighbours, tokenised once and cached
            window = " ".join((self.lines[i:] + self.lines)[:2000])
            ids = [self.vocab.get(w, 1) for w in window.split()]
            self.cache[i] = torch.tensor(ids, dtype=torch.long)
        check_rss()
        ids = self.cache[i][: self.seq_len + 1].clone()
        return ids[:-1], ids[1:]


class LSTMLM(nn.Module):
    def __init__(self, vocab_size, dim=64):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, dim)
        self.rnn = nn.LSTM(dim, dim, batch_first=True)
        self.out = nn.Linear(dim, vocab_size)

    def forward(self, x):
        h, _ = self.rnn(self.emb(x))
        return self.out(h)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--corpus", required=True)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--seq-len", type=int, default=35)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--epochs", type=int, default=40)
    args = p.parse_args()
    seed_everything(1111)
    torch.multiprocessing.set_sharing_strategy("file_system")

    with open(args.corpus, encoding="utf-8") as f:
        words = sorted({w for line in f for w in line.split()})
    vocab = {w: i + 2 for i, w in enumerate(words)}
    log.info("vocabulary: %d words", len(vocab) + 2)
    ds = CorpusDataset(args.corpus, vocab, args.seq_len)
    loader = DataLoader(ds, batch_size=args.batch_size, shuffle=True, num_workers=args.workers, persistent_workers=True)
    model = LSTMLM(len(vocab) + 2)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    crit = nn.CrossEntropyLoss()
    for epoch in range(1, args.epochs + 1):
        bar = Bar(len(loader), desc="epoch %d" % epoch, sec_per_it=0.09, every=5)
        total = 0.0
        for x, y in loader:
            loss = crit(model(x).reshape(-1, len(vocab) + 2), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            opt.step()
            total += loss.item()
            bar.set_postfix(loss="%.3f" % loss.item())
            bar.update()
        bar.close()
        log.info("| end of epoch %3d | train loss %5.2f | train ppl %8.2f", epoch,
                 total / len(loader), torch.exp(torch.tensor(total / len(loader))).item())


if __name__ == "__main__":
    main()
