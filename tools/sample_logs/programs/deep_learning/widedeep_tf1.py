"""Wide & deep regression of watch time, TF1-style graph with MonitoredTrainingSession."""
import argparse

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def dense(x, units, name, activation=None):
    with tf1.variable_scope(name):
        w = tf1.get_variable("kernel", [x.shape[-1], units], initializer=tf1.glorot_uniform_initializer())
        b = tf1.get_variable("bias", [units], initializer=tf1.zeros_initializer())
        y = tf.matmul(x, w) + b
        return activation(y) if activation else y


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model-dir", required=True)
    p.add_argument("--learning-rate", type=float, default=0.5)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--max-steps", type=int, default=2000)
    args = p.parse_args()
    tf1.disable_eager_execution()
    tf1.logging.set_verbosity(tf1.logging.INFO)
    tf1.set_random_seed(11)
    rng = np.random.default_rng(11)

    features = tf1.placeholder(tf.float32, [None, 32], name="features")
    target = tf1.placeholder(tf.float32, [None], name="watch_time")
    hidden = dense(features, 64, "deep_1", tf.nn.relu)
    hidden = dense(hidden, 64, "deep_2", tf.nn.relu)
    wide = dense(features, 1, "wide")
    pred = tf.squeeze(wide + dense(hidden, 1, "deep_out"), 1)
    loss = tf.reduce_mean(tf.square(pred - target), name="loss")
    global_step = tf1.train.get_or_create_global_step()
    train_op = tf1.train.MomentumOptimizer(args.learning_rate, 0.9).minimize(loss, global_step=global_step)

    hooks = [
        tf1.train.StopAtStepHook(last_step=args.max_steps),
        tf1.train.NanTensorHook(loss),
        tf1.train.LoggingTensorHook({"loss": loss, "step": global_step}, every_n_iter=10),
    ]
    with tf1.train.MonitoredTrainingSession(checkpoint_dir=args.model_dir, hooks=hooks,
                                            save_summaries_steps=None, log_step_count_steps=None) as sess:
        while not sess.should_stop():
            x = rng.normal(size=(args.batch_size, 32)).astype("float32")
            y = (np.abs(x[:, 0]) * 300 + rng.exponential(120, args.batch_size)).astype("float32")
            sess.run(train_op, feed_dict={features: x, target: y})


if __name__ == "__main__":
    main()
