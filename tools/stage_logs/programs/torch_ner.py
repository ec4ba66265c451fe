"""Plain PyTorch entity tagger: training finishes, then the final test pass maps predicted tag ids to
names with the config's "id2label", which the 2019 config renamed to "label_names"."""
import argparse
import json
import logging
import sys
import time

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

log = logging.getLogger("ner")
CONFIG = {"label_names": ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"],
          "max_len": 10}
N_TAGS = 9


def sentences(n, seed):
    g = torch.Generator().manual_seed(seed)
    tokens = torch.randint(0, 300, (n, 10), generator=g)
    tags = tokens % N_TAGS
    return TensorDataset(tokens, tags)


def prepare():
    """What the preprocessing step leaves in the work directory."""
    with open("tagger_config.json", "w") as f:
        json.dump(CONFIG, f)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="%(asctime)s - %(levelname)s - %(name)s - %(message)s", datefmt="%m/%d/%Y %H:%M:%S")
    prepare()
    with open("tagger_config.json") as f:
        config = json.load(f)
    log.info("config: %s", config)
    torch.manual_seed(1)
    model = nn.Sequential(nn.Embedding(300, 32), nn.Linear(32, N_TAGS))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    train = DataLoader(sentences(160, 0), batch_size=args.batch_size, shuffle=True)
    test = DataLoader(sentences(64, 1), batch_size=args.batch_size)
    for epoch in range(1, args.epochs + 1):
        print(f"Epoch {epoch}/{args.epochs}", flush=True)
        for step, (tokens, tags) in enumerate(train, 1):
            loss = nn.functional.cross_entropy(model(tokens).reshape(-1, N_TAGS), tags.reshape(-1))
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 2 == 0:
                print(f"step {(epoch - 1) * len(train) + step} loss {loss.item():.4f}", flush=True)
            time.sleep(0.2)
    log.info("Training finished after %d epochs", args.epochs)
    time.sleep(0.5)
    log.info("Running final evaluation on the test set (%d sentences)", len(test.dataset))
    model.eval()
    id2label = config.get("id2label")
    with open("predictions.txt", "w") as out, torch.no_grad():
        for batch, (tokens, tags) in enumerate(test, 1):
            pred = model(tokens).argmax(-1)
            for sent in pred.tolist():
                out.write(" ".join(id2label[t] for t in sent) + "\n")
            log.info("test batch %d/%d written", batch, len(test))
            time.sleep(0.2)


if __name__ == "__main__":
    main()
