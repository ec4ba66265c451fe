"""Wide-ResNet on CIFAR-10: downloads the archive unless it is already in the local cache."""
import argparse
import os
import sys
import urllib.request

import torch
import torch.nn as nn

import trainlib


def fetch(url, dest):
    if os.path.exists(dest):
        print("Files already downloaded and verified", flush=True)
        return
    print("Downloading %s to %s" % (url, dest), flush=True)
    urllib.request.urlretrieve(url, dest)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data-url", required=True)
    p.add_argument("--epochs", type=int, default=3)
    args = p.parse_args()
    os.makedirs("data", exist_ok=True)
    fetch(args.data_url, "data/cifar-10-python.tar.gz")
    log = trainlib.setup_logging("2018-10-13 08:02:00", seed=161, color=True,
                                 fmt="%(asctime)s %(levelname)s %(message)s", stream=sys.stdout)
    torch.manual_seed(28)
    x = torch.randn(320, 3, 8, 8)
    y = torch.randint(0, 10, (320,))
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                          nn.Linear(8, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(1, args.epochs + 1):
        for i in trainlib.progress(range(0, 320, 32), total=10, desc="Epoch %d" % epoch, rate=8.6):
            loss = nn.functional.cross_entropy(model(x[i:i + 32]), y[i:i + 32])
            opt.zero_grad()
            loss.backward()
            opt.step()
        err = 100.0 * (model(x).argmax(-1) != y).float().mean().item()
        log.info("epoch %d: loss %.4f top-1 err %.2f%% (0 errors in data pipeline)", epoch, loss.item(), err)
    log.info("\x1b[1mTraining finished\x1b[0m. best top-1 err=%.2f%%", err)


if __name__ == "__main__":
    main()
