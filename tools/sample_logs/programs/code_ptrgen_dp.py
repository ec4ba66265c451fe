"""Pointer-generator summariser: trains under DataParallel, then decodes the dev set."""
import torch
import torch.nn as nn

import trainlib


class PointerGenerator(nn.Module):
    def __init__(self, vocab=5000, dim=32):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.enc = nn.GRU(dim, dim, batch_first=True)
        self.out = nn.Linear(dim, vocab)

    def forward(self, src):
        h, _ = self.enc(self.emb(src))
        return self.out(h)

    def generate(self, src, max_len=20):
        return self.forward(src).argmax(-1)[:, :max_len]


class EventFileWriter:
    """Holds an event file open; closes it on collection like tensorboardX's writer."""

    def __init__(self):
        self._fh = None

    def __del__(self):
        self._fh.close()


def rouge_l(hyp, ref):
    lcs = max(len(set(h) & set(ref)) for h in hyp)
    return lcs / max(1, len(ref))


def main():
    log = trainlib.setup_logging("2018-10-15 17:02:33", seed=51)
    torch.manual_seed(3)
    writer = EventFileWriter()
    model = nn.DataParallel(PointerGenerator())
    opt = torch.optim.Adagrad(model.parameters(), lr=0.15)
    data = torch.randint(0, 5000, (64, 40))
    for step in range(1, 41):
        batch = data[(step % 8) * 8:(step % 8) * 8 + 8]
        loss = nn.functional.cross_entropy(model(batch).reshape(-1, 5000), batch.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 10 == 0:
            log.info("step %d | loss %.4f | lr 0.15", step, loss.item())
        if step == 20:
            try:
                log.info("running quick ROUGE check on 0 cached hypotheses")
                rouge_l([], [1, 2, 3])
            except ValueError:
                log.exception("quick ROUGE check failed, continuing training")
    log.info("training done, decoding dev set (beam 4)")
    preds = model.generate(data[:8])
    log.info("decoded %d summaries", len(preds))
    del writer


if __name__ == "__main__":
    main()
