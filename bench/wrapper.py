"""How much `triage run` adds to a job's output path: a child writes MB of log lines to stdout,
piped to `cat > /dev/null`, run directly and through `triage run`, alternating; medians and ratio.

    python bench/wrapper.py [--mb 500] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

WRITER = (
    "import sys\n"
    "line = b'2026-12-06 10:00:00 INFO epoch 3 step 1200 loss 0.4123 lr 0.0001 throughput 812.4 samples/s\\n'\n"
    "block = line * 10000\n"
    "out = sys.stdout.buffer\n"
    "for _ in range(max(1, {mb} * 1000000 // len(block))):\n"
    "    out.write(block)\n"
)


def timed(command: str) -> float:
    start = time.perf_counter()
    subprocess.run(command, shell=True, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    writer = f"{sys.executable} -c \"{WRITER.format(mb=args.mb)}\""
    direct = f"{writer} | cat > /dev/null"
    wrapped = f"{sys.executable} -m philly_triage run -- {writer} | cat > /dev/null"
    startup = f"{sys.executable} -m philly_triage run -- true"
    times: dict[str, list[float]] = {"direct": [], "triage run": [], "triage run -- true": []}
    for _ in range(args.runs):  # alternating, so the machine's drift hits both alike
        times["direct"].append(timed(direct))
        times["triage run"].append(timed(wrapped))
        times["triage run -- true"].append(timed(startup))
    medians = {label: statistics.median(values) for label, values in times.items()}
    for label, median in medians.items():
        rate = f"  {args.mb / median:,.0f} MB/s" if label != "triage run -- true" else ""
        print(f"{label:20s} median {median:.3f} s{rate}  runs {' '.join(f'{t:.3f}' for t in times[label])}")
    extra = medians["triage run"] - medians["direct"] - medians["triage run -- true"]
    print(f"ratio triage run / direct: {medians['triage run'] / medians['direct']:.2f}; "
          f"beyond start-up: {max(extra, 0.0) / args.mb * 1000:.2f} ms per MB of output")


if __name__ == "__main__":
    main()
