"""Fine-tune a small conv backbone on COCO crops; images decoded with PIL in DataLoader workers."""
import argparse
import json
import os

import numpy as np
import torch
import torch.nn as nn
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from _jobkit import Bar, get_logger, seed_everything

log = get_logger("finetune", colour=True)


class CocoImages(Dataset):
    def __init__(self, root, split="train2017"):
        with open(os.path.join(root, "instances_%s.json" % split)) as f:
            self.anns = json.load(f)["images"]
        self.root = os.path.join(root, split)

    def __len__(self):
        return len(self.anns)

    def __getitem__(self, idx):
        ann = self.anns[idx]
        img = Image.open(os.path.join(self.root, ann["file_name"])).convert("RGB")
        x = torch.from_numpy(np.asarray(img.resize((64, 48)), dtype=np.float32) / 255.0).permute(2, 0, 1)
        return x, ann["category_id"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--coco-path", required=True)
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--num-workers", type=int, default=2)
    args = p.parse_args()
    seed_everything(42)
    ds = CocoImages(args.coco_path)
    log.info("train set: %d images", len(ds))
    loader = DataLoader(ds, batch_size=args.batch_size, shuffle=True, num_workers=args.num_workers,
                        generator=torch.Generator().manual_seed(42))
    model = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 80))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=1e-4)
    for epoch in range(args.epochs):
        bar = Bar(len(loader), desc="Epoch: [%d]" % epoch, sec_per_it=0.8, every=3)
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            bar.set_postfix(loss="%.4f" % loss.item())
            bar.update()
        bar.close()
        log.info("Epoch: [%d] done, loss %.4f", epoch, loss.item())


if __name__ == "__main__":
    main()
