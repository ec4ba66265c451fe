"""The public API: ``import philly_triage as triage`` and what it exports give the CLI's records."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import philly_triage as triage
from tests.catalogue.test_sources import write_rule
from tests.conftest import ROOT

SAMPLES = ROOT / "sample_logs"


def cli_records(*args) -> list[dict]:
    command = [sys.executable, "-m", "philly_triage", "classify", "-f", "jsonl", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode in (0, 1), done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_the_exported_names_are_the_documented_ones():
    assert set(triage.__all__) == {
        "__version__", "classify", "classify_text", "classify_many", "load_catalogue", "Classifier", "Options",
        "Catalogue", "CatalogueError", "FailureRecord", "Status", "Rule", "Job",
    }
    for name in triage.__all__:
        assert getattr(triage, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'classify_paths'"):
        triage.classify_paths  # noqa: B018 - the attribute access is the test


def test_importing_the_package_loads_no_engine():
    code = "import sys, philly_triage; print(sorted(m for m in sys.modules if m.startswith('philly_triage')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "['philly_triage']"


def test_classify_gives_the_record_the_cli_gives():
    job = SAMPLES / "vae-mnist-kl-77ab"
    record = triage.classify(job)
    assert isinstance(record, triage.FailureRecord)
    assert record.status is triage.Status.CLASSIFIED and record.category == "loss_nan"
    assert record.to_dict() == cli_records("--job", job)[0] | {"job": str(job)}


def test_classify_text_gives_the_record_a_file_with_that_text_gives(tmp_path):
    source = SAMPLES / "unet-cityscapes-bs16-0e7d.log"
    from_text = triage.classify_text(source.read_text(encoding="utf-8"), name=str(source))
    from_file = triage.classify(source)
    assert from_text == from_file
    assert from_text.stage is not None and from_text.exit_code is not None
    # timestamps in the text give the run time, as a file's would: the GPU hours follow
    text = ("2026-12-01 10:00:00 INFO start\n2026-12-01 12:00:00 INFO epoch 3\n"
            "Traceback (most recent call last):\n  File \"t.py\", line 1, in <module>\n"
            "RuntimeError: CUDA error: out of memory\n")
    assert triage.classify_text(text, gpus=4).gpu_hours == pytest.approx(8.0)


def test_classify_text_names_the_record_after_the_text():
    record = triage.classify_text("KeyError: 'lr'\nexit code: 1\n", name="job-7")
    assert record.job == "job-7" and record.file == "job-7"
    assert record.category == "key_not_found"
    assert all("triage-text-" not in str(value) for value in record.to_dict().values())


def test_classify_many_gives_the_cli_records_in_order_with_workers():
    records = list(triage.classify_many([SAMPLES], workers=2))
    assert [r.to_dict() for r in records] == cli_records(SAMPLES)


def test_classify_many_takes_a_reading_and_refuses_an_unknown_one():
    [one] = triage.classify_many([SAMPLES / "vae-mnist-kl-77ab"], reading="job")
    assert one.category == "loss_nan"
    with pytest.raises(ValueError, match="reading must be one of auto, job, jobs-in"):
        triage.classify_many([SAMPLES], reading="all")


def test_a_catalogue_with_a_users_rule_is_used(tmp_path):
    rules = tmp_path / "rules"
    write_rule(rules, "storage_quota")
    catalogue = triage.load_catalogue(rules=rules)
    assert isinstance(catalogue, triage.Catalogue) and catalogue.rule("storage_quota") is not None
    text = "Traceback (most recent call last):\nIOError: storage quota exceeded on /mnt/x\n"
    assert triage.classify_text(text, rules=rules).category == "storage_quota"
    assert triage.classify_text(text, catalogue=catalogue).category == "storage_quota"
    assert triage.classify_text(text).category != "storage_quota"


def test_a_broken_rule_file_raises_catalogue_error_with_its_line(tmp_path):
    (tmp_path / "bad.yaml").write_text("id: x\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(triage.CatalogueError) as raised:
        triage.load_catalogue(rules=tmp_path)
    assert any(str(tmp_path / "bad.yaml") in str(problem.file) and problem.line for problem in raised.value.problems)


def test_a_classifier_built_once_classifies_jobs_texts_and_many(tmp_path):
    engine = triage.Classifier(triage.load_catalogue(), triage.Options(gpus=2))
    job = engine.classify(SAMPLES / "vae-mnist-kl-77ab")
    assert job.category == "loss_nan"
    assert engine.classify_text("ZeroDivisionError: division by zero\n", failed=True).category == "division_by_zero"
    assert [r.job for r in engine.classify_many([SAMPLES], workers=1)] == [r["job"] for r in cli_records(SAMPLES)]


def python_block(document: str, heading: str) -> str:
    """The first ```python block after HEADING in DOCUMENT (a path below the checkout)."""
    text = (ROOT / document).read_text(encoding="utf-8")
    section = text[text.index(heading):]
    return section[section.index("```python\n") + len("```python\n"):section.index("\n```\n")]


def run_block(block: str) -> tuple[list[str], list[str]]:
    """Run BLOCK in the checkout; return what it printed and what its "# " comment lines promise."""
    done = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines(), [line[2:] for line in block.splitlines() if line.startswith("# ")]


def test_the_api_pages_example_runs_and_prints_what_it_says():
    printed, promised = run_block(python_block("docs/api.md", "# The Python API"))
    assert printed[0] == promised[0] and printed[-1] == promised[-1]
    assert len(printed) == 2 + len(cli_records(SAMPLES))


def test_the_readmes_tour_example_runs_and_prints_exactly_what_it_says():
    printed, promised = run_block(python_block("README.md", "### 5. From Python"))
    assert promised and printed == promised
