"""The quoted pieces of an interrupted quote, in the pipeline's output."""

from __future__ import annotations

from statements.nlp.interrupted import add_fragments
from statements.nlp.types import Annotation, QuoteAnnotation

from .conftest import find


def test_pieces_of_a_quote_interrupted_by_its_cue_sentence(ann):
    text = (
        "Harbour talks stall\n\n"
        "“We have never sold a port and we never will,” the trade minister said. "
        "“But we will keep the door open to investors.”"
    )
    q = find(ann(text), "never sold a port")
    assert [f.text for f in q.fragments] == [
        "We have never sold a port and we never will,",
        "But we will keep the door open to investors.",
    ]
    for f in q.fragments:
        assert text[f.start : f.end] == f.text
    assert (q.fragments[0].start, q.fragments[-1].end) == (q.start, q.end)


def test_pieces_of_a_quote_interrupted_mid_sentence(ann):
    text = "“The border stays shut,” Lena Vogt told reporters, “until the vote is counted.”"
    q = find(ann(text), "border stays shut")
    assert [f.text for f in q.fragments] == ["The border stays shut,", "until the vote is counted."]


def test_a_quote_in_one_piece_and_reported_speech_have_no_fragments(ann):
    text = (
        "“We will not sign this week,” the envoy said.\n\n"
        "Omar Haddad said the ceasefire was “fragile but holding” and “worth defending”."
    )
    result = ann(text)
    assert all(q.fragments == [] for q in result.quotes)


def test_add_fragments_needs_the_pieces_to_cover_the_statement():
    text = '"One," she said. "Two." Then "three" came.'
    whole = QuoteAnnotation(1, 22, text[1:22], "direct", None, None, None)
    partial = QuoteAnnotation(1, 27, text[1:27], "direct", None, None, None)
    annotation = add_fragments(text, Annotation(quotes=[whole, partial], speakers=[]))
    assert [f.text for f in annotation.quotes[0].fragments] == ["One,", "Two."]
    assert annotation.quotes[1].fragments == []  # ends inside narration: not two pieces


def test_annotate_json_adds_fragments_only_to_interrupted_quotes():
    text = '"One," she said. "Two."\n\n"Three and four," he said.'
    one_two = QuoteAnnotation(1, 22, text[1:22], "direct", None, None, None)
    three = QuoteAnnotation(26, 41, text[26:41], "direct", None, None, None)
    annotation = add_fragments(text, Annotation(quotes=[one_two, three], speakers=[]))
    first, second = annotation.to_json(doc_id="x", source="x.txt")["quotes"]
    assert first["fragments"] == [
        {"start": 1, "end": 5, "text": "One,"},
        {"start": 18, "end": 22, "text": "Two."},
    ]
    assert "fragments" not in second  # the documented shape, unchanged
