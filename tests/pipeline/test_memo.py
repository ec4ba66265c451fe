"""The locator's memo keeps answers per text, bounded in entries and in text length."""

from __future__ import annotations

from philly_triage._internal.pipeline import memo as memo_module
from philly_triage._internal.pipeline.memo import ENTRIES, LONGEST, MISSING, Memo


def test_an_answer_is_kept_per_kind_and_text():
    memo = Memo()
    memo.put("clean", b"line", ("line", ""))
    memo.put("candidate", "line", None)
    assert memo.get("clean", b"line") == ("line", "")
    assert memo.get("candidate", "line") is None, "None is an answer, not a miss"
    assert memo.get("candidate", "other") is MISSING


def test_a_long_text_is_not_kept():
    memo = Memo()
    memo.put("clean", b"x" * (LONGEST + 1), "answer")
    assert memo.get("clean", b"x" * (LONGEST + 1)) is MISSING and len(memo) == 0


def test_the_memo_never_holds_more_than_its_bound(monkeypatch):
    monkeypatch.setattr(memo_module, "ENTRIES", 10)
    memo = Memo()
    for number in range(35):
        memo.put("clean", str(number), number)
        assert len(memo) <= 10
    assert memo.get("clean", "34") == 34
    assert ENTRIES * LONGEST <= 4 << 20, "the bound stays a few MB"


def test_a_held_memo_keeps_more_and_is_trimmed_when_released(monkeypatch):
    monkeypatch.setattr(memo_module, "ENTRIES", 10)
    monkeypatch.setattr(memo_module, "HELD_ENTRIES", 100)
    memo = Memo()
    with memo.held():
        for number in range(50):
            memo.put("clean", str(number), number)
        assert len(memo) == 50 and memo.get("clean", "0") == 0, "held: the first answers are still there"
        with memo.held():  # nested (one log read inside another's reading) stays held
            memo.put("clean", "50", 50)
        assert len(memo) == 51
    assert len(memo) == 0, "released above ENTRIES: trimmed"
    for number in range(5):
        memo.put("clean", str(number), number)
    with memo.held():
        pass
    assert len(memo) == 5, "released under ENTRIES: kept"
