"""The catalogue cache: a hit gives the catalogue the files would; any change, or any trouble, is a miss.

Also the uncached load's YAML reading: libyaml when it is there, with PyYAML's own verdicts.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

import philly_triage
from philly_triage._internal.catalogue import load as catalogue_module
from philly_triage._internal.catalogue import cache as catalogue_cache
from philly_triage._internal.catalogue import yaml_source
from philly_triage._internal.catalogue.load import CatalogueError, RuleSource, builtin_source, load_catalogue
from philly_triage._internal.rulecheck.regex_syntax import expanded_size, parse
from philly_triage._internal.rulecheck.check import check_sources
from philly_triage._internal.catalogue.rule_file import _may_unroll_too_large
from philly_triage._internal.catalogue.sources import resolve_sources

RULE = """\
id: {id}
name: A user rule
dimension: platform
description: A rule written by a platform team.
hint: Ask the platform team.
keywords: [quota]
patterns:
  - '{pattern}'
examples:
  match:
    - 'IOError: storage quota exceeded on /mnt/x'
"""
AN_HOUR_AGO = time.time() - 3600


def write_rule(directory: Path, rule_id: str, pattern: str = "storage quota exceeded") -> Path:
    """A valid rule file, dated an hour ago (so the cache does not find it too fresh to trust)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{rule_id}.yaml"
    path.write_text(RULE.format(id=rule_id, pattern=pattern), encoding="utf-8")
    os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    return path


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh cache directory for one test; files changed a moment ago may be cached."""
    directory = tmp_path / "cache"
    monkeypatch.setenv("TRIAGE_CACHE_DIR", str(directory))
    monkeypatch.delenv("TRIAGE_NO_CACHE", raising=False)
    monkeypatch.setattr(catalogue_cache, "RACY_SECONDS", 0)
    return directory


@pytest.fixture
def loads(monkeypatch):
    """The sources' lists of every load that read the rule files (a cache hit reads none)."""
    calls = []
    merge = catalogue_module.merge_sources

    def counted(sources):
        calls.append(list(sources))
        return merge(sources)

    monkeypatch.setattr(catalogue_module, "merge_sources", counted)
    return calls


def cache_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("catalogue-*.pickle"))


def test_a_hit_gives_the_same_catalogue_without_reading_the_files(cache, loads, tmp_path):
    rules = tmp_path / "rules"
    write_rule(rules, "storage_quota")
    first = load_catalogue([rules])
    second = load_catalogue([rules])
    assert len(loads) == 1
    assert second == first and repr(second) == repr(first)  # repr: the lines too, which == ignores
    assert len(cache_files(cache)) == 1


def test_the_builtin_catalogue_from_the_cache_is_the_one_its_files_give(cache, loads, monkeypatch):
    warm = load_catalogue()
    hit = load_catalogue()
    assert len(loads) == 1
    monkeypatch.setenv("TRIAGE_NO_CACHE", "1")
    fresh = load_catalogue()
    assert repr(hit) == repr(warm) == repr(fresh)


@pytest.mark.parametrize("edit", ["size", "mtime"])
def test_editing_a_rule_file_misses(cache, loads, tmp_path, edit):
    rules = tmp_path / "rules"
    path = write_rule(rules, "storage_quota", pattern="storage quota exceeded")
    load_catalogue([rules])
    if edit == "size":
        path.write_text(RULE.format(id="storage_quota", pattern="storage quota is exceeded"), encoding="utf-8")
        os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))  # the same mtime: the size tells
        expected = "storage quota is exceeded"
    else:
        path.write_text(RULE.format(id="storage_quota", pattern="storage quota WAS exceeded"), encoding="utf-8")
        os.utime(path, (AN_HOUR_AGO + 60, AN_HOUR_AGO + 60))  # the same size: the mtime tells
        expected = "storage quota WAS exceeded"
    reloaded = load_catalogue([rules])
    assert len(loads) == 2
    assert reloaded.rules[0].patterns[0].regex == expected
    load_catalogue([rules])
    assert len(loads) == 2, "the new version is cached in turn"


def test_adding_or_removing_a_rule_file_misses(cache, loads, tmp_path):
    rules = tmp_path / "rules"
    write_rule(rules, "storage_quota")
    load_catalogue([rules])
    added = write_rule(rules / "more", "scratch_full")
    assert [r.id for r in load_catalogue([rules]).rules] == ["scratch_full", "storage_quota"]
    added.unlink()
    assert [r.id for r in load_catalogue([rules]).rules] == ["storage_quota"]
    assert len(loads) == 3


def test_other_sources_have_their_own_cache_file(cache, loads, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    write_rule(one, "storage_quota")
    write_rule(two, "scratch_full")
    for _ in range(2):
        assert [r.id for r in load_catalogue([one]).rules] == ["storage_quota"]
        assert [r.id for r in load_catalogue([two]).rules] == ["scratch_full"]
        assert [r.id for r in load_catalogue([RuleSource(one, "project")]).rules] == ["storage_quota"]
    assert len(loads) == 3
    assert len(cache_files(cache)) == 3
    assert load_catalogue([RuleSource(one, "project")]).rules[0].origin == "project"


def test_a_changed_module_or_version_misses(cache, loads, tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    write_rule(rules, "storage_quota")
    load_catalogue([rules])
    monkeypatch.setattr(catalogue_cache, "__version__", "999.0")
    load_catalogue([rules])
    modules = tmp_path / "package"
    modules.mkdir()
    for name in catalogue_cache.MODULES:
        (modules / name).parent.mkdir(parents=True, exist_ok=True)
        (modules / name).write_text("# a module\n")
    monkeypatch.setattr(catalogue_cache, "PACKAGE_DIR", modules)
    load_catalogue([rules])
    load_catalogue([rules])
    (modules / "models.py").write_text("# the module, edited\n")
    load_catalogue([rules])
    assert len(loads) == 4


@pytest.mark.parametrize("schema", ["rule.schema.json", "stages.schema.json"])
def test_a_changed_schema_misses(cache, loads, tmp_path, monkeypatch, schema):
    """A schema judges which rule files load: a catalogue cached under another one is not used."""
    rules = tmp_path / "rules"
    write_rule(rules, "storage_quota")
    package = tmp_path / "package"
    for name in catalogue_cache.MODULES:
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_bytes((catalogue_cache.PACKAGE_DIR / name).read_bytes())
    monkeypatch.setattr(catalogue_cache, "PACKAGE_DIR", package)
    load_catalogue([rules])
    load_catalogue([rules])
    assert len(loads) == 1
    (package / "_internal" / "catalogue" / "schemas" / schema).write_text("{}\n")
    load_catalogue([rules])
    assert len(loads) == 2


def test_a_corrupt_cache_file_is_a_silent_miss(cache, loads, tmp_path):
    rules = tmp_path / "rules"
    write_rule(rules, "storage_quota")
    expected = load_catalogue([rules])
    [stored] = cache_files(cache)
    for content in (b"", b"not a pickle", pickle.dumps(("a stamp", "not a catalogue")),
                    pickle.dumps(["no", "tuple", "here"]), stored.read_bytes()[:100]):
        stored.write_bytes(content)
        stored.chmod(0o600)
        assert load_catalogue([rules]) == expected
    assert len(loads) == 6
    load_catalogue([rules])
    assert len(loads) == 6, "the corrupt file was replaced by a good one"


def test_a_cache_file_others_could_have_written_is_ignored(cache, loads, tmp_path):
    rules = tmp_path / "rules"
    write_rule(rules, "storage_quota")
    load_catalogue([rules])
    [stored] = cache_files(cache)
    stored.chmod(0o666)
    load_catalogue([rules])
    assert len(loads) == 2


def test_disabled_cache_neither_reads_nor_writes(cache, loads, tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    write_rule(rules, "storage_quota")
    monkeypatch.setenv("TRIAGE_NO_CACHE", "1")
    load_catalogue([rules])
    load_catalogue([rules])
    assert len(loads) == 2
    assert not cache.exists()


def test_a_cache_dir_that_cannot_be_written_only_costs_time(loads, tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    write_rule(rules, "storage_quota")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("TRIAGE_CACHE_DIR", str(blocker / "cache"))  # a directory inside a file
    monkeypatch.setattr(catalogue_cache, "RACY_SECONDS", 0)
    assert [r.id for r in load_catalogue([rules]).rules] == ["storage_quota"]
    assert [r.id for r in load_catalogue([rules]).rules] == ["storage_quota"]
    assert len(loads) == 2


def test_a_broken_catalogue_is_never_cached(cache, tmp_path):
    rules = tmp_path / "rules"
    write_rule(rules, "storage_quota")
    broken = write_rule(rules, "broken")
    broken.write_text("id: broken\nname: [unclosed\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(CatalogueError):
            load_catalogue([rules])
    assert not cache_files(cache)


def test_files_changed_a_moment_ago_are_not_cached_yet(cache, loads, tmp_path, monkeypatch):
    monkeypatch.setattr(catalogue_cache, "RACY_SECONDS", 60)
    rules = tmp_path / "rules"
    write_rule(rules, "storage_quota").touch()  # now: an edit in this clock tick could go unseen
    load_catalogue([rules])
    load_catalogue([rules])
    assert len(loads) == 2
    assert not cache.exists()


def test_old_cache_files_are_pruned(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(catalogue_cache, "MAX_FILES", 2)
    for name in ("one", "two", "three"):
        write_rule(tmp_path / name, f"rule_{name}")
        load_catalogue([tmp_path / name])
    assert len(cache_files(cache)) == 2


def test_rules_check_reads_the_files_not_the_cache(cache, monkeypatch):
    load_catalogue()
    monkeypatch.setattr(catalogue_cache, "read_cached", lambda *args: pytest.fail("rules check used the cache"))
    report = check_sources([builtin_source()])
    assert report.rules == 28 and report.errors == 0  # the study's 20 and 8 infrastructure rules


@pytest.mark.parametrize("environ, expected", [
    ({"TRIAGE_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x"}, Path("/c")),
    ({"TRIAGE_CACHE_DIR": "", "XDG_CACHE_HOME": "/x"}, Path("/x/triage")),
    ({"XDG_CACHE_HOME": "relative/is/ignored"}, Path.home() / ".cache" / "triage"),
    ({}, Path.home() / ".cache" / "triage"),
    ({"TRIAGE_NO_CACHE": "1", "TRIAGE_CACHE_DIR": "/c"}, None),
    ({"TRIAGE_NO_CACHE": "yes"}, None),
    ({"TRIAGE_NO_CACHE": "0", "TRIAGE_CACHE_DIR": "/c"}, Path("/c")),
    ({"TRIAGE_NO_CACHE": "", "TRIAGE_CACHE_DIR": "/c"}, Path("/c")),
])
def test_where_the_cache_lives(environ, expected):
    assert catalogue_cache.cache_dir(environ) == expected


def test_the_command_line_reads_the_cache(cache, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    load_catalogue(resolve_sources())  # the sources `triage classify` will use, from here
    [stored] = cache_files(cache)
    stamp, catalogue = pickle.loads(stored.read_bytes())
    doctored = tuple(replace(rule, hint="from the cache") for rule in catalogue.rules)
    stored.write_bytes(pickle.dumps((stamp, replace(catalogue, rules=doctored))))
    (tmp_path / "job.log").write_text("RuntimeError: CUDA error: out of memory\n")
    command = [sys.executable, "-m", "philly_triage", "classify", "-f", "jsonl", "job.log"]
    # The same triage as this test's (a source checkout may differ from the installed copy, and
    # the cache key rightly tells them apart).
    source = str(Path(philly_triage.__file__).resolve().parent.parent)
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))}
    output = subprocess.run(command, capture_output=True, text=True, check=True, env=environment).stdout
    assert json.loads(output)["hint"] == "from the cache"


# The uncached load: libyaml reads, PyYAML's Python code composes, PyYAML's words for errors;
# validation parses only the patterns that could unroll too far.

def rule_texts() -> list[str]:
    files = sorted(Path(builtin_source().path).glob("*.yaml"))
    return [path.read_text(encoding="utf-8") for path in files]


@pytest.fixture
def pure_python(monkeypatch):
    """load_yaml as it is without libyaml."""
    def load(text):
        with monkeypatch.context() as patch:
            patch.setattr(yaml_source, "fast_loader", lambda: None)
            return yaml_source.load_yaml(text)
    return load


@pytest.mark.skipif(yaml_source.fast_loader() is None, reason="PyYAML without libyaml")
def test_libyaml_reads_the_rules_as_the_python_loader_does(pure_python):
    for text in rule_texts():
        fast, slow = yaml_source.load_yaml(text), pure_python(text)
        assert fast.data == slow.data and fast.lines == slow.lines


@pytest.mark.skipif(yaml_source.fast_loader() is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize("text", [
    "id: x\nname: [unclosed\n",
    "id: x\n\tname: tab\n",
    "a: 1\na: 2\n",
    "a:\n  b: 1\n  b: 2\n",
    "a: 'unterminated\n",
    "- a\nb: c\n",
])
def test_syntax_errors_keep_pyyaml_words_and_lines(text, pure_python):
    with pytest.raises(yaml_source.YamlSyntaxError) as slow:
        pure_python(text)
    with pytest.raises(yaml_source.YamlSyntaxError) as fast:
        yaml_source.load_yaml(text)
    assert (fast.value.line, fast.value.problem) == (slow.value.line, slow.value.problem)


def test_deep_nesting_is_refused_with_a_line_not_a_crash():
    with pytest.raises(yaml_source.YamlSyntaxError) as refused:
        yaml_source.load_yaml("[" * 100_000 + "]" * 100_000)
    assert refused.value.line == 1 and "nested more than" in refused.value.problem


def test_only_counted_repeats_can_make_a_pattern_unroll_beyond_its_length(catalogue):
    texts = [p.regex for rule in catalogue.rules for p in rule.patterns] + [r"(?:a+b*c?|[x-z]\\d)+?", "a" * 500]
    for text in texts:
        parsed = parse(text)
        if not _may_unroll_too_large(text) and parsed is not None:
            assert expanded_size(parsed) <= len(text), text
    assert _may_unroll_too_large("(?:a{99}){99}") and _may_unroll_too_large("a" * 100_001)
