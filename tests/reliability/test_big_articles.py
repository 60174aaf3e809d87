"""An article with thousands of statements (ingest takes a 1 MB paragraph) must not make
its page a denial of service: highlighting was quadratic in the number of marks."""

from __future__ import annotations

import time

from statements.highlight import Mark, highlight

SENTENCE = "The minister said the talks would continue next week. "


def test_highlighting_thousands_of_statements_stays_fast():
    n = 5000  # took about 5 s before the sweep; 20,000 took minutes
    text = "Title\n\n" + SENTENCE * n
    marks = [
        Mark(7 + i * len(SENTENCE) + 4, 7 + (i + 1) * len(SENTENCE) - 2, "quote", "x", f"q{i}")
        for i in range(n)
    ]
    started = time.perf_counter()
    html = highlight(text, marks)
    assert time.perf_counter() - started < 2.0
    assert html.count("<mark") == n and 'id="q4999"' in html


def test_nested_and_overlapping_marks_are_wrapped_outermost_first():
    text = "He said <b>yes</b> today.\n\nNext & last."
    marks = [Mark(0, 25, "quote", "A <x>", "q1"), Mark(3, 7, "cue"), Mark(5, 30, "other")]
    html = str(highlight(text, marks))
    assert "<b>" not in html and "&lt;b&gt;yes&lt;/b&gt;" in html and "A &lt;x&gt;" in html
    assert html.startswith('<p><mark class="quote" id="q1" tabindex="0"')
    # Each piece is wrapped in the marks covering it; "other" goes on past the paragraph.
    assert html.count("<mark") == 9 and html.endswith(
        '<mark class="other">Nex</mark>t &amp; last.</p>'
    )
