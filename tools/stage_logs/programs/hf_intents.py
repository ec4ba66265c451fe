"""Fine-tune a (tiny, randomly initialised) BERT intent classifier with the Trainer, then predict on
the test transcripts, which were tokenised without truncation to the model's 64 positions."""
import argparse
import logging
import sys

import torch
import transformers
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

logger = logging.getLogger(__name__)
VOCAB, INTENTS = 100, 3


class Utterances(torch.utils.data.Dataset):
    def __init__(self, n, seed, seq_len):
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(1, VOCAB, (n, seq_len), generator=g)
        self.labels = self.ids[:, 1] % INTENTS

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": torch.ones_like(self.ids[i]), "labels": self.labels[i]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--output-dir", default="out")
    parser.add_argument("--epochs", type=float, default=2)
    args = parser.parse_args()
    logging.basicConfig(format="%(asctime)s - %(levelname)s - %(name)s - %(message)s",
                        datefmt="%m/%d/%Y %H:%M:%S", handlers=[logging.StreamHandler(sys.stdout)])
    logger.setLevel(logging.INFO)
    transformers.utils.logging.set_verbosity_info()
    transformers.utils.logging.enable_default_handler()
    transformers.utils.logging.enable_explicit_format()
    transformers.set_seed(42)

    config = BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37,
                        vocab_size=VOCAB, max_position_embeddings=64, num_labels=INTENTS)
    model = BertForSequenceClassification(config)
    training_args = TrainingArguments(
        output_dir=args.output_dir, num_train_epochs=args.epochs, per_device_train_batch_size=16,
        per_device_eval_batch_size=32, learning_rate=5e-4, logging_steps=1, report_to=[],
        eval_strategy="epoch", save_strategy="no", use_cpu=True)
    trainer = Trainer(model=model, args=training_args, train_dataset=Utterances(96, seed=0, seq_len=24),
                      eval_dataset=Utterances(32, seed=1, seq_len=24))
    trainer.train()
    logger.info("*** Predict ***")
    test = Utterances(48, seed=2, seq_len=80)
    predictions = trainer.predict(test).predictions.argmax(-1)
    logger.info("predicted intents: %s", predictions.tolist())


if __name__ == "__main__":
    main()
