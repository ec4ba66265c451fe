"""Semantic segmentation trainer: validates after every epoch and keeps the best mIoU."""
import argparse
import random

import trainlib


def validate(epoch, rng):
    return 0.31 + 0.04 * epoch + rng.uniform(-0.01, 0.01)


def train(args, log):
    rng = random.Random(8)
    if args.resume:
        best_miou = 0.0
        log.info("resumed from %s", args.resume)
    for epoch in range(1, args.epochs + 1):
        for it in range(0, 1488, 372):
            log.info("epoch %d iter %d/1488 loss %.4f lr %.6f", epoch, it + 372, 1.9 / epoch + rng.uniform(0, 0.1),
                     0.01 * (1 - (epoch - 1) / args.epochs) ** 0.9)
        miou = validate(epoch, rng)
        log.info("epoch %d validation mIoU %.4f", epoch, miou)
        if miou > best_miou:
            best_miou = miou
            log.info("new best mIoU, saving checkpoint")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--resume", default="")
    args = p.parse_args()
    log = trainlib.setup_logging("2018-10-19 02:05:44", seed=81, fmt="%(asctime)s %(levelname)-8s %(message)s")
    train(args, log)


if __name__ == "__main__":
    main()
