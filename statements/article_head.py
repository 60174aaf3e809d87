"""The head of an article's text: a repeated headline, the byline and the dateline.

Pages and wire copy open with the headline again, "By <name>" and "CITY, Month D
(Agency) -". Kept in the body they show twice on the article page and are read by the
pipeline as prose. They are split off *before* the body is stored, since statement offsets
point into the stored body.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from statements.textio import content_hash

# "By Jane Doe", "By Jane Doe and John Roe, Courier", "BY JANE DOE": a short line of names.
_BYLINE = re.compile(
    r"^(?:by|from)\s+(?P<names>[^\W\d_][\w.'’-]*(?:[ ,]+(?:and\s+|&\s+)?[^\W\d_][\w.'’-]*){0,9})"
    r"\s*$",
    re.IGNORECASE,
)
# "VIENNA, March 14 (Courier) - ", "UNITED NATIONS (AP) — ", "GENEVA — ", "Kyiv, Ukraine —":
# a place in capitals (or capitalised words before a dash), optional date and agency, a dash.
_MONTH = (
    r"(?:\d{1,2}\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?(?:\s+\d{1,2})?"
    r"(?:,?\s+\d{4})?"
)
_DATELINE = re.compile(
    r"(?P<dateline>"
    r"(?:[A-Z][A-Z.'’-]{2,}(?:\s+[A-Z][A-Z.'’-]+){0,3})"  # PLACE in capitals
    r"(?:,\s+[A-Z][a-zA-Z.]+(?:\s+[A-Z][a-zA-Z.]+)?)?"  # , Region
    rf"(?:,\s+{_MONTH})?"  # , Month D
    r"(?:\s+\([A-Za-z][\w .&-]{0,40}\))?"  # (Agency)
    r")\s*(?:[-–—]{1,2}|:)\s+(?=\S)"
)
_PARAGRAPH = re.compile(r"\S[\s\S]*?(?=\r?\n[ \t\r]*\n|\Z)")
_MAX_BYLINE = 160


@dataclass(frozen=True, slots=True)
class ArticleHead:
    body: str
    byline: str = ""  # the names, without "By"
    dateline: str = ""


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def stored_hash(*, title: str, body: str) -> str:
    """The content hash an article with this title and text is stored under."""
    return content_hash(split_head(title=title, body=body).body)


def split_head(*, title: str, body: str) -> ArticleHead:
    """The body without a leading copy of `title`, a byline paragraph and a dateline, with
    the byline and dateline returned apart. Text that is not clearly one of these stays."""
    rest = body
    byline = dateline = ""
    first = _PARAGRAPH.search(rest)
    if first and title.strip() and _norm(first.group()) == _norm(title):
        rest = rest[first.end() :]
        first = _PARAGRAPH.search(rest)
    if first:
        line = first.group().strip()
        match = _BYLINE.match(line)
        if match and len(line) <= _MAX_BYLINE:
            byline = match.group("names").strip()
            rest = rest[first.end() :]
            first = _PARAGRAPH.search(rest)
    if first:
        match = _DATELINE.match(rest, first.start())
        if match:
            dateline = match.group("dateline").strip()
            rest = rest[match.end() :]
    rest = rest.lstrip()
    if not rest.strip():
        # Nothing but a head: keep the text as it came rather than store an empty body.
        return ArticleHead(body=body)
    return ArticleHead(body=rest, byline=byline, dateline=dateline)
