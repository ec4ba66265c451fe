"""Plain PyTorch seq2seq training: the data directory comes from the config as a Path, and the code
that builds the vocabulary path concatenates it with a str."""
import argparse
import logging
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn

log = logging.getLogger("seq2seq")


class Seq2Seq(nn.Module):
    def __init__(self, vocab, dim=32):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.encoder = nn.GRU(dim, dim, batch_first=True)
        self.decoder = nn.GRU(dim, dim, batch_first=True)
        self.out = nn.Linear(dim, vocab)

    def forward(self, src, tgt):
        _, h = self.encoder(self.embed(src))
        y, _ = self.decoder(self.embed(tgt), h)
        return self.out(y)


def load_vocab(data_dir):
    vocab_file = data_dir + "/vocab.bpe.32000"
    with open(vocab_file) as f:
        return [line.split()[0] for line in f]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=Path("data/wmt16_en_de"))
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="%(asctime)s %(levelname)s %(message)s")
    log.info("arguments: %s", vars(args))
    torch.manual_seed(0)
    log.info("initialising model")
    model = Seq2Seq(vocab=512)
    log.info("model: %d parameters", sum(p.numel() for p in model.parameters()))
    log.info("waiting for the data mount")
    time.sleep(1.5)
    log.info("loading vocabulary from %s", args.data_dir)
    vocab = load_vocab(args.data_dir)
    log.info("vocabulary: %d entries", len(vocab))


if __name__ == "__main__":
    main()
