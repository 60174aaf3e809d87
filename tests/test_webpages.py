"""Extraction from our own saved pages: the article's text and date, no page furniture."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from statements.article_head import split_head
from statements.textio import BadArticle
from statements.webpages import extract_article

PAGES = Path(__file__).parent / "data" / "web"
EXPECTED = {
    # page: (title, published, author, canonical URL or None for the address fetched)
    "courier-river-treaty": (
        "Ministers agree on river treaty talks",
        dt.date(2025, 3, 14),
        "Mira Castellan",
        "https://courier.example.org/world/river-treaty-talks",
    ),
    "ministry-press-release": (
        "Foreign Minister meets Chilean counterpart",
        dt.date(2025, 5, 12),
        "",
        None,
    ),
    "wire-summit-jsonld": (
        "Leaders pledge grain corridor at Black Sea summit",
        dt.date(2024, 10, 2),
        "Tomas Ilves-Brand",
        "https://wire.example.net/2024/10/02/black-sea-grain-corridor",
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_saved_page_gives_exactly_the_article_text_and_date(name):
    title, published, author, canonical = EXPECTED[name]
    url = f"https://pages.example.org/{name}"
    page = extract_article(content=(PAGES / f"{name}.html").read_bytes(), url=url)
    head = split_head(title=page.title, body=page.body)
    assert head.body == (PAGES / f"{name}.expected.txt").read_text(encoding="utf-8").strip()
    assert page.title == title
    assert page.published == published
    assert page.author == author
    assert page.canonical_url == (canonical or url)


def test_no_furniture_survives():
    for path in PAGES.glob("*.html"):
        page = extract_article(content=path.read_bytes(), url="https://pages.example.org/")
        for furniture in ("Privacy", "Subscribe", "comments", "Advertisement", "Related", "Home"):
            assert furniture not in page.body, (path.name, furniture)


def test_a_page_without_an_article_is_refused():
    with pytest.raises(BadArticle, match="no article text"):
        extract_article(
            content=b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
            url="https://x.example/",
        )


def test_a_page_seen_before_is_extracted_whole_again():
    """trafilatura's `deduplicate` remembers paragraphs across calls; a story re-sent or
    quoted by another outlet must not lose them."""
    content = (PAGES / "courier-river-treaty.html").read_bytes()
    first = extract_article(content=content, url="https://a.example/1")
    again = extract_article(content=content, url="https://b.example/2")
    assert again.body == first.body
