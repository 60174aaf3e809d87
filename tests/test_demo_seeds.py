"""The demo set that `make run` loads: dated articles over a year, statements, recurring
speakers, and the About page that says it is invented."""

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from statements.models import Article, Quote

DEMO = Path(__file__).resolve().parent.parent / "seeds" / "demo"


@pytest.fixture
def demo(db):
    call_command("ingest", str(DEMO), "--no-progress")
    return Article.objects.filter(url__contains="demo.example.org")


def test_every_demo_article_is_stored_dated_and_has_statements(demo):
    files = sorted(DEMO.glob("*.md"))
    assert 30 <= len(files) <= 36
    assert demo.count() == len(files)
    dates = [a.published for a in demo]
    assert all(dt.date(2025, 12, 1) <= d <= dt.date(2026, 11, 30) for d in dates)
    assert len({(d.year, d.month) for d in dates}) == 12  # every month has news
    assert all(a.title and a.source_name and a.url.startswith("https://") for a in demo)
    for article in demo:
        assert article.quotes.exists(), article.title


def test_demo_speakers_recur_and_statements_carry_topics(demo):
    quotes = Quote.objects.filter(article__in=demo)
    articles_per_speaker = Counter(
        speaker
        for speaker, _ in quotes.exclude(speaker=None).values_list("speaker", "article").distinct()
    )
    assert sum(1 for n in articles_per_speaker.values() if n >= 3) >= 5
    with_topic = quotes.filter(topics__isnull=False).distinct().count()
    assert with_topic >= 0.8 * quotes.count()


def test_about_page_says_the_demo_is_invented(client, db):
    page = client.get("/about/")
    assert page.status_code == 200
    assert "invented demo data" in page.text and "fictional" in page.text
    assert 'href="/about/"' in client.get("/").text
