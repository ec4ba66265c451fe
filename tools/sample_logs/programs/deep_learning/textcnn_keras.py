"""Text-CNN sentiment classifier (Keras): train with frozen embeddings, then fine-tune them."""
import argparse

import numpy as np

from _jobkit import get_logger, seed_everything

log = get_logger("textcnn")


def synthetic_reviews(n, maxlen, vocab, rng):
    x = rng.integers(2, vocab, (n, maxlen))
    y = (x[:, :10].mean(1) > vocab / 2).astype("float32")
    return x, y


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--maxlen", type=int, default=200)
    p.add_argument("--vocab", type=int, default=5000)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--finetune-epochs", type=int, default=3)
    p.add_argument("--finetune-lr", type=float, default=1e-4)
    args = p.parse_args()
    seed_everything(1337)

    import keras
    from keras import layers

    keras.utils.set_random_seed(1337)
    rng = np.random.default_rng(1337)
    x_train, y_train = synthetic_reviews(2048, args.maxlen, args.vocab, rng)
    x_val, y_val = synthetic_reviews(512, args.maxlen, args.vocab, rng)
    log.info("%d train sequences, %d validation sequences", len(x_train), len(x_val))

    inputs = keras.Input((args.maxlen,), dtype="int32")
    emb = layers.Embedding(args.vocab, 64, name="embedding")
    x = emb(inputs)
    x = layers.Conv1D(64, 5, activation="relu")(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)

    log.info("stage 1: training with frozen embeddings")
    emb.trainable = False
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=64, epochs=args.epochs,
              validation_data=(x_val, y_val), verbose=2)

    log.info("stage 2: fine-tuning embeddings, lr=%g", args.finetune_lr)
    emb.trainable = True
    model.compile(optimizer=keras.optimizers.Adam(lr=args.finetune_lr, decay=1e-6),
                  loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=64, epochs=args.finetune_epochs,
              validation_data=(x_val, y_val), verbose=2)
    model.save("textcnn.keras")


if __name__ == "__main__":
    main()
