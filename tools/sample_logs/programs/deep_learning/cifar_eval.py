"""Evaluate a trained CIFAR ResNet checkpoint on the test split (single GPU)."""
import argparse

import torch

from _jobkit import Bar, get_logger, seed_everything
from cifar_models import ResNet

log = get_logger("eval")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--batch-size", type=int, default=256)
    args = p.parse_args()
    seed_everything(0)
    model = ResNet()
    log.info("=> loading checkpoint '%s'", args.checkpoint)
    ckpt = torch.load(args.checkpoint, map_location="cpu")
    log.info("=> checkpoint from epoch %d (best acc@1 %.2f)", ckpt["epoch"], ckpt["best_acc1"])
    model.load_state_dict(ckpt["state_dict"])
    model.eval()
    correct = total = 0
    bar = Bar(40, desc="Test", sec_per_it=0.2)
    with torch.no_grad():
        for _ in range(40):
            x, y = torch.randn(args.batch_size, 3, 32, 32), torch.randint(0, 10, (args.batch_size,))
            correct += (model(x).argmax(1) == y).sum().item()
            total += len(y)
            bar.update()
    bar.close()
    log.info(" * Acc@1 %.3f", 100.0 * correct / total)


if __name__ == "__main__":
    main()
