"""DeepSpeech-style CTC trainer: feature extraction, then the beam decoder from the native speech_ops package."""
import argparse
import math

import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--manifest", default="data/librispeech_train_clean_100.csv")
    p.add_argument("--sample-rate", type=int, default=16000)
    p.add_argument("--window-size", type=float, default=0.02)
    p.add_argument("--beam-width", type=int, default=100)
    args = p.parse_args()
    torch.manual_seed(123)
    n_fft = int(args.sample_rate * args.window_size)
    print("Computing spectrogram statistics (n_fft=%d)..." % n_fft, flush=True)
    for shard in range(4):
        x = torch.randn(4, args.sample_rate)
        spec = torch.stft(x, n_fft=n_fft, return_complex=True, window=torch.hann_window(n_fft)).abs()
        print("  shard %d: mean=%.4f std=%.4f frames=%d" % (shard, spec.mean().item(), spec.std().item(),
                                                             spec.shape[-1]), flush=True)
    print("Building decoder (beam width %d)" % args.beam_width, flush=True)
    from speech_ops import ctc_beam_decode
    print(ctc_beam_decode, math.pi)


if __name__ == "__main__":
    main()
