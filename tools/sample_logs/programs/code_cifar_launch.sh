#!/bin/bash
echo "=== GPU info ==="
nvidia-smi
echo "=== starting training ==="
python train.py --data-url "$DATA_URL" --epochs 3
