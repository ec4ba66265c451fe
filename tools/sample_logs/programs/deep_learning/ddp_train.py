"""Distributed (DDP) MLP ranker over pre-sharded feature files; one shard per rank."""
import argparse
import os

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
from torch.distributed.elastic.multiprocessing.errors import record
from torch.nn.parallel import DistributedDataParallel as DDP

from _jobkit import get_logger, seed_everything


@record
def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shards", required=True, help="directory with shard-<rank>.npy files")
    p.add_argument("--in-features", type=int, default=128)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--steps", type=int, default=40)
    args = p.parse_args()

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    log = get_logger("rank%d" % rank)
    seed_everything(17)
    shard = np.load(os.path.join(args.shards, "shard-%05d.npy" % rank))
    log.info("rank %d/%d loaded shard with %d rows x %d features", rank, world, *shard.shape)

    model = DDP(nn.Sequential(nn.Linear(args.in_features, 256), nn.ReLU(), nn.Linear(256, 1)))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    data = torch.from_numpy(shard)
    for step in range(args.steps):
        idx = torch.randint(0, len(data), (args.batch_size,))
        batch = data[idx]
        x, y = batch[:, :-1], batch[:, -1]
        loss = nn.functional.mse_loss(model(x).squeeze(1), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 10 == 0 and rank == 0:
            log.info("step %d loss %.4f", step, loss.item())
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
