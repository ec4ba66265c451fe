#!/bin/bash
# usage: run.sh LR   (the platform passes the hyper-parameter string from the submission form)
echo "task=mrpc data=$DATA lr-arg=$1"
python finetune.py --task mrpc --data-dir "$DATA" --lr $1 --epochs 3 --fp16
rc=$?
echo "finetune.py exited with status $rc"
exit $rc
