"""Quotation-mark scanning over raw text (no spaCy): pairs opening and closing marks.

Handles straight and curly marks, guillemets, unbalanced marks (closed at the end of the
paragraph or at the next opening mark) and quotes running over several paragraphs where
the opening mark is repeated at the start of each paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENERS = "“„‟«"
CLOSERS = "”»"
STRAIGHT = '"'
MARKS = OPENERS + CLOSERS + STRAIGHT
_EVENT = re.compile(r'["“”„‟«»‘’]|\n')
SINGLE_OPEN, SINGLE_CLOSE = "‘", "’"
_OPEN_CONTEXT = set(" \t\r\n([{–—-/\u00a0\u2028\u2029") | set(OPENERS)
_CLOSE_CONTEXT = set(" \t\r\n)]}.,;:!?–—-/\u00a0\u2028\u2029") | set(CLOSERS)


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    open: int  # index of the opening mark
    close: int | None  # index of the closing mark, None when unbalanced
    start: int  # content start (after the mark, spaces skipped)
    end: int  # content end (exclusive)
    paragraphs: int = 1  # number of paragraphs the quote runs over

    def words(self, text: str) -> int:
        return len(text[self.start : self.end].split())


def _role(text: str, i: int) -> str:
    ch = text[i]
    if ch in OPENERS:
        return "open"
    if ch in CLOSERS:
        return "close"
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    opens = before in _OPEN_CONTEXT and not after.isspace()
    closes = after in _CLOSE_CONTEXT and not before.isspace()
    if opens and not closes:
        return "open"
    if closes and not opens:
        return "close"
    return "either"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _next_paragraph_opener(text: str, i: int) -> int | None:
    """Index of an opening mark that starts the paragraph after the newline at i, if any."""
    n = len(text)
    j = i
    while j < n and text[j].isspace():
        j += 1
    if j < n and (text[j] in OPENERS or (text[j] == STRAIGHT and _role(text, j) != "close")):
        return j
    return None


def _closes_single(text: str, i: int) -> bool:
    """’ closes a single-quoted passage unless it is an apostrophe inside a word (don’t)."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and not after.isalnum()


def scan_quotes(text: str) -> list[QuoteSpan]:
    """All quoted passages of `text`, in order, as content spans (marks excluded)."""
    spans: list[QuoteSpan] = []
    open_at: int | None = None
    paragraphs = 1
    skip: int | None = None
    last_newline = -1

    def emit(end: int, close: int | None) -> None:
        assert open_at is not None
        s, e = _trim(text, open_at + 1, end)
        if e > s:
            spans.append(QuoteSpan(open_at, close, s, e, paragraphs))

    single_at: int | None = None  # British-style ‘...’ quote being read (outside doubles)

    for m in _EVENT.finditer(text):
        i = m.start()
        ch = text[i]
        if ch in (SINGLE_OPEN, SINGLE_CLOSE) or (ch == "\n" and single_at is not None):
            if open_at is not None:
                continue  # single marks inside a double quote are a quote within the quote
            if ch == "\n":
                single_at = None  # unbalanced single marks are dropped: apostrophes look alike
            elif ch == SINGLE_OPEN and _role(text, i) != "close":
                single_at = i
            elif ch == SINGLE_CLOSE and single_at is not None and _closes_single(text, i):
                s, e = _trim(text, single_at + 1, i)
                if e > s:
                    spans.append(QuoteSpan(single_at, i, s, e, 1))
                single_at = None
            if ch != "\n":
                continue
        elif single_at is not None:
            single_at = None  # a double mark: the single one was an apostrophe after all
        if ch == "\n":
            if i == last_newline + 1:  # runs of blank lines: handled at the first newline
                last_newline = i
                continue
            last_newline = i
            if open_at is not None and skip is None:
                nxt = _next_paragraph_opener(text, i)
                if nxt is not None:
                    skip = nxt  # the quote goes on in the next paragraph
                    paragraphs += 1
                else:
                    emit(i, None)
                    open_at = None
            continue
        if i == skip:
            skip = None
            continue
        if skip is not None:  # a mark before the expected repeated opener: give up the run
            skip = None
        role = _role(text, i)
        if open_at is None:
            if role != "close":
                open_at, paragraphs = i, 1
        elif role != "open":
            emit(i, i)
            open_at = None
        else:
            emit(i, None)  # a new opening mark: the previous quote was never closed
            open_at, paragraphs = i, 1
    if open_at is not None:
        emit(len(text), None)
    return spans
