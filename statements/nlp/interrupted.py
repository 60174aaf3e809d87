"""The pieces of a quote interrupted by its attribution ('"A," she said. "B."').

Attribution joins such a quote into one statement running from the first quoted word to
the last; this finds the quoted pieces inside it, so that the words between them (the
reporter's) can be told apart from the speaker's.
"""

from __future__ import annotations

from bisect import bisect_left

from .quotes import scan_quotes
from .types import Annotation, TextSpan


def add_fragments(text: str, annotation: Annotation) -> Annotation:
    """Set `fragments` on each statement of `annotation` that is made of two or more
    quoted passages of `text`: exactly from the first one's first word to the last one's
    last. Other statements keep an empty list (one piece)."""
    spans = [(q.start, q.end) for q in scan_quotes(text)]
    starts = [s for s, _ in spans]
    for quote in annotation.quotes:
        i = bisect_left(starts, quote.start)
        inside = []
        while i < len(spans) and spans[i][1] <= quote.end:
            inside.append(spans[i])
            i += 1
        if len(inside) >= 2 and inside[0][0] == quote.start and inside[-1][1] == quote.end:
            quote.fragments = [TextSpan(s, e, text[s:e]) for s, e in inside]
    return annotation
