"""ResNet-50 ImageNet trainer; Horovod is imported only when --distributed is set."""
import argparse

import torch

try:
    from apex import amp
except ImportError:
    amp = None
    print("Warning: apex was not installed; mixed precision training (--fp16) is disabled. "
          "Install from https://www.github.com/nvidia/apex", flush=True)


def main():
    p = argparse.ArgumentParser(description="PyTorch ImageNet Training")
    p.add_argument("--arch", default="resnet50")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--epochs", type=int, default=90)
    p.add_argument("--distributed", action="store_true")
    args = p.parse_args()
    print("=> args: %s" % vars(args), flush=True)
    print("=> creating model '%s'" % args.arch, flush=True)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1))
    print("=> using SGD(momentum=0.9, weight_decay=1e-4), %d param groups" % len(list(model.parameters())),
          flush=True)
    if args.distributed:
        import horovod.torch as hvd
        hvd.init()
        torch.cuda.set_device(hvd.local_rank())


if __name__ == "__main__":
    main()
