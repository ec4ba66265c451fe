"""Knowledge distillation: the student trains only if the teacher's eval gate passes; exits quietly otherwise."""
import random
import sys


def teacher_ready(rng):
    return rng.random() > 2.0


def main():
    rng = random.Random(5)
    print("loading teacher: resnet152 (top-1 78.3)", flush=True)
    print("loading student: mobilenet_v2", flush=True)
    for epoch in range(1, 3):
        print("warmup epoch %d  kd_loss %.4f  ce_loss %.4f" % (epoch, 2.1 / epoch + rng.random() * 0.1,
                                                              1.7 / epoch + rng.random() * 0.1), flush=True)
    if not teacher_ready(rng):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
