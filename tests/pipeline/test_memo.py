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
