"""Print an Evaluation for a person: the overall figures, then what went wrong, most first."""

from __future__ import annotations

from typing import Iterable, Optional

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from philly_triage._internal.analysis.evaluate import Evaluation

CONFUSION_JOBS = 3  # job names shown per mistake or false alarm
LISTED_JOBS = 5  # names shown for missing and unlabelled jobs
LISTED_PLACES = 10  # wrong places shown
MESSAGE_WIDTH = 60


def render_evaluation(evaluation: Evaluation, console: Console) -> None:
    """Print the evaluation; plain aligned text when the console has no colour."""
    _overall(evaluation, console)
    _scores(evaluation, console)
    _mistakes(evaluation, console)
    _places(evaluation, console)
    _false_alarms(evaluation, console)
    _unmatched(evaluation, console)


def _overall(evaluation: Evaluation, console: Console) -> None:
    where = evaluation.localisation
    line = Text()
    line.append(f"Evaluated {_jobs(evaluation.total)} labelled in {evaluation.expectations}\n")
    line.append("accuracy ", style="bold")
    line.append(_fraction(evaluation.correct, evaluation.total, evaluation.accuracy))
    line.append("   localisation ", style="bold")
    line.append(_fraction(where.correct, where.total, where.ratio))
    console.print(line, highlight=False)


def _scores(evaluation: Evaluation, console: Console) -> None:
    table = _table("Per category")
    table.add_column("Label", no_wrap=True)
    for name in ("Precision", "Recall", "F1", "Support"):
        table.add_column(name, justify="right", no_wrap=True)
    for score in evaluation.labels:
        weak = score.f1 is not None and score.f1 < 1.0
        table.add_row(
            Text(score.label, style="yellow" if weak else ""),
            _score(score.precision), _score(score.recall), _score(score.f1), str(score.support),
        )
    _print_table(console, table, "No labelled jobs were evaluated.")


def _mistakes(evaluation: Evaluation, console: Console) -> None:
    table = _table("Mistakes (expected -> got)")
    table.add_column("Expected", no_wrap=True)
    table.add_column("Got", no_wrap=True, style="red")
    table.add_column("Count", justify="right", no_wrap=True)
    table.add_column("Jobs", overflow="fold")
    for entry in evaluation.confusion:
        table.add_row(Text(entry.expected), Text(entry.got), str(entry.count), Text(_names(entry.jobs, CONFUSION_JOBS)))
    _print_table(console, table, "No mistakes.")


def _places(evaluation: Evaluation, console: Console) -> None:
    wrong = evaluation.localisation.wrong
    if not wrong:
        return
    table = _table("Failure found at another place")
    table.add_column("Job", no_wrap=True, overflow="ellipsis", max_width=48)
    table.add_column("Expected", overflow="fold")
    table.add_column("Got", overflow="fold", style="red")
    for place in wrong[:LISTED_PLACES]:
        table.add_row(Text(place.job), Text(place.expected_place), Text(place.got_place or "(no failure line)"))
    _print_table(console, table, "")
    if len(wrong) > LISTED_PLACES:
        console.print(f"... and {len(wrong) - LISTED_PLACES} more", highlight=False)


def _false_alarms(evaluation: Evaluation, console: Console) -> None:
    table = _table("False alarms on no_failure jobs")
    table.add_column("Rule", no_wrap=True, style="red")
    table.add_column("Count", justify="right", no_wrap=True)
    table.add_column("Jobs", overflow="fold")
    table.add_column("Message", no_wrap=True, overflow="ellipsis", max_width=MESSAGE_WIDTH)
    for alarm in evaluation.false_alarms:
        jobs = [job.job for job in alarm.jobs]
        table.add_row(
            Text(alarm.rule), str(len(jobs)), Text(_names(jobs, CONFUSION_JOBS)), Text(alarm.jobs[0].message or "")
        )
    _print_table(console, table, "No false alarms on no_failure jobs.")


def _unmatched(evaluation: Evaluation, console: Console) -> None:
    _name_list(console, evaluation.missing, "expected but not found among the paths")
    _name_list(console, evaluation.unlabelled, "without an expectation (not counted)")
    _name_list(console, evaluation.duplicates, "seen more than once (counted once)")


def _name_list(console: Console, names: tuple[str, ...], what: str) -> None:
    if not names:
        return
    line = Text()
    line.append(f"{_jobs(len(names))} {what}: ", style="yellow")
    line.append(_names(names, LISTED_JOBS))
    console.print(line, highlight=False)


def _table(title: str) -> Table:
    # One rule under the header and no frame: it reads the same with and without colour.
    return Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")


def _print_table(console: Console, table: Table, empty: str) -> None:
    # Cells are Text, not markup strings: job names and log messages may hold "[...]".
    # The title goes on its own line, as a table title would wrap to the table's width.
    title = Text(f"{table.title}", style="bold")
    table.title = None
    console.print()
    if table.row_count:
        console.print(title, highlight=False)
        console.print(table, highlight=False)
    else:
        console.print(title + Text(f": {empty}"), highlight=False)


def _names(names: Iterable[str], limit: int) -> str:
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown}, ... (+{len(names) - limit} more)"


def _jobs(count: int) -> str:
    return f"{count} job" if count == 1 else f"{count} jobs"


def _score(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.2f}"


def _fraction(part: int, whole: int, ratio: Optional[float]) -> str:
    return f"{part}/{whole} = " + ("-" if ratio is None else f"{ratio:.1%}")
