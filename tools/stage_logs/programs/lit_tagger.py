"""Token tagger in Lightning: sentences are read as bytes and decoded as ASCII, and the corpus has a
name with an umlaut in its 84th sentence."""
import argparse
import random

import lightning as L
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

N_TAGS, VOCAB, SEQ_LEN = 9, 500, 12
WORDS = ("the minister said on monday that talks in berlin with the european commission would resume "
         "after the summit in paris where officials from bank and union met").split()


def write_corpus(path, n, seed):
    rnd = random.Random(seed)
    with open(path, "wb") as f:
        for i in range(n):
            words = [rnd.choice(WORDS) for _ in range(SEQ_LEN)]
            if i == 83:
                words[2] = "Müller"
            f.write(" ".join(words).encode("utf-8") + b"\n")


class TaggedSentences(Dataset):
    def __init__(self, path):
        with open(path, "rb") as f:
            self.lines = f.read().splitlines()

    def __len__(self):
        return len(self.lines)

    def __getitem__(self, i):
        words = self.lines[i].decode("ascii").split()
        ids = torch.tensor([hash(w) % VOCAB for w in words])
        tags = torch.tensor([len(w) % N_TAGS for w in words])
        return ids, tags


class Tagger(L.LightningModule):
    def __init__(self, dim=32, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.embed = nn.Embedding(VOCAB, dim)
        self.rnn = nn.GRU(dim, dim, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * dim, N_TAGS)

    def forward(self, tokens):
        h, _ = self.rnn(self.embed(tokens))
        return self.out(h)

    def training_step(self, batch, batch_idx):
        tokens, tags = batch
        loss = nn.functional.cross_entropy(self(tokens).reshape(-1, N_TAGS), tags.reshape(-1))
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        tokens, tags = batch
        self.log("val_loss", nn.functional.cross_entropy(self(tokens).reshape(-1, N_TAGS), tags.reshape(-1)))

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    L.seed_everything(11)
    write_corpus("train.txt", 320, seed=1)
    write_corpus("dev.txt", 64, seed=2)
    trainer = L.Trainer(max_epochs=args.epochs, accelerator="cpu", devices=1, enable_progress_bar=True,
                        logger=False, enable_checkpointing=False, num_sanity_val_steps=0)
    trainer.fit(Tagger(), DataLoader(TaggedSentences("train.txt"), batch_size=args.batch_size),
                DataLoader(TaggedSentences("dev.txt"), batch_size=args.batch_size))


if __name__ == "__main__":
    main()
