"""Where `classify` writes (cli/outputs.py): stdout in the --format, each --output file in its own
format, the table for the person watching, nothing but the files under --quiet."""

from __future__ import annotations

import json

import pytest

from philly_triage._internal.cli.outputs import OutputError, Target, plan_targets
from philly_triage._internal.output.formats import OutputFormat
from tests.analysis.test_policy import jsonl, jsonl_text, logs, run  # noqa: F401 - logs is a fixture


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
        # '-' is stdout, which then shows that format alone, --quiet or not
        ("table", False, ("-",), False, [Target(OutputFormat.TABLE, None)]),
        ("sarif", True, ("-",), True, [Target(OutputFormat.SARIF, None)]),
        ("table", False, ("sarif:-",), False, [Target(OutputFormat.SARIF, None)]),
        ("table", False, ("r.md", "json:-"), False, [Target(OutputFormat.JSON, None), Target(OutputFormat.MARKDOWN, "r.md")]),
        ("github", True, ("-", "sarif:r.sarif"), False, [Target(OutputFormat.GITHUB, None), Target(OutputFormat.SARIF, "r.sarif")]),
    ],
)
def test_where_each_format_goes(fmt, given, outputs, quiet, expected):
    assert plan_targets(OutputFormat(fmt), given, outputs, quiet) == expected


@pytest.mark.parametrize("outputs,problem", [
    (("out.bin",), "cannot tell the format"), (("a.json", "json:a.json"), "more than once"),
    (("-", "json:-"), r"names stdout \(-\) more than once"),
])
def test_outputs_that_make_no_sense(outputs, problem):
    with pytest.raises(OutputError, match=problem):
        plan_targets(OutputFormat.TABLE, False, outputs, False)


@pytest.mark.parametrize("path,kind", [
    ("out.ndjson", OutputFormat.JSONL), ("OUT.JSONL", OutputFormat.JSONL), ("summary.MD", OutputFormat.MARKDOWN),
    ("notes.markdown", OutputFormat.MARKDOWN), ("report.xml", OutputFormat.JUNIT), ("table.txt", OutputFormat.TABLE),
    ("scan.sarif.json", OutputFormat.SARIF), ("scan.json", OutputFormat.JSON), ("dir.d/records.csv", OutputFormat.CSV),
])
def test_the_extension_names_the_format_whatever_its_case(path, kind):
    assert plan_targets(OutputFormat.TABLE, False, (path,), True) == [Target(kind, path)]


def test_a_prefix_that_is_no_format_is_part_of_the_file_name():
    # "csv:" is a format; "results:" is not, so "results:x.json" is a file named so, read by its extension
    assert plan_targets(OutputFormat.TABLE, False, ("csv:a.txt", "results:x.json"), True) == [
        Target(OutputFormat.CSV, "a.txt"), Target(OutputFormat.JSON, "results:x.json")]
    with pytest.raises(OutputError, match=r"--output names .*a\.txt more than once"):
        plan_targets(OutputFormat.TABLE, False, ("csv:a.txt", "json:./a.txt"), True)
