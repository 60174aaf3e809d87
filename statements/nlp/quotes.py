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


class _Scanner:
    """Reads the marks and newlines of a text in order, pairing opening and closing marks."""

    def __init__(self, text: str):
        self.text = text
        self.spans: list[QuoteSpan] = []
        self.open_at: int | None = None  # opening double mark of the quote being read
        self.paragraphs = 1
        self.skip: int | None = None  # a repeated opener expected at the next paragraph
        self.last_newline = -1
        self.single_at: int | None = None  # British-style ‘...’ quote being read

    def run(self) -> list[QuoteSpan]:
        for m in _EVENT.finditer(self.text):
            i = m.start()
            ch = self.text[i]
            if self._single(i, ch):
                continue
            if ch == "\n":
                self._newline(i)
            else:
                self._double(i)
        if self.open_at is not None:
            self._emit(len(self.text), None)
        return self.spans

    def _emit(self, end: int, close: int | None) -> None:
        assert self.open_at is not None
        s, e = _trim(self.text, self.open_at + 1, end)
        if e > s:
            self.spans.append(QuoteSpan(self.open_at, close, s, e, self.paragraphs))

    def _single(self, i: int, ch: str) -> bool:
        """Single marks outside double quotes; True when the event needs nothing more."""
        reading_single = ch == "\n" and self.single_at is not None
        if ch not in (SINGLE_OPEN, SINGLE_CLOSE) and not reading_single:
            self.single_at = None  # a double mark: the single one was an apostrophe after all
            return False
        if self.open_at is not None:
            return True  # single marks inside a double quote are a quote within the quote
        text = self.text
        if ch == "\n":
            self.single_at = None  # unbalanced single marks are dropped: apostrophes look alike
            return False
        if ch == SINGLE_OPEN and _role(text, i) != "close":
            self.single_at = i
        elif ch == SINGLE_CLOSE and self.single_at is not None and _closes_single(text, i):
            s, e = _trim(text, self.single_at + 1, i)
            if e > s:
                self.spans.append(QuoteSpan(self.single_at, i, s, e, 1))
            self.single_at = None
        return True

    def _newline(self, i: int) -> None:
        if i == self.last_newline + 1:  # runs of blank lines: handled at the first newline
            self.last_newline = i
            return
        self.last_newline = i
        if self.open_at is None or self.skip is not None:
            return
        nxt = _next_paragraph_opener(self.text, i)
        if nxt is not None:
            self.skip = nxt  # the quote goes on in the next paragraph
            self.paragraphs += 1
        else:
            self._emit(i, None)
            self.open_at = None

    def _double(self, i: int) -> None:
        if i == self.skip:
            self.skip = None
            return
        self.skip = None  # a mark before the expected repeated opener: give up the run
        role = _role(self.text, i)
        if self.open_at is None:
            if role != "close":
                self.open_at, self.paragraphs = i, 1
        elif role != "open":
            self._emit(i, i)
            self.open_at = None
        else:
            self._emit(i, None)  # a new opening mark: the previous quote was never closed
            self.open_at, self.paragraphs = i, 1


def scan_quotes(text: str) -> list[QuoteSpan]:
    """All quoted passages of `text`, in order, as content spans (marks excluded)."""
    return _Scanner(text).run()
