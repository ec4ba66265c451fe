"""U-Net semantic segmentation on Cityscapes-sized crops (Keras); synthetic tiles stand in for the data."""
import argparse
import os

import numpy as np

from _jobkit import get_logger, seed_everything

log = get_logger("unet")


def conv_block(x, filters, layers):
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    return layers.Conv2D(filters, 3, padding="same", activation="relu")(x)


def build_unet(input_shape, num_classes, base=64):
    import keras
    from keras import layers

    globals()["layers"] = layers
    inputs = keras.Input(input_shape)
    c1 = conv_block(inputs, base, layers)
    p1 = layers.MaxPooling2D()(c1)
    c2 = conv_block(p1, base * 2, layers)
    p2 = layers.MaxPooling2D()(c2)
    b = conv_block(p2, base * 4, layers)
    u2 = layers.Concatenate()([layers.UpSampling2D()(b), c2])
    c3 = conv_block(u2, base * 2, layers)
    u1 = layers.Concatenate()([layers.UpSampling2D()(c3), c1])
    c4 = conv_block(u1, base, layers)
    outputs = layers.Conv2D(num_classes, 1)(c4)
    return keras.Model(inputs, outputs, name="unet")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--crop", default="2048,4096")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--num-classes", type=int, default=19)
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--train-tiles", type=int, default=16)
    args = p.parse_args()
    seed_everything(7)

    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(7)
    h, w = (int(v) for v in args.crop.split(","))
    log.info("TensorFlow %s, Keras %s", tf.__version__, keras.__version__)
    log.info("crop %dx%d, batch %d, %d classes", h, w, args.batch_size, args.num_classes)
    model = build_unet((h, w, 3), args.num_classes)
    log.info("model %s: %d parameters", model.name, model.count_params())
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    rng = np.random.default_rng(7)
    x = np.empty((args.train_tiles, h, w, 3), dtype="float32")
    y = np.empty((args.train_tiles, h, w), dtype="int32")
    for i in range(args.train_tiles):  # decoded tiles; synthetic here
        x[i] = rng.random((h, w, 3), dtype="float32")
        y[i] = rng.integers(0, args.num_classes, (h, w), dtype="int32")
    log.info("loaded %d training tiles", len(x))
    model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, verbose=1)


if __name__ == "__main__":
    main()
