"""``triage cluster``: group the failures no rule knows by template, and draft rules for them."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from philly_triage._internal.catalogue.load import CatalogueError
from philly_triage._internal.analysis.cluster import ClusterUnavailable, cluster, members_of
from philly_triage._internal.cli import interrupts
from philly_triage._internal.cli.common import storage_option
from philly_triage._internal.cli.common import (
    EXIT_OK, catalogue_options, classify_all, color_option, fail, jobs_option, make_console, open_classifier,
    readable_text, reading_options, report_problems, use_color,
)
from philly_triage._internal.cli.scale import dask_option
from philly_triage._internal.output.formats.json_format import to_json
from philly_triage._internal.output.views.clusters import clusters_to_dict, render_clusters


@click.command("cluster")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str, readable=False))
@click.option("--all", "include_classified", is_flag=True,
              help="Group every failed job, classified ones too, not only the unclassified.")
@click.option("--format", "-f", "output_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A readable list of groups, or JSON.")
@click.option("--examples", "most", type=click.IntRange(min=1), default=3, show_default=True, metavar="N",
              help="Example jobs shown for each group (and match examples in each draft rule).")
@click.option("--suggest", "suggest_dir", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
              help="Write a draft rule file for each group into DIR, valid for 'triage rules check' and "
                   "'triage rules test' as written.")
@jobs_option
@reading_options
@catalogue_options
@storage_option
@color_option
@dask_option
def cluster_command(paths, include_classified, output_format, most, suggest_dir, processes, reading, rule_paths,
                    no_builtin_rules, color, dask) -> None:
    """Group the failed jobs under PATHS that no rule knows by the template of their failure message.

    Each job is classified as 'triage classify' would. The failure messages of the unclassified
    ones (of every failed one with --all) have their variable parts masked (numbers, hex ids,
    paths, URLs, quoted names, shapes, times) and are grouped by the Drain log template miner.
    Groups come largest first, each with its template, count, share and example jobs; the same
    input always gives the same groups in the same order.

    Exit status: 0 when the run completed (with or without groups), 2 for bad usage, a broken rule
    catalogue, a missing Drain3 library or a draft file that exists already.
    """
    classifier = open_classifier(rule_paths, no_builtin_rules, reading=reading)
    catalogue = classifier.catalogue
    records = classify_all(classifier, paths, processes, dask)
    members = members_of(records, include_classified)
    try:
        groups = cluster(members)
    except ClusterUnavailable as err:
        fail(str(err))
    drafts = []
    if suggest_dir is not None:
        from philly_triage._internal.rulecheck.drafts import write_drafts  # only --suggest loads the rule checker

        try:
            drafts = write_drafts(groups, catalogue, suggest_dir, most)
        except (FileExistsError, OSError) as err:
            fail(str(err))
        except CatalogueError as err:  # other, broken rule files in the --suggest directory
            report_problems(err.problems)
            fail(f"the rule files in {suggest_dir} do not load; draft into an empty directory")
    readable_text(sys.stdout, utf8=output_format == "json")
    if output_format == "json":
        document = clusters_to_dict(groups, len(records), len(members), most, drafts, suggest_dir)
        with interrupts.holding():  # a stop signal now ends the run once the document is whole
            click.echo(to_json(document, indent=2))
    else:
        console = make_console(sys.stdout, use_color(color, sys.stdout))
        render_clusters(groups, len(records), len(members), most, include_classified, console)
    drafted = {draft.template for draft in drafts}
    for rank, group in enumerate(groups, start=1):
        if suggest_dir is not None and group.template not in drafted:
            click.echo(f"triage: no draft for group #{rank}: its template has no literal word to key a rule on", err=True)
    for draft in drafts:
        examples = len(draft.examples)
        click.echo(f"triage: drafted {suggest_dir / (draft.rule_id + '.yaml')} "
                   f"({examples} {'example' if examples == 1 else 'examples'}, dimension {draft.dimension})", err=True)
    sys.exit(EXIT_OK)

