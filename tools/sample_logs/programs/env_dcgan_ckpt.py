"""DCGAN training loop (pure Python stand-in); saves a checkpoint into --output-dir after each epoch."""
import argparse
import os
import pickle
import random


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--output-dir", required=True)
    p.add_argument("--epochs", type=int, default=25)
    p.add_argument("--iters", type=int, default=60)
    args = p.parse_args()
    rng = random.Random(999)
    print("Random Seed: 999", flush=True)
    d_loss, g_loss = 1.4, 0.7
    for epoch in range(args.epochs):
        for i in range(args.iters):
            d_loss = max(0.05, d_loss * 0.985 + rng.uniform(-0.05, 0.05))
            g_loss = g_loss * 1.01 + rng.uniform(-0.1, 0.12)
            if i % 20 == 0:
                print("[%d/%d][%d/%d]\tLoss_D: %.4f\tLoss_G: %.4f\tD(x): %.4f\tD(G(z)): %.4f / %.4f"
                      % (epoch, args.epochs, i, args.iters, d_loss, g_loss, rng.uniform(0.5, 0.9),
                         rng.uniform(0.1, 0.4), rng.uniform(0.1, 0.4)), flush=True)
        path = os.path.join(args.output_dir, "netG_epoch_%d.pkl" % epoch)
        with open(path, "wb") as f:
            pickle.dump({"epoch": epoch, "g_loss": g_loss}, f)
        print("saved %s" % path, flush=True)


if __name__ == "__main__":
    main()
