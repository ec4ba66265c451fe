#!/bin/bash
# Install the job's extra requirements into the image's Python, then fine-tune on SQuAD.
set -e
echo "Installing requirements from requirements.txt"
python3 -m pip install -r requirements.txt
echo "Starting run_squad.py"
python3 run_squad.py --bert_model bert-base-uncased --do_train --train_file "$DATA/train-v1.1.json"
