"""Meta-learning framework: a base learner with abstract hooks and a Reptile subclass."""
import random

import trainlib


class MetaLearner:
    def __init__(self, inner_lr, meta_lr):
        self.inner_lr = inner_lr
        self.meta_lr = meta_lr

    def inner_update(self, task):
        raise NotImplementedError

    def meta_update(self, grads):
        raise NotImplementedError

    def train_step(self, tasks):
        grads = [self.inner_update(t) for t in tasks]
        return self.meta_update(grads)


class Reptile(MetaLearner):
    def meta_update(self, grads):
        return sum(grads) / len(grads)


def main():
    log = trainlib.setup_logging("2018-10-16 23:40:09", seed=111, fmt="%(asctime)s:%(levelname)s:%(name)s:%(message)s")
    rng = random.Random(2)
    log.info("omniglot 5-way 1-shot: 1200 train classes, 423 test classes")
    tasks = [[rng.random() for _ in range(5)] for _ in range(32)]
    learner = Reptile(inner_lr=0.4, meta_lr=1.0)
    log.info("meta-batch of %d tasks, %d inner steps", len(tasks), 5)
    learner.train_step(tasks)


if __name__ == "__main__":
    main()
