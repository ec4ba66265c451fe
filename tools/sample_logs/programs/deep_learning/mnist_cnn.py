"""Baseline MNIST-style CNN; pushes metrics to a tracking server when one answers."""
import argparse
import logging
import os
import time
import urllib.request
import warnings

import torch
import torch.nn as nn

from _jobkit import Bar, get_logger, seed_everything, tick

log = get_logger("mnist")


def check_labels(labels):
    warnings.warn("label file lists 3 images twice; keeping the first occurrence "
                  "(pass strict=True to raise an error instead)", UserWarning)
    log.info("data check: 0 errors, 3 duplicates, %d labels", len(labels))


def push_metrics(url, payload):
    req = urllib.request.Request(url, data=payload.encode(), method="POST")
    with urllib.request.urlopen(req, timeout=2) as r:
        return r.status


def fetch_pretrained(urls, dest):
    for attempt, url in enumerate(urls, 1):
        try:
            with urllib.request.urlopen(url, timeout=2) as r, open(dest, "wb") as f:
                f.write(r.read())
            log.info("attempt %d: fetched %s", attempt, url)
            return dest
        except OSError as e:
            log.warning("attempt %d failed (%s: %s); retrying with next mirror in 2s",
                        attempt, type(e).__name__, e)
            tick(2)
    raise RuntimeError("all mirrors failed")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--tracking-url", default="http://127.0.0.1:9/api/metrics")
    p.add_argument("--mirrors", default="http://127.0.0.1:9/models/lenet.pt")
    p.add_argument("--work", default=".")
    args = p.parse_args()
    seed_everything(1)
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(2048, 1, 28, 28, generator=gen)
    y = (x[:, 0, 10:18, 10:18].mean((1, 2)) > 0).long() + 2 * (x[:, 0, :8, :8].mean((1, 2)) > 0).long()
    check_labels(y.tolist())

    model = nn.Sequential(nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 5), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 64), nn.ReLU(), nn.Linear(64, 10))
    local = os.path.join(args.work, "lenet_init.pt")
    torch.save(model.state_dict(), local)
    path = fetch_pretrained(args.mirrors.split(",") + ["file://" + os.path.abspath(local)],
                            os.path.join(args.work, "lenet.pt"))
    model.load_state_dict(torch.load(path))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
    sched.step()  # position of this call was changed in PyTorch 1.1
    train_x, train_y, val_x, val_y = x[:1792], y[:1792], x[1792:], y[1792:]
    for epoch in range(1, args.epochs + 1):
        bar = Bar(28, desc="Epoch %d" % epoch, sec_per_it=0.05, every=7)
        for i in range(0, 1792, 64):
            loss = nn.functional.cross_entropy(model(train_x[i:i + 64]), train_y[i:i + 64])
            opt.zero_grad()
            loss.backward()
            opt.step()
            bar.set_postfix(loss="%.4f" % loss.item())
            bar.update()
        bar.close()
        sched.step()
        with torch.no_grad():
            pred = model(val_x).argmax(1)
            val_error = (pred != val_y).float().mean().item()
            train_error = (model(train_x).argmax(1) != train_y).float().mean().item()
        log.info("epoch %d: loss=%.4f train_error=%.4f val_error=%.4f", epoch, loss.item(), train_error, val_error)
        if args.tracking_url:
            try:
                push_metrics(args.tracking_url, '{"epoch": %d, "val_error": %.4f}' % (epoch, val_error))
            except Exception:
                log.exception("could not push metrics for epoch %d; continuing without tracking", epoch)
                args.tracking_url = None
    torch.save(model.state_dict(), os.path.join(args.work, "model_final.pt"))
    log.info("training complete: best val_error=%.4f, model saved", val_error)


if __name__ == "__main__":
    main()
