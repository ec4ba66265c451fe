"""Plain PyTorch keyword-spotting training: the validation loader drops its last incomplete batch,
and the validation split is smaller than one batch, so the average over its batches divides by zero."""
import argparse
import logging
import sys
import time

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

log = logging.getLogger(__name__)


def split(n, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 40, generator=g)  # 40 log-mel features per clip, averaged over time
    y = (x[:, :20].sum(1) > x[:, 20:].sum(1)).long() + 2 * (x[:, 0] > 0).long()
    return TensorDataset(x, y)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(message)s")
    torch.manual_seed(0)
    train = DataLoader(split(480, 0), batch_size=args.batch_size, shuffle=True, drop_last=True)
    val = DataLoader(split(24, 1), batch_size=args.batch_size, drop_last=True)
    log.info("train clips: %d, validation clips: %d", len(train.dataset), len(val.dataset))
    model = nn.Sequential(nn.Linear(40, 64), nn.ReLU(), nn.Linear(64, 4))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        print(f"Epoch {epoch}/{args.epochs}", flush=True)
        model.train()
        for step, (x, y) in enumerate(train, 1):
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 5 == 0:
                log.info("epoch %d step %d loss %.4f", epoch, step, loss.item())
            time.sleep(0.15)
        log.info("Running validation for epoch %d", epoch)
        model.eval()
        total, batches = 0.0, 0
        with torch.no_grad():
            for x, y in val:
                total += nn.functional.cross_entropy(model(x), y).item()
                batches += 1
        log.info("epoch %d validation loss %.4f", epoch, total / batches)


if __name__ == "__main__":
    main()
