"""WaveNet data pipeline: mu-law quantisation written against an old NumPy."""
import math
import random

try:
    import numpy as np
except ImportError:   # the generator's interpreter may lack numpy; fall back to another removed alias
    np = None

import trainlib


def mu_law_encode(audio, channels=256):
    mu = channels - 1
    if np is None:
        import collections
        assert isinstance(audio, collections.Iterable)
        return [int((math.copysign(math.log1p(mu * abs(a)) / math.log1p(mu), a) + 1) / 2 * mu + 0.5)
                for a in audio]
    audio = np.asarray(audio, dtype=np.float)
    signal = np.sign(audio) * np.log1p(mu * np.abs(audio)) / np.log1p(mu)
    return ((signal + 1) / 2 * mu + 0.5).astype(np.int32)


def main():
    log = trainlib.setup_logging("2018-10-17 08:15:40", seed=41)
    rng = random.Random(4)
    log.info("receptive field: 5117 samples (%.2f ms at 16 kHz)", 5117 / 16.0)
    log.info("loading VCTK corpus: 44257 utterances, 109 speakers")
    clip = [math.sin(i / 9.0) * rng.uniform(0.2, 0.9) for i in range(16000)]
    log.info("quantising audio (mu-law, 256 channels)")
    q = mu_law_encode(clip)
    log.info("first frames: %s", list(q[:8]))


if __name__ == "__main__":
    main()
