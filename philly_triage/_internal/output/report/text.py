"""How the report writes its figures and the text it takes from logs: hours, counts, plurals, clipped lines.

The templates use these as filters and globals (see page.py), and the charts use them to write
their figures, so a number reads the same in a chart, the summary and the jobs table.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from markupsafe import Markup, escape

MAX_CHARS = 500  # of one log line or failure message on the page
# C0 and C1 control characters (but tab and newline) are not text; a page shows them as U+FFFD.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Where a name or path may wrap: after a separator that a word follows. Applied to escaped text,
# whose entities (&amp; &lt; &#39;) hold none of these characters.
SEPARATOR = re.compile(r"(?<=[/\\_.-])(?=[^\s/\\_.-])")


def printable(value: Any) -> Any:
    """A text with every control character (but tab and newline) shown as U+FFFD. Markup (a str
    subclass: the page's own style and script, a macro's output) and numbers are left as they are."""
    return CONTROL.sub("\ufffd", value) if type(value) is str else value


def breakable(value: Any) -> Markup:
    """A job name or path, escaped, that may wrap after ``/``, ``\\``, ``-``, ``_`` and ``.`` (a
    ``<wbr>`` after each), never inside a word: ``sample_logs/<wbr>criteo-<wbr>dlrm``."""
    return Markup(SEPARATOR.sub("<wbr>", str(escape(printable(str(value))))))


def clip(text: str, most: int = MAX_CHARS) -> str:
    """At most ``most`` characters: a longer text loses its end to an ellipsis."""
    return text if len(text) <= most else text[: most - 1] + "\u2026"


def hours(value: Optional[float]) -> str:
    """GPU hours with two decimals; nothing when they are not known."""
    if value is None:
        return ""
    return "<0.01" if 0 < value < 0.005 else f"{value:,.2f}"  # a short run's hours are not nothing


def count(value: int) -> str:
    """A count with thousands separators: 12,345."""
    return f"{value:,}"


def plural(number: int, one: str, many: Optional[str] = None) -> str:
    """``one`` for one thing, else ``many`` (by default ``one`` + s)."""
    return one if number == 1 else (many or one + "s")
