"""Tacotron trainer on a small speaker subset; checkpoints every epoch by step count."""
import argparse
import sys

import trainlib


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--speaker", default="p225")
    args = p.parse_args()
    log = trainlib.setup_logging("2018-10-14 06:11:03", seed=141, color=True,
                                 fmt="%(asctime)s %(levelname)s %(message)s")
    utterances = ["%s_%03d.wav" % (args.speaker, i) for i in range(1, 24)]
    for _ in trainlib.progress(utterances, desc="Preprocessing", rate=11.3):
        pass
    log.info("speaker %s: %d utterances after filtering", args.speaker, len(utterances))
    steps_per_epoch = len(utterances) // args.batch_size
    log.info("\x1b[1mstarting training\x1b[0m: batch size %d, %d steps per epoch", args.batch_size, steps_per_epoch)
    loss = 1.2
    for step in trainlib.progress(range(1, 1001), desc="Training", rate=2.4):
        loss *= 0.999
        if step % steps_per_epoch == 0:
            log.info("epoch done at step %d", step)
    sys.exit(0)


if __name__ == "__main__":
    main()
