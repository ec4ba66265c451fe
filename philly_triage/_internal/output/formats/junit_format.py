"""JUnit XML: one test case per job, for the test report views of GitLab, Jenkins and the like.

A job's failure is a ``<failure>``, a job triage could not read an ``<error>``, a failure that
--ignore names a ``<skipped>``, and a job without a failure passes. GitLab and Jenkins group test
cases by ``classname``: ``triage.<dimension>`` for a classified job, ``triage.<status>`` for the
others. Both count the child elements rather than read the count attributes, and GitLab shows the
element text but not the ``message`` attribute, so the text repeats the headline. A run that a
signal stopped ends with one more test case, ``interrupted``, in error, so that the report can
never pass for a whole run; the suite's properties name the signal.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Optional

from philly_triage._internal.output.formats.base import Formatter, Interruption
from philly_triage._internal.output.formats.table import where
from philly_triage.models import FailureRecord, Status

SUITE = "triage"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters XML 1.0 cannot hold at all, not even as character references; logs do contain them.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REPLACEMENT = "\ufffd"
COUNT_ATTRIBUTES = {"failure": "failures", "error": "errors", "skipped": "skipped"}
DETAIL_FIELDS = ("exception", "evidence", "hint")


def xml_safe(text: str) -> str:
    """The text with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return NOT_XML.sub(REPLACEMENT, text)


def outcome(record: FailureRecord) -> Optional[str]:
    """The element a job's test case holds: failure, error or skipped; None for a pass."""
    if record.status is Status.NO_FAILURE:
        return None
    if record.status is Status.ERROR:
        return "error"
    return "skipped" if record.ignored else "failure"


def classname(record: FailureRecord) -> str:
    if record.status is Status.CLASSIFIED:
        return f"{SUITE}.{record.dimension}"
    return f"{SUITE}.{record.status.value}"


def headline(record: FailureRecord) -> str:
    """'category (dimension): message' for a classified failure, 'unclassified failure: message' otherwise."""
    what = f"{record.category} ({record.dimension})" if record.status is Status.CLASSIFIED else "unclassified failure"
    return f"{what}: {record.message or ''}"


def details(record: FailureRecord) -> str:
    """The readable block of a failure: headline, where in the job, exception, evidence and hint."""
    lines = [headline(record)]
    if record.file is not None:
        lines.append(f"where: {where(record)}")
    lines.extend(f"{name}: {getattr(record, name)}" for name in DETAIL_FIELDS if getattr(record, name))
    return "\n".join(lines)


def testcase(record: FailureRecord) -> ET.Element:
    """One job's test case, with its failure, error or skipped element and its notes."""
    case = ET.Element("testcase", name=record.job, classname=classname(record))
    if record.file is not None:
        case.set("file", record.file)
    kind = outcome(record)
    if kind == "error":
        ET.SubElement(case, "error", type="error", message=record.reason or "").text = record.reason
    elif kind == "skipped":
        ignored = f"ignored: {record.category or record.status.value}"
        ET.SubElement(case, "skipped", message=ignored).text = details(record)
    elif kind == "failure":
        failure = ET.SubElement(case, "failure", type=record.category or record.status.value, message=headline(record))
        failure.text = details(record)
    if record.notes:
        ET.SubElement(case, "system-out").text = "\n".join(record.notes)
    return case


def counts(records: list[FailureRecord], interrupted: bool = False) -> dict[str, str]:
    """The tests, failures, errors and skipped attributes of the suite (with the interruption's case)."""
    outcomes = Counter(outcome(r) for r in records)
    outcomes["error"] += interrupted
    attributes = {"tests": str(len(records) + interrupted)}
    attributes.update({name: str(outcomes[kind]) for kind, name in COUNT_ATTRIBUTES.items()})
    return attributes


def interrupted_case(interruption: Interruption) -> ET.Element:
    """The test case that says a signal stopped the run, and how far it got."""
    case = ET.Element("testcase", name="interrupted", classname=f"{SUITE}.interrupted")
    text = interruption.describe()
    ET.SubElement(case, "error", type="interrupted", message=text).text = text
    return case


def interruption_properties(suite: ET.Element, interruption: Interruption) -> None:
    properties = suite.find("properties")
    if properties is None:
        properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name=f"{SUITE}.interrupted", value=interruption.signal)
    done = str(interruption.done) if interruption.total is None else f"{interruption.done} of {interruption.total}"
    ET.SubElement(properties, "property", name=f"{SUITE}.jobs_done", value=done)


def hidden_properties(suite: ET.Element, hidden: Counter) -> None:
    """Say in the suite's properties how many records the run left out, by why (e.g. baseline)."""
    if not hidden:
        return
    properties = ET.SubElement(suite, "properties")
    for why, count in sorted(hidden.items()):
        ET.SubElement(properties, "property", name=f"{SUITE}.hidden.{why}", value=str(count))


def make_xml_safe(root: ET.Element) -> None:
    """Clean every text and attribute value of the tree, so that the document always parses."""
    for element in root.iter():
        if element.text:
            element.text = xml_safe(element.text)
        for key, value in element.attrib.items():
            element.set(key, xml_safe(value))


class JunitFormatter(Formatter):
    """Buffers the records and writes one ``<testsuites>`` document at the end."""

    def finish(self) -> None:
        totals = counts(self.records, interrupted=self.interruption is not None)
        root = ET.Element("testsuites", name=SUITE, **totals)
        suite = ET.SubElement(root, "testsuite", name=SUITE, **totals)
        hidden_properties(suite, self.hidden)
        if self.interruption is not None:
            interruption_properties(suite, self.interruption)
        suite.extend(testcase(record) for record in self.records)
        if self.interruption is not None:
            suite.append(interrupted_case(self.interruption))
        make_xml_safe(root)
        ET.indent(root)
        self.stream.write(DECLARATION + ET.tostring(root, encoding="unicode") + "\n")
