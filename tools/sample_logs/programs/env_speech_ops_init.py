"""speech_ops: CUDA/cuDNN kernels for CTC beam search."""
from ._C import ctc_beam_decode, cudnn_version  # noqa: F401
