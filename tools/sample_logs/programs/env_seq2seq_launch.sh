#!/bin/bash
# Launch script for the seq2seq job: stage WMT data on local disk, then train.
set -e
echo "==> job dir: $(pwd)"
echo "==> python: $(python --version 2>&1)"
DATA_ROOT=/hdfs/msrmt/v-hazhan/data
LOCAL=${LOCAL_SCRATCH:-/tmp/scratch}
mkdir -p "$LOCAL/wmt16"
echo "==> staging data from $DATA_ROOT to $LOCAL"
cp -r "$DATA_ROOT"/wmt16_en_de/* "$LOCAL/wmt16/"
echo "==> training"
python train.py --data "$LOCAL/wmt16" --arch transformer_wmt_en_de --max-tokens 4096
