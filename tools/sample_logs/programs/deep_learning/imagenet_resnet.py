"""ResNet-style ImageNet training with progressive resizing (synthetic data, like examples/imagenet --dummy)."""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from _jobkit import Bar, get_logger, seed_everything

log = get_logger("train")


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x if self.down is None else self.down(x)
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + identity)


class ResNet(nn.Module):
    def __init__(self, width=64, num_classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = nn.Sequential(BasicBlock(width, width), BasicBlock(width, width))
        self.layer2 = nn.Sequential(BasicBlock(width, width * 2, 2), BasicBlock(width * 2, width * 2))
        self.fc = nn.Linear(width * 2, num_classes)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        x = self.layer2(self.layer1(x))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


def train_one_epoch(model, optimizer, epoch, size, batch_size, steps):
    model.train()
    bar = Bar(steps, desc="Epoch %d" % epoch, sec_per_it=0.41, every=2)
    for step in range(steps):
        images = torch.randn(batch_size, 3, size, size)
        target = torch.randint(0, 1000, (batch_size,))
        output = model(images)
        loss = F.cross_entropy(output, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        bar.set_postfix(loss="%.4f" % loss.item(), size=size)
        bar.update()
    bar.close()
    log.info("epoch %d done: loss %.4f", epoch, loss.item())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", default="resnet50")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--warmup-batch-size", type=int, default=16)
    p.add_argument("--epochs", type=int, default=90)
    p.add_argument("--steps-per-epoch", type=int, default=6)
    p.add_argument("--sizes", default="96,128,448", help="progressive resizing schedule")
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    seed_everything(args.seed)
    log.info("args: %s", vars(args))
    model = ResNet()
    log.info("=> creating model '%s' (%.2fM params)", args.arch,
             sum(p.numel() for p in model.parameters()) / 1e6)
    optimizer = torch.optim.SGD(model.parameters(), args.lr, momentum=0.9, weight_decay=1e-4)
    sizes = [int(s) for s in args.sizes.split(",")]
    for epoch in range(args.epochs):
        size = sizes[min(epoch, len(sizes) - 1)]
        # warm-up epochs use a small batch; full batch once the final resolution is reached
        bs = args.batch_size if size == sizes[-1] else args.warmup_batch_size
        log.info("epoch %d: image size %d, batch size %d", epoch, size, bs)
        train_one_epoch(model, optimizer, epoch, size, bs, args.steps_per_epoch)


if __name__ == "__main__":
    main()
