"""The stage a job failed in: stage markers from the catalogue, read before the failure line."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from philly_triage._internal.catalogue.load import load_catalogue
from philly_triage._internal.pipeline.verdict import classify_job, classify_text
from philly_triage._internal.cli.main import cli
from philly_triage._internal.pipeline.discover import discover_jobs
from philly_triage._internal.catalogue.markers import default_markers
from philly_triage._internal.pipeline.match import Matcher
from philly_triage._internal.catalogue.stage_file import load_stage_file
from philly_triage._internal.pipeline.stage import BLOCK, StageMark, line_starts, resolve

ROOT = Path(__file__).resolve().parents[2]
MARKERS = default_markers()

# The stage of every failed job of sample_logs/, read by hand from each log: the last line before the
# failure that shows what the job was doing (no such line: initialisation, the documented default).
SAMPLE_STAGES = {
    "bert-pretrain-zh-c3f5": "training", "bert-squad-ft-77c0": "initialisation",
    "bucketed-lm-e0a3": "training", "criteo-dlrm-7a21": "initialisation", "dcgan-celeba-b812": "training",
    "ddp-ranker-2n-4e9a": "initialisation", "deepspeech2-aishell-4a90": "initialisation",
    "detr-coco-finetune-a19f": "training", "eval-squad-dev-e917": "evaluation", "gnn-cora-sweep-88e1": "initialisation",
    "gpt-small-ablation-72aa.log": "initialisation", "img-cls-effnet-b0-2c8a": "training",
    "job_20181005_2210_vqa": "initialisation", "job_20181008_1021_textcnn.log": "initialisation",
    "job_20181009_2307_finetune.log": "initialisation", "job_20181010_1744_mtl.log.bz2": "initialisation",
    "job_20181011_0932_lstm": "initialisation", "job_20181012_0931_wordlm": "training",
    "job_20181013_1130_vae": "training", "job_20181014_0611_tacotron": "training",
    "job_20181015_1412_dcgan": "initialisation", "job_20181016_2340_maml": "initialisation",
    "job_20181017_0815_wavenet": "initialisation", "job_20181018_1655_yolo": "initialisation",
    "job_20181019_0205_seg": "validation", "job_20181019_1603_eval_resnet.log": "initialisation",
    "job_20181020_1302_kd": "initialisation", "keras-textcnn-imdb-51c0": "training",
    "nmt-transformer-base-5d19": "initialisation", "ocr-crnn-synth-0d4e": "training",
    "pegasus-cnndm-summ-e6a2.log.gz": "evaluation", "pointnet-modelnet-5a3c.log": "training",
    "resnet50-imagenet-3f2e.log.gz": "initialisation", "resnet50-imagenet-3f9c": "training",
    "rl-ppo-atari-1f77": "initialisation", "seq2seq-wmt-a71c": "initialisation",
    "speech-ctc-libri-91bd": "initialisation", "summarizer-ptrgen-6b12": "evaluation",
    "transformer-wmt-enfr-0b3d": "initialisation", "unet-cityscapes-bs16-0e7d.log": "training",
    "vae-mnist-kl-77ab": "training", "widedeep-watchtime-tf1-2c3e": "training",
}
# Where triage says otherwise, and why: no marker can tell these apart from what they resemble.
KNOWN_MISSES = {
    # The launch script echoes "==> starting training" and the job is then killed loading its data.
    "criteo-dlrm-7a21": "training",
    # It trains, prints "final train loss", then fails writing sample summaries: no line says training ended.
    "pegasus-cnndm-summ-e6a2.log.gz": "training",
}


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_catalogue())


def stage_of(matcher, path: Path, full: bool = False) -> str:
    (job,) = [job for job in discover_jobs([str(path.parent)], MARKERS) if job.name == str(path)]
    return classify_job(job, matcher, MARKERS, full).stage


def test_sample_log_stages_match_the_hand_labels_but_for_the_known_misses(matcher):
    found = {}
    for job in discover_jobs([str(ROOT / "sample_logs")], MARKERS):
        record = classify_job(job, matcher, MARKERS)
        if record.line is not None:
            found[Path(job.name).name] = record.stage
    assert set(found) == set(SAMPLE_STAGES)
    wrong = {job: stage for job, stage in found.items() if stage != SAMPLE_STAGES[job]}
    assert wrong == KNOWN_MISSES  # 40 of 42 right
    assert {stage for stage in SAMPLE_STAGES.values()} == {"initialisation", "training", "validation", "evaluation"}


def test_no_failure_and_error_records_have_no_stage(matcher):
    for job in discover_jobs([str(ROOT / "sample_logs"), str(ROOT / "no-such-job")], MARKERS):
        record = classify_job(job, matcher, MARKERS)
        if record.line is None:
            assert record.stage is None and record.gpu_hours is None


TRACEBACK = 'Traceback (most recent call last):\n  File "train.py", line 9, in <module>\nKeyError: \'label\'\n'


@pytest.mark.parametrize("lines,stage", [
    ([], "initialisation"),
    (["loading data"], "initialisation"),
    (["Epoch 1/10", "10/100 [==>......] - ETA: 3s - loss: 0.52"], "training"),
    (["Epoch 0:  45%|####5     | 45/100 [00:10<00:12, 4.50it/s, v_num=0]"], "training"),
    (["Epoch 0: 100%|##########| 100/100", "Validation DataLoader 0:  50%|#####     | 5/10"], "validation"),
    (["Sanity Checking DataLoader 0:   0%|          | 0/2 [00:00<?, ?it/s]"], "validation"),
    (["Epoch 2: 100%|##########| 100/100", "Testing DataLoader 0:  10%|#         | 1/10"], "evaluation"),
    (["***** Running training *****", "{'loss': 0.6931, 'grad_norm': 1.2, 'learning_rate': 5e-05, 'epoch': 0.5}"],
     "training"),
    (["***** Running training *****", "***** Running Evaluation *****"], "validation"),
    # trainer.evaluate() after train(): the same banner, after training finished, is the final evaluation
    (["***** Running training *****", "Training completed. Do not forget to share your model on huggingface.co/models =)",
      "***** Running Evaluation *****"], "evaluation"),
    (["***** Running Prediction *****"], "evaluation"),
    (["2026-11-24 10:00:01,123 - INFO - train - epoch 1 step 10 loss 0.53"], "training"),
    (["2026-11-24 10:00:01,123 | INFO | epoch 1: 46 batches"], "training"),
    (["I1124 10:00:01.123456 140 trainer.py:20] step 10"], "initialisation"),  # glog's prefix is not stripped
    (["==> training finished with status 137"], "initialisation"),  # a launcher's report, not the end of training
    (["INFO:tensorflow:loss = 2.3, step = 1"], "training"),
    (["  step = 0"], "initialisation"),  # code quoted in a traceback is not a marker
])
def test_the_last_marker_before_the_failure_gives_the_stage(matcher, lines, stage):
    record = classify_text("\n".join(lines + [TRACEBACK]), matcher, MARKERS)
    assert record.status.value == "classified" and record.stage == stage


def test_a_marker_after_the_failure_does_not_count(matcher, tmp_path):
    log = tmp_path / "job.log"
    log.write_text("loading\n" + TRACEBACK + "Epoch 1/10\n", encoding="utf-8")
    assert stage_of(matcher, log) == "initialisation"


def test_plain_compressed_and_full_reads_agree_across_blocks(matcher, tmp_path):
    """The marker is more than one read block before the failure: the backward read goes on to it."""
    filler = "".join(f"loading shard {i}: ok\n" for i in range(2 * BLOCK // 20))
    text = "Epoch 1/3\n" + filler + TRACEBACK
    plain = tmp_path / "plain.log"
    plain.write_text(text, encoding="utf-8")
    packed = tmp_path / "packed.log.gz"
    packed.write_bytes(gzip.compress(text.encode("utf-8")))
    assert stage_of(matcher, plain) == stage_of(matcher, plain, full=True) == stage_of(matcher, packed) == "training"


def test_markers_in_stdout_count_for_a_failure_in_stderr(matcher, tmp_path):
    job = tmp_path / "job"
    job.mkdir()
    (job / "stdout.txt").write_text("Epoch 1/2\nEpoch 2/2\n***** Running Prediction *****\n", encoding="utf-8")
    (job / "stderr.txt").write_text(TRACEBACK, encoding="utf-8")
    assert stage_of(matcher, job) == "evaluation"


def test_resolve_reads_validation_after_the_end_of_training_as_evaluation():
    def mark(stage):
        return StageMark(stage, "log", None, stage)

    assert resolve([]) is None
    assert resolve([mark("validation"), mark("validation"), mark("evaluation")]).stage == "evaluation"
    assert resolve([mark("validation"), mark("training"), mark("evaluation")]).stage == "validation"
    assert resolve([mark("training"), mark("evaluation")]).stage == "training"


def test_a_users_stages_file_adds_markers(matcher, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "stages.yaml").write_text("stages:\n  evaluation:\n    - '^== scoring the (?:dev|test) set'\n",
                                       encoding="utf-8")
    log = tmp_path / "job.log"
    log.write_text("Epoch 3/3\n== scoring the dev set\n" + TRACEBACK, encoding="utf-8")
    assert stage_of(matcher, log) == "training"
    result = CliRunner().invoke(cli, ["classify", "--rules", str(rules), "-f", "jsonl", str(log)])
    assert '"stage": "evaluation"' in result.output


@pytest.mark.parametrize("text,line,problem", [
    ("stages:\n  trainng:\n    - 'x'\n", 2, "unknown stage 'trainng' (did you mean 'training'?)"),
    ("stages:\n  training:\n    - '(unclosed'\n", 3, "invalid regular expression '(unclosed'"),
    ("stages:\n  training:\n    - 'x*'\n", 3, "matches an empty line: it would mark every line"),
    ("stages:\n  training: 'Epoch'\n", 2, "'training' must be a list of non-empty regular expressions"),
    ("stage:\n  training: ['x']\n", 1, "a stages file must be a mapping 'stages:'"),
    ("stages:\n  training: ['x']\nextra: 1\n", 3, "unknown key 'extra'"),
])
def test_a_broken_stages_file_names_its_file_line_and_problem(tmp_path, text, line, problem):
    path = tmp_path / "stages.yaml"
    path.write_text(text, encoding="utf-8")
    markers, problems = load_stage_file(path)
    assert markers == [] and problems
    assert problems[0].line == line and problem in problems[0].message
    rules = tmp_path
    result = CliRunner().invoke(cli, ["rules", "check", str(rules)])
    assert result.exit_code == 1 and f"{path}:{line}: error: " in result.output
    result = CliRunner().invoke(cli, ["classify", "--rules", str(rules), str(ROOT / "sample_logs")])
    assert result.exit_code == 2 and f"{path}:{line}" in result.output


def test_the_builtin_stages_file_is_clean():
    markers, problems = load_stage_file(ROOT / "rules" / "stages.yaml")
    assert problems == [] and {m.stage for m in markers} == {"training", "validation", "evaluation"}


# tests/data/stage_logs/: jobs that really ran (PyTorch, Lightning, Hugging Face Trainer, Keras on
# CPU; tools/stage_logs/generate.py) and failed in a known stage, with job.meta.yaml from the run.
STAGE_LOGS = ROOT / "tests" / "data" / "stage_logs"
STAGE_EXPECTED = yaml.safe_load((ROOT / "tests" / "data" / "stage_logs.expected.yaml").read_text(encoding="utf-8"))
# Keras 3 prints nothing when validation starts: a validation failure at an epoch's end follows its
# training bar (the error's own "training=False" says validation, but no marker line does).
STAGE_LOG_MISSES = {"keras-churn-mlp": "training"}


def test_real_framework_logs_fail_in_their_known_stages_and_cost_their_known_gpu_hours():
    result = CliRunner().invoke(cli, ["classify", "-f", "jsonl", "--gpus", "1", str(STAGE_LOGS)])
    found = {Path(r["job"]).name: r for r in map(json.loads, result.stdout.splitlines())}
    assert set(found) == set(STAGE_EXPECTED) and len(found) >= 12
    wrong = {job: r["stage"] for job, r in found.items() if r["stage"] != STAGE_EXPECTED[job]["stage"]}
    assert wrong == STAGE_LOG_MISSES
    assert {e["stage"] for e in STAGE_EXPECTED.values()} == {"initialisation", "training", "validation", "evaluation"}
    for job, expected in STAGE_EXPECTED.items():
        record = found[job]
        assert (record["file"], record["line"]) == (str(STAGE_LOGS / expected["file"]), expected["line"]), job
        if "gpu_hours" in expected:  # from job.meta.yaml: gpus x (end - start)
            assert record["gpu_hours"] == expected["gpu_hours"] and record["retries"] == expected["retries"], job
        else:  # from the first and last timestamps of the logs (whole seconds) and --gpus 1
            start, end = (dt.datetime.fromisoformat(expected[k]).replace(microsecond=0) for k in ("log_start", "log_end"))
            assert record["gpu_hours"] == round((end - start).total_seconds() / 3600, 4), job


def test_a_bug_in_stage_detection_keeps_the_verdict(matcher, tmp_path, monkeypatch):
    log = tmp_path / "job.log"
    log.write_text("Epoch 1/3\n" + TRACEBACK, encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("philly_triage._internal.pipeline.verdict.job_stage", broken)
    (job,) = [job for job in discover_jobs([str(tmp_path)], MARKERS)]
    record = classify_job(job, matcher, MARKERS)
    assert record.status.value == "classified" and record.category == "key_not_found" and record.stage is None
    assert any("stage and GPU time not found: internal error" in note for note in record.notes)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"\n", b"\r", b"epoch 1"]), max_size=60), st.data())
def test_line_starts_are_each_hits_line_once_newest_first(pieces, data):
    """The line starts of the marker hits, as a backward scan per hit would find them; each hit's
    line scanned once (a long progress line with a hit every few bytes stays linear)."""
    text = b"".join(pieces)
    hits = data.draw(st.lists(st.integers(0, max(len(text) - 1, 0)), max_size=20)) if text else []
    naive = sorted({text.rfind(b"\n", 0, hit) + 1 for hit in hits}, reverse=True)
    assert line_starts(text, hits) == naive
