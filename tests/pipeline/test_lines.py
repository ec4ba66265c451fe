"""pipeline/lines.py: the line a failure is reported on, as a terminal shows it, without a progress
bar a shell's report of a killed command was written after."""

from __future__ import annotations

import pytest

from philly_triage._internal.pipeline.lines import ByteLines, clean_line
from philly_triage._internal.pipeline.verdict import classify_text

BAR = "Epoch 3:  45%|████▌     | 450/1000 [01:23<01:42,  5.36it/s]"
REPORT = "/bin/bash: line 1:  4242 Killed                  python train.py"


@pytest.mark.parametrize("line, shown", [
    (BAR + REPORT, REPORT),  # the shell wrote after the bar, which had no newline
    (BAR + "   " + REPORT, REPORT),  # tqdm pads its last drawing with spaces
    ("loading day_0.npz:  15%|█▌        | 8/52 [00:13<01:14,  1.70s/it]/philly/rr1/dlrm_run.sh: line 11: 8522 Killed"
     "                  python dlrm_train.py", "/philly/rr1/dlrm_run.sh: line 11: 8522 Killed                  python dlrm_train.py"),
    ("  3%|▎ | 3/100 [00:01<00:40]run.sh: line 9:  9219 Segmentation fault      (core dumped) python -u deep.py",
     "run.sh: line 9:  9219 Segmentation fault      (core dumped) python -u deep.py"),
    (REPORT, REPORT),  # a report on a line of its own is left as it is
    ("ERROR: run.sh: line 3: 42 Killed python x.py", "ERROR: run.sh: line 3: 42 Killed python x.py"),  # a logger's words
    ("see /tmp/run.sh: line 3 for details", "see /tmp/run.sh: line 3 for details"),  # not a report
])
def test_text_before_a_shell_report_is_cut(markers, line, shown):
    assert clean_line(line, markers) == (shown, "")


def test_a_prefix_is_removed_before_the_cut(markers):
    text, _ = clean_line("2026-12-06T02:18:16.543918352Z stderr F " + BAR + REPORT, markers)
    assert text == REPORT


def test_a_carriage_return_starts_a_new_drawing(markers):
    """The last drawing of a line redrawn with carriage returns is a segment of its own, on the line's number."""
    raw = f"start\n{BAR}\r{BAR.replace('45%', '46%')}\r{REPORT}\n".encode()
    view = ByteLines(raw, markers)
    assert [(line.number, line.text) for line in view[1:]] == [
        (2, BAR), (2, BAR.replace("45%", "46%")), (2, REPORT)]


@pytest.mark.parametrize("glue", ["", "\r"])
def test_the_failure_message_is_the_report_alone(matcher, markers, glue):
    log = f"loading data\nstep 1 loss 2.0000\n{BAR}{glue}{REPORT}\n"
    record = classify_text(log, matcher, markers)
    assert (record.category, record.line, record.message) == ("cpu_out_of_memory", 3, REPORT)
