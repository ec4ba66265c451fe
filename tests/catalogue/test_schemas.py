"""The JSON Schemas of the files users edit: valid, in step with the code, met by every file in the
repository, and turned into one file:line sentence per problem when a file breaks them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from philly_triage._internal.catalogue.expectations import ExpectationsError, load_expectations
from philly_triage._internal.catalogue.load import CatalogueError, builtin_rules_dir
from philly_triage._internal.catalogue.markers import MARKERS_FILE, SECTIONS, load_markers
from philly_triage._internal.catalogue.rule_file import RESERVED_IDS, load_rule_file
from philly_triage._internal.catalogue.schema import SCHEMA_DIR, SCHEMAS, load_schema, validator, violations
from philly_triage._internal.catalogue.schema_quick import plainly_valid
from philly_triage._internal.catalogue.stage_file import load_stage_file
from philly_triage._internal.catalogue.yaml_source import load_yaml_file
from philly_triage._internal.output.formats.base import RECORD_FIELDS
from philly_triage._internal.pipeline.cost import META_FIELDS, as_schema_data, read_meta
from philly_triage.models import RETRY_ADVICE, STAGES, FailureRecord, Status

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "build", ".git", "node_modules"}


def repository_files(pattern: str) -> list[Path]:
    """Every file of the checkout matching ``pattern`` (outside virtual environments and builds)."""
    return sorted(p for p in ROOT.rglob(pattern) if not SKIP & set(p.relative_to(ROOT).parts))


RULE_FILES = sorted(p for p in builtin_rules_dir().glob("*.yaml") if p.name != "stages.yaml") + [
    ROOT / "tests" / "data" / "rule_files" / "nccl_timeout.yaml"]
# stage_logs.expected.yaml is not one: it records more of each job (stage, GPUs, seconds) for
# tests/pipeline/test_stage.py, which reads it itself; `triage eval` refuses it.
EXPECTATION_FILES = [p for p in repository_files("*.expected.yaml") if p.name != "stage_logs.expected.yaml"]
META_FILES = repository_files("*.meta.yaml") + repository_files("*.meta.yml") + repository_files("*.meta.json")


# --- the schemas themselves ------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCHEMAS)
def test_each_schema_is_a_valid_2020_12_schema_an_editor_can_describe(name):
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"].startswith("triage ") and len(schema["description"]) > 60


def test_the_schema_folder_holds_exactly_the_named_schemas():
    assert sorted(p.name for p in SCHEMA_DIR.iterdir()) == sorted(f"{name}.schema.json" for name in SCHEMAS)


def test_every_key_a_user_writes_is_described_for_the_editor():
    """Beside each key's rules, where draft-07 editors (VS Code's YAML extension) read it too:
    they ignore the keywords next to a $ref."""

    def described(schema: dict, where: str) -> None:
        assert "$ref" not in schema or len(schema) == 1, where
        for key, sub in schema.get("properties", {}).items():
            assert "description" in sub, f"{where}.{key}"
            described(sub, f"{where}.{key}")
        for nested in ("items", "additionalProperties"):
            if isinstance(schema.get(nested), dict):
                described(schema[nested], f"{where}[]")
        for branch in schema.get("anyOf", []):  # the forms a value may take (allOf only adds constraints)
            described(branch, where)

    for name in SCHEMAS:
        described(load_schema(name), name)


def test_the_schemas_agree_with_the_code():
    rule = load_schema("rule")
    assert rule["properties"]["retry"]["enum"] == list(RETRY_ADVICE)
    assert set(rule["$defs"]["notReserved"]["not"]["enum"]) == RESERVED_IDS
    assert tuple(load_schema("stages")["properties"]["stages"]["properties"]) == STAGES
    assert tuple(load_schema("markers")["properties"]) == SECTIONS
    assert tuple(load_schema("job-meta")["properties"]) == META_FIELDS
    record = load_schema("record")
    assert tuple(record["properties"]) == RECORD_FIELDS == tuple(f.name for f in fields(FailureRecord))
    assert record["required"] == list(RECORD_FIELDS)
    assert record["properties"]["status"]["enum"] == [status.value for status in Status]
    assert record["properties"]["stage"]["enum"] == [*STAGES, None]


# --- every file in the repository meets its schema ---------------------------------------------------


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_every_shipped_rule_file_meets_the_schema(path):
    assert violations(load_yaml_file(str(path)), "rule") == []
    rule, problems = load_rule_file(path)
    assert problems == [] and rule is not None


def test_the_shipped_stages_file_meets_the_schema():
    path = builtin_rules_dir() / "stages.yaml"
    assert violations(load_yaml_file(str(path)), "stages") == []
    markers, problems = load_stage_file(path)
    assert problems == [] and markers


def test_the_shipped_markers_file_meets_the_schema():
    """Runs without a cache trust the shipped markers.yaml: this is the check they skip."""
    assert violations(load_yaml_file(str(MARKERS_FILE)), "markers") == []


@pytest.mark.parametrize("path", EXPECTATION_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_expectations_file_in_the_repository_meets_the_schema(path, catalogue):
    assert len(EXPECTATION_FILES) >= 4
    assert violations(load_yaml_file(str(path)), "expectations") == []
    assert load_expectations(path, catalogue).jobs


@pytest.mark.parametrize("path", META_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_metadata_file_in_the_repository_meets_the_schema(path):
    assert len(META_FILES) >= 30
    meta, problem = read_meta(str(path))
    assert problem is None and meta.gpus and meta.start and meta.end


# --- broken files: one sentence with file:line each --------------------------------------------------

GOOD_RULE = (ROOT / "tests" / "data" / "rule_files" / "nccl_timeout.yaml").read_text(encoding="utf-8")
RULE_CASES = {
    "not a mapping": ("- id: x\n", 1, "a rule file must be a mapping of keys such as id, name, dimension, patterns, not a list"),
    "empty file": ("", None, "a rule file must be a mapping of keys such as id, name, dimension, patterns, not an empty file"),
    "id shape": (GOOD_RULE.replace("id: nccl_timeout", "id: NCCL-timeout"), 2,
                 "'id' must be lower-case letters, digits and underscores, starting with a letter, not 'NCCL-timeout'"),
    "id with a line break": (GOOD_RULE.replace("id: nccl_timeout", "id: \"nccl_timeout\\n\""), 2,
                             "'id' must be lower-case letters"),
    "blank name": (GOOD_RULE.replace("name: NCCL collective timeout", "name: '  '"), 3,
                   "'name' must be a non-empty string, not '  '"),
    "priority a float": (GOOD_RULE.replace("priority: 50", "priority: 50.0"), 6, "'priority' must be an integer, not 50.0"),
    "retry misspelt": (GOOD_RULE.replace("retry: maybe", "retry: mabye"), 8,
                       "'retry' must be one of never, maybe, environment, unknown, not 'mabye' (did you mean 'maybe'?)"),
    "keyword not a string": (GOOD_RULE.replace("[watchdog, timeout, timed out]", "[watchdog, 3]"), 9,
                             "item 2 of 'keywords' must be a non-empty string, not 3"),
    "pattern a number": (GOOD_RULE.replace("  - 'Watchdog caught collective operation timeout'", "  - 42"), 11,
                         "item 1 of 'patterns' must be a regular expression, or a mapping with 'regex' (and 'frame'), not 42"),
    "pattern frame": (GOOD_RULE.replace("  - 'Watchdog caught collective operation timeout'",
                                        "  - {regex: 'Watchdog', frame: usr}"), 11,
                      "'frame' in item 1 of 'patterns' must be one of framework, user, not 'usr' (did you mean 'user'?)"),
    "pattern mapping without regex": (GOOD_RULE.replace("  - 'Watchdog caught collective operation timeout'",
                                                        "  - {frame: user}"), 11,
                                      "item 1 of 'patterns': missing required key 'regex' (the regular expression)"),
    "context without near": (GOOD_RULE.replace("exceptions: [DistBackendError]",
                                               "exceptions: [DistBackendError]\ncontext:\n  - when: 'x'"), 15,
                             "item 1 of 'context': missing required key 'near'"),
    "examples a list": (GOOD_RULE.replace("examples:\n  match:", "examples:\n- match:"), 14,
                        "'examples' must be a mapping with 'match' and 'no_match' lists, not a list"),
    "blank example": (GOOD_RULE.replace("    - 'KeyError: ''timeout'''", "    - ' '"), 23,
                      "item 1 of 'examples.no_match' must be a non-empty string, not ' '"),
    "reserved dimension": (GOOD_RULE.replace("dimension: distributed", "dimension: any"), 4,
                           "'dimension' cannot be 'any': triage's output and its --fail-on and --ignore options use that word"),
    "nothing to match": ("id: a\nname: A\ndimension: d\ndescription: x\nhint: y\npatterns: []\n", 1,
                         "a rule needs at least one of 'patterns', 'exceptions' or 'context'"),
}


@pytest.mark.parametrize("text,line,message", RULE_CASES.values(), ids=RULE_CASES.keys())
def test_a_broken_rule_file_is_one_sentence_with_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "rule.yaml"
    path.write_text(text, encoding="utf-8")
    rule, problems = load_rule_file(path)
    assert rule is None and len(problems) == 1, [str(p) for p in problems]
    assert (problems[0].file, problems[0].line) == (str(path), line) and message in problems[0].message


def test_every_problem_of_a_rule_file_is_reported_at_once(tmp_path):
    path = tmp_path / "rule.yaml"
    path.write_text("id: a\nnam: A\ndimension: d\ndescription: x\npriority: high\npatterns: ['(']\n", encoding="utf-8")
    _, problems = load_rule_file(path)
    assert [(p.line, p.message) for p in problems] == [
        (1, "missing required key 'name' (a human name)"),
        (1, "missing required key 'hint' (a short fix hint)"),
        (2, "unknown key 'nam' (did you mean 'name'?)"),
        (5, "'priority' must be an integer, not 'high'"),
        (6, "invalid regular expression '(': missing ) at position 1"),
    ]


STAGES_CASES = {
    "a stage misspelt": ("stages:\n  evaluaton: ['x']\n", 2, "unknown stage 'evaluaton' (did you mean 'evaluation'?)"),
    "a stages list": ("stages: ['Epoch']\n", 1, "a stages file must be a mapping 'stages:' of stage"),
    "an empty stage": ("stages:\n  training:\n", 2, "'training' must be a list of non-empty regular expressions, not null"),
    "a number": ("stages:\n  training:\n    - 'Epoch'\n    - 3\n", 4,
                 "item 2 of 'training' must be a non-empty ASCII regular expression (stage markers are searched in raw bytes), not 3"),
    "not ASCII": ("stages:\n  training:\n    - 'époque'\n", 3, "item 1 of 'training' must be a non-empty ASCII regular expression"),
}


@pytest.mark.parametrize("text,line,message", STAGES_CASES.values(), ids=STAGES_CASES.keys())
def test_a_broken_stages_file_is_one_sentence_with_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "stages.yaml"
    path.write_text(text, encoding="utf-8")
    markers, problems = load_stage_file(path)
    assert markers == [] and len(problems) == 1, [str(p) for p in problems]
    assert (problems[0].file, problems[0].line) == (str(path), line) and message in problems[0].message


MARKERS_CASES = {
    "not a mapping": ("- noise\n", 1, "a markers file must be a mapping of sections (line_prefixes, noise, "),
    "a section misspelt": ("noise: ['x']\nprogres: ['y']\n", 2, "unknown section 'progres' (did you mean 'progress'?)"),
    "a section not a list": ("noise: 'x'\n", 1, "'noise' must be a list of patterns, not 'x'"),
    "a pattern not a string": ("noise:\n  - 'x'\n  - 12\n", 3, "item 2 of 'noise' must be a string, not 12"),
    "a bad pattern": ("noise:\n  - '(x'\n", 2, "invalid regular expression '(x'"),
    "an exit status without its group": ("exit_status: ['exit (\\d+)']\n", 1, "needs a group named code or signal"),
}


@pytest.mark.parametrize("cache", ["with a cache", "without a cache"])
@pytest.mark.parametrize("text,line,message", MARKERS_CASES.values(), ids=MARKERS_CASES.keys())
def test_a_broken_markers_file_is_one_sentence_with_file_and_line(tmp_path, monkeypatch, text, line, message, cache):
    if cache == "without a cache":
        monkeypatch.setenv("TRIAGE_NO_CACHE", "1")
    else:
        monkeypatch.setenv("TRIAGE_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "markers.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as refused:
        load_markers(path)
    [problem] = refused.value.problems
    assert (problem.file, problem.line) == (str(path), line) and message in problem.message


def test_a_markers_file_is_checked_once_then_trusted_by_its_stamp(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIAGE_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "markers.yaml"
    path.write_text("noise: ['x']\n", encoding="utf-8")
    assert load_markers(path).is_noise("x")
    assert [p.name for p in (tmp_path / "cache").iterdir() if p.name.startswith("markers-checked-")]
    path.write_text("noise: ['x']\nnoize: ['y']\n", encoding="utf-8")  # new bytes: checked again
    with pytest.raises(CatalogueError):
        load_markers(path)


EXPECTATIONS_CASES = {
    "a job a number": ("a.log: loss_nan\n2018: loss_nan\n", 2, "job 2018 is not a string: quote it"),
    "an entry a list": ("a.log: [loss_nan]\n", 1, "job 'a.log': expected a category or a mapping with 'category', 'file', 'line', not a list"),
    "a key misspelt": ("a.log:\n  category: loss_nan\n  fiel: a.log\n", 3, "job 'a.log': unknown key 'fiel' (did you mean 'file'?)"),
    "a line on an error job": ("a.log:\n  category: error\n  file: a.log\n  line: 3\n", 4, "job 'a.log': an error job has no failure line"),
    "a line of 2.5": ("a.log:\n  category: loss_nan\n  file: a.log\n  line: 2.5\n", 4,
                      "job 'a.log': 'line' must be a positive integer, not 2.5"),
    "a category unknown": ("a.log:\n  category: los_nan\n", 2, "job 'a.log': unknown category 'los_nan' (did you mean 'loss_nan'?)"),
}


@pytest.mark.parametrize("text,line,message", EXPECTATIONS_CASES.values(), ids=EXPECTATIONS_CASES.keys())
def test_a_broken_expectations_file_is_one_sentence_with_file_and_line(tmp_path, catalogue, text, line, message):
    path = tmp_path / "expected.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ExpectationsError) as refused:
        load_expectations(path, catalogue)
    [problem] = refused.value.problems
    assert (problem.file, problem.line) == (str(path), line) and problem.message == message


META_CASES = {
    "not a mapping": ("[8]\n", "job.meta.yaml:1: must be a mapping with gpus, start, end, retries and exit_code, not a list"),
    "gpus a string": ("gpus: '8'\n", "job.meta.yaml:1: 'gpus' must be an integer of at least 1 and at most 1,000,000, not '8'"),
    "gpus a float": ("gpus: 8.0\n", "job.meta.yaml:1: 'gpus' must be an integer of at least 1 and at most 1,000,000, not 8.0"),
    "exit code out of range": ("gpus: 2\nexit_code: 300\n", "job.meta.yaml:2: 'exit_code' must be an integer from -255 to 255, not 300"),
    "start a list": ("start: [1]\n", "job.meta.yaml:1: 'start' must be an ISO 8601 time (2026-11-24T10:00:00Z) or epoch seconds, not a list"),
    "start no time": ("start: '2026-13-01'\n", "job.meta.yaml:1: 'start' must be an ISO 8601 time (2026-11-24T10:00:00Z) or epoch seconds"),
}


@pytest.mark.parametrize("text,problem", META_CASES.values(), ids=META_CASES.keys())
def test_a_broken_metadata_file_is_a_note_with_file_and_line(tmp_path, text, problem):
    path = tmp_path / "job.meta.yaml"
    path.write_text(text, encoding="utf-8")
    meta, found = read_meta(str(path))
    assert found == f"{tmp_path}/{problem}"
    assert meta.gpus == (2 if text.startswith("gpus: 2") else None)


def test_unknown_metadata_keys_are_ignored(tmp_path):
    path = tmp_path / "job.meta.json"
    path.write_text(json.dumps({"gpus": 4, "queue": "a100", "owner": {"team": "x"}}), encoding="utf-8")
    meta, problem = read_meta(str(path))
    assert problem is None and meta.gpus == 4


# --- jsonschema costs nothing on a run that checks nothing ------------------------------------------


def imports_after(code: str, env: dict) -> set[str]:
    """The jsonschema modules a fresh Python has imported after running ``code``."""
    probe = code + "\nimport sys\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'jsonschema'))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1].replace("'", '"')))


CLASSIFY = ("from click.testing import CliRunner\nfrom philly_triage._internal.cli.main import cli\n"
            "result = CliRunner().invoke(cli, ['classify', 'sample_logs'])\nassert result.exit_code == 0, result.output")


def test_a_warm_cache_run_does_not_import_jsonschema(tmp_path):
    env = {**os.environ, "TRIAGE_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("TRIAGE_NO_CACHE", None)
    assert imports_after(CLASSIFY, env)  # cold: the rules and markers are checked
    assert imports_after(CLASSIFY, env) == set()  # warm: nothing is


def test_without_a_cache_the_shipped_markers_are_trusted_and_other_markers_checked(tmp_path):
    env = {**os.environ, "TRIAGE_NO_CACHE": "1"}
    shipped = "from philly_triage._internal.catalogue.markers import load_markers\nload_markers()"
    assert imports_after(shipped, env) == set()
    (tmp_path / "markers.yaml").write_text("noise: ['x']\n", encoding="utf-8")
    assert imports_after(shipped.replace("()", f"(__import__('pathlib').Path({str(tmp_path / 'markers.yaml')!r}))"), env)


# --- the quick yes (schema_quick.py) is never a wrong yes -----------------------------------------


def _errors(name: str, data) -> list:
    return list(validator(name).iter_errors(data))


def _documents() -> list[tuple[str, object]]:
    """Every file of each kind in the checkout, as its schema sees it."""
    kinds = [("rule", RULE_FILES), ("expectations", EXPECTATION_FILES), ("job-meta", META_FILES),
             ("markers", [ROOT / "philly_triage" / "_internal" / "data" / "markers.yaml"])]
    found = []
    for name, paths in kinds:
        for path in paths:
            data = load_yaml_file(str(path), 1 << 22, lenient=True).data
            found.append((name, as_schema_data(data) if name == "job-meta" else data))
    return found


def test_every_valid_metadata_file_gets_the_quick_yes():
    for path in META_FILES:
        data = as_schema_data(load_yaml_file(str(path), 1 << 20, lenient=True).data)
        assert plainly_valid(load_schema("job-meta"), data), path


def test_a_quick_yes_is_never_given_to_what_jsonschema_refuses_in_the_checkouts_files():
    for name, data in _documents():
        if plainly_valid(load_schema(name), data):
            assert _errors(name, data) == [], name


META_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**7, max_value=10**7), st.floats(allow_nan=True),
    st.text(max_size=8), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.dictionaries(st.sampled_from(["gpus", "start", "end", "retries", "exit_code", "queue"]), META_VALUES, max_size=6),
    META_VALUES,
))
def test_the_quick_yes_agrees_with_jsonschema_on_metadata(data):
    quick = plainly_valid(load_schema("job-meta"), data)
    errors = _errors("job-meta", data)
    if quick:
        assert errors == []
    # and it says yes to the plain valid files it was made for
    if isinstance(data, dict) and not errors and all(
            type(v) in (int, str, float) and not (isinstance(v, float) and v != v) for v in data.values()):
        assert quick


def test_a_run_over_jobs_with_valid_metadata_does_not_import_jsonschema(tmp_path):
    env = {**os.environ, "TRIAGE_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("TRIAGE_NO_CACHE", None)
    run = CLASSIFY.replace("'sample_logs'", "'tests/data/stage_logs'")
    imports_after(run, env)  # fills the cache
    assert imports_after(run, env) == set()
