"""What a held-out program is: its code, how it is run, and how to find its failure line."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field


@dataclass
class Prog:
    name: str
    category: str                 # a taxonomy id, no_failure or unclassified
    framework: str                # torch, tensorflow, keras, numpy, pandas, pillow, h5py, stdlib, shell, ...
    code: str                     # the main script (Python, or bash for kind="shell")
    expect: str | tuple | None = None  # regex (or regexes, the first that matches wins) for the failure line in `stream`
    stream: str = "stderr"
    which: str = "last"           # the last or the first matching line
    kind: str = "python"          # python | shell
    script: str | None = None     # file name of the main script
    args: tuple = ()
    files: dict = field(default_factory=dict)
    setup: str | None = None
    env: dict = field(default_factory=dict)
    signal_after: tuple | None = None
    as_nobody: bool = False
    jobs: int = 1                 # how many jobs (platform wrappings, each a fresh run) to make from it
    styles: tuple | None = None   # restrict the platform styles
    hand: str | None = None       # set when some text is hand-written: what and where its wording is from
    desc: str = ""
    interp: str = "bash"
    mark: str | None = None       # the failure is a platform line the wrapper writes (slurm_timelimit, exit_code, k8s_status)          # the shell that runs a kind="shell" script

    def __post_init__(self):
        self.code = textwrap.dedent(self.code).lstrip("\n")
        if self.script is None:
            self.script = "run.sh" if self.kind == "shell" else "train.py"

    def command(self):
        if self.kind == "shell":
            return [self.interp, self.script, *self.args]
        return ["{python}", "-u", self.script, *self.args]

    def all_files(self):
        files = {self.script: self.code}
        files.update({k: (textwrap.dedent(v).lstrip("\n") if isinstance(v, str) else v)
                      for k, v in self.files.items()})
        return files


def D(s: str) -> str:
    return textwrap.dedent(s).lstrip("\n")
