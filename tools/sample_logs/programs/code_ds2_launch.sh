#!/bin/bash
# DeepSpeech2 launcher: pick the distributed launcher when more than one GPU is allocated.
echo "host: ${HOSTNAME_OVERRIDE:-gcr-gpu-21}   gpus: ${NGPU:-4}"
NGPU=${NGPU:-4}
MANIFEST=data/aishell_train_manifest.csv
echo "manifest: $MANIFEST"
echo "checking vocabulary ..."
echo "  4335 characters in vocab.txt"

if [ "$NGPU" -gt 1 ]
  LAUNCH="python -m torch.distributed.launch --nproc_per_node=$NGPU"
else
  LAUNCH="python"
fi

$LAUNCH train.py --train-manifest "$MANIFEST" --epochs 50 --batch-size 32
