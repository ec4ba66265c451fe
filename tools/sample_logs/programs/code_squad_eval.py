"""SQuAD dev-set evaluation of a fine-tuned reader; examples longer than --max-len are skipped."""
import argparse
import os
import time

import trainlib


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--max-len", type=int, default=384)
    p.add_argument("--slow", action="store_true", help="pause between shards (used to wait for preemption)")
    args = p.parse_args()
    with open("eval.pid", "w") as f:
        f.write(str(os.getpid()))
    log = trainlib.setup_logging("2018-10-21 04:12:30", seed=131)
    log.info("loading dev-v1.1.json: 10570 questions in 2067 paragraphs")
    log.info("tokenizing with max_seq_length=%d (whitespace tokens x 4 word pieces)", args.max_len)
    examples = []
    for shard in range(4):
        kept = [q for q in range(shard * 2642, (shard + 1) * 2642) if (120 + q % 300) * 4 <= args.max_len]
        examples.extend(kept)
        log.info("shard %d/4: kept %d of 2642 questions", shard + 1, len(kept))
        if args.slow:
            time.sleep(30)
    log.info("Evaluating: %d features, batch size 64", len(examples))
    total_exact = total_f1 = 0.0
    for _ in examples:
        total_exact += 1
    exact = 100.0 * total_exact / len(examples)
    f1 = 100.0 * total_f1 / len(examples)
    log.info("exact_match %.2f f1 %.2f", exact, f1)


if __name__ == "__main__":
    main()
