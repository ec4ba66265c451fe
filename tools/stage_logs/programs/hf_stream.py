"""Fine-tune a (tiny, randomly initialised) BERT classifier on a streamed corpus with the Trainer: one
shard was tokenised with a larger vocabulary than the model's embedding table."""
import argparse
import logging
import sys

import torch
import transformers
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

logger = logging.getLogger(__name__)
VOCAB = 100


class StreamedReviews(torch.utils.data.IterableDataset):
    """Examples read shard by shard, in order; shard 1 came from the v2 tokenizer (vocab 30522)."""

    def __init__(self, shards, per_shard=24, seq_len=16):
        self.shards, self.per_shard, self.seq_len = shards, per_shard, seq_len

    def __iter__(self):
        for shard in range(self.shards):
            g = torch.Generator().manual_seed(shard)
            vocab = 30522 if shard == 1 else VOCAB
            for _ in range(self.per_shard):
                ids = torch.randint(1, VOCAB, (self.seq_len,), generator=g)
                if vocab != VOCAB:
                    ids[3] = torch.randint(VOCAB, vocab, (1,), generator=g)
                yield {"input_ids": ids, "attention_mask": torch.ones_like(ids),
                       "labels": torch.tensor(int(ids[0] > VOCAB // 2))}


class Reviews(torch.utils.data.Dataset):
    def __init__(self, n, seed, seq_len=16):
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(1, VOCAB, (n, seq_len), generator=g)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        ids = self.ids[i]
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": torch.tensor(int(ids[0] > 50))}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--output-dir", default="out")
    parser.add_argument("--max-steps", type=int, default=30)
    parser.add_argument("--eval-steps", type=int, default=2)
    args = parser.parse_args()
    logging.basicConfig(format="%(asctime)s - %(levelname)s - %(name)s - %(message)s",
                        datefmt="%m/%d/%Y %H:%M:%S", handlers=[logging.StreamHandler(sys.stdout)])
    logger.setLevel(logging.INFO)
    transformers.utils.logging.set_verbosity_info()
    transformers.utils.logging.enable_default_handler()
    transformers.utils.logging.enable_explicit_format()
    transformers.set_seed(42)

    config = BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37,
                        vocab_size=VOCAB, max_position_embeddings=64, num_labels=2)
    model = BertForSequenceClassification(config)
    training_args = TrainingArguments(
        output_dir=args.output_dir, max_steps=args.max_steps, per_device_train_batch_size=8,
        per_device_eval_batch_size=16, learning_rate=5e-4, logging_steps=1, report_to=[],
        eval_strategy="steps", eval_steps=args.eval_steps, save_strategy="no", use_cpu=True)
    logger.info("Training/evaluation parameters: max_steps=%d eval_steps=%d", args.max_steps, args.eval_steps)
    trainer = Trainer(model=model, args=training_args, train_dataset=StreamedReviews(shards=4),
                      eval_dataset=Reviews(32, seed=9))
    trainer.train()


if __name__ == "__main__":
    main()
