"""Tabular classifier in Lightning: the optimizer named on the command line is not in the registry."""
import argparse

import lightning as L
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

OPTIMIZERS = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}


class TabularClassifier(L.LightningModule):
    def __init__(self, n_features=16, n_classes=4, optimizer="adam", lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(n_features, 32), nn.ReLU(), nn.Linear(32, n_classes))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", nn.functional.cross_entropy(self.net(x), y), prog_bar=True)

    def configure_optimizers(self):
        optimizer_cls = OPTIMIZERS[self.hparams.optimizer]
        return optimizer_cls(self.parameters(), lr=self.hparams.lr)


def loaders(n_features, n_classes, batch_size):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(512, n_features, generator=g)
    y = torch.randint(0, n_classes, (512,), generator=g)
    train = TensorDataset(x[:448], y[:448])
    val = TensorDataset(x[448:], y[448:])
    return DataLoader(train, batch_size=batch_size, shuffle=True), DataLoader(val, batch_size=batch_size)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--optimizer", default="adam")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    L.seed_everything(7)
    train_loader, val_loader = loaders(16, 4, args.batch_size)
    model = TabularClassifier(optimizer=args.optimizer, lr=args.lr)
    trainer = L.Trainer(max_epochs=args.epochs, accelerator="cpu", devices=1, enable_progress_bar=True,
                        logger=False, enable_checkpointing=False, log_every_n_steps=5)
    trainer.fit(model, train_loader, val_loader)


if __name__ == "__main__":
    main()
