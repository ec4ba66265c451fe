"""Rebuild sample_logs/ and its expectations by really running the failing programs.

Usage: python tools/sample_logs/generate.py [--python PATH]

The programs need PyTorch (CPU), NumPy and, for some, TensorFlow importable by the interpreter
given (`--python`, or the environment variable SAMPLE_PYTHON, default: this interpreter). Each
group module builds its jobs into sample_logs/ and returns each job's expected category and
failure line, which are written to tests/data/sample_logs.expected.yaml.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
GROUPS = ("group_deep_learning", "group_general")


def load_group(name: str):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", help="interpreter with torch/numpy/tensorflow to run the programs")
    args = parser.parse_args()
    if args.python:
        os.environ["SAMPLE_PYTHON"] = args.python
    out = ROOT / "sample_logs"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir()
    expected: dict[str, dict] = {}
    for name in GROUPS:
        found = load_group(name).build(out)
        clash = set(found) & set(expected)
        if clash:
            sys.exit(f"{name}: job names already used: {sorted(clash)}")
        expected.update(found)
    target = ROOT / "tests" / "data" / "sample_logs.expected.yaml"
    header = "# Expected result of each job in sample_logs/, written by tools/sample_logs/generate.py.\n"
    target.write_text(header + yaml.safe_dump(dict(sorted(expected.items())), sort_keys=False), encoding="utf-8")
    print(f"{len(expected)} jobs written to {out}, expectations to {target}")


if __name__ == "__main__":
    main()
