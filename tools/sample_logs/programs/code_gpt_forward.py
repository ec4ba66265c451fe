"""Small GPT for an ablation study."""
import torch
import torch.nn as nn

import trainlib


class GPT(nn.Module):
    def __init__(self, vocab=256, dim=32, n_layer=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList(nn.TransformerEncoderLayer(dim, 4, 64, batch_first=True) for _ in range(n_layer))
        self.head = nn.Linear(dim, vocab, bias=False)

    def foward(self, idx):
        x = self.tok(idx)
        for blk in self.blocks:
            x = blk(x)
        return self.head(x)


def main():
    log = trainlib.setup_logging("2018-10-20 10:12:54", seed=121, fmt="%(asctime)s - %(message)s")
    torch.manual_seed(0)
    model = GPT()
    log.info("number of parameters: %.2fM", sum(p.numel() for p in model.parameters()) / 1e6)
    data = torch.randint(0, 256, (8, 65))
    log.info("tokens per batch: %d", data[:, :-1].numel())
    logits = model(data[:, :-1])
    print(logits.shape)


if __name__ == "__main__":
    main()
