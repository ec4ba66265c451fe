"""GLUE fine-tuning entry point; the launch script forwards the platform's extra arguments."""
import argparse


def main():
    p = argparse.ArgumentParser(description="Fine-tune a pretrained encoder on a GLUE task")
    p.add_argument("--task", choices=["mrpc", "sst2", "qnli", "mnli"], required=True)
    p.add_argument("--data-dir", required=True)
    p.add_argument("--lr", type=float, default=2e-5)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--max-seq-len", type=int, default=128)
    p.add_argument("--fp16", action="store_true")
    args = p.parse_args()
    print(args)


if __name__ == "__main__":
    main()
