"""Data for the reliability and security tests: every text field holds something hostile."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from statements.models import Article, Country, Quote, Speaker, Topic
from statements.services.leases import worker_beat
from statements.textio import content_hash

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example","click")'
QUOTE_TEXTS = [
    f"We will not accept {XSS} in our region",
    FORMULA,
    "+1 more reason -2 @SUM(A1) for talks",
    "Peace 🕊 is «possible» ‮txet desrever‬",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Login throttle counts live in the cache: no test inherits another's failures."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def hostile_data(db):
    """An article whose text, title, speaker, topic and country all carry HTML and
    spreadsheet formulas, with statements pointing into it."""
    country, _ = Country.objects.get_or_create(code="US", defaults={"name": "United States"})
    topic, _ = Topic.objects.get_or_create(
        slug="evil-topic", defaults={"name": f"Topic {XSS}", "keywords": ["evil"]}
    )
    speaker = Speaker.objects.create(
        name=f"Evil {XSS} Speaker",
        slug="evil-speaker",
        role=f"Minister of {XSS}",
        search_name="evil speaker",
        country=country,
    )
    worker_beat(worker="test-worker")  # a worker runs, as in production: /healthz is 200
    title = f"Title {XSS}"
    parts = [title, "\n\n"]
    spans = []
    for text in QUOTE_TEXTS:
        parts.append('"')
        start = sum(map(len, parts))
        parts.append(text)
        spans.append((start, start + len(text), text))
        parts.append(f'," said {speaker.name}. ')
    body = "".join(parts)
    article = Article.objects.create(
        title=title,
        body=body,
        source_name=f"Source {XSS}",
        url="https://example.org/a?x=<script>",
        content_hash=content_hash(body),
        status=Article.Status.ANNOTATED,
    )
    quotes = []
    for position, (start, end, text) in enumerate(spans):
        quote = Quote.objects.create(
            article=article,
            speaker=speaker,
            text=text,
            kind=Quote.Kind.DIRECT,
            start=start,
            end=end,
            position=position,
            cue_text="said",
            mention_text=speaker.name,
        )
        quote.countries.add(country)
        quote.topics.add(topic)
        quotes.append(quote)
    return {
        "article": article,
        "speaker": speaker,
        "topic": topic,
        "country": country,
        "quotes": quotes,
    }


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="editor", password="a-long-staff-password", is_staff=True, is_superuser=True
    )


@pytest.fixture
def plain_user(django_user_model):
    return django_user_model.objects.create_user(username="reader", password="a-long-password-2")
