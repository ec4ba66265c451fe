"""eval/real_logs.yaml (real job logs committed to public repositories, kept as URLs and labels) and
eval/fetch_real_logs.py, which downloads them for `triage eval`: the manifest is well formed, and the
script writes a set `triage eval` reads, leaving out (and naming) a file that is not the one labelled.
The download runs against a local HTTP server laid out as raw.githubusercontent.com is."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from philly_triage._internal.analysis.evaluate import evaluate, labelled_records
from philly_triage._internal.catalogue.expectations import load_expectations
from philly_triage._internal.pipeline.engine import Classifier
from tests.conftest import ROOT

MANIFEST = ROOT / "eval" / "real_logs.yaml"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _script():
    spec = importlib.util.spec_from_file_location("fetch_real_logs", ROOT / "eval" / "fetch_real_logs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_job_of_the_manifest_names_a_file_at_a_commit_its_digest_and_a_label(catalogue):
    fetcher = _script()
    sets = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["sets"]
    labels = {rule.id for rule in catalogue.rules} | {"no_failure", "unclassified"}
    assert {s["use"] for s in sets.values()} == {"development", "held out"}
    digests = [job["sha256"] for content in sets.values() for job in content["jobs"]]
    assert len(digests) == len(set(digests)), "a file is in two sets"
    for name, content in sets.items():
        names = [job["name"] for job in content["jobs"]]
        assert len(names) == len(set(names)) >= 15, name
        for job in content["jobs"]:
            assert fetcher.BLOB.match(job["url"]), job["url"]
            assert re.fullmatch(r"[0-9a-f]{64}", job["sha256"]) and job["bytes"] > 0
            assert job["category"] in labels, (name, job["name"], job["category"])
            if job["category"] == "no_failure":
                assert "line" not in job
            else:
                assert isinstance(job["line"], int) and job["line"] >= 1, (name, job["name"])


def test_a_raw_url_keeps_the_commit_and_quotes_the_path():
    fetcher = _script()
    url = f"https://github.com/own/repo/blob/{COMMIT}/outputs/fold=26 run.e"
    assert fetcher.raw_url(url, "http://mirror/") == f"http://mirror/own/repo/{COMMIT}/outputs/fold%3D26%20run.e"
    with pytest.raises(ValueError):
        fetcher.raw_url("https://github.com/own/repo/tree/main/log.txt")


@pytest.fixture
def served(tmp_path):
    """A local server of the files under tmp_path/raw, as raw.githubusercontent.com serves them."""
    root = tmp_path / "raw"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_the_script_writes_a_set_triage_eval_reads_and_names_a_file_that_changed(tmp_path, served, capsys,
                                                                                   catalogue, markers):
    root, base = served
    failed = b"epoch 1 loss 0.93\nTraceback (most recent call last):\n  File \"train.py\", line 9, in <module>\n" \
             b"    cfg = config[\"optim\"]\nKeyError: 'optim'\n"
    finished = b"epoch 1 loss 0.93\nepoch 2 loss 0.71\nTraining completed.\n"
    files = {"own/repo/logs/train.log": failed, "own/other/logs/run.log": finished, "own/third/log.txt": b"changed\n"}
    for path, data in files.items():
        owner, repo, rest = path.split("/", 2)
        target = root / owner / repo / COMMIT / rest
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    jobs = [
        {"name": "own__repo__logs_train.log", "url": f"https://github.com/own/repo/blob/{COMMIT}/logs/train.log",
         "sha256": hashlib.sha256(failed).hexdigest(), "bytes": len(failed), "category": "key_not_found", "line": 5,
         "why": "KeyError ends the run"},
        {"name": "own__other__logs_run.log", "url": f"https://github.com/own/other/blob/{COMMIT}/logs/run.log",
         "sha256": hashlib.sha256(finished).hexdigest(), "bytes": len(finished), "category": "no_failure"},
        {"name": "own__third__log.txt", "url": f"https://github.com/own/third/blob/{COMMIT}/log.txt",
         "sha256": hashlib.sha256(b"labelled\n").hexdigest(), "bytes": 9, "category": "no_failure"},
    ]
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(yaml.safe_dump({"sets": {"x": {"round": "first", "use": "held out", "jobs": jobs}}}))
    out = tmp_path / "out"

    status = _script().main(["--manifest", str(manifest), "--out", str(out), "--base-url", base])

    assert status == 1
    err = capsys.readouterr().err
    assert "x/own__third__log.txt: not the file labelled" in err
    assert sorted(p.name for p in (out / "x").iterdir()) == ["own__other__logs_run.log", "own__repo__logs_train.log"]
    assert (out / "x" / "own__repo__logs_train.log").read_bytes() == failed
    expectations = load_expectations(out / "x.expected.yaml", catalogue)
    outcomes = list(labelled_records([str(out / "x")], Classifier(catalogue, markers=markers)))
    result = evaluate(outcomes, expectations)
    assert (result.correct, result.total) == (2, 2)
