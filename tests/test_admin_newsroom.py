"""The admin speaks Newsroom: its name, the site's words, readable lists, Re-annotate."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import LogEntry

from statements.models import Article
from tests.curation_factories import (
    ARTICLE_BODY,
    make_article,
    make_quote,
    make_speaker,
    make_user,
    use_fake_pipeline,
)

LONG_TITLE = (
    "Foreign ministers of the Black Sea states agree after two days of talks in Varna "
    "to reopen the grain corridor and to meet again before the harvest"
)


@pytest.fixture
def admin_client(client, db):
    client.force_login(make_user(superuser=True, username="editor"))
    return client


@pytest.fixture
def article(db):
    return make_article(body=ARTICLE_BODY, title=LONG_TITLE)


def test_branded_newsroom_with_the_sites_words(admin_client):
    html = admin_client.get("/admin/").text
    assert '<div id="site-name"><a href="/admin/">Newsroom</a></div>' in html
    assert "<title>Curation | Newsroom admin</title>" in html
    assert "Django administration" not in html and "Django site admin" not in html
    assert '<a href="/admin/statements/quote/">Statements</a>' in html
    assert ">Quotes<" not in html
    assert "Select statement to change" in admin_client.get("/admin/statements/quote/").text


def test_change_lists_keep_long_text_on_one_line_with_the_whole_in_a_tooltip(admin_client, article):
    make_quote(article=article, text="We will keep talking,", speaker=make_speaker())
    quotes = admin_client.get("/admin/statements/quote/").text
    link = re.search(
        r'<td class="field-article_link"><a href="[^"]+" title="([^"]+)">([^<]+)</a>', quotes
    )
    assert link.group(1) == LONG_TITLE
    assert len(link.group(2)) <= 36 and link.group(2).endswith("…")
    articles = admin_client.get("/admin/statements/article/").text
    cell = re.search(
        r'class="field-short_title"><a [^>]+><span title="([^"]+)">([^<]+)</span>', articles
    )
    assert cell.group(1) == LONG_TITLE and len(cell.group(2)) <= 70
    # The stylesheet that keeps those cells on one line is on every admin page.
    assert "/static/css/newsroom-admin.css" in articles


def test_a_statement_heading_is_cut_at_a_word(admin_client, article):
    quote = make_quote(article=article, text="We will keep talking,", speaker=make_speaker())
    quote.text = (
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
    )
    assert (
        str(quote)
        == "one two three four five six seven eight nine ten eleven twelve thirteen fourteen…"
    )


def test_reannotate_button_on_the_article_page(admin_client, article, monkeypatch):
    calls = use_fake_pipeline(monkeypatch)
    page = admin_client.get(f"/admin/statements/article/{article.pk}/change/").text
    action = f"/admin/statements/article/{article.pk}/reannotate/"
    assert re.search(rf'<form class="object-tool-form" method="post" action="{action}">', page)
    assert ">Re-annotate</button>" in page

    response = admin_client.post(action, follow=True)
    assert response.redirect_chain[-1][0] == f"/admin/statements/article/{article.pk}/change/"
    assert "Queued for re-annotation" in response.text
    assert calls == [article.body]  # the tasks run inline in tests: annotated again
    article.refresh_from_db()
    assert article.status == Article.Status.ANNOTATED
    assert LogEntry.objects.filter(
        object_id=str(article.pk), change_message__contains="Re-annotation"
    ).exists()


def test_reannotate_needs_a_post_and_a_staff_login(client, admin_client, article, db):
    action = f"/admin/statements/article/{article.pk}/reannotate/"
    assert admin_client.get(action).status_code == 405
    client.logout()
    response = client.post(action)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    viewer = make_user(staff=True, username="viewer")  # staff without change permission
    client.force_login(viewer)
    assert client.post(action).status_code in (302, 403)
    article.refresh_from_db()
    assert not LogEntry.objects.filter(object_id=str(article.pk)).exists()
