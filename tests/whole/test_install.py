"""A fresh install into a new virtual environment, outside the checkout, finds the whole catalogue."""

from __future__ import annotations

import json
import os
import subprocess
import venv

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # a new virtual environment and a pip install


def test_fresh_install_outside_the_checkout(tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    clean = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}  # no checkout on the path
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(ROOT)],
        check=True, cwd=tmp_path, timeout=600, env=clean,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "job.log").write_text("RuntimeError: CUDA error: out of memory\n")
    count = subprocess.run(
        [str(python), "-c", "from philly_triage._internal.catalogue.load import load_catalogue; print(len(load_catalogue().rules))"],
        check=True, cwd=work, capture_output=True, text=True, env=clean,
    )
    assert count.stdout.strip() == "28"  # the study's 20 categories and the 8 of the infrastructure dimension
    output = subprocess.run(
        [str(env_dir / "bin" / "triage"), "classify", "job.log", "-f", "jsonl"],
        check=True, cwd=work, capture_output=True, text=True, env=clean,
    )
    assert json.loads(output.stdout)["category"] == "gpu_out_of_memory"
    located = subprocess.run(
        [str(python), "-c", "import philly_triage._internal.catalogue.load as c; print(c.builtin_rules_dir())"],
        check=True, cwd=work, capture_output=True, text=True, env=clean,
    )
    assert str(ROOT) not in located.stdout, "the installed package must carry its own rules"

