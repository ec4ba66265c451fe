"""CRNN text recogniser: (image, transcript) pairs loaded by DataLoader workers."""
import time

import torch
from torch.utils.data import DataLoader, Dataset

import trainlib


class SynthText(Dataset):
    def __init__(self, n=512):
        self.keys = ["word_%05d" % i for i in range(n)]
        self.labels = {k: "lexicon%d" % i for i, k in enumerate(self.keys) if i != 37}

    def __len__(self):
        return len(self.keys)

    def decode_image(self, key):
        time.sleep(0.02)   # stands in for JPEG decoding + resize to 32x100
        return torch.zeros(1, 32, 100)

    def __getitem__(self, i):
        key = self.keys[i]
        image = self.decode_image(key)
        text = self.labels.get(key)
        text = text[:24]
        return image, len(text)


def main():
    log = trainlib.setup_logging("2018-10-19 11:20:48", seed=71, fmt="%(asctime)s [%(levelname)s] %(message)s")
    ds = SynthText()
    log.info("SynthText subset: %d samples, alphabet of 37 symbols", len(ds))
    loader = DataLoader(ds, batch_size=32, shuffle=False, num_workers=2, pin_memory=True)
    for step, (img, lengths) in enumerate(loader):
        log.info("iter %d: batch %s, mean label length %.2f", step, tuple(img.shape), lengths.float().mean().item())


if __name__ == "__main__":
    main()
