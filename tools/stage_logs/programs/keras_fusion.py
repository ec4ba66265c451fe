"""Keras functional model fusing image and metadata branches: the branches are concatenated along
the wrong axis, so the model cannot be built."""
import argparse

import numpy as np
import keras
from keras import layers


def build_model(image_size, n_meta, n_classes):
    image = keras.Input((image_size, image_size, 3), name="image")
    meta = keras.Input((n_meta,), name="metadata")
    x = layers.Conv2D(8, 3, activation="relu")(image)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(16, 3, activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    m = layers.Dense(16, activation="relu")(meta)
    fused = layers.Concatenate(axis=0)([x, layers.Reshape((16, 1))(m)])
    out = layers.Dense(n_classes, activation="softmax")(layers.Flatten()(fused))
    return keras.Model([image, meta], out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(0)
    images = rng.random((256, args.image_size, args.image_size, 3), dtype=np.float32)
    meta = rng.random((256, 6), dtype=np.float32)
    labels = rng.integers(0, 5, 256)
    print(f"loaded {len(images)} images {images.shape[1:]} with {meta.shape[1]} metadata fields")
    model = build_model(args.image_size, meta.shape[1], 5)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    model.fit({"image": images, "metadata": meta}, labels, epochs=args.epochs, batch_size=32,
              validation_split=0.1)


if __name__ == "__main__":
    main()
