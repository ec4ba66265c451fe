"""Lightning passage ranker: trained, then used to score new passages with trainer.predict(), whose
predict_step calls a post-processing hook that the subclass never implemented."""
import argparse

import lightning as L
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class BaseRanker(L.LightningModule):
    """Shared training code; subclasses say how scores become the ranking written out."""

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.binary_cross_entropy_with_logits(self(x).squeeze(-1), y)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", nn.functional.binary_cross_entropy_with_logits(self(x).squeeze(-1), y), prog_bar=True)

    def predict_step(self, batch, batch_idx):
        (x,) = batch
        return self.postprocess(self(x).squeeze(-1).sigmoid())

    def postprocess(self, scores):
        raise NotImplementedError


class MLPRanker(BaseRanker):
    def __init__(self, dim=24, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(dim, 48), nn.ReLU(), nn.Linear(48, 1))

    def forward(self, x):
        return self.net(x)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def pairs(n, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 24, generator=g)
    return x, (x[:, :12].sum(1) > x[:, 12:].sum(1)).float()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    L.seed_everything(13)
    train = DataLoader(TensorDataset(*pairs(384, 0)), batch_size=args.batch_size, shuffle=True)
    val = DataLoader(TensorDataset(*pairs(64, 1)), batch_size=args.batch_size)
    new_passages = DataLoader(TensorDataset(pairs(160, 2)[0]), batch_size=args.batch_size)
    model = MLPRanker()
    trainer = L.Trainer(max_epochs=args.epochs, accelerator="cpu", devices=1, enable_progress_bar=True,
                        logger=False, enable_checkpointing=False)
    trainer.fit(model, train, val)
    ranking = trainer.predict(model, new_passages)
    torch.save(ranking, "ranking.pt")


if __name__ == "__main__":
    main()
