"""Transformer classifier that trains to completion; its log is full of harmless error-looking lines."""
import logging
import os
import socket
import warnings

import torch
import torch.nn as nn

import trainlib


def push_metrics(step, value):
    """Report to the team dashboard (a local agent that is not always running)."""
    with socket.create_connection(("127.0.0.1", int(os.environ.get("METRICS_PORT", "9"))), timeout=2) as s:
        s.sendall(b"val_error %d %f\n" % (step, value))


def main():
    log = trainlib.setup_logging("2018-10-12 22:10:41", seed=151)
    warnings.warn("error_score='raise' is deprecated and will become the default; pass error_score "
                  "explicitly to silence this warning", FutureWarning)
    warnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`: error-prone ordering "
                  "may skip the first value of the learning rate schedule", UserWarning)
    torch.manual_seed(12)
    x = torch.randn(256, 10, 16)
    y = (x.sum(dim=(1, 2)) > 0).long()
    log.info("data check: 256 samples, 0 errors, 0 missing labels")
    model = nn.Sequential(nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 2, 32, batch_first=True), 1),
                          nn.Flatten(), nn.Linear(160, 2))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(1, 6):
        model.train()
        for i in range(0, 192, 32):
            loss = nn.functional.cross_entropy(model(x[i:i + 32]), y[i:i + 32])
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            err = (model(x[192:]).argmax(-1) != y[192:]).float().mean().item()
        log.info("epoch %d train_loss=%.4f val_error=%.2f error_rate_delta=%+.3f", epoch, loss.item(), err,
                 -0.01 * epoch)
        if epoch == 2:
            try:
                push_metrics(epoch, err)
            except OSError:
                logging.getLogger("metrics").exception("could not push metrics for epoch %d, will retry later",
                                                       epoch)
    torch.save(model.state_dict(), "model_final.pt")
    log.info("saved model_final.pt; training finished: 5 epochs, final val_error=%.2f", err)


if __name__ == "__main__":
    main()
