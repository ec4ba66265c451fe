#!/usr/bin/env python3
"""Print the composition of the held-out set (Markdown tables) from eval/heldout.expected.yaml and eval/heldout/.

    python eval/composition.py
"""

import json
import os
import re
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))


def load(path):
    jobs, cur = {}, None
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        if not line.startswith(" "):
            cur = json.loads(line.rstrip().rstrip(":"))
            jobs[cur] = {}
        else:
            k, _, v = line.strip().partition(": ")
            jobs[cur][k] = json.loads(v) if v.startswith('"') else (int(v) if v.isdigit() else v)
    return jobs


def main():
    jobs = load(os.path.join(HERE, "heldout.expected.yaml"))
    root = os.path.join(HERE, "heldout")
    cats = Counter(e["category"] for e in jobs.values())
    styles = Counter(re.search(r"wrapped as (\w+)", e["source"]).group(1) for e in jobs.values())
    frameworks = Counter(re.search(r"\((\w+), ", e["source"]).group(1) for e in jobs.values())
    hand = sum("HAND-WRITTEN" in e["source"] for e in jobs.values())
    retries = sum("earlier retries" in e["source"] for e in jobs.values())
    gz = meta = 0
    lines = []
    for key in jobs:
        path = os.path.join(root, key)
        files = [os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs] if os.path.isdir(path) else [path]
        gz += any(f.endswith(".gz") for f in files)
        meta += any(f.endswith("job.meta.yaml") for f in files)
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(root) for f in fs)
    print(f"{len(jobs)} jobs, {size / 1e6:.1f} MB on disk\n")
    print("| expected | jobs |\n|---|---|")
    for c, n in sorted(cats.items(), key=lambda x: (x[0] in ("no_failure", "unclassified"), x[0])):
        print(f"| {c} | {n} |")
    print("\n| platform style | jobs |\n|---|---|")
    for s, n in sorted(styles.items()):
        print(f"| {s} | {n} |")
    print("\n| framework of the program | jobs |\n|---|---|")
    for s, n in sorted(frameworks.items()):
        print(f"| {s} | {n} |")
    print(f"\njobs with retry directories: {retries}; with gzip-compressed logs: {gz}; with job.meta.yaml: {meta}; "
          f"with hand-written text: {hand}; single-file jobs: {sum(not os.path.isdir(os.path.join(root, k)) for k in jobs)}")


if __name__ == "__main__":
    main()
