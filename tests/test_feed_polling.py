"""Feeds: polling RSS and Atom, conditional GET, entries imported once, back-off, commands."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from statements.models import Article, Feed, UrlImport
from statements.services.feeds import backoff_delay, feed_add, feeds_poll_due, feeds_poll_queue
from tests.curation_factories import use_fake_pipeline
from tests.web_fixtures import atom, rss, serve_story
from tests.webserver import Page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fake_pipeline(monkeypatch):
    return use_fake_pipeline(monkeypatch)


def serve_rss(web, path, numbers, *, etag='"v1"'):
    entries = [(f"herald-{n}", serve_story(web, n), f"Story {n}") for n in numbers]
    web.routes[path] = Page(rss(entries), content_type="application/rss+xml", etag=etag)
    return web.url(path)


def test_rss_feed_entries_are_imported_and_annotated(web, allow_private):
    feed, _ = feed_add(url=serve_rss(web, "/rss", [1, 2, 3]), name="Herald")
    [poll] = feeds_poll_due()
    assert len(poll.imports) == 3
    assert Article.objects.filter(status="annotated").count() == 3
    feed.refresh_from_db()
    assert feed.articles_found == 3 and feed.last_error == "" and feed.etag == '"v1"'
    assert feed.last_polled_at is not None
    assert feed.next_poll_at > timezone.now() + dt.timedelta(minutes=29)
    assert set(UrlImport.objects.values_list("status", flat=True)) == {"stored"}


def test_atom_feed_entries_are_imported(web, allow_private):
    entries = [(f"urn:ministry:{n}", serve_story(web, n), f"Release {n}") for n in (4, 5)]
    web.routes["/atom"] = Page(atom(entries), content_type="application/atom+xml")
    feed_add(url=web.url("/atom"))
    feeds_poll_due()
    assert Article.objects.count() == 2
    assert set(UrlImport.objects.values_list("entry_id", flat=True)) == {
        "urn:ministry:4",
        "urn:ministry:5",
    }


def test_an_unchanged_feed_answers_304_and_stores_nothing(web, allow_private):
    feed, _ = feed_add(url=serve_rss(web, "/rss", [1, 2]))
    feeds_poll_due()
    before = (Article.objects.count(), UrlImport.objects.count())
    [poll] = feeds_poll_due(everything=True)
    assert poll.not_modified and poll.imports == []
    assert (Article.objects.count(), UrlImport.objects.count()) == before
    last = web.hits_for("/rss")[-1]
    assert last.headers["if-none-match"] == '"v1"'


def test_polling_twenty_unchanged_feeds_costs_twenty_conditional_requests(web, allow_private):
    for i in range(20):
        feed_add(url=serve_rss(web, f"/feed/{i}", [100 + i]))
    feeds_poll_due()
    stored = Article.objects.count()
    assert stored == 20
    web.hits.clear()
    Feed.objects.update(next_poll_at=timezone.now() - dt.timedelta(seconds=1))  # all due
    polls = feeds_poll_due()
    assert len(polls) == 20 and all(p.not_modified for p in polls)
    assert len(web.hits) == 20
    assert all(hit.headers.get("if-none-match") == '"v1"' for hit in web.hits)
    assert Article.objects.count() == stored and UrlImport.objects.count() == 20


def test_an_entry_is_never_imported_twice(web, allow_private):
    url = serve_rss(web, "/rss", [1, 2], etag='"v1"')
    feed_add(url=url)
    feeds_poll_due()
    # The feed changes: one new entry above the two already imported.
    serve_rss(web, "/rss", [1, 2, 3], etag='"v2"')
    [poll] = feeds_poll_due(everything=True)
    assert [i.entry_id for i in poll.imports] == ["herald-3"]
    assert UrlImport.objects.count() == 3 and Article.objects.count() == 3
    # The same entry in a second feed is another import, but not another article.
    feed_add(url=serve_rss(web, "/other", [3]))
    feeds_poll_due()
    assert Article.objects.count() == 3
    assert UrlImport.objects.filter(status="duplicate").count() == 1


def test_a_failing_feed_backs_off_and_shows_its_error(web, allow_private):
    web.routes["/broken"] = Page(b"down", status=503, content_type="text/plain")
    feed, _ = feed_add(url=web.url("/broken"), every=10)
    waits = []
    for _ in range(3):
        Feed.objects.filter(pk=feed.pk).update(next_poll_at=None)
        before = timezone.now()
        feeds_poll_due()
        feed.refresh_from_db()
        waits.append(round((feed.next_poll_at - before).total_seconds() / 60))
    assert waits == [20, 40, 80]
    assert feed.failures == 3 and "503" in feed.last_error
    # Not due while backing off.
    assert feeds_poll_due() == []
    # One good poll clears it.
    serve_rss(web, "/broken", [7])
    feeds_poll_due(everything=True)
    feed.refresh_from_db()
    assert (feed.failures, feed.last_error, feed.articles_found) == (0, "", 1)


def test_backoff_is_capped_at_a_day():
    assert backoff_delay(every_minutes=30, failures=0) == dt.timedelta(minutes=30)
    assert backoff_delay(every_minutes=30, failures=20) == dt.timedelta(days=1)


def test_a_page_that_is_not_a_feed_is_an_error(web, allow_private):
    web.routes["/page"] = Page(b"<html><body>hi</body></html>", content_type="text/xml")
    feed, _ = feed_add(url=web.url("/page"))
    [poll] = feeds_poll_due()
    feed.refresh_from_db()
    assert "not an RSS or Atom feed" in poll.error and feed.last_error == poll.error


def test_the_address_guard_applies_to_feeds(web):
    feed, _ = feed_add(url=serve_rss(web, "/rss", [1]))
    feeds_poll_due()
    feed.refresh_from_db()
    assert "private or reserved address" in feed.last_error and not web.hits


def test_a_claimed_feed_is_polled_once(web, allow_private):
    feed_add(url=serve_rss(web, "/rss", [1]))
    assert len(feeds_poll_due()) == 1
    assert feeds_poll_due() == []  # no longer due
    assert len(web.hits_for("/rss")) == 1


def test_the_clock_queues_one_poll_for_the_workers(settings, web, allow_private):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    assert feeds_poll_queue() is False  # no feed
    feed_add(url=serve_rss(web, "/rss", [1]))
    assert feeds_poll_queue() is True
    assert feeds_poll_queue() is False  # one is waiting already
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_feeds_commands(web, allow_private, capsys):
    url = serve_rss(web, "/rss", [1, 2])
    call_command("feeds", "add", url, "--name", "Herald", "--every", "15")
    assert "Added feed" in capsys.readouterr().out
    call_command("feeds", "list")
    assert f"{url}\tnever polled\tok\t0 articles" in capsys.readouterr().out
    call_command("feeds", "poll")
    out = capsys.readouterr().out
    assert f"{url}: 2 new entries, 2 stored, 0 already stored, 0 failed" in out
    assert Article.objects.count() == 2
    call_command("feeds", "poll")
    assert "No feed is due." in capsys.readouterr().out
    call_command("feeds", "poll", "--all")
    assert f"{url}: not modified" in capsys.readouterr().out
    call_command("feeds", "list")
    assert "\tok\t2 articles" in capsys.readouterr().out


def test_feeds_poll_exits_non_zero_when_a_feed_fails(web, allow_private, capsys):
    call_command("feeds", "add", web.url("/missing"))
    with pytest.raises(SystemExit) as exit_info:
        call_command("feeds", "poll")
    assert exit_info.value.code == 1
    assert "404" in capsys.readouterr().err


def test_admin_shows_feeds_with_their_errors(admin_client, web, allow_private):
    web.routes["/broken"] = Page(b"down", status=500, content_type="text/plain")
    feed_add(url=web.url("/broken"), name="Broken wire")
    feeds_poll_due()
    page = admin_client.get("/admin/statements/feed/").text
    assert "Broken wire" in page and "answered 500" in page and "1 failure in a row" in page


def test_adding_a_feed_in_the_admin_polls_it(
    admin_client, web, allow_private, django_capture_on_commit_callbacks
):
    url = serve_rss(web, "/rss", [1, 2])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/statements/feed/add/",
            {"url": url, "name": "Herald", "active": "on", "poll_every": "30"},
        )
    assert response.status_code == 302
    feed = Feed.objects.get()
    assert feed.articles_found == 2 and Article.objects.count() == 2
