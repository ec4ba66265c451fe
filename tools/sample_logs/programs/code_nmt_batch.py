"""Transformer NMT trainer: per-GPU batch size derived from the global batch size."""
import argparse
import atexit
import sys

import torch
from torch.utils.data import DataLoader, TensorDataset

import trainlib


def _wandb_teardown():
    # what the wandb client prints from its atexit hook when the run dies
    print("wandb: Waiting for W&B process to finish... (failed 1). Press Control-C to abort syncing.",
          file=sys.stderr, flush=True)
    print("wandb: \U0001f680 View run nmt-base-5d19 at: https://wandb.ai/msr-mt/nmt/runs/5d19kx2q",
          file=sys.stderr, flush=True)
    print("wandb: Find logs at: ./wandb/run-20181011_093312-5d19kx2q/logs", file=sys.stderr, flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--global-batch-size", type=int, default=4)
    p.add_argument("--world-size", type=int, default=8)
    p.add_argument("--d-model", type=int, default=64)
    args = p.parse_args()
    log = trainlib.setup_logging("2018-10-11 09:33:10", seed=5)
    print("wandb: Currently logged in as: v-jiayu (msr-mt). Use `wandb login --relogin` to force relogin",
          file=sys.stderr, flush=True)
    print("wandb: Tracking run with wandb version 0.15.12", file=sys.stderr, flush=True)
    print("wandb: Run data is saved locally in ./wandb/run-20181011_093312-5d19kx2q", file=sys.stderr, flush=True)
    atexit.register(_wandb_teardown)
    log.info("Namespace(%s)", ", ".join("%s=%r" % kv for kv in sorted(vars(args).items())))
    torch.manual_seed(7)
    src = torch.randint(0, 32000, (1024, 50))
    tgt = torch.randint(0, 32000, (1024, 52))
    log.info("loaded 1024 sentence pairs from train.en-de (src vocab 32000, tgt vocab 32000)")
    model = torch.nn.Transformer(d_model=args.d_model, nhead=4, num_encoder_layers=2,
                                 num_decoder_layers=2, dim_feedforward=128, batch_first=True)
    log.info("model: %d parameters", sum(p.numel() for p in model.parameters()))
    per_gpu = args.global_batch_size // args.world_size
    log.info("global batch %d over %d GPUs -> %d sentences per GPU", args.global_batch_size,
             args.world_size, per_gpu)
    loader = DataLoader(TensorDataset(src, tgt), batch_size=per_gpu, shuffle=True)
    for batch in loader:
        pass


if __name__ == "__main__":
    main()
