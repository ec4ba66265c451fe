"""VAE on synthetic MNIST-sized data; writes a checkpoint after every epoch."""
import argparse
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 64)
        self.fc21 = nn.Linear(64, 8)
        self.fc22 = nn.Linear(64, 8)
        self.fc3 = nn.Linear(8, 64)
        self.fc4 = nn.Linear(64, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--output-dir", type=Path, default=Path("outputs"))
    p.add_argument("--epochs", type=int, default=10)
    args = p.parse_args()
    torch.manual_seed(1)
    data = torch.rand(512, 784)
    model = VAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, args.epochs + 1):
        total = 0.0
        for i in range(0, 512, 128):
            x = data[i:i + 128]
            recon, mu, logvar = model(x)
            loss = F.binary_cross_entropy(recon, x, reduction="sum") - 0.5 * torch.sum(
                1 + logvar - mu.pow(2) - logvar.exp())
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
            print("Train Epoch: %d [%d/512 (%.0f%%)]\tLoss: %.6f" % (epoch, i + 128, 100.0 * (i + 128) / 512,
                                                                   loss.item() / 128), flush=True)
        print("====> Epoch: %d Average loss: %.4f" % (epoch, total / 512), flush=True)
        ckpt = args.output_dir + "/vae_epoch%d.pt" % epoch
        torch.save(model.state_dict(), ckpt)


if __name__ == "__main__":
    main()
