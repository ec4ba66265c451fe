"""Lightning binary classifier: the test loop's per-batch recall divides by the batch's positives."""
import argparse

import lightning as L
import torch
import torch.nn as nn
from lightning.pytorch.callbacks import TQDMProgressBar
from torch.utils.data import DataLoader, TensorDataset


def make_split(n, seed, negatives_from=None):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 12, generator=g)
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).long()
    if negatives_from is not None:  # the hard-negative slice of the test set holds no positives
        y[negatives_from:] = 0
        x[negatives_from:, 0] = -x[negatives_from:, 0].abs() - 1
    return TensorDataset(x, y)


class Detector(L.LightningModule):
    def __init__(self, lr=5e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(12, 24), nn.ReLU(), nn.Linear(24, 2))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", nn.functional.cross_entropy(self.net(x), y), prog_bar=True)

    def test_step(self, batch, batch_idx):
        x, y = batch
        pred = self.net(x).argmax(-1)
        true_pos = int(((pred == 1) & (y == 1)).sum())
        positives = int((y == 1).sum())
        recall = true_pos / positives
        self.log("test_recall", recall)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    L.seed_everything(5)
    train = DataLoader(make_split(512, 0), batch_size=args.batch_size, shuffle=True)
    val = DataLoader(make_split(96, 1), batch_size=args.batch_size)
    test = DataLoader(make_split(192, 2, negatives_from=96), batch_size=args.batch_size)
    model = Detector()
    trainer = L.Trainer(max_epochs=args.epochs, accelerator="cpu", devices=1, enable_progress_bar=True,
                        callbacks=[TQDMProgressBar(refresh_rate=2)], logger=False, enable_checkpointing=False)
    trainer.fit(model, train, val)
    trainer.test(model, test)


if __name__ == "__main__":
    main()
