"""The matcher: evidence strength, priorities, excludes, frame conditions, timeouts."""

from __future__ import annotations

from philly_triage.catalogue import Catalogue
from philly_triage.matcher import ON_DETAIL, ON_LINE, ON_TYPE, Matcher
from philly_triage.models import Failure, Pattern, Rule


def failure(message, exception=None, detail=(), context=(), in_framework=None):
    return Failure("log", 1, message, "traceback", exception, tuple(detail), tuple(context), in_framework)


def test_a_pattern_on_the_line_beats_an_exception_type(matcher):
    match = matcher.match(failure("AttributeError: 'NoneType' object has no attribute 'x'", "AttributeError"))
    assert match.rule.id == "null_reference" and match.strength == ON_LINE


def test_detail_lines_beat_the_exception_type(matcher):
    match = matcher.match(failure(
        "tensorflow.python.framework.errors_impl.InvalidArgumentError: Graph execution error:",
        "tensorflow.python.framework.errors_impl.InvalidArgumentError",
        detail=["Node: 'loss/sub'", "Incompatible shapes: [32,10] vs. [32,5]"],
    ))
    assert match.rule.id == "tensor_mismatch" and match.strength == ON_DETAIL


def test_exception_type_alone(matcher):
    match = matcher.match(failure("UnboundLocalError: loss", "UnboundLocalError"))
    assert match.rule.id == "undefined_variable" and match.strength == ON_TYPE
    assert match.evidence == "UnboundLocalError"


def test_priority_decides_between_equal_evidence(matcher):
    line = "ImportError: libcudnn.so.8: cannot open shared object file: No such file or directory"
    assert matcher.match(failure(line, "ImportError")).rule.id == "library_not_found"


def test_exclude_vetoes_a_rule(matcher):
    match = matcher.match(failure("bash: nvidia-smi: command not found"))
    assert match.rule.id == "library_not_found"


def test_frame_condition(matcher):
    line = "TypeError: __init__() got an unexpected keyword argument 'input_dims'"
    assert matcher.match(failure(line, "TypeError", in_framework=True)).rule.id == "framework_api_misuse"
    assert matcher.match(failure(line, "TypeError", in_framework=False)).rule.id == "type_mismatch"


def test_context_rule_needs_both_lines(matcher):
    line = "RuntimeError: CUDA error: device-side assert triggered"
    assert matcher.match(failure(line, "RuntimeError")) is None
    near = ["Indexing.cu:1146: block: [0,0,0] Assertion `srcIndex < srcSelectDimSize` failed."]
    assert matcher.match(failure(line, "RuntimeError", context=near)).rule.id == "index_out_of_range"


def test_a_catastrophic_pattern_times_out_instead_of_hanging():
    rule = Rule(id="slow", name="slow", dimension="d", description="d", hint="h",
                patterns=(Pattern(r"^(a|a)*$"),))
    matcher = Matcher(Catalogue((rule,)), timeout=0.05)
    assert matcher.match(failure("a" * 40 + "b")) is None
    assert matcher.timed_out == {("slow", r"^(a|a)*$")}
