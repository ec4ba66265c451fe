"""The engine: one Classifier, built once, for every way of classifying and explaining jobs."""

from __future__ import annotations

import pickle

import pytest

from philly_triage._internal.pipeline.discover import Reading
from philly_triage._internal.pipeline.engine import Options
from philly_triage._internal.pipeline.locate import CHOSEN
from philly_triage._internal.pipeline.verdict import classify_job
from philly_triage.models import Job, Status
from tests.conftest import ROOT

SAMPLES = ROOT / "sample_logs"


@pytest.fixture(scope="module")
def sample_jobs(classifier):
    return classifier.find([SAMPLES]).jobs


def test_it_classifies_as_the_per_job_step_does(classifier, sample_jobs, matcher, markers):
    assert [classifier.classify(job) for job in sample_jobs] == [classify_job(job, matcher, markers) for job in sample_jobs]


def test_a_path_is_read_as_one_job(classifier):
    record = classifier.classify(str(SAMPLES / "vae-mnist-kl-77ab"))
    assert record.job == str(SAMPLES / "vae-mnist-kl-77ab") and record.category == "loss_nan"
    assert classifier.job_at(SAMPLES / "vae-mnist-kl-77ab").files == tuple(
        sorted(str(p) for p in (SAMPLES / "vae-mnist-kl-77ab").iterdir()))


def test_a_job_that_cannot_be_read_is_an_error_record_not_an_exception(classifier, tmp_path):
    record = classifier.classify(Job("gone", (), problem="no such file or directory"))
    assert record.status is Status.ERROR and record.reason == "no such file or directory"
    assert classifier.classify(str(tmp_path / "missing.log")).status is Status.ERROR


def test_it_pickles_as_its_catalogue_and_options_and_classifies_the_same(classifier, sample_jobs):
    engine = classifier.with_options(gpus=4)
    copy = pickle.loads(pickle.dumps(engine))
    assert copy.options == Options(gpus=4) and copy.catalogue == engine.catalogue
    assert [copy.classify(j) for j in sample_jobs[:10]] == [engine.classify(j) for j in sample_jobs[:10]]


def test_with_options_shares_the_matcher_and_changes_only_the_options(classifier):
    full = classifier.with_options(full=True, reading=Reading.JOB)
    assert full.matcher is classifier.matcher and full.options == Options(full=True, reading=Reading.JOB)
    assert classifier.options == Options()
    assert len(full.find([SAMPLES]).jobs) == 1  # the whole folder read as one job


def test_outcomes_keep_the_order_of_the_jobs_with_and_without_workers(classifier, sample_jobs):
    here = [o.record for o in classifier.outcomes(sample_jobs, 1)]
    there = [o.record for o in classifier.outcomes(sample_jobs, 2)]
    assert here == there and [r.job for r in here] == [j.name for j in sample_jobs]


def test_classify_many_expands_paths_and_takes_jobs(classifier, sample_jobs):
    mixed = [sample_jobs[0], str(SAMPLES)]
    records = list(classifier.classify_many(mixed))
    assert [r.job for r in records] == [sample_jobs[0].name] + [j.name for j in sample_jobs]


def test_the_evidence_is_the_verdicts_own(classifier, sample_jobs):
    for job in sample_jobs:
        evidence = classifier.evidence(job)
        assert evidence.record == classifier.classify(job)
        if evidence.record.status is Status.CLASSIFIED:
            assert evidence.matches and evidence.matches[0].rule.id == evidence.record.category
            assert evidence.failure.line == evidence.record.line
            chosen = [c for c in evidence.candidates if c.seen.verdict == CHOSEN and c.file == evidence.record.file]
            assert chosen, job.name
        if evidence.record.status is Status.NO_FAILURE:
            assert evidence.located is None and evidence.matches == ()
