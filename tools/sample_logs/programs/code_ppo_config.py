"""PPO trainer: reads a JSON config and builds the optimizer settings from it."""
import json
import sys

import trainlib


def load_config(path):
    with open(path) as f:
        raw = json.load(f)
    try:
        return {
            "env_id": raw["env"]["id"],
            "num_envs": raw["env"].get("num_envs", 8),
            "lr": raw["optimizer"]["lr"],
            "clip": raw["ppo"]["clip_range"],
        }
    except KeyError as err:
        raise RuntimeError("failed to load config %s" % path) from err


def main():
    with open("ppo_breakout.json", "w") as f:
        json.dump({"env": {"id": "BreakoutNoFrameskip-v4", "num_envs": 16},
                   "optim": {"lr": 2.5e-4, "eps": 1e-5},
                   "ppo": {"clip_range": 0.1, "n_epochs": 4}}, f, indent=2)
    log = trainlib.setup_logging("2018-10-14 03:41:17", seed=31, fmt="[%(asctime)s] %(levelname)s %(message)s")
    log.info("argv: %s", " ".join(sys.argv[1:]))
    log.info("loading config ppo_breakout.json")
    cfg = load_config("ppo_breakout.json")
    log.info("config: %s", cfg)


if __name__ == "__main__":
    main()
