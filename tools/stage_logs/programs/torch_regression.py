"""Plain PyTorch regression with a linear warm-up to a learning rate that is too large: training
diverges in epoch 2 and the loss guard stops the job."""
import argparse
import logging
import math
import sys
import time

import torch
import torch.nn as nn

log = logging.getLogger("train")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--steps-per-epoch", type=int, default=20)
    parser.add_argument("--peak-lr", type=float, default=0.005)
    parser.add_argument("--warmup-steps", type=int, default=30)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="%(asctime)s - %(levelname)s - %(name)s - %(message)s", datefmt="%m/%d/%Y %H:%M:%S")
    torch.manual_seed(0)
    w_true = torch.randn(32, 1) * 3
    x_val = torch.randn(256, 32) * 4
    y_val = x_val @ w_true
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 1))
    opt = torch.optim.SGD(model.parameters(), lr=args.peak_lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / args.warmup_steps))
    log.info("training for %d epochs of %d steps, peak lr %g", args.epochs, args.steps_per_epoch, args.peak_lr)
    step = 0
    for epoch in range(1, args.epochs + 1):
        print(f"Epoch {epoch}/{args.epochs}", flush=True)
        model.train()
        for _ in range(args.steps_per_epoch):
            x = torch.randn(64, 32) * 4
            loss = nn.functional.mse_loss(model(x), x @ w_true)
            loss_value = loss.item()
            if math.isnan(loss_value):
                raise FloatingPointError(f"Loss is {loss_value} at step {step}, stopping training")
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 5 == 0:
                log.info("step %d loss %.4g lr %.4g", step, loss_value, sched.get_last_lr()[0])
            time.sleep(0.1)
        model.eval()
        with torch.no_grad():
            val = nn.functional.mse_loss(model(x_val), y_val).item()
        log.info("Validation loss after epoch %d: %.4g", epoch, val)
        time.sleep(0.5)


if __name__ == "__main__":
    main()
