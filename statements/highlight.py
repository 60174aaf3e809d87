"""An article's text as HTML paragraphs with its statements marked in place.

Built from offsets, escaping every piece of the text: article text is never trusted.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Paragraphs are separated by a blank line (or more); single line breaks stay inside one.
PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


@dataclass(frozen=True, slots=True)
class Mark:
    """A span of the text to wrap in <mark>.

    A mark with an `anchor` (a statement) gets that id and a tab stop on its first piece, so
    `#q12` links land on it and keyboard users can focus it to see its label.
    """

    start: int
    end: int
    css_class: str
    label: str = ""  # shown on hover and focus, e.g. "Jens Stoltenberg (said)"
    anchor: str = ""  # element id, e.g. "q12"


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty paragraph of `text`."""
    spans, start = [], 0
    for match in PARAGRAPH_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _escape_lines(text: str) -> str:
    return "<br>\n".join(escape(line) for line in text.split("\n"))


def _wrap(mark: Mark, inner: str, *, first: bool) -> SafeString:
    attrs = format_html(' id="{}" tabindex="0"', mark.anchor) if first else ""
    if mark.label:
        attrs = format_html('{} title="{}" data-label="{}"', attrs, mark.label, mark.label)
    return format_html('<mark class="{}"{}>{}</mark>', mark.css_class, attrs, mark_safe(inner))


def highlight(text: str, marks: Sequence[Mark], *, hide_heading: str = "") -> SafeString:
    """`text` as <p> paragraphs with each mark wrapped in <mark>.

    Marks may overlap or nest and may run over paragraph breaks: they are cut into pieces
    at every boundary, and each piece is wrapped in the marks covering it, outermost
    first. Marks with offsets outside the text are ignored. A first paragraph equal to
    `hide_heading` (the title the page already shows) is left out when no mark touches it.
    """
    marks = [m for m in marks if 0 <= m.start < m.end <= len(text)]
    paragraphs = paragraph_spans(text)
    if paragraphs and hide_heading:
        start, end = paragraphs[0]
        if text[start:end].strip() == hide_heading.strip() and not any(
            m.start < end for m in marks
        ):
            paragraphs = paragraphs[1:]
    cuts = {0, len(text)}
    for m in marks:
        cuts.update((m.start, m.end))
    for s, e in paragraphs:
        cuts.update((s, e))
    cuts = sorted(cuts)
    # One sweep over the pieces in text order, keeping the marks that cover the current
    # one, rather than testing every mark against every piece: an article with thousands
    # of statements (a 1 MB paragraph has ~20,000) stays fast instead of taking minutes.
    by_start = sorted(marks, key=lambda m: m.start)
    next_mark = 0
    active: list[Mark] = []
    anchored: set[str] = set()
    html = []
    for p_start, p_end in paragraphs:
        pieces = []
        first, last = bisect_left(cuts, p_start), bisect_right(cuts, p_end)
        for start, end in zip(cuts[first:last], cuts[first + 1 : last], strict=False):
            while next_mark < len(by_start) and by_start[next_mark].start <= start:
                active.append(by_start[next_mark])
                next_mark += 1
            # Every mark ends on a cut, so one that has not ended by `start` covers the piece.
            active = [m for m in active if m.end > start]
            covering = sorted(active, key=lambda m: (m.start, -m.end))
            piece = _escape_lines(text[start:end])
            for m in reversed(covering):  # innermost first, so the outermost wraps all
                piece = _wrap(m, piece, first=bool(m.anchor) and m.anchor not in anchored)
                if m.anchor:
                    anchored.add(m.anchor)
            pieces.append(piece)
        html.append(format_html("<p>{}</p>", mark_safe("".join(pieces))))
    return mark_safe("\n".join(html))
