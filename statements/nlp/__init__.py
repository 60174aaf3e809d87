"""Quote attribution over spaCy: who said what, about which countries and topics.

Pure Python, no Django. Entry points: `annotate`, `annotate_many`, `get_nlp`,
`default_topics`, `iter_countries`, `country_table`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from .attribution import analyse
from .countries import country_table, iter_countries
from .interrupted import add_fragments
from .pipeline import get_nlp, split_parts
from .topic_tags import tag_topics
from .topics import TopicRule, default_topics
from .types import Annotation, QuoteAnnotation, SpeakerProfile, TextSpan

PIPELINE_VERSION = "nlp-3"

__all__ = [
    "PIPELINE_VERSION",
    "Annotation",
    "QuoteAnnotation",
    "SpeakerProfile",
    "TextSpan",
    "TopicRule",
    "annotate",
    "annotate_many",
    "country_table",
    "default_topics",
    "get_nlp",
    "iter_countries",
]


def _topics(topics: Sequence[TopicRule] | None) -> Sequence[TopicRule]:
    return default_topics() if topics is None else topics


def annotate(
    text: str, *, topics: Sequence[TopicRule] | None = None, model: str | None = None
) -> Annotation:
    """Statements, speakers, countries and topics of one text (offsets into `text` as given).
    `model` names the spaCy model (default: see `get_nlp`)."""
    nlp = get_nlp(model)
    rules = _topics(topics)
    pieces = split_parts(text)
    docs = nlp.pipe(text[s:e] for s, e in pieces)
    parts = [(doc, s) for doc, (s, _e) in zip(docs, pieces, strict=True)]
    # topics are tagged on the finished statements (passage fallback), not inside analyse
    annotation = tag_topics(nlp, text, parts, analyse(nlp, text, parts, ()), rules)
    return add_fragments(text, annotation)


def annotate_many(
    items: Iterable[tuple[str, Any]],
    *,
    topics: Sequence[TopicRule] | None = None,
    batch_size: int = 32,
    n_process: int = 1,
    model: str | None = None,
) -> Iterator[tuple[Annotation, Any]]:
    """Annotate (text, context) pairs as a stream, yielding (annotation, context) in order.

    Long texts are cut into parts that go through `nlp.pipe` with the others; the parts of
    a text are gathered again before analysis, so memory holds one text at a time.
    """
    nlp = get_nlp(model)
    rules = _topics(topics)
    texts: dict[int, tuple[str, Any, int]] = {}

    def parts() -> Iterator[tuple[str, tuple[int, int]]]:
        for n, (text, context) in enumerate(items):
            pieces = split_parts(text)
            texts[n] = (text, context, len(pieces))
            for s, e in pieces:
                yield text[s:e], (n, s)

    pending: list[tuple[Any, int]] = []
    for doc, (n, start) in nlp.pipe(
        parts(), as_tuples=True, batch_size=batch_size, n_process=n_process
    ):
        pending.append((doc, start))
        text, context, count = texts[n]
        if len(pending) == count:
            del texts[n]
            annotation = tag_topics(nlp, text, pending, analyse(nlp, text, pending, ()), rules)
            yield add_fragments(text, annotation), context
            pending = []
