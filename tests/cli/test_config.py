"""The project configuration on the command line (cli/config.py): its keys are the defaults of the
commands' options, the command line wins, rule sources stack, a broken file is one line and exit 2
for every command, and `triage config` says where each value comes from."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from philly_triage._internal.catalogue.config import KEYS
from philly_triage._internal.cli.main import COMMANDS, cli
from philly_triage._internal.pipeline import storage
from tests.catalogue.test_sources import write_rule
from tests.conftest import ROOT

OOM = "Traceback (most recent call last):\n  File \"t.py\", line 1, in <module>\ntorch.OutOfMemoryError: CUDA out of memory.\n"
QUOTA = "epoch 3 step 120 loss 0.41\nIOError: storage quota exceeded on /mnt/blob/ckpt\n"


@pytest.fixture()
def project(tmp_path, monkeypatch):
    """A project folder with a folder of three jobs, the working directory, and no TRIAGE_RULES."""
    monkeypatch.delenv("TRIAGE_RULES", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    root = tmp_path / "proj"
    runs = root / "runs"
    runs.mkdir(parents=True)
    (runs / "oom.log").write_text(OOM)
    (runs / "ok.log").write_text("epoch 1 loss 0.3\ntraining complete\n")
    (runs / "quota.log").write_text(QUOTA)
    monkeypatch.chdir(root)
    return root


def pyproject(root: Path, table: str) -> None:
    (root / "pyproject.toml").write_text(f"[project]\nname = \"jobs\"\n\n[tool.triage]\n{table}", encoding="utf-8")


def config_yaml(root: Path, text: str) -> None:
    (root / ".triage").mkdir(exist_ok=True)
    (root / ".triage" / "config.yaml").write_text(text, encoding="utf-8")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def records(result) -> list[dict]:
    """The JSONL records, each job named by the last part of its name (runs/oom.log: oom.log)."""
    found = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return [{**record, "job": os.path.basename(record["job"])} for record in found]


# --- precedence: built-in default < configuration < command line ------------------------------------


def test_the_configured_format_is_the_default_and_the_command_line_wins(project):
    pyproject(project, 'format = "jsonl"\n')
    assert len(records(run("classify", "runs"))) == 3
    assert json.loads(run("classify", "runs", "-f", "json").stdout)["summary"]["jobs"] == 3
    table = run("--no-config", "classify", "runs").stdout
    assert table.startswith("JOB ") and "gpu_out_of_memory" in table
    assert "[default: jsonl]" in run("classify", "--help").stdout  # the help says what applies here


def test_a_configured_format_is_a_default_so_an_output_files_extension_still_names_its_format(project):
    pyproject(project, 'format = "sarif"\n')
    result = run("classify", "runs", "-o", "out.csv")
    assert result.exit_code == 0 and result.stdout.startswith("JOB ")  # the table on stdout, as without config
    assert (project / "out.csv").read_text().startswith("job,status,category")
    given = run("classify", "runs", "-f", "json", "-o", "given.csv")  # a --format given still names the file's
    assert json.loads((project / "given.csv").read_text())["summary"]["jobs"] == 3 and given.exit_code == 0
    unknown = run("classify", "runs", "-o", "out.results")
    assert unknown.exit_code == 2 and "cannot tell the format of --output 'out.results'" in unknown.output


def test_fail_on_comes_from_the_configuration_and_a_list_given_replaces_it(project):
    config_yaml(project, "fail_on: [any]\nignore: [unclassified]\n")
    assert run("classify", "runs").exit_code == 1  # oom.log is a failure
    assert run("classify", "runs", "--fail-on", "unclassified").exit_code == 0  # replaces [any]: none is


def test_the_configured_format_reaches_classify_only(project):
    pyproject(project, 'format = "json"\n')
    stats = run("stats", "runs")
    assert stats.exit_code == 0 and not stats.stdout.lstrip().startswith("{")
    explain = run("explain", "runs/oom.log")
    assert explain.exit_code == 0 and not explain.stdout.lstrip().startswith("{")


def test_gpus_from_the_configuration_and_from_the_command_line(project):
    job = project / "runs" / "meta"
    job.mkdir()
    (job / "stderr.txt").write_text(OOM)
    (job / "job.meta.yaml").write_text("start: 2018-10-05T10:00:00Z\nend: 2018-10-05T12:30:00Z\n")
    pyproject(project, "gpus = 4\n")
    hours = {r["job"]: r["gpu_hours"] for r in records(run("classify", "runs", "-f", "jsonl"))}
    assert hours["meta"] == 10.0
    hours = {r["job"]: r["gpu_hours"] for r in records(run("classify", "runs", "-f", "jsonl", "--gpus", "1"))}
    assert hours["meta"] == 2.5


def test_exclude_from_the_configuration_and_an_exclude_given_replaces_it(project):
    (project / "runs" / "model.pt").write_bytes(b"\x80\x02weights\x00" * 100)
    config_yaml(project, "exclude: ['*.pt']\n")
    jobs = {r["job"] for r in records(run("classify", "runs", "-f", "jsonl"))}
    assert jobs == {"oom.log", "ok.log", "quota.log"}
    jobs = {r["job"] for r in records(run("classify", "runs", "-f", "jsonl", "--exclude", "ok.*"))}
    assert jobs == {"oom.log", "quota.log", "model.pt"}


def test_include_from_the_configuration(project):
    pyproject(project, 'include = ["oom*"]\n')
    assert [r["job"] for r in records(run("classify", "runs", "-f", "jsonl"))] == ["oom.log"]


def test_baseline_paths_are_relative_to_the_project_folder_from_any_subfolder(project):
    (project / "ci").mkdir()
    (project / "ci" / "baseline.json").write_text(run("classify", "runs", "-f", "json").stdout)
    pyproject(project, 'baseline = ["ci/baseline.json"]\nfail_on = ["any"]\n')
    os.chdir(project / "runs")
    result = run("classify", ".", "-f", "jsonl")
    assert result.exit_code == 0 and [r["job"] for r in records(result)] == ["ok.log"]  # the failures: in the baseline
    assert "already in the baseline" in result.stderr


def test_storage_options_from_the_configuration_reach_the_back_ends(project):
    pyproject(project, '[tool.triage.storage_option]\nendpoint_url = "http://localhost:9000"\nanon = true\n')
    try:
        assert run("classify", "runs").exit_code == 0
        assert storage.configured() == {"endpoint_url": "http://localhost:9000", "anon": True}
        assert run("classify", "runs", "--storage-option", "region=eu").exit_code == 0
        assert storage.configured() == {"region": "eu"}  # given on the command line: replaces the mapping
    finally:
        storage.configure({})


def test_study_only_from_the_configuration(project):
    every = {rule["id"] for rule in json.loads(run("rules", "list", "-f", "json").stdout)}
    config_yaml(project, "study_only: true\n")
    study = {rule["id"] for rule in json.loads(run("rules", "list", "-f", "json").stdout)}
    assert study < every and "gpu_out_of_memory" in study and len(study) == 20


# --- rule sources stack: built-in < .triage/rules < TRIAGE_RULES < configuration < --rules -----------


def shown_rule(rule_id: str, *args: str) -> dict:
    result = run(*args, "rules", "show", rule_id, "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_rule_sources_stack_in_the_documented_order(project, monkeypatch):
    write_rule(project / ".triage" / "rules", "quota", name="from .triage/rules")
    write_rule(project / "env-rules", "quota", name="from TRIAGE_RULES")
    write_rule(project / "team-rules", "quota", name="from the configuration")
    write_rule(project / "mine", "quota", name="from --rules")
    assert shown_rule("quota")["name"] == "from .triage/rules"
    monkeypatch.setenv("TRIAGE_RULES", str(project / "env-rules"))
    assert shown_rule("quota")["name"] == "from TRIAGE_RULES"
    pyproject(project, 'rules = ["team-rules"]\n')
    rule = shown_rule("quota")
    assert rule["name"] == "from the configuration" and rule["origin"] == "config"
    result = run("rules", "show", "quota", "-f", "json", "--rules", "mine")
    assert json.loads(result.stdout)["name"] == "from --rules"  # added after the configuration's, not instead
    assert shown_rule("gpu_out_of_memory")["origin"] == "built-in"


def test_configured_rules_classify_and_are_checked(project):
    write_rule(project / "team-rules", "quota")
    config_yaml(project, "rules: [team-rules]\n")
    by_job = {r["job"]: r["category"] for r in records(run("classify", "runs", "-f", "jsonl"))}
    assert by_job["quota.log"] == "quota" and by_job["oom.log"] == "gpu_out_of_memory"
    check = run("rules", "check")
    assert check.exit_code == 0 and "team-rules" in check.output


def test_no_builtin_rules_from_the_configuration_and_builtin_rules_takes_it_back(project):
    write_rule(project / "team-rules", "quota")
    pyproject(project, 'rules = ["team-rules"]\nno_builtin_rules = true\n')
    assert [r["id"] for r in json.loads(run("rules", "list", "-f", "json").stdout)] == ["quota"]
    ids = {r["id"] for r in json.loads(run("rules", "list", "-f", "json", "--builtin-rules").stdout)}
    assert {"quota", "gpu_out_of_memory"} <= ids


def test_a_configured_rule_source_that_is_missing_names_the_configuration(project):
    pyproject(project, 'rules = ["nowhere"]\n')
    result = run("classify", "runs")
    assert result.exit_code == 2 and "nowhere: config rule source" in result.stderr


# --- a broken configuration: one line, exit 2, whatever the command -----------------------------------


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_broken_configuration_ends_every_command_with_its_file_and_line(project, name):
    pyproject(project, 'format = "json"\nfail-on = ["any"]\n')
    result = run(name, *(["list"] if name == "rules" else []))
    assert result.exit_code == 2
    assert result.stderr == "triage: error: pyproject.toml:6: unknown key 'fail-on' (did you mean 'fail_on'?)\n"


def test_every_problem_is_one_line(project):
    config_yaml(project, "gpus: 0\nformat: sarf\n")
    result = run("classify", "runs")
    assert result.exit_code == 2 and result.stderr.splitlines() == [
        "triage: error: .triage/config.yaml:1: 'gpus' must be an integer of at least 1 and at most 1,000,000, not 0",
        "triage: error: .triage/config.yaml:2: 'format' must be one of table, json, jsonl, csv, sarif, junit, "
        "github, markdown, not 'sarf' (did you mean 'sarif'?)",
    ]


def test_no_config_reads_past_a_broken_file(project):
    config_yaml(project, "rules: [a\n")
    assert run("classify", "runs").exit_code == 2
    assert run("--no-config", "classify", "runs").exit_code == 0


def test_a_file_named_with_config_is_read_instead(project):
    (project / "ci").mkdir()
    write_rule(project / "ci" / "rules", "quota")
    (project / "ci" / "triage.yaml").write_text("format: jsonl\nrules: [rules]\n")  # relative to ci/
    pyproject(project, 'format = "json"\n')
    by_job = {r["job"]: r["category"] for r in records(run("--config", "ci/triage.yaml", "classify", "runs"))}
    assert by_job["quota.log"] == "quota"
    missing = run("--config", "ci/none.yaml", "classify", "runs")
    assert missing.exit_code == 2 and missing.stderr.startswith("triage: error: ci/none.yaml: cannot read")


def test_both_files_in_one_folder_the_yaml_file_wins_with_a_warning(project):
    pyproject(project, 'format = "json"\n')
    config_yaml(project, "format: jsonl\n")
    result = run("classify", "runs")
    assert len(records(result)) == 3 and not result.stdout.startswith("{\n")
    assert ("triage: warning: pyproject.toml's [tool.triage] is not read: .triage/config.yaml in the same folder "
            "wins") in result.stderr


# --- triage config ---------------------------------------------------------------------------------


def test_triage_config_shows_each_value_and_where_it_comes_from(project):
    pyproject(project, 'format = "sarif"\njobs = 2\nrules = ["team-rules"]\n')
    write_rule(project / "team-rules", "quota")
    os.chdir(project / "runs")  # found by walking up
    result = run("config")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "configuration: ../pyproject.toml"
    row = {line.split()[0]: line.split() for line in lines if line.split() and line.split()[0] in KEYS}
    assert row["format"][1:4] == ["sarif", "../pyproject.toml:5", "--format"] and row["format"][5] == "classify"
    assert row["jobs"][1:3] == ["2", "../pyproject.toml:6"] and row["gpus"][1:3] == ["-", "default"]
    assert row["rules"][1:3] == ["../team-rules", "../pyproject.toml:7"]
    assert "  ../team-rules (config)" in lines and lines[-2:] == ["  built-in (built-in)", "  ../team-rules (config)"]


def test_triage_config_as_json(project):
    config_yaml(project, "exclude: ['*.pt']\nstorage_option: {anon: true}\n")
    pyproject(project, "gpus = 2\n")
    document = json.loads(run("config", "-f", "json").stdout)
    assert document["file"] == ".triage/config.yaml" and document["ignored"] == ["pyproject.toml"]
    assert list(document["settings"]) == list(KEYS)
    assert document["settings"]["exclude"] == {
        "value": ["*.pt"], "source": ".triage/config.yaml:1", "line": 1, "option": "--exclude",
        "commands": document["settings"]["exclude"]["commands"]}
    assert "classify" in document["settings"]["exclude"]["commands"]
    assert document["settings"]["storage_option"]["value"] == {"anon": True}
    assert document["settings"]["gpus"] == {"value": None, "source": "default", "line": None, "option": "--gpus",
                                            "commands": ["classify", "explain", "report", "run", "stats"]}
    assert document["settings"]["format"]["commands"] == ["classify"]
    assert document["rule_sources"] == [{"path": "built-in", "origin": "built-in"}]


def test_triage_config_with_no_file(project):
    result = run("config")
    assert result.exit_code == 0 and result.stdout.startswith("configuration: none found (built-in defaults)\n")
    assert json.loads(run("config", "-f", "json").stdout)["file"] is None


# --- in a process of its own, from a working directory ------------------------------------------------


def triage(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TRIAGE_RULES"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "philly_triage", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_in_a_process_the_configuration_is_found_from_its_working_directory(project):
    pyproject(project, 'format = "jsonl"\nfail_on = ["gpu_out_of_memory"]\n')
    done = triage(project / "runs", "classify", ".")
    assert done.returncode == 1 and len(done.stdout.splitlines()) == 3
    assert {json.loads(line)["job"] for line in done.stdout.splitlines()} == {"./oom.log", "./ok.log", "./quota.log"}
    config_yaml(project, "gpus: [2]\n")
    done = triage(project / "runs", "classify", ".")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr == "triage: error: ../.triage/config.yaml:1: 'gpus' must be an integer of at least 1 and " \
                          "at most 1,000,000, not a list\n"
