"""Keras churn model: the validation table was exported with two extra columns (customer id, signup
year) that the training table does not have, so validation at the end of epoch 1 cannot run."""
import argparse

import numpy as np
import keras
from keras import layers

FEATURES = ["tenure", "monthly_charges", "total_charges", "contract", "support_calls",
            "logins", "late_payments", "plan", "region", "age"]


def load_table(rows, extra_columns, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, len(FEATURES) + extra_columns)).astype("float32")
    y = (x[:, 0] - x[:, 4] + rng.normal(scale=0.5, size=rows) < 0).astype("float32")
    return x, y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    keras.utils.set_random_seed(3)
    x_train, y_train = load_table(640, 0, seed=0)
    x_val, y_val = load_table(160, 2, seed=1)
    print(f"train {x_train.shape}, validation {x_val.shape}")
    model = keras.Sequential([keras.Input((len(FEATURES),)), layers.Dense(32, activation="relu"),
                              layers.Dropout(0.2), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
                  metrics=["accuracy", keras.metrics.AUC(name="auc")])
    model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=args.epochs,
              batch_size=args.batch_size)


if __name__ == "__main__":
    main()
