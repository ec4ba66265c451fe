#!/bin/bash
echo "[launcher] starting 1 process(es): python distill.py --teacher resnet152 --student mobilenet_v2"
python distill.py --teacher resnet152 --student mobilenet_v2
rc=$?
echo "[launcher] process 0 exited with code $rc"
exit $rc
