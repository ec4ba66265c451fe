"""Language model with a length-bucketing batch sampler (ported from a Python 2 codebase)."""
import random

import torch
from torch.utils.data import DataLoader, Dataset, Sampler

import trainlib


class Sentences(Dataset):
    def __init__(self, n, seed=3):
        rng = random.Random(seed)
        self.lengths = [rng.randint(5, 60) for _ in range(n)]

    def __len__(self):
        return len(self.lengths)

    def __getitem__(self, i):
        return torch.zeros(self.lengths[i], dtype=torch.long)


class BucketBatchSampler(Sampler):
    def __init__(self, lengths, batch_size):
        self.lengths = lengths
        self.batch_size = batch_size

    def __iter__(self):
        order = sorted(range(len(self.lengths)), key=self.lengths.__getitem__)
        for b in range(len(self.lengths) / self.batch_size):
            yield order[b * self.batch_size:(b + 1) * self.batch_size]

    def __len__(self):
        return len(self.lengths) // self.batch_size


def main():
    log = trainlib.setup_logging("2018-10-12 14:02:51", seed=11, fmt="%(asctime)s | %(levelname)s | %(message)s")
    ds = Sentences(3000)
    log.info("train: %d sentences, %d tokens", len(ds), sum(ds.lengths))
    log.info("building vocabulary ... 24,113 types (min count 3)")
    loader = DataLoader(ds, batch_sampler=BucketBatchSampler(ds.lengths, 64),
                        collate_fn=lambda xs: torch.nn.utils.rnn.pad_sequence(xs, batch_first=True), pin_memory=True)
    log.info("epoch 1: %d batches", len(loader))
    for step, batch in enumerate(loader):
        pass


if __name__ == "__main__":
    main()
