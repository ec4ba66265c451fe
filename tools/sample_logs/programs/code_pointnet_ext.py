"""PointNet++ on ModelNet40; the ball-query step calls into a native extension."""
import ctypes
import random


def ball_query(points, radius):
    # the native kernel dereferences a buffer the caller never allocated
    return ctypes.string_at(0)


def main():
    rng = random.Random(9)
    print("ModelNet40: 9843 train / 2468 test shapes, 1024 points each", flush=True)
    for it in range(1, 6):
        print("epoch 1 it %d/307 loss %.4f acc %.4f" % (it * 10, 3.6 - it * 0.08 + rng.random() * 0.05,
                                                        0.05 + it * 0.02), flush=True)
    print("sampling groups (radius 0.2, nsample 32)", flush=True)
    ball_query([[0.0, 0.0, 0.0]] * 1024, 0.2)


if __name__ == "__main__":
    main()
