"""Headline, byline and dateline split off the text before it is stored."""

from __future__ import annotations

import pytest

from statements.article_head import split_head


def test_repeated_headline_byline_and_dateline_are_split_off():
    body = (
        "Envoys agree to meet again\n\nBy Ana Ortiz and Lee Park\n\n"
        'GENEVA, March 5 (Wire) - The envoys agreed to meet again.\n\n"Soon," one said.'
    )
    head = split_head(title="Envoys agree to meet again", body=body)
    assert head.body == 'The envoys agreed to meet again.\n\n"Soon," one said.'
    assert head.byline == "Ana Ortiz and Lee Park"
    assert head.dateline == "GENEVA, March 5 (Wire)"


@pytest.mark.parametrize(
    ("body", "dateline", "rest"),
    [
        ("UNITED NATIONS (AP) — The council met.", "UNITED NATIONS (AP)", "The council met."),
        ("BERLIN, 5 March 2025 - Talks ended.", "BERLIN, 5 March 2025", "Talks ended."),
        ("WASHINGTON: The envoy left.", "WASHINGTON", "The envoy left."),
    ],
)
def test_datelines(body, dateline, rest):
    head = split_head(title="Something else", body=body)
    assert (head.dateline, head.body) == (dateline, rest)


@pytest.mark.parametrize(
    "body",
    [
        "NATO Secretary General Jens Stoltenberg said the talks would go on.",
        "By the end of the year the treaty will be signed, she said.",
        "EU - Turkey talks resumed on Monday.",
        "The U.S. - it said - was wrong.",
    ],
)
def test_ordinary_openings_stay(body):
    head = split_head(title="Talks", body=body)
    assert head == type(head)(body=body)


def test_a_text_that_is_only_a_head_is_kept_whole():
    body = "Short note\n\nBy Ana Ortiz"
    assert split_head(title="Short note", body=body).body == body
