"""Marking statements in an article's text from their offsets."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from statements.highlight import Mark, highlight, paragraph_spans


def test_paragraphs_are_kept_and_single_line_breaks_stay_inside():
    out = highlight("Title\n\nFirst line\nsecond line.\n\n\n  Last.", [])
    assert out == "<p>Title</p>\n<p>First line<br>\nsecond line.</p>\n<p>Last.</p>"


def test_statement_is_marked_with_anchor_label_and_tab_stop():
    text = 'He said: "We agree." Then left.'
    start = text.index("We agree.")
    out = highlight(text, [Mark(start, start + 9, "stmt stmt-direct", "Jens: said", "q7")])
    assert (
        '<mark class="stmt stmt-direct" id="q7" tabindex="0" title="Jens: said" '
        'data-label="Jens: said">We agree.</mark>'
    ) in out


def test_everything_is_escaped():
    text = '<script>alert("x")</script> & "quoted" <b>'
    out = highlight(text, [Mark(0, 8, "stmt", 'Evil "name" <i>', "q1")])
    assert "<script>" not in out and "<b>" not in out and "<i>" not in out
    assert "&lt;script&gt;" in out and "&amp;" in out
    assert 'title="Evil &quot;name&quot; &lt;i&gt;"' in out


def test_statement_over_two_paragraphs_is_cut_and_anchored_once():
    text = "“First part.\n\n“Second part,” she said."
    out = highlight(text, [Mark(1, 27, "stmt", "She", "q3")])
    assert out.count('id="q3"') == 1
    assert out.count("<mark") == 2
    assert out.count("<p>") == 2


def test_nested_and_overlapping_marks_are_both_shown():
    text = "abcdefghij"
    out = highlight(text, [Mark(0, 6, "stmt", "A", "q1"), Mark(3, 9, "stmt", "B", "q2")])
    assert 'id="q1"' in out and 'id="q2"' in out
    assert re.sub(r"<[^>]+>", "", out) == "<p>abcdefghij</p>".replace("<p>", "").replace("</p>", "")


def test_marks_outside_the_text_are_ignored():
    assert highlight("short", [Mark(3, 99, "stmt", "x", "q1")]) == "<p>short</p>"


def test_heading_equal_to_title_is_hidden_unless_marked():
    text = "The Title\n\nBody text."
    assert highlight(text, [], hide_heading="The Title") == "<p>Body text.</p>"
    kept = highlight(text, [Mark(0, 3, "stmt", "x", "q1")], hide_heading="The Title")
    assert "Title" in kept


def test_paragraph_spans():
    assert paragraph_spans("a\n\nb\n \n\nc") == [(0, 1), (3, 4), (8, 9)]


def _plain(out: str) -> str:
    out = out.replace("<br>\n", "\n")
    return html.unescape(re.sub(r"<[^>]+>", "", out))


@given(
    text=st.text(alphabet=st.sampled_from("ab <>&\"'\n"), max_size=60),
    spans=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=5),
)
def test_text_survives_and_each_statement_is_anchored_once(text, spans):
    marks = [Mark(s, e, "stmt", "who", f"q{i}") for i, (s, e) in enumerate(spans)]
    out = highlight(text, marks)
    paragraphs = [text[s:e] for s, e in paragraph_spans(text)]
    assert _plain(out) == "\n".join(paragraphs)
    for i, (s, e) in enumerate(spans):
        valid = 0 <= s < e <= len(text) and any(
            ps < e and s < pe for ps, pe in paragraph_spans(text)
        )
        assert out.count(f'id="q{i}"') == (1 if valid else 0)
