"""Image classifier fed from a JSON annotation list by DataLoader workers."""
import json
import os

import torch
from torch.utils.data import DataLoader, Dataset

import trainlib


class AnnotatedImages(Dataset):
    def __init__(self, ann_file):
        with open(ann_file) as f:
            self.records = json.load(f)

    def __len__(self):
        return len(self.records)

    def __getitem__(self, i):
        rec = self.records[i]
        image = torch.zeros(3, 32, 32) + (rec["id"] % 7) / 7.0
        return image, rec["label"]


def main():
    ann = "annotations_train.json"
    with open(ann, "w") as f:   # the export tool writes COCO-style 'category_id'
        json.dump([{"id": i, "file_name": "img_%06d.jpg" % i, "category_id": i % 10} for i in range(256)], f)
    log = trainlib.setup_logging("2018-10-13 22:14:05", seed=21)
    ds = AnnotatedImages(ann)
    log.info("dataset: %d images from %s", len(ds), os.path.abspath(ann))
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 32 * 32, 10))
    loader = DataLoader(ds, batch_size=32, shuffle=False, num_workers=2, pin_memory=True)
    log.info("start training: 10 epochs, %d iters/epoch, 2 loader workers", len(loader))
    for images, labels in loader:
        model(images)


if __name__ == "__main__":
    main()
