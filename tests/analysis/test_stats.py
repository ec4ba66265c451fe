"""triage stats: the aggregation, every figure worked out by hand. Its views are tested in
tests/output/views/test_stats.py, the command in tests/cli/test_stats.py, the study's figures in
test_study.py."""

from __future__ import annotations

import json

import pytest

from philly_triage._internal.catalogue.load import Catalogue
from philly_triage.models import RETRY_ADVICE, FailureRecord, Rule, Status
from philly_triage._internal.analysis.stats import aggregate, counted, hours, share
from philly_triage._internal.analysis.study import load_study


def rule(rule_id, name, dimension, retry, study=True):
    return Rule(id=rule_id, name=name, dimension=dimension, description="d", hint="h", retry=retry, study=study)


# A catalogue of its own, so that the figures do not move when the built-in rules change. It has a
# dimension the study does not know (infrastructure, marked study: false as the built-in one is), with
# no job in it, and a name to escape.
CATALOGUE = Catalogue(rules=(
    rule("path_not_found", "Path not found", "execution_environment", "never"),
    rule("library_not_found", "Library | command *not* found", "execution_environment", "environment"),
    rule("gpu_out_of_memory", "GPU out of memory", "deep_learning", "maybe"),
    rule("loss_nan", "Loss is NaN", "deep_learning", "maybe"),
    rule("key_not_found", "Key not found", "general_code", "never"),
    rule("type_mismatch", "Type mismatch", "general_code", "never"),
    rule("corrupt_data", "Corrupt data", "data", "never"),
    rule("nccl_timeout", "NCCL timeout", "infrastructure", "maybe", study=False),
))


def failed(job, category, stage, gpu_hours, retries):
    spec = CATALOGUE.rule(category)
    return FailureRecord(job=job, status=Status.CLASSIFIED, category=category, dimension=spec.dimension,
                         rule=category, stage=stage, retry=spec.retry, gpu_hours=gpu_hours, retries=retries)


RECORDS = [
    #      job   category             stage             GPU h  retries     dimension              advice
    failed("r1", "path_not_found", "initialisation", 0.5, 3),     # execution_environment  never
    failed("r2", "path_not_found", "initialisation", 1.0, 2),     # execution_environment  never
    failed("r3", "library_not_found", "initialisation", None, 1),  # execution_environment  environment
    failed("r4", "gpu_out_of_memory", "training", 8.0, 0),        # deep_learning          maybe
    failed("r5", "loss_nan", "training", 12.0, None),             # deep_learning          maybe
    failed("r6", "key_not_found", "evaluation", 20.0, 1),         # general_code           never
    failed("r7", "type_mismatch", "validation", None, 4),         # general_code           never
    failed("r8", "corrupt_data", None, 2.5, None),                # data                   never
    FailureRecord(job="r9", status=Status.UNCLASSIFIED, stage="training", retry="unknown", gpu_hours=6.0, retries=2),
    FailureRecord(job="r10", status=Status.NO_FAILURE),
    FailureRecord(job="r11", status=Status.ERROR, reason="cannot read"),
]

# 11 jobs; failed = r1..r9 = 9 (8 classified + 1 unclassified).
# Known GPU hours of the failed: r1 0.5, r2 1.0, r4 8.0, r5 12.0, r6 20.0, r8 2.5, r9 6.0 -> 7 known,
# total 0.5 + 1.0 + 8.0 + 12.0 + 20.0 + 2.5 + 6.0 = 50.0, so a gpu_share is hours * 2.
EXPECTED = {
    "schema_version": 1,
    "jobs": 11,
    "failed": 9,
    "by_status": {"classified": 8, "unclassified": 1, "no_failure": 1, "error": 1},
    "classified_in_study": 8,  # every classified job is of a study category here
    "classified_outside_study": 0,
    "gpu_hours": {"known": 7, "total": 50.0},
    "dimensions": [  # of the 8 classified; the study's order, then the catalogue's own dimension
        # r4 + r5: 2/8 = 25.0%; 8.0 + 12.0 = 20.0 h = 40.0% of 50
        {"id": "deep_learning", "count": 2, "share": 25.0, "gpu_hours": 20.0, "gpu_share": 40.0, "study_share": 13.5,
         "study": True, "share_of_study": 25.0},
        # r1 + r2 + r3: 3/8 = 37.5%; 0.5 + 1.0 (+ r3 unknown) = 1.5 h = 3.0%
        {"id": "execution_environment", "count": 3, "share": 37.5, "gpu_hours": 1.5, "gpu_share": 3.0,
         "study_share": 48.0, "study": True, "share_of_study": 37.5},
        # r6 + r7: 2/8 = 25.0%; 20.0 (+ r7 unknown) = 20.0 h = 40.0%
        {"id": "general_code", "count": 2, "share": 25.0, "gpu_hours": 20.0, "gpu_share": 40.0, "study_share": 36.5,
         "study": True, "share_of_study": 25.0},
        # r8: 1/8 = 12.5%; 2.5 h = 5.0%
        {"id": "data", "count": 1, "share": 12.5, "gpu_hours": 2.5, "gpu_share": 5.0, "study_share": 2.0,
         "study": True, "share_of_study": 12.5},
        # no job; the study has no such dimension
        {"id": "infrastructure", "count": 0, "share": 0.0, "gpu_hours": 0.0, "gpu_share": 0.0, "study_share": None,
         "study": False, "share_of_study": None},
    ],
    "categories": [  # count descending, then id; 1/8 = 12.5%
        {"id": "path_not_found", "name": "Path not found", "dimension": "execution_environment", "count": 2,
         "share": 25.0, "gpu_hours": 1.5, "gpu_share": 3.0, "retry": "never", "study": True},  # 2/8; 0.5 + 1.0
        {"id": "corrupt_data", "name": "Corrupt data", "dimension": "data", "count": 1,
         "share": 12.5, "gpu_hours": 2.5, "gpu_share": 5.0, "retry": "never", "study": True},
        {"id": "gpu_out_of_memory", "name": "GPU out of memory", "dimension": "deep_learning", "count": 1,
         "share": 12.5, "gpu_hours": 8.0, "gpu_share": 16.0, "retry": "maybe", "study": True},
        {"id": "key_not_found", "name": "Key not found", "dimension": "general_code", "count": 1,
         "share": 12.5, "gpu_hours": 20.0, "gpu_share": 40.0, "retry": "never", "study": True},
        {"id": "library_not_found", "name": "Library | command *not* found", "dimension": "execution_environment",
         "count": 1, "share": 12.5, "gpu_hours": 0.0, "gpu_share": 0.0, "retry": "environment", "study": True},  # r3: unknown h
        {"id": "loss_nan", "name": "Loss is NaN", "dimension": "deep_learning", "count": 1,
         "share": 12.5, "gpu_hours": 12.0, "gpu_share": 24.0, "retry": "maybe", "study": True},
        {"id": "type_mismatch", "name": "Type mismatch", "dimension": "general_code", "count": 1,
         "share": 12.5, "gpu_hours": 0.0, "gpu_share": 0.0, "retry": "never", "study": True},  # r7: unknown h
    ],
    "stages": [  # of the 9 failed: 3/9 = 33.3%, 1/9 = 11.1%
        # r1 r2 r3; 0.5 + 1.0 = 1.5 h = 3.0%
        {"id": "initialisation", "count": 3, "share": 33.3, "gpu_hours": 1.5, "gpu_share": 3.0,
         "study_share": 30.8, "study_gpu_share": 0.9},
        # r4 r5 r9; 8.0 + 12.0 + 6.0 = 26.0 h = 52.0%
        {"id": "training", "count": 3, "share": 33.3, "gpu_hours": 26.0, "gpu_share": 52.0,
         "study_share": None, "study_gpu_share": None},
        # r7, hours unknown
        {"id": "validation", "count": 1, "share": 11.1, "gpu_hours": 0.0, "gpu_share": 0.0,
         "study_share": None, "study_gpu_share": None},
        # r6: 20.0 h = 40.0%
        {"id": "evaluation", "count": 1, "share": 11.1, "gpu_hours": 20.0, "gpu_share": 40.0,
         "study_share": 25.0, "study_gpu_share": 81.0},
        # r8 has no stage: 2.5 h = 5.0%
        {"id": "unknown", "count": 1, "share": 11.1, "gpu_hours": 2.5, "gpu_share": 5.0,
         "study_share": None, "study_gpu_share": None},
    ],
    "retry": [  # of the 9 failed
        # r1 r2 r6 r7 r8: 5/9 = 55.6%; 0.5 + 1.0 + 20.0 + 2.5 = 24.0 h; retries 3 + 2 + 1 + 4 (r8 unknown) = 10
        {"advice": "never", "meaning": RETRY_ADVICE["never"], "count": 5, "share": 55.6, "gpu_hours": 24.0,
         "retries": 10},
        # r4 r5: 2/9 = 22.2%; 8.0 + 12.0 = 20.0 h; retries 0 (r5 unknown)
        {"advice": "maybe", "meaning": RETRY_ADVICE["maybe"], "count": 2, "share": 22.2, "gpu_hours": 20.0,
         "retries": 0},
        # r3: 1/9 = 11.1%; hours unknown; 1 retry
        {"advice": "environment", "meaning": RETRY_ADVICE["environment"], "count": 1, "share": 11.1,
         "gpu_hours": 0.0, "retries": 1},
        # r9 (unclassified): 6.0 h; 2 retries
        {"advice": "unknown", "meaning": RETRY_ADVICE["unknown"], "count": 1, "share": 11.1, "gpu_hours": 6.0,
         "retries": 2},
    ],
    # The "never" jobs r1 r2 r6 r7 r8: retries 10 (as above);
    # wasted = r1 3 x 0.5 + r2 2 x 1.0 + r6 1 x 20.0 = 1.5 + 2.0 + 20.0 = 23.5 (r7: hours unknown, r8: retries unknown);
    # one more retry of each = their known hours 0.5 + 1.0 + 20.0 + 2.5 = 24.0.
    "retry_waste": {"jobs": 5, "retries": 10, "wasted_gpu_hours": 23.5, "per_retry_gpu_hours": 24.0},
}


@pytest.fixture(scope="module")
def stats():
    return aggregate(RECORDS, CATALOGUE)


# The aggregation

def test_every_figure_is_the_one_worked_out_by_hand(stats):
    document = stats.to_dict()
    study = document.pop("study")
    assert document == EXPECTED
    assert study == {"source": load_study().source, "note": load_study().note}
    assert "ICSE 2020" in study["source"] and "10.1145/3377811.3380362" in study["source"]


def test_the_record_order_does_not_change_the_figures(stats):
    assert aggregate(RECORDS[::-1], CATALOGUE).to_dict() == stats.to_dict()


def test_what_stats_keep_of_each_record_gives_the_same_figures(stats):
    """`triage stats` keeps a Counted per job, not its record (a run may be of many thousands)."""
    assert aggregate([counted(r) for r in RECORDS], CATALOGUE) == stats


def test_the_samples_figures_from_what_stats_keep():
    from philly_triage import Classifier
    from tests.conftest import ROOT

    records = list(Classifier().classify_many([ROOT / "sample_logs"], workers=1))
    catalogue = Classifier().catalogue
    assert aggregate([counted(r) for r in records], catalogue).to_dict() == aggregate(records, catalogue).to_dict()


def test_the_json_contract_round_trips(stats):
    document = json.loads(json.dumps(stats.to_dict()))
    assert list(document) == ["schema_version", "jobs", "failed", "by_status", "classified_in_study",
                              "classified_outside_study", "gpu_hours", "dimensions", "categories", "stages",
                              "retry", "retry_waste", "study"]
    assert document["dimensions"][4]["study_share"] is None


def test_gpu_shares_are_null_when_no_gpu_hours_are_known():
    records = [
        failed("a", "path_not_found", "training", None, 2),
        FailureRecord(job="b", status=Status.UNCLASSIFIED, retry="unknown"),  # stage None: the "unknown" row
    ]
    document = aggregate(records, CATALOGUE).to_dict()
    assert document["gpu_hours"] == {"known": 0, "total": 0.0}
    rows = document["dimensions"] + document["categories"] + document["stages"]
    assert {row["gpu_share"] for row in rows} == {None}
    assert {row["gpu_hours"] for row in rows} == {0.0}
    assert [row["id"] for row in document["stages"]] == [
        "initialisation", "training", "validation", "evaluation", "unknown",
    ]
    # 1 "never" job, 2 retries, hours unknown: nothing can be said to be wasted
    assert document["retry_waste"] == {"jobs": 1, "retries": 2, "wasted_gpu_hours": 0.0, "per_retry_gpu_hours": 0.0}


def test_no_unknown_stage_row_when_every_stage_is_known_and_no_jobs_at_all():
    document = aggregate([failed("a", "loss_nan", "training", 1.0, 0)], CATALOGUE).to_dict()
    assert [row["id"] for row in document["stages"]] == ["initialisation", "training", "validation", "evaluation"]
    empty = aggregate([], CATALOGUE).to_dict()
    assert (empty["jobs"], empty["failed"], empty["categories"]) == (0, 0, [])
    assert [row["count"] for row in empty["dimensions"]] == [0, 0, 0, 0, 0]
    assert [row["share"] for row in empty["retry"]] == [0.0, 0.0, 0.0, 0.0]


def test_sums_are_rounded_to_two_decimals_and_shares_to_one():
    assert hours([0.1, 0.1, 0.1, None]) == 0.3  # 0.30000000000000004 summed naively
    assert hours([1 / 3, 1 / 3]) == 0.67
    assert share(1, 3) == 33.3 and share(2, 3) == 66.7 and share(1, 0) == 0.0
    records = [failed(job, "key_not_found", "training", 1 / 3, 1) for job in "abc"]
    document = aggregate(records, CATALOGUE).to_dict()
    assert document["gpu_hours"]["total"] == 1.0  # 3 x 1/3
    # each retried once: 1 x 1/3 three times
    assert document["retry_waste"]["wasted_gpu_hours"] == document["retry_waste"]["per_retry_gpu_hours"] == 1.0


def test_a_category_the_catalogue_does_not_have_keeps_the_records_own_dimension():
    record = FailureRecord(job="x", status=Status.CLASSIFIED, category="custom", dimension="mine", retry="maybe")
    document = aggregate([record], CATALOGUE).to_dict()
    assert document["categories"] == [{"id": "custom", "name": "custom", "dimension": "mine", "count": 1,
                                       "share": 100.0, "gpu_hours": 0.0, "gpu_share": None, "retry": "maybe",
                                       "study": False}]  # a dimension outside the study's four
    assert document["dimensions"][-1] == {"id": "mine", "count": 1, "share": 100.0, "gpu_hours": 0.0,
                                          "gpu_share": None, "study_share": None, "study": False,
                                          "share_of_study": None}


def test_failures_outside_the_study_are_counted_but_not_compared_with_it():
    # r1..r8 as above (8 of the study's kinds) and 2 NCCL timeouts (infrastructure, study: false).
    outside = [failed(job, "nccl_timeout", "training", 1.0, 0) for job in ("n1", "n2")]
    document = aggregate(RECORDS + outside, CATALOGUE).to_dict()
    assert document["by_status"]["classified"] == 10
    assert (document["classified_in_study"], document["classified_outside_study"]) == (8, 2)
    rows = {row["id"]: row for row in document["dimensions"]}
    # the share is of all 10 classified; the share to set beside the study's is of the 8 of its kinds
    assert (rows["execution_environment"]["share"], rows["execution_environment"]["share_of_study"]) == (30.0, 37.5)
    assert rows["infrastructure"] == {"id": "infrastructure", "count": 2, "share": 20.0, "gpu_hours": 2.0,
                                      "gpu_share": 3.8, "study_share": None, "study": False, "share_of_study": None}
    assert sum(row["share_of_study"] for row in rows.values() if row["study"]) == 100.0
    assert [c["study"] for c in document["categories"] if c["id"] == "nccl_timeout"] == [False]
    # the same figures as without them, for the comparison with the study
    alone = {row["id"]: row["share_of_study"] for row in aggregate(RECORDS, CATALOGUE).to_dict()["dimensions"]}
    assert {key: row["share_of_study"] for key, row in rows.items()} == alone
