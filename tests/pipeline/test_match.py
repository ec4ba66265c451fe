"""The matcher: evidence strength, priorities, excludes, frame conditions, timeouts."""

from __future__ import annotations

from philly_triage._internal.catalogue.load import Catalogue
from philly_triage._internal.pipeline.match import ON_DETAIL, ON_LINE, ON_TYPE, Matcher
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


def test_a_catastrophic_pattern_times_out_instead_of_hanging(monkeypatch):
    monkeypatch.setenv("TRIAGE_ENGINE", "re")  # no hyperscan screen: the pattern is run
    rule = Rule(id="slow", name="slow", dimension="d", description="d", hint="h",
                patterns=(Pattern(r"^(a|a)*$"),))
    matcher = Matcher(Catalogue((rule,)), timeout=0.05)
    assert matcher.match(failure("a" * 40 + "b")) is None
    assert matcher.timed_out == {("slow", r"^(a|a)*$")}


def test_a_pattern_the_screen_rules_out_is_not_run():
    rule = Rule(id="slow", name="slow", dimension="d", description="d", hint="h",
                patterns=(Pattern(r"^(a|a)*$"),))
    matcher = Matcher(Catalogue((rule,)), timeout=0.05)
    assert matcher.match(failure("a" * 40 + "b")) is None
    assert matcher.timed_out == set()
    assert matcher.rules[0]._patterns == [None]  # never compiled: the screen said it cannot match


def test_building_a_matcher_compiles_nothing_and_matching_compiles_what_it_reaches(catalogue):
    matcher = Matcher(catalogue)
    assert not any(any(r._patterns) or r._excludes or r._context for r in matcher.rules)
    assert matcher.match(failure("RuntimeError: CUDA out of memory.", "RuntimeError")).rule.id == "gpu_out_of_memory"
    compiled = {r.rule.id for r in matcher.rules if any(r._patterns)}
    assert "gpu_out_of_memory" in compiled
    assert "division_by_zero" not in compiled, "a rule whose keywords the failure lacks compiles no pattern"
    with_excludes = {r.rule.id for r in matcher.rules if r._excludes is not None}
    assert with_excludes == {"gpu_out_of_memory"}, "excludes are searched only for a rule that matched"


def test_a_lazy_matcher_agrees_with_one_that_compiled_everything(catalogue):
    cases = [
        failure("AttributeError: 'NoneType' object has no attribute 'x'", "AttributeError"),
        failure("bash: nvidia-smi: command not found"),
        failure("RuntimeError: CUDA error: device-side assert triggered", "RuntimeError",
                context=["Indexing.cu:1146: block: [0,0,0] Assertion `srcIndex < srcSelectDimSize` failed."]),
        failure("TypeError: __init__() got an unexpected keyword argument 'input_dims'", "TypeError", in_framework=True),
        failure("nothing any rule knows"),
    ]
    eager = Matcher(catalogue)
    for compiled in eager.rules:
        compiled.excludes, compiled.context  # noqa: B018 - compile everything now
        for index in range(len(compiled.frames)):
            compiled.pattern(index)
    lazy = Matcher(catalogue)
    assert [lazy.match(f) for f in cases] == [eager.match(f) for f in cases]


def test_a_used_matcher_pickles(matcher):
    import pickle

    matcher.match(failure("RuntimeError: CUDA out of memory.", "RuntimeError"))
    copy = pickle.loads(pickle.dumps(matcher))
    line = failure("KeyError: 'label'", "KeyError")
    assert copy.match(line) == matcher.match(line)
