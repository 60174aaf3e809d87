"""The country and topic indexes, the menu that leads to them, and the error pages."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.factories import make_quote, make_speaker, make_topic


@pytest.fixture
def data(db):
    turkish = make_speaker("Ayşe Demir", country="TR")
    make_quote(text="We want calm", speaker=turkish, countries=("GR",), topics=("port-calls",))
    make_quote(text="Talks go on", speaker=turkish, countries=("GR", "CY"), topics=("port-calls",))
    make_quote(text="Nobody from anywhere", countries=("TR",), topics=("grain-prices",))
    gone = make_quote(text="Deleted by staff", speaker=turkish, countries=("FR",))
    gone.is_deleted = True
    gone.save()
    make_topic("fisheries-quota", "Fisheries quota")


def rows(html: str) -> dict[str, tuple[str, str]]:
    """Country name -> (by its speakers, mentioning it), as the table body shows them."""
    out = {}
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        name, _code = cells[0].rsplit(" ", 1)
        out[name] = (cells[1], cells[2])
    return out


def test_country_index_counts_by_and_about(client, data, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get("/countries/")
    assert response.status_code == 200
    shown = rows(response.text)
    assert shown == {"Cyprus": ("0", "1"), "Greece": ("0", "2"), "Türkiye": ("2", "1")}
    assert 'href="/countries/tr/?section=by"' in response.text
    assert 'href="/countries/gr/?section=about"' in response.text


def test_topic_index_counts_and_lists_topics_without_statements(client, data):
    response = client.get("/topics/")
    assert response.status_code == 200
    cards = re.findall(
        r'<li class="index-card"><a href="([^"]+)">([^<]+)</a> <span class="n">([^<]+)</span>',
        response.text,
    )
    assert ("/topics/port-calls/", "Port-Calls", "2 statements") in cards
    assert ("/topics/grain-prices/", "Grain-Prices", "1 statement") in cards
    assert all(count != "0 statements" for _, _, count in cards)
    assert 'No statements yet on: <a href="/topics/' in response.text
    assert 'href="/topics/fisheries-quota/">Fisheries quota</a>' in response.text


@pytest.mark.parametrize("path", ["/", "/speakers/", "/countries/", "/topics/"])
def test_menu_leads_to_the_indexes(client, data, path):
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', client.get(path).text, re.S).group(1)
    assert 'href="/countries/"' in nav and 'href="/topics/"' in nav


def test_empty_indexes_say_so(client, db):
    assert "No countries yet" in client.get("/countries/").text


def test_not_found_page_in_the_sites_style(client, db, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert "/static/css/site.css" in html and '<nav aria-label="Main">' in html
    assert 'action="/"' in html and 'name="q"' in html  # a way on: search the statements
    # A page's own reason is shown; the resolver's is not.
    speaker = client.get("/speakers/nobody-at-all/").content.decode()
    assert "No speaker with that name." in speaker
    assert "Resolver404" not in html


def test_server_error_page_needs_no_database_or_context_processors():
    # No `db` fixture: any query here fails the test (pytest-django blocks the database).
    request = RequestFactory().get("/")
    response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong</h1>" in html
    assert "/static/css/site.css" in html
    assert 'href="/countries/"' in html


def test_server_error_page_is_what_a_crashing_view_shows(client, db, settings, monkeypatch):
    settings.DEBUG = False
    client.raise_request_exception = False

    def broken(**_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("statements.views_indexes.topic_index", broken)
    response = client.get("/topics/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
