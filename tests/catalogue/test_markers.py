"""The locator's markers: the byte-level first pass must never hide a line the markers would take.

The locator reads only the lines the first pass finds (``triggers``), and checks only the success
hints' lines for success. These tests prove, from the patterns' structure, that every fatal,
wrapper, termination and keyword pattern needs a trigger, and every success pattern a hint, so
that an edit to markers.yaml cannot silently blind the locator.
"""

from __future__ import annotations

import re

import pytest
import yaml

from philly_triage._internal.pipeline.prefilter import compile_finder, lines_of, literal_text as _literal
from philly_triage._internal.rulecheck.keyword_lint import unguarded_path
from philly_triage._internal.pipeline.lines import clean_line
from philly_triage._internal.pipeline.locate import TRACEBACK_START
from philly_triage._internal.catalogue.markers import MARKERS_FILE, load_markers

SECTIONS = yaml.safe_load(MARKERS_FILE.read_text(encoding="utf-8"))
LITERAL_TRIGGERS = [t for t in map(_literal, SECTIONS["triggers"]) if t]

# Fatal patterns anchored at a line's start that no literal can guard: a trigger pattern does,
# shown here on real lines (with the prefixes launchers add, which the raw bytes still carry).
GUARDED_BY_PATTERN = {
    r"^\[E(?:\s|\d{3,4}\s)": [
        "[E1124 10:00:00.123456 123 ProcessGroupNCCL.cpp:1537] [PG 0 Rank 5] Timeout at NCCL work",
        "[rank3]:[E ProcessGroupNCCL.cpp:616] [Rank 3] Watchdog caught collective operation timeout",
    ],
    r"^F\d{4} \d{2}:\d{2}:\d{2}": [
        "F1124 10:00:00.123 4567 check_op.cc:42] Check failed: x == y",
        "2026-11-24 10:00:00 F1124 10:00:00.123 4567 api.py:826] Check failed: ok",
    ],
    r"^(?:\S*/)?[\w.-]+\.(?:sh|bash): (?:(?:line )?\d+: |x(?:re|m)?alloc: cannot allocate)": [
        "run.sh: line 12: let: STEPS = TOTAL / N: division by 0 (error token is \"N\")",
        "[2026-12-01 10:00:00,123] /opt/job/run.sh: 13: arithmetic expression: division by zero",
        "run.sh: xrealloc: cannot allocate 18446744071562067968 bytes (1114112 bytes allocated)",
    ],
    r"^(?:[a-z_]\w*\.)+_*[A-Z]\w*: ": [
        "concurrent.futures.process.BrokenProcessPool: A child process terminated abruptly",
        "[rank2]: concurrent.futures.process.BrokenProcessPool: A process in the pool was terminated",
        "2026-11-24 10:00:00,123 concurrent.futures.process.BrokenProcessPool: A child process died",
    ],
    r"^(?:\S*/)?(?:cp|mv|ls|cat|rm|mkdir|ln|chmod|chown|tar|unzip|gzip|cd|source|rsync|wget|curl|python[\d.]*|bash|sh|expr|head|tail|sort|iconv|sha\d*sum|md5sum|awk|sed|grep|find|xargs|cut|dd|touch|tee|zcat|xz|bunzip2|aws|gsutil|azcopy|apt-get|apt|dpkg|pip\d?):\s+[^\d\s]": [
        "cp: cannot stat '/data/x': No such file or directory",
        "[worker-1]: /usr/bin/python3.11: can't open file '/app/train.py'",
        "tar: Unexpected EOF in archive",
    ],
}


@pytest.mark.parametrize("section", ["fatal", "wrappers", "terminations", "keywords", "exit_status"])
def test_every_failure_pattern_needs_a_trigger(section):
    for pattern in SECTIONS[section]:
        if pattern in GUARDED_BY_PATTERN:
            continue
        witness = unguarded_path(pattern, LITERAL_TRIGGERS)
        assert witness is None, f"{section} pattern {pattern!r} can match {witness!r}, which holds no trigger"


def test_a_traceback_header_holds_a_trigger():
    assert unguarded_path(TRACEBACK_START.pattern, LITERAL_TRIGGERS) is None


@pytest.mark.parametrize("pattern", sorted(GUARDED_BY_PATTERN))
def test_anchored_fatal_patterns_are_found_by_trigger_patterns(pattern, markers):
    for line in GUARDED_BY_PATTERN[pattern]:
        text, _ = clean_line(line, markers)
        assert re.search(pattern, text), f"the example {line!r} must be one the fatal pattern takes"
        data = line.encode()
        assert lines_of(markers.triggers.offsets(data), [0]) == [0], f"no trigger finds {line!r}"


def test_every_success_pattern_needs_a_hint():
    for pattern in SECTIONS["success"]:
        assert unguarded_path(pattern, SECTIONS["success_hints"]) is None, pattern


@pytest.mark.parametrize("engine", ["re", "hyperscan"])
def test_both_engines_find_the_same_lines(engine, monkeypatch, markers):
    if engine == "hyperscan":
        pytest.importorskip("hyperscan", reason="hyperscan has no wheel for this platform; re is used")
    monkeypatch.setenv("TRIAGE_ENGINE", engine)
    finder = compile_finder(SECTIONS["triggers"], caseless=True)
    assert finder.engine == engine
    lines = [
        "epoch 3 step 100 loss 0.5", "RuntimeError: CUDA error: out of memory", "Killed",
        "E1124 10:00:00.123 1 x.cc:1] boom", "[E1124 x] y", "fine line", "KeyboardInterrupt",
        "Traceback (most recent call last):", "torch.foo.Bar: z", "ln: failed", "all good",
    ]
    data = "\n".join(lines).encode()
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    found = [lines[i] for i in lines_of(finder.offsets(data), starts)]
    assert found == [
        "RuntimeError: CUDA error: out of memory", "Killed", "E1124 10:00:00.123 1 x.cc:1] boom",
        "[E1124 x] y", "KeyboardInterrupt", "Traceback (most recent call last):", "torch.foo.Bar: z",
        "ln: failed",
    ]


def test_markers_file_loads_with_each_engine(monkeypatch):
    monkeypatch.setenv("TRIAGE_ENGINE", "re")
    forced = load_markers()
    assert forced.kinds is None and forced.triggers.engine == "re"
    assert forced.is_fatal("Segmentation fault (core dumped)") and forced.is_noise("UserWarning: x")
