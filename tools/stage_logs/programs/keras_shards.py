"""Keras classifier trained one data shard per epoch (the corpus does not fit in memory): the second
shard was labelled with the new 6-class scheme, the model still has 5 outputs."""
import argparse
import os

import numpy as np
import keras
from keras import layers

N_CLASSES = 5


def write_shards(data_dir, n_shards, rows, n_features):
    os.makedirs(data_dir, exist_ok=True)
    rng = np.random.default_rng(0)
    for s in range(n_shards):
        x = rng.normal(size=(rows, n_features)).astype("float32")
        y = (np.abs(x[:, 0] * 3).astype(int) % N_CLASSES).astype("int64")
        if s == 1:  # relabelled with the 6-class scheme ("other" = 5) from row 200 on
            y[200:] = np.where(x[200:, 1] > 1.0, 5, y[200:])
        np.savez(os.path.join(data_dir, f"shard-{s:03d}.npz"), x=x, y=y)


class ShardSequence(keras.utils.PyDataset):
    """Epoch k reads shard k (mod the number of shards), in order."""

    def __init__(self, data_dir, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.paths = sorted(os.path.join(data_dir, f) for f in os.listdir(data_dir))
        self.batch_size = batch_size
        self.epoch = -1
        self._load(0)  # Keras looks at a batch before the first epoch begins

    def _load(self, index):
        shard = np.load(self.paths[index % len(self.paths)])
        self.x, self.y = shard["x"], shard["y"]

    def __len__(self):
        return len(self.x) // self.batch_size

    def __getitem__(self, idx):
        sl = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
        return self.x[sl], self.y[sl]

    def on_epoch_begin(self):
        self.epoch += 1
        self._load(self.epoch)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default="data/shards")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    keras.utils.set_random_seed(2)
    write_shards(args.data_dir, 3, 320, 20)
    model = keras.Sequential([keras.Input((20,)), layers.Dense(32, activation="relu"),
                              layers.Dense(N_CLASSES, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(ShardSequence(args.data_dir, args.batch_size), epochs=args.epochs, shuffle=False)


if __name__ == "__main__":
    main()
