"""Group failures no rule knows by the template of their message, largest group first.

Each failure message is first written in the one wording data/wordings.yaml gives its failure
(``wordings.canonical``: a shell's, faulthandler's and an interactive shell's report of one
segfault are all ``Segmentation fault``), then masked (``masking.mask`` with quoted names:
numbers, paths, ids, shapes, quoted names and times become ``<n>``, ``<path>``, ...). The masked messages then go to
Drain (the Drain3 library's fixed-depth parse tree), which merges templates that differ in a few
tokens and marks those tokens ``<*>``. Messages are fed in a sorted order and groups are sorted
by size and template, so the same failures always give the same groups in the same order,
whatever order the jobs came in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

import regex

from philly_triage._internal.analysis.wordings import canonical
from philly_triage._internal.pipeline.masking import mask
from philly_triage.models import FailureRecord, Status

PLACEHOLDER = regex.compile(r"<[a-z*]+>")  # a masked or wildcard token
SIMILARITY = 0.4  # Drain's threshold: the share of tokens two messages must share to be one template
DEPTH = 4  # Drain's parse-tree depth (it matches on the first DEPTH - 2 tokens before comparing)
MAX_CHILDREN = 100
# Drain only compares messages of the same number of tokens. Two of its templates are one when
# they begin alike: a shared first part of at least MIN_PREFIX tokens, PREFIX_SHARE of the shorter
# template and MIN_WORDS literal words, e.g. a crash line followed by two different commands, or
# an error printed with and without the path it concerns.
MIN_PREFIX = 4
PREFIX_SHARE = 0.6
MIN_WORDS = 3


class ClusterUnavailable(RuntimeError):
    """Drain3 is not installed."""


@dataclass(frozen=True)
class Member:
    """One failed job in a group: where its failure is and what it says."""

    job: str
    file: Optional[str]
    line: Optional[int]
    message: str
    category: Optional[str] = None  # the category a rule gave it (only with --all)

    def to_dict(self) -> dict:
        return {"job": self.job, "file": self.file, "line": self.line, "message": self.message,
                "category": self.category}


@dataclass(frozen=True)
class Cluster:
    """Failures with one message template."""

    template: str
    members: tuple[Member, ...]

    @property
    def count(self) -> int:
        return len(self.members)

    def examples(self, most: int) -> tuple[Member, ...]:
        """Up to ``most`` members with different messages, in member order."""
        seen: dict[str, Member] = {}
        for member in self.members:
            seen.setdefault(member.message, member)
        return tuple(seen.values())[:most]


def members_of(records: Iterable[FailureRecord], include_classified: bool = False) -> list[Member]:
    """The failed jobs to group: unclassified ones, and classified ones too when asked."""
    wanted = {Status.UNCLASSIFIED} | ({Status.CLASSIFIED} if include_classified else set())
    return [
        Member(r.job, r.file, r.line, r.message, r.category)
        for r in records if r.status in wanted and r.message
    ]


def cluster(members: Iterable[Member]) -> list[Cluster]:
    """Group ``members`` by template: largest group first, then by template; members by job."""
    miner = _template_miner()
    keyed = sorted(((mask(canonical(m.message), quoted=True), m) for m in members),
                   key=lambda pair: (pair[0], pair[1].job, pair[1].file or "", pair[1].line or 0))
    groups: dict[int, list[Member]] = {}
    for masked, member in keyed:
        cluster_id = miner.add_log_message(masked)["cluster_id"]
        groups.setdefault(cluster_id, []).append(member)
    templates = {c.cluster_id: c.get_template() for c in miner.drain.clusters}
    drained = sorted(
        ((templates[cluster_id], found) for cluster_id, found in groups.items()), key=lambda pair: pair[0]
    )
    clusters = [
        Cluster(template, tuple(sorted(found, key=lambda m: (m.job, m.file or "", m.line or 0))))
        for template, found in _merge_by_prefix(drained)
    ]
    return sorted(clusters, key=lambda c: (-c.count, c.template))


def _merge_by_prefix(drained: list[tuple[str, list[Member]]]) -> list[tuple[str, list[Member]]]:
    """Join Drain's templates that begin alike (see MIN_PREFIX); the joined template is their
    common first part, followed by ``<*>`` where any of them goes on."""
    merged: list[tuple[list[str], list[Member]]] = []
    for template, found in drained:
        tokens = template.split()
        for index, (other, members) in enumerate(merged):
            prefix = _common_prefix(tokens, other)
            if _begins_alike(prefix, tokens, other):
                goes_on = len(prefix) < max(len(tokens), len(other)) and prefix[-1:] != ["<*>"]
                merged[index] = (prefix + (["<*>"] if goes_on else []), members + found)
                break
        else:
            merged.append((tokens, list(found)))
    return [(" ".join(tokens), found) for tokens, found in merged]


def _common_prefix(first: list[str], second: list[str]) -> list[str]:
    length = 0
    for a, b in zip(first, second):
        if a != b:
            break
        length += 1
    return first[:length]


def _begins_alike(prefix: list[str], first: list[str], second: list[str]) -> bool:
    if prefix == first == second:
        return True
    words = sum(1 for token in prefix if not PLACEHOLDER.fullmatch(token))
    needed = max(MIN_PREFIX, PREFIX_SHARE * min(len(first), len(second)))
    return len(prefix) >= needed and words >= MIN_WORDS


def _template_miner():
    try:
        from drain3 import TemplateMiner
        from drain3.template_miner_config import TemplateMinerConfig
    except ImportError:
        raise ClusterUnavailable(
            "triage cluster needs the Drain3 library: pip install 'philly-triage[cluster]' (or pip install drain3)"
        ) from None
    config = TemplateMinerConfig()
    config.drain_sim_th = SIMILARITY
    config.drain_depth = DEPTH
    config.drain_max_children = MAX_CHILDREN
    config.masking_instructions = []  # masked already, by triage's own masks
    config.parametrize_numeric_tokens = True
    config.profiling_enabled = False
    return TemplateMiner(config=config)
