"""Reading tracebacks as blocks and chains: links, interleaved ranks, quoted words, teardown."""

from __future__ import annotations

from philly_triage._internal.pipeline.lines import ByteLines
from philly_triage._internal.pipeline.locate.tracebacks import (
    chains, exception_type, primary_link, printed_at_teardown, read_tracebacks,
)

CAUSE = """\
Traceback (most recent call last):
  File "data.py", line 3, in load
    return table[key]
KeyError: 'label'

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "train.py", line 9, in <module>
    main()
RuntimeError: could not load the batch
"""

CONTEXT = CAUSE.replace(
    "The above exception was the direct cause of the following exception:",
    "During handling of the above exception, another exception occurred:",
)


def blocks_of(text, markers):
    view = ByteLines(text.encode(), markers)
    return view, read_tracebacks("log", view, markers)


def test_a_chained_traceback_is_two_linked_blocks_naming_the_cause(markers):
    view, blocks = blocks_of(CAUSE, markers)
    assert [b.link for b in blocks] == [None, "cause"]
    assert [b.failure.message for b in blocks] == ["KeyError: 'label'", "RuntimeError: could not load the batch"]
    (chain,) = chains(blocks)
    assert primary_link(chain, markers) == 0  # "raise X from Y": Y, the underlying cause


def test_an_exception_raised_while_handling_another_names_the_later_one(markers):
    view, blocks = blocks_of(CONTEXT, markers)
    assert [b.link for b in blocks] == [None, "context"]
    (chain,) = chains(blocks)
    assert primary_link(chain, markers) == 1


def test_a_block_records_its_lines_source_and_where_it_was_raised(markers):
    view, (block,) = blocks_of(CAUSE.split("\n\n")[0] + "\n", markers)
    assert (block.start, block.exception_at, block.end) == (0, 3, 4)
    failure = block.failure
    assert (failure.line, failure.exception, failure.source) == (4, "KeyError", "return table[key]")
    assert failure.in_framework is False  # data.py is not under site-packages


def test_interleaved_ranks_each_give_their_own_traceback(markers):
    log = (
        "[rank0]: Traceback (most recent call last):\n"
        "[rank1]: Traceback (most recent call last):\n"
        '[rank0]:   File "train.py", line 5, in <module>\n'
        '[rank1]:   File "train.py", line 5, in <module>\n'
        "[rank0]: ValueError: bad shape\n"
        "[rank1]: OSError: disk full\n"
    )
    view, blocks = blocks_of(log, markers)
    assert {(b.tag, b.failure.message) for b in blocks} == {("rank0", "ValueError: bad shape"), ("rank1", "OSError: disk full")}
    assert len(chains(blocks)) == 2


def test_the_word_traceback_without_frames_is_no_block(markers):
    view, blocks = blocks_of("Traceback (most recent call last):\nsee the docs for what went wrong\n", markers)
    assert blocks == []


def test_a_traceback_under_exception_ignored_is_teardown(markers):
    log = "Exception ignored in: <function Writer.__del__ at 0x7f>\n" + CAUSE.split("\n\n")[0] + "\n"
    view, blocks = blocks_of(log, markers)
    (chain,) = chains(blocks)
    assert printed_at_teardown(chain, view)
    view, blocks = blocks_of(CAUSE, markers)
    assert not printed_at_teardown(chains(blocks)[0], view)


def test_exception_types_are_named_as_a_traceback_closes_them_or_when_shaped_like_one():
    assert exception_type("KeyError: 'label'", in_traceback=True) == "KeyError"
    assert exception_type("socket.timeout: timed out", in_traceback=True) == "socket.timeout"
    assert exception_type("Killed", in_traceback=True) == "Killed"  # any name that closes a traceback
    assert exception_type("Killed", in_traceback=False) is None  # outside one, only exception-shaped names
    assert exception_type("torch.cuda.OutOfMemoryError: CUDA out of memory", in_traceback=False) == "torch.cuda.OutOfMemoryError"
    assert exception_type("loss: 0.5", in_traceback=False) is None


def test_tensorflow_in_user_code_names_the_error_it_quotes(markers):
    log = (
        "Traceback (most recent call last):\n"
        '  File "train.py", line 9, in <module>\n'
        "ValueError: in user code:\n"
        '    File "model.py", line 4, in call\n'
        "    ValueError: Input 0 of layer dense is incompatible with the layer\n"
    )
    view, (block,) = blocks_of(log, markers)
    assert block.failure.message == "ValueError: Input 0 of layer dense is incompatible with the layer"
    assert block.failure.line == 5
