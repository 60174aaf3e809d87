"""Issue 8, point 2: the pipeline never raises on any Unicode text, and every offset it
returns points into the text (`text[start:end]` is the reported text)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statements import nlp

# Pieces that steer generated text into the pipeline's interesting paths: quote marks of
# every kind, cue verbs, names, roles, pronouns, sentence and paragraph breaks.
PIECES = [
    '"', "“", "”", "«", "»", "‘", "’", "'", "„", "‹", "›", "—", "–", ":", ",", ".", "?",
    "\n", "\n\n", "\r\n", " ", "  ", "\t", "\u00a0", "\u200b", "\u202e", "\ufeff",
    "said", " said ", "told reporters", "according to", "added", "warned", "stressed",
    "he", "she", "they", "It", "the secretary-general", "the NATO chief", "the ministry",
    "Jens Stoltenberg", "Stoltenberg", "Erdoğan", "Recep Tayyip Erdoğan", "NATO", "U.S.",
    "Turkey", "Washington", "Ankara", "Russian", "China", "the United Nations",
    "We will talk", "sanctions", "ceasefire", "election", "Dr.", "Mr.", "e.g.",
    "🇺🇦", "👍🏽", "👨‍👩‍👧", "السلام", "שלום", "日本語", "e\u0301", "ﬁ", "Ⅻ", "\u0000",
]  # fmt: skip

texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=80).map("".join),
)


def assert_offsets_inside(text: str, annotation) -> None:
    for quote in annotation.quotes:
        assert 0 <= quote.start < quote.end <= len(text)
        assert text[quote.start : quote.end] == quote.text
        assert quote.kind in {"direct", "indirect", "mixed"}
        for span in (quote.cue, quote.mention):
            if span is not None:
                assert 0 <= span.start < span.end <= len(text)
                assert text[span.start : span.end] == span.text
        if quote.speaker is not None:
            assert 0 <= quote.speaker < len(annotation.speakers)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=texts)
def test_annotate_never_raises_and_offsets_point_into_the_text(text):
    assert_offsets_inside(text, nlp.annotate(text))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(texts, min_size=1, max_size=4))
def test_annotate_many_keeps_texts_apart(batch):
    """The batch path (`manage.py annotate`, ingest) gives each text its own offsets."""
    results = list(nlp.annotate_many(((t, i) for i, t in enumerate(batch)), batch_size=2))
    assert [i for _a, i in results] == list(range(len(batch)))
    for annotation, i in results:
        assert_offsets_inside(batch[i], annotation)
