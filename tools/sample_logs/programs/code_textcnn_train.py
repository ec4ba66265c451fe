"""TextCNN sentence classifier (Kim 2014); the helpers come from an older Python 2 project."""
import sys

print("Loading data...", flush=True)
print("Python %s" % sys.version.split()[0], flush=True)

from data_helpers import batch_iter, load_data_and_labels  # noqa: E402

x, y = load_data_and_labels("rt-polarity.pos", "rt-polarity.neg")
for batch in batch_iter(list(zip(x, y)), 64, 200):
    pass
