"""The study's figures (analysis/study.py and data/study.yaml): what `stats` and the report compare with."""

from __future__ import annotations

import pytest

from philly_triage._internal.analysis.study import StageFact, load_study


def test_the_study_holds_the_papers_figures():
    study = load_study()
    assert study.dimensions == {"deep_learning": 13.5, "execution_environment": 48.0, "general_code": 36.5,
                                "data": 2.0}
    assert sum(study.dimensions.values()) == 100.0
    assert (study.stage("initialisation").failures, study.stage("initialisation").gpu_time) == (30.8, 0.9)
    assert (study.stage("evaluation").failures, study.stage("evaluation").gpu_time) == (25.0, 81.0)
    assert study.stage("training").failures is None and study.stage("validation").gpu_time is None


def test_a_dimension_or_stage_the_study_lacks_has_no_figure():
    study = load_study()
    assert study.dimension_share("infrastructure") is None and study.dimension_share("data") == 2.0
    assert study.stage("no_such_stage") == StageFact(None, None)


STUDY = """\
source: A study
note: A note
dimensions: {a: 60, b: 40}
stages:
  initialisation: {failures: 10, gpu_time: 1}
  training: {failures: null, gpu_time: null}
  validation: {failures: null, gpu_time: null}
  evaluation: {failures: 20, gpu_time: 80}
"""


def test_a_study_file_is_read_into_percentages(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text(STUDY)
    study = load_study(path)
    assert (study.source, study.note, study.dimensions) == ("A study", "A note", {"a": 60.0, "b": 40.0})
    assert study.stage("evaluation") == StageFact(20.0, 80.0) and study.stage("training") == StageFact(None, None)


@pytest.mark.parametrize("old,new", [
    ("{a: 60, b: 40}", "{a: 160, b: 40}"),  # not a percentage
    ("{a: 60, b: 40}", "{a: yes, b: 40}"),  # a boolean is not a number
    ("  validation: {failures: null, gpu_time: null}\n", ""),  # a stage missing
    ("dimensions: {a: 60, b: 40}\n", ""),
])
def test_a_broken_study_file_is_a_value_error_naming_it(tmp_path, old, new):
    path = tmp_path / "study.yaml"
    path.write_text(STUDY.replace(old, new))
    with pytest.raises(ValueError, match=r"study\.yaml: not a valid study file"):
        load_study(path)
