"""Fine-tune a (tiny, randomly initialised) BERT topic classifier with the Trainer: the model config
asks for hidden states, so the predictions compute_metrics gets are a tuple, not an array."""
import argparse
import logging
import sys

import numpy as np
import torch
import transformers
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

logger = logging.getLogger(__name__)
VOCAB, TOPICS = 100, 4


class Articles(torch.utils.data.Dataset):
    def __init__(self, n, seed, seq_len=16):
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(1, VOCAB, (n, seq_len), generator=g)
        self.labels = self.ids[:, 0] % TOPICS

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": torch.ones_like(self.ids[i]), "labels": self.labels[i]}


def compute_metrics(eval_pred):
    preds = eval_pred.predictions.argmax(-1)
    return {"accuracy": float(np.mean(preds == eval_pred.label_ids))}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--output-dir", default="out")
    parser.add_argument("--epochs", type=float, default=3)
    args = parser.parse_args()
    logging.basicConfig(format="%(asctime)s - %(levelname)s - %(name)s - %(message)s",
                        datefmt="%m/%d/%Y %H:%M:%S", handlers=[logging.StreamHandler(sys.stdout)])
    logger.setLevel(logging.INFO)
    transformers.utils.logging.set_verbosity_info()
    transformers.utils.logging.enable_default_handler()
    transformers.utils.logging.enable_explicit_format()
    transformers.set_seed(42)

    # hidden states are kept for the probing analysis (probe_layers.py reads them from the predictions)
    config = BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37,
                        vocab_size=VOCAB, max_position_embeddings=64, num_labels=TOPICS,
                        output_hidden_states=True)
    model = BertForSequenceClassification(config)
    training_args = TrainingArguments(
        output_dir=args.output_dir, num_train_epochs=args.epochs, per_device_train_batch_size=16,
        per_device_eval_batch_size=32, learning_rate=5e-4, logging_steps=1, report_to=[],
        eval_strategy="epoch", save_strategy="no", use_cpu=True)
    trainer = Trainer(model=model, args=training_args, train_dataset=Articles(128, seed=0),
                      eval_dataset=Articles(64, seed=1), compute_metrics=compute_metrics)
    trainer.train()
    trainer.save_model()


if __name__ == "__main__":
    main()
