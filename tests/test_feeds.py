"""Atom feeds at every statement list's URL with format=atom, read back with feedparser."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest

from tests.factories import make_article, make_quote, make_speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def statements():
    envoy = make_speaker("Mira Kovač", country="HR", role="Foreign Minister")
    other = make_speaker("Tom Berg", country="NO")
    article = make_article(
        title="Talks resume in Zagreb",
        body="Talks resume in Zagreb\n\nThe minister spoke.",
        published=dt.date(2024, 5, 2),
    )
    older = make_quote(
        text="We will keep the border open",
        speaker=envoy,
        cue="said",
        countries=("SI",),
        topics=("migration",),
        published=dt.date(2024, 4, 1),
    )
    newer = make_quote(
        text="Dialogue with our neighbours comes first",
        article=article,
        speaker=envoy,
        kind="indirect",
        cue="stressed",
        countries=("RS",),
    )
    make_quote(text="Nothing to add", speaker=other, published=dt.date(2024, 6, 1))
    return {"envoy": envoy, "older": older, "newer": newer}


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_speaker_feed_newest_first_with_speaker_cue_and_anchor(client, statements):
    envoy = statements["envoy"]
    feed = parse(client, f"/speakers/{envoy.slug}/?format=atom")
    assert feed.feed.title.startswith("Mira Kovač")
    assert feed.feed.id and feed.feed.updated and feed.feed.author == "Newsroom"
    assert feed.feed.link.endswith(f"/speakers/{envoy.slug}/")
    entries = feed.entries
    assert len(entries) == 2
    newest, oldest = entries
    newer, older = statements["newer"], statements["older"]
    assert "Dialogue with our neighbours comes first" in newest.title
    assert newest.link == f"http://testserver/articles/{newer.article_id}/#q{newer.pk}"
    assert oldest.link.endswith(f"#q{older.pk}")
    assert newest.author == "Mira Kovač"
    assert "stressed" in newest.summary and "Foreign Minister" in newest.summary
    assert newest.id and newest.updated
    assert newest.updated_parsed[:3] == (2024, 5, 2)
    assert {t.term for t in newest.tags} >= {"Serbia"}


def test_list_feed_follows_the_filters(client, statements):
    feed = parse(client, "/?country=SI&format=atom")
    assert [e.link.rsplit("#", 1)[1] for e in feed.entries] == [f"q{statements['older'].pk}"]
    assert "mentioning" in feed.feed.title
    feed = parse(client, "/?format=atom")
    assert len(feed.entries) == 3
    assert feed.entries[0].title.startswith("Tom Berg")


def test_country_and_topic_feeds(client, statements):
    feed = parse(client, "/countries/hr/?format=atom")
    assert len(feed.entries) == 2
    feed = parse(client, "/topics/migration/?format=atom")
    assert len(feed.entries) == 1
    feed = parse(client, "/relations/hr/rs/?format=atom")
    assert len(feed.entries) == 1


def test_pages_link_to_their_feed(client, statements):
    envoy = statements["envoy"]
    for url in (f"/speakers/{envoy.slug}/", "/countries/hr/", "/topics/migration/"):
        html = client.get(url).content.decode()
        assert '<link rel="alternate" type="application/atom+xml" title="' in html, url
        assert f'href="{url}?format=atom"' in html, url
        assert ">Follow (Atom feed)</a>" in html, url


def test_empty_feed_is_still_valid(client, statements):
    feed = parse(client, "/?q=nonexistentword&format=atom")
    assert feed.entries == []
    assert feed.feed.updated
