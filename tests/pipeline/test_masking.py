"""pipeline/masking.py as clustering and fingerprints use it on a shell's report of a killed command.

Clustering writes the wordings of one failure as one first (analysis/wordings.py) and masks
after; a fingerprint masks the message as printed. So masking keeps wordings apart: a baseline
made before the wordings table still matches (FINGERPRINT_VERSION did not change for it).
"""

from __future__ import annotations

from philly_triage._internal.analysis.wordings import canonical
from philly_triage._internal.pipeline.fingerprint import fingerprint
from philly_triage._internal.pipeline.masking import mask

REPORTS = ("/bin/bash: line 1: 48213 Segmentation fault      (core dumped) python train.py --lr 0.1",
           "/bin/bash: line 3: 7121 Segmentation fault      (core dumped) python train.py --lr 0.25")


def test_a_shells_report_masks_its_script_line_pid_and_numbers():
    assert {mask(report) for report in REPORTS} == {
        "<path>: line <n>: <n> Segmentation fault (core dumped) python train.py --lr <n>"}
    assert fingerprint("unclassified", REPORTS[0]) == fingerprint("unclassified", REPORTS[1])


def test_masking_alone_keeps_the_wordings_of_one_failure_apart():
    wordings = (REPORTS[0], "Segmentation fault (core dumped)", "Fatal Python error: Segmentation fault")
    assert len({mask(message, quoted=True) for message in wordings}) == 3
    assert len({fingerprint("unclassified", message) for message in wordings}) == 3  # fingerprints as before
    assert {mask(canonical(message), quoted=True) for message in wordings} == {"Segmentation fault"}  # clustering


def test_masking_leaves_signal_names_and_the_core_dump_note_as_words():
    assert mask("run.sh: line 9:  9264 Bus error               python -u mm.py") == (
        "run.sh: line <n>: <n> Bus error python -u mm.py")
    assert mask("Segmentation fault: 11") == "Segmentation fault: <n>"
