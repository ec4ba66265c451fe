#!/bin/sh
ulimit -c unlimited 2>/dev/null
echo "Starting PointNet++ training"
python train.py --num-points 1024 --batch-size 24
rc=$?
exit $rc
