"""Show ``triage explain`` for a person: the verdict, why this rule, the failure in its lines, what
the locator set aside and why, and what to do about it. Plain text when colour is off."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional

from rich.syntax import Syntax
from rich.text import Text

from philly_triage._internal.analysis.explain import OTHER_FILE, Candidate, ExcerptRow, Explanation, RuleMatch
from philly_triage._internal.pipeline.locate import CHOSEN
from philly_triage.models import Status
from philly_triage._internal.output.views.rules import highlight_regex, shown_source

if TYPE_CHECKING:
    from rich.console import Console

LEXER = "pytb"  # Pygments' Python traceback lexer, which rich ships
VERDICT_STYLES = {CHOSEN: "bold red", OTHER_FILE: "red", "noise": "dim", "survived": "green"}


def render_explanation(explanation: Explanation, console: Console, color: bool) -> None:
    _verdict(explanation, console)
    _rule(explanation, console)
    _excerpt(explanation, console, color)
    _candidates(explanation, console)
    _stage(explanation, console)
    _advice(explanation, console)
    for note in dict.fromkeys(explanation.record.notes + explanation.notes):
        console.print(Text.assemble(("note: ", "yellow"), note))


def _heading(console: Console, title: str) -> None:
    console.print()
    console.print(Text(title, style="bold underline"))


def _field(console: Console, name: str, value, style: str = "") -> None:
    console.print(Text.assemble((f"{name + ':':<11}", "bold"), (value, style) if isinstance(value, str) else value))


def _verdict(explanation: Explanation, console: Console) -> None:
    record = explanation.record
    _field(console, "job", record.job)
    if record.status is Status.CLASSIFIED:
        _field(console, "verdict", Text.assemble((record.category, "bold cyan"), f"  ({record.dimension})"))
    elif record.status is Status.UNCLASSIFIED:
        _field(console, "verdict", "unclassified: a failure no rule of the catalogue knows", "bold yellow")
    elif record.status is Status.ERROR:
        _field(console, "verdict", "error: triage could not reach a verdict", "bold red")
    else:
        _field(console, "verdict", "no failure found: nothing in the logs ended the job", "bold green")
    if record.file is not None:
        _field(console, "at", f"{record.file}:{record.line}" if record.line is not None else record.file)
        _field(console, "failure", record.message or "")
        if record.exception:
            _field(console, "exception", record.exception)
    if record.reason:
        _field(console, "why", record.reason)
    if record.exit_code is not None:
        _field(console, "exit", f"code {record.exit_code}, read from {record.exit_source}")
    if len(explanation.files) > 1:
        _field(console, "files", ", ".join(explanation.files))


def _rule(explanation: Explanation, console: Console) -> None:
    record = explanation.record
    if record.status is Status.NO_FAILURE:
        return
    _heading(console, "Why this rule")
    match = explanation.match
    if match is None:
        console.print("No rule of the catalogue matched the failure line, the lines printed with it or its exception "
                      "type: write one with 'triage cluster --suggest' or by hand.")
        return
    _field(console, "rule", Text.assemble((match.rule.id, "bold"), f"  {shown_source(match.rule)}"))
    _field(console, "matched", _evidence(match))
    if explanation.other_matches:
        console.print(Text("also matched, and lost:", style="bold"))
        for other in explanation.other_matches:
            console.print(Text.assemble("  - ", (other.rule.id, "bold"), " ", _evidence(other)))
            console.print(Text(f"      {other.lost}", style="dim"))


def _evidence(match: RuleMatch) -> Text:
    what = highlight_regex(match.evidence) if match.strength > 1 else Text(match.evidence, style="bold")
    kind = "pattern " if match.strength > 1 else "exception type "
    return Text.assemble(kind, what, f"  on {match.where} (strength {match.strength})")


def _excerpt(explanation: Explanation, console: Console, color: bool) -> None:
    rows = explanation.excerpt
    if not rows:
        return
    record = explanation.record
    _heading(console, f"The failure in its log  ({record.file}, lines {rows[0].line}-{rows[-1].line})")
    if color:
        code = "\n".join(row.text for row in rows)
        console.print(Syntax(code, LEXER, line_numbers=True, start_line=rows[0].line, word_wrap=True,
                             highlight_lines={record.line}, background_color="default"))
        return
    width = len(str(rows[-1].line))
    for row in rows:
        console.print(_plain_row(row, width))


def _plain_row(row: ExcerptRow, width: int) -> Text:
    return Text(f"{'>' if row.failure else ' '} {row.line:>{width}} | {row.text}")


def _candidates(explanation: Explanation, console: Console) -> None:
    shown = explanation.candidates
    if not shown:
        return
    set_aside = sum(1 for c in shown if c.seen.verdict != CHOSEN)
    total = set_aside + explanation.left_out
    count = f"{total} set aside" + (f"; the {set_aside} nearest the failure shown, "
                                    f"{explanation.left_out} left out (--all-candidates shows them)"
                                    if explanation.left_out else "")
    if explanation.record.status is Status.NO_FAILURE:
        _heading(console, f"Why none of these ended the job  ({count})")
    else:
        _heading(console, f"What the locator considered  ({count})")
    several = len(explanation.files) > 1
    for candidate in shown:
        console.print(_candidate(candidate, several))
        console.print(Text(f"      {candidate.seen.reason}", style="dim"))


def _candidate(candidate: Candidate, several: bool) -> Text:
    seen = candidate.seen
    where = f"{os.path.basename(candidate.file)}:{seen.line}" if several else f"line {seen.line}"
    verdict = seen.verdict.replace("_", " ")
    style = VERDICT_STYLES.get(seen.verdict, "yellow")
    return Text.assemble(f"  {where:<14} ", (f"{verdict:<11}", style), f" {seen.kind:<9} ", _short(seen.text))


def _short(text: str, most: int = 160) -> str:
    return text if len(text) <= most else text[: most - 3] + "..."


def _advice(explanation: Explanation, console: Console) -> None:
    record = explanation.record
    if record.status is Status.NO_FAILURE:
        return
    _heading(console, "What to do")
    if record.hint:
        _field(console, "hint", record.hint)
    if record.retry:
        _field(console, "retry", Text.assemble((record.retry, "bold"), f": {explanation.advice}"))


def _stage(explanation: Explanation, console: Console) -> None:
    """When in the job's life it failed, and what the failed run cost."""
    record = explanation.record
    if record.status is Status.NO_FAILURE:
        return
    _heading(console, "When it failed")
    _field(console, "stage", record.stage or "unknown")
    mark = explanation.stage_mark
    if mark is not None and mark.text:
        where = mark.file if mark.line is None else f"{mark.file}:{mark.line}"
        _field(console, "marker", Text.assemble((where, "dim"), "  ", mark.text))
    elif record.stage == "initialisation":
        _field(console, "marker", "none before the failure: no training step, validation or evaluation had begun")
    _field(console, "cost", _cost(record.gpu_hours, record.retries))
    cost = explanation.cost
    if cost is not None and cost.hours is not None and cost.gpus is not None:
        _field(console, "from", f"{cost.gpus} GPUs x {cost.hours:g} h ({cost.source})")


def _cost(gpu_hours: Optional[float], retries: Optional[int]) -> str:
    cost = "unknown GPU hours" if gpu_hours is None else f"{gpu_hours:.2f} GPU hours"
    if retries is None:
        return cost
    return f"{cost}, after {retries} earlier {'run' if retries == 1 else 'runs'}"
