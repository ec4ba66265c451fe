#!/bin/bash
# GCN hyper-parameter sweep on Cora; one configuration per sweep index.
set -euo pipefail
echo "=== GCN sweep worker ==="
echo "dataset: cora (2708 nodes, 5429 edges, 7 classes)"
LRS=(0.01 0.005 0.001)
DROPOUTS=(0.5 0.6)
echo "grid: ${#LRS[@]} learning rates x ${#DROPOUTS[@]} dropouts"
IDX=$SWEEP_INDEX
LR=${LRS[$((IDX % 3))]}
python gcn.py --lr "$LR"
