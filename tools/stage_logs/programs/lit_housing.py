"""Lightning regressor: the validation split comes from a different loader whose batches use other keys."""
import argparse

import lightning as L
import torch
import torch.nn as nn
from lightning.pytorch.callbacks import TQDMProgressBar
from torch.utils.data import DataLoader, Dataset


class HousingTrain(Dataset):
    """Training rows, as prepared by featurize.py: dicts with "x" and "y"."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randn(n, 8, generator=g)
        self.y = self.x @ torch.linspace(-1, 1, 8) + 0.1 * torch.randn(n, generator=g)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"x": self.x[i], "y": self.y[i]}


class HousingHoldout(Dataset):
    """Hold-out rows from the 2019 export: dicts with "features" and "price"."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.features = torch.randn(n, 8, generator=g)
        self.price = self.features.sum(1)

    def __len__(self):
        return len(self.features)

    def __getitem__(self, i):
        return {"features": self.features[i], "price": self.price[i]}


class Regressor(L.LightningModule):
    def __init__(self, lr=1e-2):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 1))

    def training_step(self, batch, batch_idx):
        loss = nn.functional.mse_loss(self.net(batch["x"]).squeeze(-1), batch["y"])
        self.log("train_mse", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        loss = nn.functional.mse_loss(self.net(batch["x"]).squeeze(-1), batch["y"])
        self.log("val_mse", loss, prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    L.seed_everything(3)
    train = DataLoader(HousingTrain(640, seed=0), batch_size=args.batch_size, shuffle=True)
    val = DataLoader(HousingHoldout(128, seed=1), batch_size=args.batch_size)
    trainer = L.Trainer(max_epochs=args.epochs, accelerator="cpu", devices=1, enable_progress_bar=True,
                        callbacks=[TQDMProgressBar(refresh_rate=4)], logger=False,
                        enable_checkpointing=False, num_sanity_val_steps=0)
    trainer.fit(Regressor(), train, val)


if __name__ == "__main__":
    main()
