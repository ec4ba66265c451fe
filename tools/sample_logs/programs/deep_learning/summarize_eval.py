"""Extractive summariser on CNN/DailyMail-style articles: train a sentence scorer, print summaries."""
import argparse
import json

import torch
import torch.nn as nn

from _jobkit import Bar, get_logger, seed_everything

log = get_logger("summ", stream=None)


def featurise(sent, vocab):
    v = torch.zeros(len(vocab))
    for w in sent.lower().split():
        if w in vocab:
            v[vocab[w]] += 1
    return v


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--show", type=int, default=5, help="summaries to print")
    args = p.parse_args()
    seed_everything(4)
    with open(args.data, encoding="utf-8") as f:
        articles = [json.loads(line) for line in f]
    words = sorted({w for a in articles for s in a["sentences"] for w in s.lower().split()})
    vocab = {w: i for i, w in enumerate(words)}
    log.info("%d articles, vocabulary %d", len(articles), len(vocab))
    xs = torch.stack([featurise(s, vocab) for a in articles for s in a["sentences"]])
    ys = torch.tensor([float(i in a["oracle"]) for a in articles for i in range(len(a["sentences"]))])
    scorer = nn.Linear(len(vocab), 1)
    opt = torch.optim.Adam(scorer.parameters(), lr=0.01)
    bar = Bar(args.steps, desc="train", sec_per_it=0.12, every=6)
    for _ in range(args.steps):
        loss = nn.functional.binary_cross_entropy_with_logits(scorer(xs).squeeze(1), ys)
        opt.zero_grad()
        loss.backward()
        opt.step()
        bar.set_postfix(loss="%.4f" % loss.item())
        bar.update()
    bar.close()
    log.info("final train loss %.4f", loss.item())
    print("==== sample summaries ====", flush=True)
    for n, a in enumerate(articles[: args.show]):
        scores = scorer(torch.stack([featurise(s, vocab) for s in a["sentences"]])).squeeze(1)
        best = sorted(scores.topk(2).indices.tolist())
        print("[%d] %s" % (n, a["id"]))
        print("  summary: " + " ".join(a["sentences"][i] for i in best))
    print("==== done ====")


if __name__ == "__main__":
    main()
