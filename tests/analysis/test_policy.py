"""The policy of a classify run (analysis/policy.py): --fail-on, --ignore, --hide-ignored and exit statuses.

--baseline is tested in test_baseline.py, --output and --quiet in tests/cli/test_outputs.py.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from philly_triage._internal.catalogue.load import builtin_source, load_catalogue
from philly_triage._internal.cli.main import cli
from philly_triage._internal.pipeline.fingerprint import fingerprint
from philly_triage.models import FailureRecord, Status
from philly_triage._internal.analysis.policy import BASELINE, IGNORED, Policy, PolicyError


def traceback(last_line: str) -> str:
    return (
        "epoch 3 step 1200 loss 0.41\n"
        "Traceback (most recent call last):\n"
        '  File "/opt/app/train.py", line 88, in <module>\n'
        "    main()\n"
        f"{last_line}\n"
    )


OOM = "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate {size}. GPU {gpu} has a total capacity of 15.78 GiB"
MISSING = "FileNotFoundError: [Errno 2] No such file or directory: '{path}'"


def night(tmp_path, name: str, jobs: dict[str, str]):
    """A directory of one-file jobs, as a nightly CI run would find them."""
    root = tmp_path / name
    root.mkdir()
    for job, text in jobs.items():
        (root / f"{job}.log").write_text(text)
    return root


@pytest.fixture()
def logs(tmp_path):
    return night(tmp_path, "logs", {
        "oom": traceback(OOM.format(size="20.00 MiB", gpu=0)),
        "missing": traceback(MISSING.format(path="/data/run-1/train.tar")),
        "ok": "epoch 1 loss 0.3\ntraining complete\n",
    })


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def jsonl_text(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def jsonl(result) -> list[dict]:
    return jsonl_text(result.stdout)


# --fail-on and --ignore ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,code",
    [
        (["--fail-on", "any"], 1),
        (["--fail-on", "deep_learning"], 1),  # the OOM
        (["--fail-on", "path_not_found"], 1),  # a category
        (["--fail-on", "data,unclassified"], 0),  # nothing of these
        ([], 0),
        (["--fail-on", "any", "--ignore", "deep_learning,execution_environment"], 0),
        (["--fail-on", "any", "--ignore", "gpu_out_of_memory"], 1),  # the missing path still fails
        (["--fail-on", "gpu_out_of_memory", "--ignore", "deep_learning"], 0),  # ignore wins
    ],
)
def test_exit_status_follows_the_policy(logs, args, code):
    assert run("classify", logs, "-f", "jsonl", *args).exit_code == code


def test_ignored_records_stay_in_the_output_marked(logs):
    records = jsonl(run("classify", logs, "-f", "jsonl", "--ignore", "deep_learning"))
    assert [(r["category"], r["ignored"]) for r in records] == [
        ("path_not_found", False), (None, False), ("gpu_out_of_memory", True),
    ]


def test_hide_ignored_leaves_them_out_and_says_so(logs):
    result = run("classify", logs, "--ignore", "gpu_out_of_memory", "--hide-ignored")
    assert "gpu_out_of_memory" not in result.stdout and "path_not_found" in result.stdout
    assert "not shown: 1 ignored (--hide-ignored)" in result.stderr
    document = json.loads(run("classify", logs, "-f", "json", "--ignore", "gpu_out_of_memory", "--hide-ignored").stdout)
    assert document["summary"]["jobs"] == 2 and document["summary"]["hidden"] == {"ignored": 1}


def test_table_marks_ignored_records(logs):
    result = run("classify", logs, "--ignore", "deep_learning")
    assert "gpu_out_of_memory (ignored)" in result.stdout


@pytest.mark.parametrize("option", ["--ignore", "--fail-on"])
def test_an_unknown_id_is_a_usage_error_with_a_suggestion(logs, option):
    result = run("classify", logs, option, "gpu_out_of_memroy")
    assert result.exit_code == 2
    assert f"unknown {option} value 'gpu_out_of_memroy'; did you mean 'gpu_out_of_memory'?" in result.output


def test_any_is_not_an_ignore_value():
    catalogue = load_catalogue([builtin_source()])
    with pytest.raises(PolicyError, match="unknown --ignore value 'any'"):
        Policy.parse([], catalogue, ignore=["any"])


def test_policy_on_records():
    catalogue = load_catalogue([builtin_source()])
    oom = FailureRecord(job="j", status=Status.CLASSIFIED, category="gpu_out_of_memory", dimension="deep_learning",
                        message="CUDA out of memory", fingerprint=fingerprint("gpu_out_of_memory", "CUDA out of memory"))
    error = FailureRecord(job="e", status=Status.ERROR, reason="unreadable")
    unknown = FailureRecord(job="u", status=Status.UNCLASSIFIED, message="boom", fingerprint=fingerprint("unclassified", "boom"))
    policy = Policy.parse(["any"], catalogue, ignore=["unclassified"], hide_ignored=True, baseline=frozenset({oom.fingerprint}))
    assert policy.hidden(policy.mark(oom)) == BASELINE and not policy.fails(policy.mark(oom))
    assert policy.hidden(policy.mark(unknown)) == IGNORED and not policy.fails(policy.mark(unknown))
    assert policy.hidden(policy.mark(error)) is None and not policy.fails(error)
    assert Policy.parse(["any"], catalogue).fails(oom) and Policy.parse(["unclassified"], catalogue).fails(unknown)


# exit status 3 --------------------------------------------------------------------------------


def test_tool_errors_exit_3_unless_the_policy_matched(logs):
    missing = logs / "gone.log"
    result = run("classify", logs, missing, "-f", "jsonl")
    assert result.exit_code == 3
    gone = jsonl(result)[-1]
    assert (gone["job"], gone["status"], gone["reason"]) == (str(missing), "error", "no such file or directory")
    assert "1 job could not be classified (status error): exit status 3" in result.stderr
    assert run("classify", logs, missing, "-f", "jsonl", "--fail-on", "any").exit_code == 1
    assert run("classify", logs, missing, "-f", "jsonl", "--fail-on", "data").exit_code == 3
