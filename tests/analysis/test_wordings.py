"""analysis/wordings.py and data/wordings.yaml: known wordings of one failure, written as one."""

from __future__ import annotations

import re

import pytest

from philly_triage._internal.analysis.wordings import WORDINGS_FILE, canonical, default_equivalences, load_equivalences
from philly_triage._internal.catalogue.yaml_source import load_yaml_file

# (a message as printed, the wording clustering groups it under, the entry of wordings.yaml that rewrites it)
CASES = [
    # bash running a script or `bash -c`: the script, line, PID and command vary
    ("/bin/bash: line 1: 48213 Segmentation fault      (core dumped) python train.py --lr 0.1", "Segmentation fault", 0),
    ("/var/spool/slurmd/job4471829/slurm_script: line 28:  8156 Killed                  python3 main.py", "Killed", 0),
    ("run.sh: line 9:  9264 Bus error               python -u mm.py", "Bus error", 0),
    ("./run_t2t.sh: line 21: 24017 Aborted                 (core dumped)", "Aborted", 0),
    ("run.sh: line 9:   231 Terminated              python -u /root/train.py", "Terminated", 0),
    # an interactive shell, and macOS
    ("Segmentation fault (core dumped)", "Segmentation fault", 1),
    ("Segmentation fault: 11", "Segmentation fault", 1),
    ("Floating point exception (core dumped)", "Floating point exception", 1),
    # Python's faulthandler
    ("Fatal Python error: Segmentation fault", "Segmentation fault", 2),
    ("Fatal Python error: Aborted", "Aborted", 2),
    # torch.distributed.elastic and glog
    ("Signal 11 (SIGSEGV) received by PID 4242", "Segmentation fault", 3),
    ("*** SIGSEGV (@0x0) received by PID 4242 (TID 0x7f2b5c0ff700) from PID 0; stack trace: ***", "Segmentation fault", 4),
]


@pytest.mark.parametrize("message, wording, entry", CASES, ids=[case[0][:40] for case in CASES])
def test_each_known_wording_is_written_as_its_failure(message, wording, entry):
    assert canonical(message) == wording
    assert default_equivalences()[entry].pattern.fullmatch(message.strip())


@pytest.mark.parametrize("message", [
    "Segmentation fault",  # already the one wording
    "Killed",
    "Killed by the OOM killer after 3 retries",  # words after a bare signal name are not a command
    "mpirun noticed that process rank 2 with PID 3312 on node worker-3 exited on signal 11 (Segmentation fault).",
    "RuntimeError: DataLoader worker (pid 4242) is killed by signal: Segmentation fault.",
    "Fatal Python error: init_fs_encoding: failed to get the Python codec of the filesystem encoding",
    "see /tmp/run.sh: line 3 for details",
])
def test_other_messages_are_left_as_they_are(message):
    assert canonical(message) == message


def test_every_entry_of_the_table_is_used_and_well_formed():
    data = load_yaml_file(str(WORDINGS_FILE)).data
    assert set(data) == {"equivalent"}
    for entry in data["equivalent"]:
        assert set(entry) == {"pattern", "as"} and entry["as"].strip()
        pattern = re.compile(entry["pattern"])
        assert set(re.findall(r"\\g<(\w+)>", entry["as"])) <= set(pattern.groupindex)
    assert {entry for _, _, entry in CASES} == set(range(len(data["equivalent"])))  # each has a case above


def test_a_table_of_ones_own_applies_in_order(tmp_path):
    table = tmp_path / "wordings.yaml"
    table.write_text("equivalent:\n"
                     "  - {pattern: 'OSError: \\[Errno 28\\] (?P<what>.*)', as: 'disk full: \\g<what>'}\n"
                     "  - {pattern: 'disk full: .*', as: 'No space left on device'}\n")
    entries = load_equivalences(table)
    assert canonical("OSError: [Errno 28] No space left on device", entries) == "No space left on device"
    assert canonical("OSError: [Errno 2] nope", entries) == "OSError: [Errno 2] nope"
