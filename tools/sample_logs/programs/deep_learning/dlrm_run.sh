#!/bin/bash
# launch script of the DLRM job: stage the day file, then train
DATA=${DATA:-/data/criteo}
echo "==> staging $DATA/day_0.npz"
echo "==> python: $(python --version 2>&1)"
export OMP_NUM_THREADS=4

cd "$(dirname "$0")"
echo "==> starting training"

python dlrm_train.py --day "$DATA/day_0.npz" --rows 104857600 --batch-size 2048
status=$?
echo "==> training finished with status $status"
exit $status
