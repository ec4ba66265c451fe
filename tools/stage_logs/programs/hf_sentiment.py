"""Fine-tune a (tiny, randomly initialised) BERT classifier with the Trainer: the run's arguments ask
to keep the best checkpoint but evaluate per step and save per epoch."""
import argparse
import logging
import sys

import torch
import transformers
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

logger = logging.getLogger(__name__)


class Reviews(torch.utils.data.Dataset):
    def __init__(self, n, seed, seq_len=16, vocab=100):
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(1, vocab, (n, seq_len), generator=g)
        self.labels = (self.ids[:, 0] > vocab // 2).long()

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": torch.ones_like(self.ids[i]), "labels": self.labels[i]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--output-dir", default="out")
    parser.add_argument("--epochs", type=float, default=2)
    parser.add_argument("--eval-steps", type=int, default=10)
    args = parser.parse_args()
    logging.basicConfig(format="%(asctime)s - %(levelname)s - %(name)s - %(message)s",
                        datefmt="%m/%d/%Y %H:%M:%S", handlers=[logging.StreamHandler(sys.stdout)])
    logger.setLevel(logging.INFO)
    transformers.utils.logging.set_verbosity_info()
    transformers.utils.logging.enable_default_handler()
    transformers.utils.logging.enable_explicit_format()
    transformers.set_seed(42)

    config = BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37,
                        vocab_size=100, max_position_embeddings=64, num_labels=2)
    model = BertForSequenceClassification(config)
    logger.info("model has %d parameters", sum(p.numel() for p in model.parameters()))
    train, dev = Reviews(256, seed=0), Reviews(64, seed=1)
    logger.info("train examples: %d, dev examples: %d", len(train), len(dev))
    training_args = TrainingArguments(
        output_dir=args.output_dir, num_train_epochs=args.epochs, per_device_train_batch_size=16,
        per_device_eval_batch_size=32, learning_rate=5e-4, logging_steps=1, report_to=[],
        eval_strategy="steps", eval_steps=args.eval_steps, save_strategy="epoch",
        load_best_model_at_end=True, metric_for_best_model="eval_loss", use_cpu=True)
    trainer = Trainer(model=model, args=training_args, train_dataset=train, eval_dataset=dev)
    trainer.train()


if __name__ == "__main__":
    main()
