"""Records the format tests share: one of each kind, and a CI run's mix with text a log could hold."""

from __future__ import annotations

import io

from click.testing import CliRunner

from philly_triage._internal.cli.main import cli
from philly_triage._internal.output.formats import OutputFormat, make_formatter
from philly_triage._internal.output.formats.base import Interruption
from philly_triage.models import FailureRecord, Status

# One of each status.
BASIC = [
    FailureRecord(
        job="logs/job1", status=Status.CLASSIFIED, category="gpu_out_of_memory", dimension="deep_learning",
        rule="gpu_out_of_memory", file="logs/job1/2/stderr.txt", line=42,
        message="torch.OutOfMemoryError: CUDA out of memory.", exception="torch.OutOfMemoryError",
        hint="Lower the batch size.", evidence="CUDA out of memory",
    ),
    FailureRecord(job="logs/ok.log", status=Status.NO_FAILURE),
    FailureRecord(job="logs/gone", status=Status.ERROR, reason="no such file or directory"),
]

# What the CI formats (JUnit, GitHub, Markdown) are shown.
OOM = FailureRecord(
    job="logs/job1", status=Status.CLASSIFIED, category="gpu_out_of_memory", dimension="deep_learning",
    rule="gpu_out_of_memory", file="logs/job1/2/stderr.txt", line=42,
    message="torch.OutOfMemoryError: CUDA out of memory.", exception="torch.OutOfMemoryError",
    hint="Lower the batch size.", evidence="CUDA out of memory", notes=("rank 3 failed first",),
)
NASTY = 'bad <&>" \x00 \x1b[31m \x0c \udcff caf\u00e9 \u65e5\u672c'
UNCLASSIFIED = FailureRecord(job="logs/weird", status=Status.UNCLASSIFIED, file="logs/weird", line=3, message=NASTY)
PASSED = FailureRecord(job="logs/ok.log", status=Status.NO_FAILURE)
ERROR = FailureRecord(job="logs/gone", status=Status.ERROR, reason="no such file or directory")
IGNORED = FailureRecord(
    job="logs/ign", status=Status.CLASSIFIED, category="key_not_found", dimension="general_code",
    file="logs/ign", line=1, message="KeyError: 'lr'", ignored=True,
)
CI_RECORDS = [OOM, UNCLASSIFIED, PASSED, ERROR, IGNORED]

# A log whose failure is on line 7, for the formats through the command line.
TRACEBACK = (
    "epoch 1 step 10 loss 2.31\n"
    "Traceback (most recent call last):\n"
    '  File "train.py", line 12, in <module>\n'
    "    main()\n"
    '  File "train.py", line 8, in main\n'
    "    lr = config['lr']\n"
    "KeyError: 'lr'\n"
)


def write_logs(directory):
    """train.log (a KeyError on line 7) and ok.log (no failure) in ``directory``."""
    (directory / "train.log").write_text(TRACEBACK)
    (directory / "ok.log").write_text("epoch 1 loss 0.3\ntraining complete\n")
    return directory


def classify(logs, kind: str) -> str:
    """The stdout of ``triage classify LOGS --format KIND``."""
    result = CliRunner().invoke(cli, ["classify", str(logs), "--format", kind], catch_exceptions=False)
    assert result.exit_code in (0, 1)
    return result.stdout


def interrupted(kind: OutputFormat, records, total) -> str:
    """A format's whole output for a run that SIGTERM stopped after ``records``, of ``total`` jobs found."""
    stream = io.StringIO()
    formatter = make_formatter(kind, stream)
    formatter.start()
    for record in records:
        formatter.add(record)
    formatter.interrupt(Interruption("SIGTERM", len(records), total))
    formatter.finish()
    return stream.getvalue()
