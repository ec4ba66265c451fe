"""Bernoulli VAE on binarised 28x28 digits (synthetic strokes stand in for MNIST)."""
import argparse

import torch
import torch.nn as nn

from _jobkit import Bar, get_logger, seed_everything

log = get_logger("vae")


def binarised_digits(n, gen):
    # blobs of "ink" on a blank canvas: most pixels are exactly 0, the ink exactly 1
    canvas = torch.zeros(n, 28, 28)
    for k in range(3):
        cx = torch.randint(6, 22, (n, 1, 1), generator=gen)
        cy = torch.randint(6, 22, (n, 1, 1), generator=gen)
        yy, xx = torch.meshgrid(torch.arange(28), torch.arange(28), indexing="ij")
        canvas = torch.maximum(canvas, (((xx - cx) ** 2 + (yy - cy) ** 2) < 12).float())
    return canvas.view(n, -1)


class VAE(nn.Module):
    def __init__(self, z=16, h=256):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(784, h), nn.ReLU(), nn.Linear(h, 2 * z))
        self.dec = nn.Sequential(nn.Linear(z, h), nn.ReLU(), nn.Linear(h, 784))

    def forward(self, x):
        mu, logvar = self.enc(x).chunk(2, dim=1)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.dec(z)), mu, logvar


def loss_fn(p, x, mu, logvar):
    bce = -(x * torch.log(p) + (1 - x) * torch.log(1 - p)).sum(1).mean()
    kld = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1).mean()
    return bce + kld, bce, kld


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--detect-anomaly", action="store_true")
    args = ap.parse_args()
    seed_everything(5)
    torch.autograd.set_detect_anomaly(args.detect_anomaly)
    gen = torch.Generator().manual_seed(5)
    data = binarised_digits(4096, gen)
    model = VAE()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps = len(data) // args.batch_size
    for epoch in range(1, args.epochs + 1):
        perm = torch.randperm(len(data), generator=gen)
        bar = Bar(steps, desc="Epoch %d/%d" % (epoch, args.epochs), sec_per_it=0.05, every=4)
        for i in range(steps):
            x = data[perm[i * args.batch_size:(i + 1) * args.batch_size]]
            p, mu, logvar = model(x)
            loss, bce, kld = loss_fn(p, x, mu, logvar)
            opt.zero_grad()
            loss.backward()
            opt.step()
            bar.set_postfix(loss="%.2f" % loss.item(), kld="%.2f" % kld.item())
            bar.update()
        bar.close()
        log.info("====> Epoch: %d Average loss: %.4f (bce %.4f, kld %.4f)", epoch, loss.item(), bce.item(), kld.item())


if __name__ == "__main__":
    main()
