"""The project configuration file (catalogue/config.py): found by walking up, read from
pyproject.toml's [tool.triage] or .triage/config.yaml, checked against config.schema.json, and
every problem named by file and line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from philly_triage._internal.catalogue.config import (
    KEYS, ConfigError, ProjectConfig, discover, find_config, load_config, toml_lines,
)
from philly_triage._internal.catalogue.schema import load_schema
from philly_triage._internal.output.formats import OutputFormat

PYPROJECT = """\
[project]
name = "team-jobs"

[tool.ruff]
line-length = 100

[tool.triage]
rules = ["ci/rules"]
format = "sarif"
fail_on = ["any"]
baseline = ["ci/baseline.json"]
gpus = 8
"jobs" = 4

[tool.triage.storage_option]
endpoint_url = "http://localhost:9000"
anon = true

[tool.other]
gpus = 1
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_pyproject_values_and_the_line_of_each_key(tmp_path):
    write(tmp_path / "pyproject.toml", PYPROJECT)
    config = discover(tmp_path)
    assert config.file == "pyproject.toml" and config.folder == tmp_path.resolve()
    assert {key: setting.line for key, setting in config.settings.items()} == {
        "rules": 8, "format": 9, "fail_on": 10, "baseline": 11, "gpus": 12, "jobs": 13, "storage_option": 15}
    assert config.value("format") == "sarif" and config.value("gpus") == 8 and config.value("jobs") == 4
    assert config.value("storage_option") == {"endpoint_url": "http://localhost:9000", "anon": True}
    assert config.value("ignore") == [] and config.source("ignore") == "default"  # not set: the built-in default
    assert config.source("gpus") == "pyproject.toml:12"


def test_paths_are_relative_to_the_project_folder_and_shown_from_where_the_user_stands(tmp_path):
    write(tmp_path / "pyproject.toml", PYPROJECT)
    below = tmp_path / "runs" / "today"
    below.mkdir(parents=True)
    config = discover(below)
    assert config.file == "../../pyproject.toml"
    assert config.value("rules") == ["../../ci/rules"] and config.value("baseline") == ["../../ci/baseline.json"]
    assert (below / config.value("rules")[0]).resolve() == (tmp_path / "ci" / "rules").resolve()


def test_in_config_yaml_paths_are_relative_to_the_folder_that_holds_dot_triage(tmp_path):
    write(tmp_path / ".triage" / "config.yaml", "rules:\n  - team-rules\nexclude: ['*.pt', 'core*']\n")
    config = discover(tmp_path)
    assert config.file == ".triage/config.yaml" and config.value("rules") == ["team-rules"]
    assert config.value("exclude") == ["*.pt", "core*"] and config.source("exclude") == ".triage/config.yaml:3"


def test_the_nearest_folder_wins_and_folders_further_up_are_not_read(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.triage]\ngpus = 2\nformat = 'json'\n")
    write(tmp_path / "team" / ".triage" / "config.yaml", "gpus: 4\n")
    deep = tmp_path / "team" / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == ((tmp_path / "team" / ".triage" / "config.yaml").resolve(), ())
    config = discover(deep)
    assert config.value("gpus") == 4 and config.value("format") == "table"  # not merged with the file above
    assert discover(tmp_path).value("gpus") == 2


def test_a_pyproject_without_a_triage_table_is_passed_over_even_when_broken(tmp_path):
    write(tmp_path / ".triage" / "config.yaml", "jobs: 3\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[project]\nname = \nbroken = [\n")  # not triage's business
    config = discover(tmp_path / "pkg")
    assert config.file == "../.triage/config.yaml" and config.value("jobs") == 3


def test_in_one_folder_config_yaml_wins_over_pyproject_and_names_it(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.triage]\ngpus = 2\n")
    write(tmp_path / ".triage" / "config.yaml", "jobs: 2\n")
    config = discover(tmp_path)
    assert config.file == ".triage/config.yaml" and config.ignored == ("pyproject.toml",)
    assert config.value("gpus") is None and config.value("jobs") == 2


def test_no_file_means_every_key_is_its_default(tmp_path):
    config = discover(tmp_path)
    assert config == ProjectConfig() and config.file is None
    assert all(config.source(key) == "default" and config.value(key) == spec.default for key, spec in KEYS.items())


def test_an_empty_yaml_file_sets_nothing(tmp_path):
    write(tmp_path / ".triage" / "config.yaml", "# nothing yet\n")
    config = discover(tmp_path)
    assert config.file == ".triage/config.yaml" and config.settings == {}


# --- what is wrong, by file and line ---------------------------------------------------------------


def problem(tmp_path: Path, name: str, text: str) -> ConfigError:
    write(tmp_path / name, text)
    with pytest.raises(ConfigError) as caught:
        discover(tmp_path)
    return caught.value


def test_an_unknown_key_names_its_line_and_the_key_meant(tmp_path):
    err = problem(tmp_path, "pyproject.toml", "[tool.triage]\nformat = 'json'\nfail-on = ['any']\n")
    assert str(err) == "pyproject.toml:3: unknown key 'fail-on' (did you mean 'fail_on'?)"
    err = problem(tmp_path, ".triage/config.yaml", "gpus: 2\n\nexclud: ['*.pt']\n")
    assert str(err) == ".triage/config.yaml:3: unknown key 'exclud' (did you mean 'exclude'?)"


def test_a_bad_value_names_its_line_and_what_it_must_be(tmp_path):
    err = problem(tmp_path, "pyproject.toml", "[tool.triage]\n\n\ngpus = 0\n")
    assert str(err) == "pyproject.toml:4: 'gpus' must be an integer of at least 1 and at most 1,000,000, not 0"
    err = problem(tmp_path, ".triage/config.yaml", "format: sarf\n")
    assert err.line == 1 and "not 'sarf' (did you mean 'sarif'?)" in err.message
    err = problem(tmp_path, ".triage/config.yaml", "fail_on: any\n")
    assert str(err) == ".triage/config.yaml:1: 'fail_on' must be a list of ids, e.g. [\"any\"], not 'any'"


def test_every_problem_of_a_file_is_reported_in_line_order(tmp_path):
    err = problem(tmp_path, ".triage/config.yaml", "jobs: '4'\nstorage_option:\n  anon: [1]\nbogus: 1\n")
    assert [line.split(": ", 1)[0] for line in err.all()] == [
        ".triage/config.yaml:1", ".triage/config.yaml:3", ".triage/config.yaml:4"]
    assert "'storage_option.anon' must be a string, a number, true or false, not a list" in err.all()[1]


def test_a_sub_table_key_has_its_own_line(tmp_path):
    err = problem(tmp_path, "pyproject.toml", "[tool.triage]\ngpus = 1\n\n[tool.triage.storage_option]\nanon = [1]\n")
    assert str(err).startswith("pyproject.toml:5: 'storage_option.anon' must be")


def test_a_toml_syntax_error_names_its_line(tmp_path):
    err = problem(tmp_path, "pyproject.toml", "[tool.triage]\ngpus = 2\njobs = = 4\n")
    assert err.line == 3 and err.message.startswith("TOML syntax error: ") and "(at line" not in err.message


def test_a_yaml_syntax_error_names_its_line(tmp_path):
    err = problem(tmp_path, ".triage/config.yaml", "rules: [a\nformat: json\n")
    assert err.line == 2 and err.message.startswith("YAML syntax error: ")


def test_a_yaml_file_that_is_not_a_mapping(tmp_path):
    err = problem(tmp_path, ".triage/config.yaml", "- rules\n- format\n")
    assert str(err) == ".triage/config.yaml:1: must be a mapping of settings (rules, exclude, fail_on, format, ...), not a list"


def test_a_file_that_is_not_utf8(tmp_path):
    (tmp_path / ".triage").mkdir()
    (tmp_path / ".triage" / "config.yaml").write_bytes(b"gpus: 2\nformat: \xff\n")
    with pytest.raises(ConfigError) as caught:
        discover(tmp_path)
    assert str(caught.value) == ".triage/config.yaml:2: not UTF-8"


def test_a_named_file_that_is_missing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "ci" / "triage.yaml")
    assert str(caught.value).startswith("ci/triage.yaml: cannot read the configuration: ")


def test_before_python_311_pyproject_needs_tomli(tmp_path, monkeypatch):
    """The branch that runs on Python 3.9 and 3.10 without tomli: a message, not an ImportError."""
    write(tmp_path / "pyproject.toml", "[tool.triage]\ngpus = 2\n")
    monkeypatch.setattr(sys, "version_info", (3, 10, 0))
    monkeypatch.setitem(sys.modules, "tomli", None)  # what an environment without tomli gives: ImportError
    with pytest.raises(ConfigError) as caught:
        discover(tmp_path)
    assert "needs Python 3.11 or the tomli package" in str(caught.value)


def test_toml_lines_reads_dotted_and_quoted_keys_and_ignores_other_tables():
    text = ('gpus = 9\n[tool.triage]\nstorage_option.anon = true\n"format" = "json"\n'
            "[tool.other]\njobs = 1\n[ tool . triage . storage_option ]\nregion = 'x'\n")
    assert toml_lines(text) == {(): 2, ("storage_option", "anon"): 3, ("format",): 4,
                                ("storage_option",): 7, ("storage_option", "region"): 8}


# --- the schema and the code agree -----------------------------------------------------------------


def test_the_schema_names_exactly_the_keys_and_the_formats():
    schema = load_schema("config")
    assert list(schema["properties"]) == list(KEYS)
    assert schema["properties"]["format"]["enum"] == [f.value for f in OutputFormat]
    assert schema["additionalProperties"] is False
