"""Failures are found under every per-line prefix that platforms and launchers add."""

from __future__ import annotations

import pytest

from philly_triage._internal.pipeline.verdict import classify_text

PREFIXES = {
    "ISO time": "2026-12-01T10:00:00.123Z ",
    "logging time": "2026-12-01 10:00:00,123 ",
    "bracketed time": "[2026-12-01 10:00:00,123] ",
    "bracketed clock": "[10:00:00] ",
    "torchrun rank": "[rank3]: ",
    "srun --label": "0: ",
    "srun --label, two digits": "12: ",
    "Kubernetes container runtime": "2026-12-01T10:00:00.123456789Z stderr F ",
    "kubectl logs --timestamps": "2026-12-01T10:00:00.123456789Z ",
    "mpirun --tag-output": "[1,0]<stderr>: ",
    "SageMaker MPI": "[1,mpirank:0,algo-1]<stderr>:",
    "pdsh host": "worker-1: ",
    "Ray worker": "(RayTrainWorker pid=4242, ip=10.0.0.3) ",
}
FAILURES = {
    "a compile error with no traceback header": (
        ['  File "/app/train.py", line 17', "    return model", "    ^^^^^^", "IndentationError: unexpected indent"],
        "syntax_error", 5),
    "a traceback": (
        ["Traceback (most recent call last):", '  File "/app/train.py", line 17, in <module>', '    x = cfg["lr"]',
         "KeyError: 'lr'"],
        "key_not_found", 5),
    "python that cannot open its script": (
        ["/usr/bin/python3: can't open file '/app/trian.py': [Errno 2] No such file or directory"], "path_not_found", 2),
}


@pytest.mark.parametrize("prefix", PREFIXES.values(), ids=PREFIXES.keys())
@pytest.mark.parametrize("failure", FAILURES.values(), ids=FAILURES.keys())
def test_a_failure_is_found_under_a_line_prefix(prefix, failure, matcher, markers):
    lines, category, line = failure
    text = "\n".join(prefix + text for text in ["starting the job", *lines]) + "\n"
    record = classify_text(text, matcher, markers)
    assert (record.category, record.line) == (category, line), record.message
