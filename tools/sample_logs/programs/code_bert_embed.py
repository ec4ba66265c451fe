"""Chinese BERT pre-training: the tokenizer's vocab is larger than the embedding table."""
import sys

import torch
import torch.nn as nn

import trainlib


class TinyBert(nn.Module):
    def __init__(self, vocab_size, dim=32):
        super().__init__()
        self.embeddings = nn.Embedding(vocab_size, dim)
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(dim, 4, 64, batch_first=True), 1)
        self.head = nn.Linear(dim, vocab_size)

    def forward(self, ids):
        return self.head(self.encoder(self.embeddings(ids)))


def main():
    log = trainlib.setup_logging("2018-10-16 06:30:12", seed=101, color=True,
                                 fmt="%(asctime)s %(levelname)s %(message)s")
    torch.manual_seed(5)
    model_vocab, tokenizer_vocab = 21128, 21130
    log.info("model vocab_size=%d, tokenizer vocab=%d (vocab_zh_ext.txt)", model_vocab, tokenizer_vocab)
    model = TinyBert(model_vocab)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    batches = [torch.randint(0, model_vocab, (4, 16)) for _ in range(60)]
    batches[43][2, 7] = tokenizer_vocab - 1
    for step, ids in enumerate(trainlib.progress(batches, desc="Iteration", rate=5.8)):
        logits = model(ids)
        loss = nn.functional.cross_entropy(logits.reshape(-1, model_vocab), ids.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 20 == 19:
            sys.stderr.write("\n")
            log.info("step %d loss %.4f", step + 1, loss.item())


if __name__ == "__main__":
    main()
