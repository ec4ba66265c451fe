"""The held-out sets of whole real runs (eval/heldout/ and eval/heldout_b/, made from different programs
by eval/generate.py and eval/generate.py --set b): the issue's floors.

Each job's logs come from really running a failing or successful program, wrapped in a platform's
output. The floors are those the verdicts must meet to be acted on without a second look: category
accuracy and failure line, no successful job reported failed, no out-of-taxonomy failure forced into
one of the study's categories.
"""

from __future__ import annotations

from collections import Counter

import pytest

from philly_triage._internal.analysis.evaluate import evaluate, labelled_records
from philly_triage._internal.pipeline.engine import Classifier
from philly_triage._internal.catalogue.expectations import load_expectations
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # classifies 460 whole jobs

# set -> (jobs, successful jobs, jobs outside the taxonomy, jobs of each category) it holds at least
SETS = {"heldout": (300, 100, 10, 10), "heldout_b": (160, 50, 10, 5)}


@pytest.fixture(scope="module", params=sorted(SETS))
def measured(request, catalogue, matcher, markers):
    name = request.param
    expectations = load_expectations(ROOT / "eval" / f"{name}.expected.yaml", catalogue)
    outcomes = list(labelled_records([str(ROOT / "eval" / name)], Classifier(catalogue, markers=markers)))
    return expectations, outcomes, evaluate(outcomes, expectations), SETS[name]


def outside_the_study(label: str, catalogue) -> bool:
    """A label of a failure outside the study's taxonomy: unclassified, or a category of a rule
    marked ``study: false`` (the infrastructure dimension: preemption, time limits, segfaults, ...)."""
    rule = catalogue.rule(label)
    return label == "unclassified" or (rule is not None and not rule.study)


def test_the_set_has_the_composition_it_promises(measured, catalogue):
    expectations, _, _, (jobs, successes, outside, each) = measured
    labels = Counter(expected.category for expected in expectations.jobs.values())
    assert sum(labels.values()) >= jobs
    assert labels["no_failure"] >= successes
    assert sum(n for label, n in labels.items() if outside_the_study(label, catalogue)) >= outside
    for rule in catalogue.rules:
        if rule.study:  # the infrastructure categories are not among what the sets promise
            assert labels[rule.id] >= each, rule.id


def test_every_job_has_one_record_and_an_expectation(measured):
    _, _, evaluation, _ = measured
    assert not evaluation.missing and not evaluation.unlabelled and not evaluation.duplicates


def test_category_accuracy_is_at_least_97_percent(measured):
    _, _, evaluation, _ = measured
    assert evaluation.accuracy >= 0.97, [(c.expected, c.got, c.jobs) for c in evaluation.confusion]


def test_the_failure_line_is_right_for_at_least_95_percent(measured):
    _, _, evaluation, _ = measured
    assert evaluation.localisation.ratio >= 0.95, [(w.job, w.expected_place, w.got_place) for w in evaluation.localisation.wrong]


def test_no_successful_job_is_reported_failed(measured):
    _, _, evaluation, _ = measured
    assert evaluation.false_alarms == (), evaluation.false_alarms


def test_no_failure_outside_the_taxonomy_is_forced_into_a_study_category(measured, catalogue):
    # Outside the taxonomy: labelled unclassified, or an infrastructure category (study: false) where
    # the job's generator shows that is its cause. Such a job may get an infrastructure category,
    # never one of the study's.
    expectations, outcomes, _, _ = measured
    study = {rule.id for rule in catalogue.rules if rule.study}
    forced = [(key, record.category) for key, _, record in outcomes
              if key in expectations.jobs and outside_the_study(expectations.jobs[key].category, catalogue)
              and record.category in study]
    assert forced == []
    assert study and not study & {rule.id for rule in catalogue.rules if not rule.study}


def test_every_infrastructure_verdict_is_the_jobs_labelled_cause(measured, catalogue):
    # An infrastructure category only where the job's label says it: never on a job of the study's
    # categories, a successful job or an unclassified one.
    expectations, outcomes, _, _ = measured
    outside = {rule.id for rule in catalogue.rules if not rule.study}
    wrong = [(key, expectations.jobs[key].category, record.category) for key, _, record in outcomes
             if key in expectations.jobs and record.category in outside
             and record.category != expectations.jobs[key].category]
    assert wrong == []
