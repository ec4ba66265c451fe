#!/bin/bash
echo "evaluating checkpoint output/bert_squad/pytorch_model.bin"
python eval.py --max-len 384 "$@"
rc=$?
echo "eval.py exited with status $rc"
exit $rc
