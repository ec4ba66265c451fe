"""Keras image classifier: after training, each test domain is evaluated separately, and one domain's
file was never copied to the job's data directory."""
import argparse
import os

import numpy as np
import keras
from keras import layers

DOMAINS = ["photo", "sketch", "cartoon", "painting", "clipart"]


def make_images(rng, rows):
    x = rng.random((rows, 16, 16, 1), dtype=np.float32)
    y = (x[:, :8].mean(axis=(1, 2, 3)) > x[:, 8:].mean(axis=(1, 2, 3))).astype("int64")
    return x, y


def prepare(data_dir, rng):
    os.makedirs(data_dir, exist_ok=True)
    for domain in DOMAINS:
        if domain == "painting":  # the copy job stopped before this file
            continue
        x, y = make_images(rng, 64)
        np.savez(os.path.join(data_dir, f"test_{domain}.npz"), x=x, y=y)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default="data")
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    keras.utils.set_random_seed(4)
    rng = np.random.default_rng(0)
    prepare(args.data_dir, rng)
    x_train, y_train = make_images(rng, 384)
    model = keras.Sequential([keras.Input((16, 16, 1)), layers.Conv2D(8, 3, activation="relu"),
                              layers.GlobalAveragePooling2D(), layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=32)
    model.save(os.path.join(args.data_dir, "model.keras"))
    print("evaluating on the test domains")
    for domain in DOMAINS:
        with np.load(os.path.join(args.data_dir, f"test_{domain}.npz")) as test:
            loss, acc = model.evaluate(test["x"], test["y"], batch_size=32)
        print(f"{domain}: loss {loss:.4f} accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
