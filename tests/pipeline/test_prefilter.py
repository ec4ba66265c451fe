"""The shortcuts the byte-level first pass takes give the answers a plain search gives."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from philly_triage._internal.catalogue.load import load_catalogue
from philly_triage._internal.catalogue.markers import default_markers, scoped
from philly_triage._internal.pipeline.lines import ByteLines, counts_as_evidence
from philly_triage._internal.pipeline.prefilter import alternatives, compile_finder, compile_sure_misses, lines_of, plain_ascii
from philly_triage._internal.pipeline.stage import StageReader, _searchable

pytest.importorskip("hyperscan")
MARKERS = default_markers()


@pytest.mark.parametrize("patterns, free", [
    ([r"\bepoch\b\s*\d+", r"\d+%\|"], True),
    ([r"^Epoch \d+"], False),
    ([r"done$"], False),
    ([r"\Bx"], False),
    ([r"[^a]b"], False),  # any caret counts
])
def test_a_finder_says_whether_a_piece_of_text_can_match_where_the_whole_cannot(patterns, free):
    assert compile_finder(patterns).context_free is free


def test_the_shipped_progress_patterns_allow_the_shortcut():
    assert MARKERS.progress_lines.context_free


@pytest.mark.parametrize("text, plain", [
    ("Epoch 3: loss 0.5", True), ("\tindented\r\n", True), ("café", False), ("a\x1cb", False), ("bell\x07", False),
])
def test_plain_ascii(text, plain):
    assert plain_ascii(text) is plain


def _lines_with_progress(view: ByteLines, start: int, stop: int) -> list[int]:
    """Progress lines found by cleaning and matching every line: what find_evidence must give."""
    found = []
    for index in range(start, stop):
        text = view[index].text
        if MARKERS.is_progress(text) and not (MARKERS.has_keyword(text) and not MARKERS.is_noise(text)) \
                and not MARKERS.is_wrapper(text) and not MARKERS.is_teardown(text):
            found.append(index)
    return found


LINES = st.sampled_from([
    "Epoch 3/10 loss: 0.52", "step 120 loss 0.41", "train:  42%|####      | 42/100 [00:01<00:02, 40.0it/s]",
    "INFO saving checkpoint", "warning: deprecated", "RuntimeError: boom", "", "   ", "Traceback (most recent call last):",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(LINES, st.sampled_from(["\n", "\r", "\r\n"])), min_size=1, max_size=30), st.data())
def test_progress_searches_in_any_order_give_what_a_plain_search_gives(lines, data):
    """Queries come in any order; stretches known to be bare are skipped; the answers do not change."""
    raw = "".join(text + end for text, end in lines).encode()
    view = ByteLines(raw, MARKERS)
    if not len(view):
        return
    for _ in range(8):
        start = data.draw(st.integers(0, len(view) - 1))
        stop = data.draw(st.integers(start, len(view)))
        expected = _lines_with_progress(view, start, stop)[:2]
        assert view.find_evidence(start, stop, True, 2) == expected


SUCCESS_LINES = st.sampled_from([
    "Training completed successfully", "job 7 succeeded", "done", "exit code 0", "process exited with code 0",
    "Reporting training SUCCESS", "finished the evaluation", "return code: 0", "RuntimeError: exit", "step 3 loss 0.2",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(SUCCESS_LINES, min_size=1, max_size=25), st.data())
def test_success_lines_judged_lazily_are_those_a_plain_search_finds(lines, data):
    """A success line counts as such a line cleaned and matched does; each is judged once, when reached."""
    view = ByteLines("\n".join(lines).encode() + b"\n", MARKERS)
    good = [i for i in range(len(view)) if counts_as_evidence(view[i].text, "success", MARKERS)]
    for _ in range(8):
        start = data.draw(st.integers(0, len(view) - 1))
        stop = data.draw(st.integers(start, len(view)))
        limit = data.draw(st.integers(1, 3))
        expected = [i for i in good if i >= start][:limit]
        assert view.find_evidence(start, stop, False, limit) == [i for i in expected if i < stop]


def test_the_stage_screen_never_rules_out_a_stage_that_matches():
    stages = load_catalogue().stages
    reader = StageReader(stages, MARKERS)
    assert reader.misses is not None
    texts = ["Epoch 1: 100%|##########| 50/50 [00:01<00:00, 40it/s]", "Validation: 0it [00:00, ?it/s]",
             "Evaluating: 100%|####| 10/10", "Loading checkpoint shards", "Starting training", "val_loss=0.3",
             "Testing DataLoader 0: 100%", "model.fit(...)", "nothing here"]
    for text in texts:
        possible = reader.misses.kinds(text)
        for stage, pattern in reader.patterns.items():
            if pattern.search(text):
                assert stage in possible, (stage, text)


def test_a_stage_pattern_beyond_ascii_turns_the_stage_screen_off():
    assert compile_sure_misses({"training": [scoped(_searchable("époque \\d+"))]}) is None
    assert compile_sure_misses({"training": [scoped(_searchable("(?<=x)epoch"))]}) is not None  # lookaround dropped


def test_a_stage_pattern_with_a_lookaround_is_left_to_re():
    assert compile_sure_misses({"training": [r"(?<!pre)train"]}) is None
    assert re.search(r"(?<!pre)train", "train")


def test_a_stage_pattern_hyperscan_would_misread_turns_the_stage_screen_off():
    assert compile_sure_misses({"training": [r"epoch ?\d{,3}/"]}) is None
    assert re.search(r"epoch ?\d{,3}/", "epoch 12/")


def test_a_marker_pattern_hyperscan_would_misread_is_searched_with_re():
    finder = compile_finder([r"ab{,2}c"])
    assert finder.engine == "re"
    assert finder.offsets(b"xx abbc") != []
    assert compile_finder([r"[{,]x"]).engine == "hyperscan", "a class holding '{,' is read alike"


@pytest.mark.parametrize("pattern, expected", [
    ("(?:(?:cp|mv|python[\\d.]*): )", ["(?:(?:cp): )", "(?:(?:mv): )", "(?:(?:python[\\d.]*): )"]),
    ("(?i:(?:error|fatal)\\b)", ["(?i:(?:error)\\b)", "(?i:(?:fatal)\\b)"]),
    ("(?:(?:ab|[|)]x|cd)y)", ["(?:(?:ab|[|)]x|cd)y)"]),  # a branch that is no word
    ("(?:(?:^|\\d )[a-z]+: )", ["(?:(?:^|\\d )[a-z]+: )"]),
    ("(?:(?:ab|cd)*e)", ["(?:(?:ab|cd)*e)"]),  # the group is repeated
    ("(?:(?:ab|cd)e|fg)", ["(?:(?:ab|cd)e|fg)"]),  # the tail has branches of its own
    ("(?:(?:ab|cd\\|e)f)", ["(?:(?:ab)f)", "(?:(?:cd\\|e)f)"]),  # an escaped bar is a character
    ("(?:error)", ["(?:error)"]),
    ("(?:(?:ab|cd)e)f", ["(?:(?:ab|cd)e)f"]),  # not one group around the whole
    ("(?x:(?:ab|cd) e)", ["(?x:(?:ab|cd) e)"]),  # verbose: its spaces are no syntax
    ("(?:(?:ab(?#a|b)|cd)e)", ["(?:(?:ab(?#a|b)|cd)e)"]),  # a comment group
])
def test_a_finder_pattern_is_split_at_the_branches_of_its_first_group(pattern, expected):
    assert alternatives(pattern) == expected


WORDS = st.sampled_from(["cp", "mv", "sh", "bash", "ab", "a-b", "x_1", "py[\\d.]*", "s\\d?t", "[|]", "\\(", "(?:x|yz)"])
TEXT = st.text(alphabet="cpmvshbaxyz_1-.()|:[] \n3", max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=4), st.sampled_from([": ", "\\b", "(?:\\.\\w+)+", "", "[|)]x"]),
       st.sampled_from(["(?:", "(?i:"]), st.lists(TEXT, max_size=6))
def test_the_split_patterns_find_the_lines_the_pattern_finds(words, tail, opening, texts):
    pattern = f"{opening}(?:{'|'.join(words)}){tail})"
    whole = re.compile(pattern, re.MULTILINE)
    parts = [re.compile(part, re.MULTILINE) for part in alternatives(pattern)]
    for text in texts:
        assert (whole.search(text) is not None) == any(part.search(text) for part in parts)


def test_the_trigger_finder_finds_the_lines_one_pattern_each_finds():
    markers = default_markers()
    data = b"\n".join([
        b"cp: cannot stat 'x': No such file", b"bash: line 3: foo: command not found", b"sha256sum: bad",
        b"python3.10: can't open file", b"epoch 3 loss 0.2", b"cat: 38.8%", b"pip3: not found", b"ok",
    ])
    starts = [0]
    for index, byte in enumerate(data):
        if byte == 10:
            starts.append(index + 1)
    one_by_one = set()
    for pattern in markers_patterns("triggers"):
        single = compile_finder([scoped(pattern)], caseless=True)
        one_by_one.update(lines_of(single.offsets(data), starts))
    assert set(lines_of(markers.triggers.offsets(data), starts)) == one_by_one
    assert one_by_one >= {0, 1, 2, 3, 6}


def markers_patterns(section: str) -> list[str]:
    import yaml

    from philly_triage._internal.catalogue.markers import MARKERS_FILE

    return yaml.safe_load(MARKERS_FILE.read_text())[section]
