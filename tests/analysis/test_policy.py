"""CI integration of classify: --fail-on, --ignore, --baseline, --output, --quiet and exit statuses."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from philly_triage._internal.analysis.baseline import BaselineError, load_baseline
from philly_triage._internal.catalogue.load import builtin_source, load_catalogue
from philly_triage._internal.cli.main import cli
from philly_triage._internal.cli.outputs import OutputError, Target, plan_targets
from philly_triage._internal.pipeline.fingerprint import fingerprint
from philly_triage._internal.output.formats import OutputFormat
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
    assert jsonl(result)[-1] == {**jsonl(result)[-1], "status": "error", "reason": "no such file or directory"}
    assert "1 job could not be classified (status error): exit status 3" in result.stderr
    assert run("classify", logs, missing, "-f", "jsonl", "--fail-on", "any").exit_code == 1
    assert run("classify", logs, missing, "-f", "jsonl", "--fail-on", "data").exit_code == 3


# --baseline -----------------------------------------------------------------------------------


def test_baseline_reports_and_fails_only_on_new_kinds_of_failure(tmp_path, logs):
    first = run("classify", logs, "-f", "jsonl")
    (tmp_path / "yesterday.jsonl").write_text(first.stdout)
    # Tonight: the same two failures with other sizes, GPUs and paths, and one new kind.
    tonight = night(tmp_path, "tonight", {
        "oom-again": traceback(OOM.format(size="3.06 GiB", gpu=7)),
        "missing-again": traceback(MISSING.format(path="/mnt/blob/run-2/val.tar")),
        "new": traceback("ZeroDivisionError: float division by zero"),
    })
    result = run("classify", tonight, "-f", "jsonl", "--baseline", tmp_path / "yesterday.jsonl", "--fail-on", "any")
    assert [r["category"] for r in jsonl(result)] == ["division_by_zero"]
    assert result.exit_code == 1
    assert "not shown: 2 already in the baseline" in result.stderr
    result = run("classify", tonight, "-f", "jsonl", "--baseline", tmp_path / "yesterday.jsonl",
                 "--fail-on", "gpu_out_of_memory,path_not_found")
    assert result.exit_code == 0  # the failures it names are all known


@pytest.mark.parametrize("kind", ["json", "jsonl", "sarif"])
def test_each_output_with_records_is_a_baseline(tmp_path, logs, kind):
    path = tmp_path / f"base.{kind}"
    path.write_text(run("classify", logs, "-f", kind).stdout)
    records = jsonl(run("classify", logs, "-f", "jsonl"))
    assert load_baseline(path) >= {r["fingerprint"] for r in records if r["fingerprint"]}
    assert run("classify", logs, "-f", "jsonl", "--baseline", path).stdout.count("\n") == 1  # the job with no failure


def test_a_baseline_without_fingerprints_is_fingerprinted_from_its_messages(tmp_path):
    old = {"job": "j", "status": "classified", "category": "key_not_found", "message": "KeyError: 'lr'"}
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(old) + "\n")
    assert load_baseline(path) == {fingerprint("key_not_found", "KeyError: 'lr'")}


@pytest.mark.parametrize(
    "content,problem",
    [
        ('{"a": 1}', "not an output of triage classify"),
        ('{"status": "classified"}\n{oops\n', ":2: not JSON or JSONL"),
        ("[1]\n[2]\n", ":1: a JSONL line must hold one record"),
    ],
)
def test_a_broken_baseline_names_its_file_and_line(tmp_path, logs, content, problem):
    path = tmp_path / "base.json"
    path.write_text(content)
    with pytest.raises(BaselineError, match=problem):
        load_baseline(path)
    result = run("classify", logs, "--baseline", path)
    assert result.exit_code == 2 and problem in result.stderr and "Traceback" not in result.output


def test_a_missing_baseline_is_exit_2(tmp_path, logs):
    result = run("classify", logs, "--baseline", tmp_path / "nope.json")
    assert result.exit_code == 2
    assert "nope.json: cannot read the baseline: No such file or directory" in result.stderr


def test_an_empty_baseline_knows_nothing(tmp_path, logs):
    (tmp_path / "empty.jsonl").write_text("")
    assert load_baseline(tmp_path / "empty.jsonl") == frozenset()
    assert run("classify", logs, "--baseline", tmp_path / "empty.jsonl", "--fail-on", "any").exit_code == 1


# --output and --quiet -------------------------------------------------------------------------


def test_output_file_gets_the_format_and_the_terminal_keeps_the_table(tmp_path, logs):
    out = tmp_path / "out.json"
    result = run("classify", logs, "-f", "json", "--output", out)
    assert result.stdout.startswith("JOB") and "gpu_out_of_memory" in result.stdout
    assert json.loads(out.read_text())["summary"]["jobs"] == 3
    assert result.stderr.startswith("3 jobs: 2 classified, 1 no failure")


def test_several_outputs_in_one_run(tmp_path, logs):
    result = run("classify", logs, "-f", "jsonl", "-o", f"csv:{tmp_path / 'r.csv'}", "-o", f"sarif:{tmp_path / 'r.sarif'}")
    assert len(jsonl(result)) == 3  # stdout keeps the --format: no plain --output took it
    assert (tmp_path / "r.csv").read_text().startswith("job,status,category")
    assert json.loads((tmp_path / "r.sarif").read_text())["version"] == "2.1.0"


def test_a_plain_output_takes_the_format_even_against_its_extension(tmp_path, logs):
    result = run("classify", logs, "-f", "jsonl", "-o", tmp_path / "r.sarif")
    assert result.stdout.startswith("JOB")
    assert len(jsonl_text((tmp_path / "r.sarif").read_text())) == 3


def test_quiet_prints_only_the_output(tmp_path, logs):
    result = run("classify", logs, "--quiet", "-o", tmp_path / "r.jsonl")
    assert result.stdout == "" and result.stderr == ""
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 3
    result = run("classify", logs, "-q")
    assert result.stdout.startswith("JOB") and result.stderr == ""


def test_an_output_that_cannot_be_written_is_exit_2(tmp_path, logs):
    result = run("classify", logs, "-o", tmp_path / "no" / "such" / "dir.json")
    assert result.exit_code == 2
    assert "cannot write" in result.stderr and "No such file or directory" in result.stderr


@pytest.mark.parametrize(
    "fmt,given,outputs,quiet,expected",
    [
        ("table", False, (), False, [Target(OutputFormat.TABLE, None)]),
        ("json", True, ("out.json",), False, [Target(OutputFormat.TABLE, None), Target(OutputFormat.JSON, "out.json")]),
        ("table", False, ("a.sarif",), True, [Target(OutputFormat.SARIF, "a.sarif")]),
        ("table", False, ("report.sarif.json",), True, [Target(OutputFormat.SARIF, "report.sarif.json")]),
        ("github", True, ("markdown:s.md",), False, [Target(OutputFormat.GITHUB, None), Target(OutputFormat.MARKDOWN, "s.md")]),
        ("jsonl", True, ("C:out.x",), True, [Target(OutputFormat.JSONL, "C:out.x")]),  # a drive, not a format
        ("table", False, ("junit:r.xml",), False, [Target(OutputFormat.TABLE, None), Target(OutputFormat.JUNIT, "r.xml")]),
    ],
)
def test_where_each_format_goes(fmt, given, outputs, quiet, expected):
    assert plan_targets(OutputFormat(fmt), given, outputs, quiet) == expected


@pytest.mark.parametrize("outputs,problem", [(("out.bin",), "cannot tell the format"), (("a.json", "json:a.json"), "more than once")])
def test_outputs_that_make_no_sense(outputs, problem):
    with pytest.raises(OutputError, match=problem):
        plan_targets(OutputFormat.TABLE, False, outputs, False)


def test_baselines_add_up_and_an_output_may_replace_one(tmp_path, logs):
    oom_only = tmp_path / "oom.jsonl"
    oom_only.write_text("".join(line + "\n" for line in run("classify", logs, "-f", "jsonl").stdout.splitlines()
                                if "gpu_out_of_memory" in line))
    missing_only = tmp_path / "missing.json"
    run("classify", logs, "-o", missing_only, "--ignore", "gpu_out_of_memory", "--hide-ignored", "-q")
    result = run("classify", logs, "--baseline", oom_only, "--baseline", missing_only, "--fail-on", "any",
                 "-o", missing_only, "-q")
    assert result.exit_code == 0  # each failure is in one of the two baselines
    # The baseline was read before the output replaced it; the new file holds only what was shown.
    assert json.loads(missing_only.read_text())["summary"] == {**json.loads(missing_only.read_text())["summary"],
                                                               "jobs": 1, "hidden": {"baseline": 2}}
