"""The article in a fetched web page, with trafilatura: text, title, date, author, site.

Navigation, footers, related links and comments are left out; what remains is the text a
reader came for, one paragraph per block, separated by blank lines as in our other input.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from statements.textio import MAX_HTML_DEPTH, BadArticle, decode_text, html_depth

_LINE_BREAKS = re.compile(r"[ \t]*\n[ \t\n]*")
# Paragraphs that are page furniture left inside the article's container.
MIN_WORDS = 20
_FURNITURE = frozenset({"advertisement", "advert", "ad", "sponsored", "sponsored content"})


@dataclass(frozen=True, slots=True)
class WebArticle:
    title: str
    body: str
    published: dt.date | None
    author: str
    site_name: str
    canonical_url: str


def _decode(content: bytes, charset: str | None) -> str:
    if charset:
        try:
            return content.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return decode_text(content)
    except BadArticle:
        # Pages in 8-bit encodings usually say so in a <meta charset>, which trafilatura
        # reads from the bytes.
        return ""


def extract_article(*, content: bytes, url: str, charset: str | None = None) -> WebArticle:
    """The article of an HTML page fetched from `url`; BadArticle when there is none."""
    import trafilatura

    html = _decode(content, charset)
    if html and html_depth(html) > MAX_HTML_DEPTH:
        raise BadArticle(
            f"HTML nested more than {MAX_HTML_DEPTH} elements deep; this is not an article page"
        )
    document = trafilatura.bare_extraction(
        html or content,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        # No `deduplicate`: its cache lives across calls, so a paragraph seen in an earlier
        # page (a re-sent story, a quote repeated by another outlet) would be dropped.
        # Dates from the page's markup, not guessed from the text: a copyright year in
        # the footer is not a publication date.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = (getattr(document, "text", None) or "").strip() if document is not None else ""
    if len(text.split()) < MIN_WORDS:
        raise BadArticle("no article text found on the page")
    paragraphs = [p.strip() for p in _LINE_BREAKS.split(text)]
    body = "\n\n".join(p for p in paragraphs if p and p.casefold() not in _FURNITURE)
    title = (document.title or "").strip() or body.split("\n", 1)[0].strip()
    return WebArticle(
        title=title[:500],
        body=body,
        published=_date(document.date),
        author=(document.author or "").strip()[:200],
        site_name=(document.sitename or "").strip()[:200],
        canonical_url=(document.url or "").strip()[:1000],
    )


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
