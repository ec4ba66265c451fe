"""DCGAN on 32x32 face crops (synthetic tensors stand in for CelebA)."""
import argparse

import torch
import torch.nn as nn

from _jobkit import Bar, get_logger, seed_everything

log = get_logger("dcgan", colour=True)


class Generator(nn.Module):
    def __init__(self, nz=64, ngf=32):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, 3, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, z):
        return self.main(z)


class Discriminator(nn.Module):
    def __init__(self, ndf=32):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(3, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, True))
        self.head = nn.Conv2d(ndf * 4, 1, 4, 1, 0, bias=False)

    def forward(self, x):
        feats = self.main(x)
        return self.head(feats).view(-1), feats


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--nz", type=int, default=64)
    p.add_argument("--iters", type=int, default=50)
    p.add_argument("--fm-weight", type=float, default=0.1, help="feature matching after warm-up")
    p.add_argument("--warmup", type=int, default=20)
    args = p.parse_args()
    seed_everything(999)
    netG, netD = Generator(args.nz), Discriminator()
    optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    log.info("G: %d params, D: %d params", sum(p.numel() for p in netG.parameters()),
             sum(p.numel() for p in netD.parameters()))
    bar = Bar(args.iters, desc="train", sec_per_it=0.6)
    for it in range(args.iters):
        real = torch.tanh(torch.randn(args.batch_size, 3, 32, 32))
        noise = torch.randn(args.batch_size, args.nz, 1, 1)
        fake = netG(noise)
        netD.zero_grad()
        (out_real, feat_real), (out_fake, _) = netD(real), netD(fake.detach())
        errD = bce(out_real, torch.ones_like(out_real)) + bce(out_fake, torch.zeros_like(out_fake))
        errD.backward()
        optD.step()
        netG.zero_grad()
        out, feat_fake = netD(fake)
        errG = bce(out, torch.ones_like(out))
        if it >= args.warmup:
            # feature matching (Salimans et al. 2016): match mean discriminator features
            errG = errG + args.fm_weight * (feat_real.mean(0) - feat_fake.mean(0)).pow(2).mean()
        errG.backward()
        optG.step()
        bar.set_postfix(Loss_D="%.4f" % errD.item(), Loss_G="%.4f" % errG.item())
        bar.update()
        if it % 10 == 0:
            print("[%d/%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f" % (
                it, args.iters, errD.item(), errG.item(), torch.sigmoid(out_real).mean().item()), flush=True)
    bar.close()


if __name__ == "__main__":
    main()
