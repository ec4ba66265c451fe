"""--study-only (every command that opens the catalogue): the rules marked `study: false`, the built-in
infrastructure dimension, are left out, so that platform failures are unclassified as in the ICSE 2020
study; without it they get their infrastructure category and its retry advice."""

from __future__ import annotations

import json

from click.testing import CliRunner

from philly_triage._internal.cli.main import cli
from tests.conftest import DATA, ROOT

SEGFAULT = ROOT / "sample_logs" / "pointnet-modelnet-5a3c.log"  # a bare "Segmentation fault (core dumped)"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def record(*args) -> dict:
    result = run("classify", "-f", "jsonl", *args)
    assert result.exit_code in (0, 1), result.output
    (line,) = result.stdout.splitlines()
    return json.loads(line)


def test_classify_gives_a_platform_failure_its_category_unless_study_only():
    every = record(SEGFAULT)
    assert (every["status"], every["category"], every["dimension"], every["retry"]) == (
        "classified", "fatal_signal", "infrastructure", "never")
    study = record("--study-only", SEGFAULT)
    assert (study["status"], study["category"], study["retry"]) == ("unclassified", None, "unknown")
    assert (study["file"], study["line"]) == (every["file"], every["line"])  # the same failure line


def test_study_only_leaves_the_studys_categories_alone():
    oom = ROOT / "sample_logs" / "resnet50-imagenet-3f9c"
    assert record("--study-only", oom)["category"] == record(oom)["category"] == "gpu_out_of_memory"


def test_explain_says_no_rule_knows_it_under_study_only():
    assert "fatal_signal" in run("explain", SEGFAULT).stdout
    result = run("explain", "--study-only", SEGFAULT)
    assert result.exit_code == 0 and "fatal_signal" not in result.stdout and "unclassified" in result.stdout


def test_eval_with_study_only_expects_the_infrastructure_categories_as_unclassified():
    # The sample logs' expectations name fatal_signal for the bare segfault: under --study-only the
    # study's catalogue is scored, which must say unclassified there, and does.
    args = (ROOT / "sample_logs", "--expect", DATA / "sample_logs.expected.yaml", "-f", "json")
    every, study = (json.loads(run("eval", *extra, *args).stdout) for extra in ((), ("--study-only",)))
    assert every["total"] == every["correct"] == study["total"] == study["correct"] == 46
    labels = {row["label"] for row in every["labels"]}
    assert labels - {row["label"] for row in study["labels"]} == {"fatal_signal"}


def test_eval_on_the_held_out_set_with_study_only_is_the_study_catalogues_score():
    # Every job relabelled with an infrastructure category (issue 20) is expected unclassified again.
    args = (ROOT / "tests" / "data" / "heldout", "--expect", DATA / "heldout.expected.yaml", "-f", "json")
    study = json.loads(run("eval", "--study-only", *args).stdout)
    assert study["total"] == study["correct"] == 60
