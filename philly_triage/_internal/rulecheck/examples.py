"""Judge test cases: rules' embedded examples, and whole job logs against their expectations.

Examples run through the whole pipeline, as ``classify`` would see a log of them: each ``match``
example must come out as its rule's category and each ``no_match`` example must not. The whole
catalogue competes, so an example also fails when another rule wins it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from philly_triage._internal.analysis.evaluate import label_of, outcome_of
from philly_triage._internal.catalogue.expectations import Expected
from philly_triage._internal.pipeline.engine import Classifier
from philly_triage.models import Example, FailureRecord, Rule


@dataclass(frozen=True)
class ExampleResult:
    """One example of one rule, and what the pipeline made of it."""

    rule: Rule
    example: Example
    should_match: bool
    record: FailureRecord

    @property
    def got(self) -> str:
        """The category the example came out as, or the status when none."""
        return label_of(self.record)

    @property
    def passed(self) -> bool:
        return (self.record.category == self.rule.id) == self.should_match

    @property
    def kind(self) -> str:
        return "match" if self.should_match else "no_match"


def run_examples(rules: Iterable[Rule], classifier: Classifier) -> Iterator[ExampleResult]:
    """Every example of ``rules``, in file order, judged against the whole catalogue of ``classifier``."""
    for rule in rules:
        for should_match, examples in ((True, rule.examples_match), (False, rule.examples_no_match)):
            for example in examples:
                record = classifier.classify_text(example.text, name=f"{rule.source}:{example.line}", failed=True)
                yield ExampleResult(rule, example, should_match, record)


@dataclass(frozen=True)
class LogVerdict:
    """Whether a whole job's record is what its expectation says."""

    passed: bool
    expected: str  # the expectation, readable: "gpu_out_of_memory at stderr.txt:12"


def judge_log(key: str, root: str, record: FailureRecord, expected: Expected) -> LogVerdict:
    """Compare one job's record with its expectation (category, and file and line when given)."""
    outcome = outcome_of(key, root, record, expected)
    wanted = expected.category if expected.line is None else f"{expected.category} at {expected.file}:{expected.line}"
    return LogVerdict(outcome.label_right and outcome.place_right, wanted)
