"""What `explain` shows: every possible failure of a view with the locator's verdict and reason."""

from __future__ import annotations

from philly_triage._internal.pipeline.lines import ByteLines
from philly_triage._internal.pipeline.locate.decide import locate_in_view
from philly_triage._internal.pipeline.locate.reasons import (
    CHAIN_LINK, CHOSEN, IGNORED_TEARDOWN, NOISE, OUTRANKED, SAME_BURST, SURVIVED, considered,
)
from philly_triage.models import LogLine

TRACEBACK = 'Traceback (most recent call last):\n  File "train.py", line 9, in <module>\n    main()\nKeyError: \'label\'\n'
CHAINED = (
    'Traceback (most recent call last):\n  File "data.py", line 3, in load\nOSError: disk full\n\n'
    "The above exception was the direct cause of the following exception:\n\n"
    'Traceback (most recent call last):\n  File "train.py", line 5, in <module>\nRuntimeError: could not load\n'
)
LOG = (
    "UserWarning: this error is only a warning\n"  # 1
    + TRACEBACK  # 2-5, survived
    + "epoch 2 loss 0.5\n"  # 6
    + "the loader failed once\n"  # 7
    + "epoch 3 loss 0.4\n"  # 8
    + "Exception ignored in: <function Writer.__del__ at 0x7f>\n" + TRACEBACK  # 9-13
    + CHAINED  # 14-22
)


def verdicts(text, markers, more_noise=()):
    view = ByteLines(text.encode(), markers)
    return view, {c.line: c for c in considered("log", view, markers, more_noise)}


def test_each_possible_failure_gets_the_verdict_the_locator_reached(markers):
    view, seen = verdicts(LOG, markers)
    assert {line: c.verdict for line, c in seen.items()} == {
        1: NOISE, 5: SURVIVED, 7: OUTRANKED, 9: NOISE, 13: IGNORED_TEARDOWN, 16: CHOSEN, 18: CHAIN_LINK, 22: CHAIN_LINK,
    }
    assert seen[22].reason == "a later link of the chained traceback: its cause (line 16) is named instead"
    assert list(seen) == sorted(seen)  # in line order


def test_the_chosen_one_is_what_the_locator_locates(markers):
    view, seen = verdicts(LOG, markers)
    (chosen,) = [c for c in seen.values() if c.verdict == CHOSEN]
    located, _ = locate_in_view("log", view, markers)
    assert (chosen.line, chosen.text) == (located.failure.line, located.failure.message)
    assert chosen.first == 14  # its traceback starts there


def test_copies_from_other_ranks_are_part_of_the_same_burst(markers):
    log = "".join(f"[rank{r}]: " + line + "\n" for r in (0, 1) for line in TRACEBACK.splitlines())
    view, seen = verdicts(log, markers)
    assert (seen[4].verdict, seen[8].verdict) == (CHOSEN, SAME_BURST)
    assert "first process to fail (line 4)" in seen[8].reason


def test_noise_lines_the_view_left_out_are_listed_too(markers):
    view, seen = verdicts(TRACEBACK, markers, more_noise=[LogLine(1000, "UserWarning: an error that never was", "")])
    assert seen[1000].verdict == NOISE
