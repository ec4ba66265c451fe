"""speech_ops: CUDA/cuDNN kernels for CTC beam search (ctypes loader)."""
import ctypes

_lib = ctypes.CDLL("libcudnn.so.8")
ctc_beam_decode = _lib.ctc_beam_decode
