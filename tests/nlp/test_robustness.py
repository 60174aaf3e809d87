"""Arbitrary input never raises; offsets always index the text as given."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statements.nlp import annotate, annotate_many
from statements.nlp.pipeline import split_parts

ODD_TEXTS = [
    "",
    "   \n\n\t ",
    "\ufeff“Hello,” she said.",
    "😀 “Emoji 🎉 quotes,” said Ana Lima 👍.",
    'قال الوزير "نص" مرحبا',
    'a\x00b "null\x00byte" said Bob\x00.',
    '"' * 4000,
    "“" * 2000 + "”" * 10 + '"' * 999,
    "He said\r\n\r\n“CRLF text,” she said.\r\n",
]


def check(text: str, result) -> None:
    for q in result.quotes:
        assert 0 <= q.start <= q.end <= len(text)
        assert text[q.start : q.end] == q.text
        for span in (q.cue, q.mention):
            if span is not None:
                assert text[span.start : span.end] == span.text


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_odd_inputs(nlp, text):
    check(text, annotate(text))


def test_bom_is_kept_in_offsets(nlp):
    text = "\ufeff“The port is open,” said Lars Eklund."
    r = annotate(text)
    assert r.quotes and r.quotes[0].start == text.index("The port")


alphabet = st.characters(blacklist_categories=("Cs",))
pieces = st.sampled_from(['"', "“", "”", "'", " said ", " he ", ",", ".", "\n", "\n\n", "John"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(alphabet, max_size=30), pieces), max_size=25))
def test_arbitrary_text_never_raises(nlp, parts):
    text = "".join(parts)
    check(text, annotate(text))


def test_n_process_two_gives_identical_output(nlp):
    texts = [
        "“We will stay,” said Mara Olsen. She added that the army would help.",
        "Petra Novak warned that the pipeline deal was at risk, according to officials.",
        "No quotes here at all.",
        "",
    ] * 3
    one = [a.to_json(doc_id=str(i), source="") for a, i in annotate_many(
        ((t, i) for i, t in enumerate(texts)), n_process=1, batch_size=4)]  # fmt: skip
    two = [a.to_json(doc_id=str(i), source="") for a, i in annotate_many(
        ((t, i) for i, t in enumerate(texts)), n_process=2, batch_size=4)]  # fmt: skip
    assert one == two


def test_annotate_many_streams_and_keeps_context(nlp):
    def items():
        for i in range(5):
            yield f"“Item {i} is fine today,” said Jan Berg.", {"n": i}

    out = annotate_many(items(), batch_size=2)
    first = next(out)
    assert first[1] == {"n": 0}
    assert [ctx["n"] for _a, ctx in out] == [1, 2, 3, 4]


def test_split_parts_cover_text_within_limit():
    text = ("word " * 30 + "end. ") * 500 + "x" * 5000
    parts = split_parts(text, limit=1000)
    assert parts[0][0] == 0 and parts[-1][1] == len(text)
    assert all(b - a <= 1000 for a, b in parts)
    assert all(parts[i][1] == parts[i + 1][0] for i in range(len(parts) - 1))


def test_long_single_paragraph_is_chunked(nlp):
    sentence = "“The bridge will open soon,” said Ola Dahl on Monday. "
    text = sentence * 2000  # 108,000 characters with no paragraph break: three parts
    assert len(split_parts(text)) >= 3
    r = annotate(text)
    check(text, r)
    assert len(r.quotes) >= 1990
    assert {r.speakers[q.speaker].name for q in r.quotes} == {"Ola Dahl"}
