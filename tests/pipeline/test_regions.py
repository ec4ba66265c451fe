"""The lines of a kept region that the locator reads: failures with their context, and the evidence between."""

from __future__ import annotations

from philly_triage._internal.pipeline.regions import Region, region_lines

TRACEBACK = 'Traceback (most recent call last):\n  File "train.py", line 9, in <module>\n    main()\nKeyError: \'label\'\n'


def test_a_region_keeps_the_failure_its_context_and_the_evidence_after_it(markers):
    before = "".join(f"loading shard {i}\n" for i in range(100))  # region lines 0-99 (numbers 1000-1099)
    after = "".join(f"UserWarning: slow shard {i}\n" for i in range(100))  # noise: it ends the traceback's message
    data = before + TRACEBACK + after + "epoch 1 loss 0.5\n" + after + "epoch 2 loss 0.4\nepoch 3 loss 0.3\n"
    lines = region_lines(Region(data.encode(), 1000), "x.log", markers)
    numbers = [line.number for line in lines]
    # 31 lines before the traceback, the traceback, the line after it; then two progress lines: it went on
    assert numbers == list(range(1069, 1105)) + [1204, 1305]
    assert [line.text for line in lines[-2:]] == ["epoch 1 loss 0.5", "epoch 2 loss 0.4"]


def test_a_region_without_failures_keeps_only_evidence(markers):
    data = b"loading\nepoch 1 loss 0.5\nsaving\nepoch 2 loss 0.4\nepoch 3 loss 0.3\n"
    lines = region_lines(Region(data, 7), "x.log", markers)
    assert [(line.number, line.text) for line in lines] == [(8, "epoch 1 loss 0.5"), (10, "epoch 2 loss 0.4")]
