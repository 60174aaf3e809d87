"""The pieces of an interrupted quote: the speaker's words, and the narration between them.

`"We never will," the minister said. "But we will talk."` is one statement whose text runs
from the first quoted word to the last; its `fragments` are the offsets of the quoted
pieces. The words between two pieces ("the minister said.") are the reporter's, shown
muted and left out of exports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

# Put between the speaker's pieces when they are read as one text (exports).
PIECE_JOINER = " … "


# Quotation marks and spaces around the narration: pages put their own marks around the
# speaker's pieces.
_AROUND_NARRATION = ' \t\r\n\u00a0"“”„‟«»‘’'


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    said: bool  # the speaker's words (True) or the narration that interrupts them (False)


def _spans(text: str, start: int, fragments: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """The fragments relative to `text`, when they are usable: at least two, in order, not
    overlapping, from its first character to its last. Otherwise none: a statement whose
    span staff have since corrected reads whole rather than losing words."""
    spans = sorted((f[0] - start, f[1] - start) for f in fragments if len(f) == 2)
    if len(spans) < 2 or spans[0][0] != 0 or spans[-1][1] != len(text):
        return []
    if any(s >= e for s, e in spans) or any(a[1] > b[0] for a, b in pairwise(spans)):
        return []
    return spans


def _trimmed(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in _AROUND_NARRATION:
        a += 1
    while b > a and text[b - 1] in _AROUND_NARRATION:
        b -= 1
    return a, b


def quote_pieces(*, text: str, start: int, fragments: Sequence[Sequence[int]]) -> list[Piece]:
    """`text` (the statement's words from offset `start`) as the speaker's pieces and the
    narration between them, without the quotation marks around the narration. Fragments
    that do not fit the text are ignored: a statement without two usable ones is one piece."""
    spans = _spans(text, start, fragments)
    if not spans:
        return [Piece(text, True)]
    pieces = [Piece(text[spans[0][0] : spans[0][1]], True)]
    for (_, gap_start), (s, e) in pairwise(spans):
        a, b = _trimmed(text, gap_start, s)
        if b > a:
            pieces.append(Piece(text[a:b], False))
        pieces.append(Piece(text[s:e], True))
    return pieces


def interruptions(
    *, text: str, start: int, fragments: Sequence[Sequence[int]]
) -> list[tuple[int, int]]:
    """Offsets (in the frame of `start`) of the narration between the speaker's pieces,
    quotation marks and spaces trimmed: the words the article page shows muted."""
    spans = _spans(text, start, fragments)
    gaps = (_trimmed(text, a, b) for (_, a), (b, _) in pairwise(spans))
    return [(a + start, b + start) for a, b in gaps if b > a]


def speaker_words(*, text: str, start: int, fragments: Sequence[Sequence[int]]) -> str:
    """The speaker's words only: the pieces joined with an ellipsis, narration left out."""
    pieces = quote_pieces(text=text, start=start, fragments=fragments)
    if len(pieces) == 1:
        return text
    return PIECE_JOINER.join(p.text.strip() for p in pieces if p.said)
