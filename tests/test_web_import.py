"""Importing articles by URL: upload page, admin, `ingest`, dedupe, failures, versions."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from statements.models import Article, Quote, UrlImport
from statements.services.web_import import url_import_run, url_imports_request
from tests.curation_factories import use_fake_pipeline
from tests.factories import make_article, make_quote, make_speaker
from tests.web_fixtures import article_html, serve_story, story
from tests.webserver import Page

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/upload/"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("editor", password="pw", is_staff=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def fake_pipeline(monkeypatch):
    return use_fake_pipeline(monkeypatch)


def test_upload_page_imports_urls_in_the_background(
    staff_client, web, allow_private, fake_pipeline
):
    url = serve_story(web, 1, author="Ana Ortiz", canonical="https://herald.example/border-1")
    response = staff_client.post(UPLOAD_URL, {"urls": f"{url}\n\n"}, follow=True)
    assert response.status_code == 200
    assert "1 web address queued" in response.text
    # The immediate task backend ran the fetch and the annotation.
    article = Article.objects.get()
    assert article.title == "Border talks to resume, round 1"
    assert article.body == "\n\n".join(story(1))
    assert article.published == dt.date(2025, 3, 2)
    assert article.byline == "Ana Ortiz"
    assert article.source_name == "Example Herald"
    assert article.url == "https://herald.example/border-1"
    assert article.status == Article.Status.ANNOTATED
    assert article.uploaded_by.username == "editor"
    item = UrlImport.objects.get()
    assert (item.status, item.article) == (UrlImport.Status.STORED, article)
    page = staff_client.get(UPLOAD_URL).text
    assert "Web imports" in page and f"article {article.pk}" in page


def test_a_stored_url_is_named_with_a_link_and_not_fetched(
    staff_client, web, allow_private, fake_pipeline
):
    url = serve_story(web, 2)
    staff_client.post(UPLOAD_URL, {"urls": url})
    article = Article.objects.get()
    fetched = len(web.hits)
    response = staff_client.post(UPLOAD_URL, {"urls": url}, follow=True)
    assert "already stored as" in response.text and f"/articles/{article.pk}/" in response.text
    assert len(web.hits) == fetched
    assert Article.objects.count() == 1


def test_same_canonical_url_is_not_stored_twice(web, allow_private, fake_pipeline):
    first = serve_story(web, 3, canonical="https://herald.example/border-3")
    web.routes["/amp/border-3"] = Page(
        article_html(
            title="Border talks to resume (mobile)",
            paragraphs=story(3, words="and more"),
            canonical="https://herald.example/border-3",
        )
    )
    url_imports_request(urls=[first], user=None)
    [again] = url_imports_request(urls=[web.url("/amp/border-3")], user=None)
    again.refresh_from_db()
    assert again.status == UrlImport.Status.DUPLICATE
    assert again.article == Article.objects.get()


def test_same_content_at_another_address_is_not_stored_twice(web, allow_private, fake_pipeline):
    first = serve_story(web, 4)
    web.routes["/mirror/4"] = web.routes["/story/4"]
    url_imports_request(urls=[first], user=None)
    [again] = url_imports_request(urls=[web.url("/mirror/4")], user=None)
    again.refresh_from_db()
    assert again.status == UrlImport.Status.DUPLICATE
    assert Article.objects.count() == 1


def test_redirects_are_followed_and_the_final_address_stored(web, allow_private, fake_pipeline):
    serve_story(web, 5)
    web.routes["/old/5"] = Page(status=301, location="/story/5")
    [item] = url_imports_request(urls=[web.url("/old/5")], user=None)
    item.refresh_from_db()
    assert item.status == UrlImport.Status.STORED
    assert item.article.url == web.url("/story/5")


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (Page(b"%PDF-1.7", content_type="application/pdf"), "not a page of a type we read"),
        (Page(b"<p>" + b"word " * 1000 + b"</p>"), "too large"),
        (Page(b"oops", status=500, content_type="text/plain"), "answered 500"),
        (Page(b"<html><body><nav>Home</nav></body></html>"), "no article text"),
    ],
)
def test_failures_are_stored_on_the_import_and_nothing_else(
    web, allow_private, settings, page, reason
):
    settings.NEWSROOM_MAX_ARTICLE_BYTES = 2000
    web.routes["/bad"] = page
    [item] = url_imports_request(urls=[web.url("/bad")], user=None)
    item.refresh_from_db()
    assert item.status == UrlImport.Status.FAILED
    assert reason in item.error
    assert not Article.objects.exists()


def test_a_slow_page_fails_with_a_timeout(web, allow_private, settings):
    settings.NEWSROOM_FETCH_TIMEOUT = 0.5
    web.routes["/slow"] = Page(article_html(title="Slow", paragraphs=story(9)), delay=0.1)
    [item] = url_imports_request(urls=[web.url("/slow")], user=None)
    item.refresh_from_db()
    assert item.status == UrlImport.Status.FAILED and "timed out" in item.error


def test_the_address_guard_applies_to_imports(web):
    serve_story(web, 6)
    [item] = url_imports_request(urls=[web.url("/story/6")], user=None)
    item.refresh_from_db()
    assert item.status == UrlImport.Status.FAILED
    assert "private or reserved address" in item.error
    assert not web.hits


def test_a_failed_import_can_run_again(web, allow_private, fake_pipeline):
    [item] = url_imports_request(urls=[web.url("/later")], user=None)
    item.refresh_from_db()
    assert item.status == UrlImport.Status.FAILED
    serve_story(web, 7)
    web.routes["/later"] = web.routes["/story/7"]
    assert url_import_run(import_id=item.pk) == "stored"
    assert url_import_run(import_id=item.pk) == "skipped"  # claimed once only


def test_upload_form_names_bad_addresses(staff_client):
    response = staff_client.post(UPLOAD_URL, {"urls": "https://ok.example/a\nftp://x\nnot a url"})
    assert response.status_code == 400
    assert "Not a web address" in response.text and "ftp://x" in response.text
    assert not UrlImport.objects.exists()


def test_ingest_command_takes_urls_and_paths(web, allow_private, tmp_path, capsys, fake_pipeline):
    url = serve_story(web, 8)
    (tmp_path / "note.txt").write_text("Envoys meet\n\nThe envoys met and said little.\n")
    call_command("ingest", url, str(tmp_path), "--no-progress")
    assert "2 new, 0 already present, 0 failed" in capsys.readouterr().out
    assert set(Article.objects.values_list("status", flat=True)) == {"annotated"}
    with pytest.raises(SystemExit):
        call_command("ingest", url, web.url("/missing"), "--no-progress")
    out, err = capsys.readouterr()
    assert "0 new, 1 already present, 1 failed" in out and "/missing: " in err


def test_admin_imports_many_urls(admin_client, web, allow_private, fake_pipeline):
    urls = [serve_story(web, n) for n in (10, 11)]
    response = admin_client.post(
        "/admin/statements/urlimport/add/", {"urls": "\n".join(urls)}, follow=True
    )
    assert "2 addresses queued for import" in response.text
    assert Article.objects.count() == 2
    page = admin_client.get("/admin/statements/urlimport/add/")
    assert page.status_code == 200 and "Import by URL" in page.text


# --- Near-duplicates: versions of one story -----------------------------------------


def test_a_story_resent_with_a_word_changed_is_a_version_of_the_first(
    web, allow_private, fake_pipeline, client
):
    web.routes["/v1"] = Page(article_html(title="Talks resume", paragraphs=story(12)))
    edited = [p.replace("next week", "next month") for p in story(12)]
    web.routes["/v2"] = Page(article_html(title="Talks resume", paragraphs=edited))
    url_imports_request(urls=[web.url("/v1"), web.url("/v2")], user=None)
    first, second = Article.objects.order_by("pk")
    assert first.body != second.body
    assert first.duplicate_of is None and second.duplicate_of == first
    # Both are annotated, but each statement is counted once in lists and exports.
    assert Quote.objects.filter(article=second).exists()
    visible = Quote.objects.visible()
    assert not visible.filter(article=second).exists()
    assert visible.filter(article=first).count() == Quote.objects.filter(article=first).count()
    response = client.get("/?format=json")
    data = json.loads(b"".join(response.streaming_content))
    assert data["count"] == visible.count()


def test_a_different_story_is_not_a_version():
    first = make_article(title="A", body="\n\n".join(story(20)))
    other = make_article(title="B", body="\n\n".join(story(21, words="after the storm")))
    from statements.services.story_versions import article_version_link

    assert article_version_link(article=first) is None
    assert article_version_link(article=other) is None


def test_versions_are_counted_once_in_facets_and_speaker_counts():
    from statements.models import Speaker
    from statements.services.story_versions import article_version_link

    body = "\n\n".join(story(30))
    first = make_article(title="A", body=body)
    second = make_article(title="A", body=body.replace("next week", "next month"))
    article_version_link(article=first)
    assert article_version_link(article=second) == first
    speaker = make_speaker("Mara Lind")
    make_quote(text="talks on the border", article=first, speaker=speaker)
    make_quote(text="talks on the border", article=second, speaker=speaker)
    assert Speaker.objects.with_statement_counts().get(pk=speaker.pk).statement_count == 1


def test_an_import_left_fetching_by_a_dead_worker_is_taken_again(web, allow_private, fake_pipeline):
    serve_story(web, 40)
    item = UrlImport.objects.create(url=web.url("/story/40"), status=UrlImport.Status.FETCHING)
    assert url_import_run(import_id=item.pk) == "skipped"  # another worker may be on it
    UrlImport.objects.filter(pk=item.pk).update(
        updated_at=timezone.now() - dt.timedelta(minutes=11)
    )
    assert url_import_run(import_id=item.pk) == "stored"


def test_remembered_shingles_link_the_same_versions_without_reading_bodies():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from statements.services.ingest import article_ingest
    from statements.services.story_versions import shingles_remembered
    from statements.textio import ArticleText

    body = "\n\n".join(story(40))
    versions = [body, body.replace("next week", "next month"), body + "\n\nMore soon."]
    with shingles_remembered():
        first = article_ingest(text=ArticleText(title="A", body=versions[0])).article
        second = article_ingest(text=ArticleText(title="A", body=versions[1])).article
        with CaptureQueriesContext(connection) as queries:
            third = article_ingest(text=ArticleText(title="A", body=versions[2])).article
    other = article_ingest(text=ArticleText(title="B", body="\n\n".join(story(41)))).article
    assert second.duplicate_of_id == third.duplicate_of_id == first.pk
    assert other.duplicate_of_id is None
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    # the stored versions' bodies are not read again (only the canonical article is)
    assert not any('"body"' in sql and " IN (" in sql for sql in reads)
