"""Transformer EN-FR translation: load BPE vocabularies and the binarised training pairs."""
import argparse
import os

import torch
import torch.nn as nn

from _jobkit import Bar, get_logger, seed_everything

log = get_logger("fairseq.tasks.translation")


class Dictionary:
    def __init__(self):
        self.symbols, self.count, self.index = ["<s>", "<pad>", "</s>", "<unk>"], [1, 1, 1, 1], {}

    def __len__(self):
        return len(self.symbols)

    @classmethod
    def load(cls, path):
        d = cls()
        try:
            with open(path) as fd:
                for line in fd.readlines():
                    word, field = line.rstrip().rsplit(" ", 1)
                    d.index[word] = len(d.symbols)
                    d.symbols.append(word)
                    d.count.append(int(field))
        except UnicodeError as e:
            raise RuntimeError("Incorrect encoding detected in {}, please rebuild the dataset".format(path)) from e
        return d


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--source-lang", default="en")
    p.add_argument("--target-lang", default="fr")
    p.add_argument("--arch", default="transformer_wmt_en_de")
    p.add_argument("--max-tokens", type=int, default=4096)
    args = p.parse_args()
    seed_everything(1)
    log.info("[%s] dictionary: loading %s", args.source_lang, os.path.join(args.data, "dict.en.txt"))
    src = Dictionary.load(os.path.join(args.data, "dict.%s.txt" % args.source_lang))
    log.info("[%s] dictionary: %d types", args.source_lang, len(src))
    tgt = Dictionary.load(os.path.join(args.data, "dict.%s.txt" % args.target_lang))
    log.info("[%s] dictionary: %d types", args.target_lang, len(tgt))
    model = nn.Transformer(d_model=64, nhead=4, num_encoder_layers=2, num_decoder_layers=2,
                           dim_feedforward=128, batch_first=True)
    log.info("model %s, criterion LabelSmoothedCrossEntropyCriterion", args.arch)
    log.info("num. model params: %d", sum(p.numel() for p in model.parameters()))


if __name__ == "__main__":
    main()
