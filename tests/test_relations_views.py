"""The relations matrix, its exports, the pair page and the country pages' pair lists."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape

import pytest
from django.db.models import Count
from django.urls import reverse

from statements.models import Country, Quote
from tests.factories import make_quote, make_speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    """Turkey talks about the US (3) and Greece (1), the US about Turkey (1), a Turkish
    statement about Turkey itself, one by a speaker without a country, one deleted."""
    tr = make_speaker("Ayla Demir", country="TR")
    tr2 = make_speaker("Kemal Aras", country="TR")
    us = make_speaker("John Roe", country="US")
    official = make_speaker("Ana Lima, UN envoy")
    make_quote(speaker=tr, countries=("US",), published=dt.date(2024, 1, 5), topics=("trade",))
    make_quote(speaker=tr, countries=("US", "GR"), published=dt.date(2024, 3, 9))
    make_quote(speaker=tr2, countries=("US",), published=dt.date(2024, 3, 20), kind="indirect")
    make_quote(speaker=tr, countries=("TR",))
    make_quote(speaker=us, countries=("TR",), published=dt.date(2023, 12, 1))
    make_quote(speaker=official, countries=("TR", "US"))
    make_quote(speaker=None, countries=("GR",))
    make_quote(speaker=us, countries=("GR",), is_deleted=True)
    return {"tr": tr, "tr2": tr2, "us": us}


def direct_count(source: str, target: str, **filters) -> int:
    return (
        Quote.objects.filter(
            is_deleted=False, speaker__country=source, countries__code=target, **filters
        )
        .distinct()
        .count()
    )


def test_json_export_lists_every_pair_with_direct_counts(client, corpus):
    data = client.get("/relations/?format=json").json()
    assert set(data) == {"results", "without_country"}
    assert data["results"] == [
        {"from": "tr", "to": "us", "statements": 3},
        {"from": "tr", "to": "gr", "statements": 1},
        {"from": "us", "to": "tr", "statements": 1},
    ]
    for row in data["results"]:
        assert row["statements"] == direct_count(row["from"].upper(), row["to"].upper())
    assert data["without_country"] == 2  # the envoy's and the speakerless statement


def test_exports_follow_the_filters(client, corpus):
    data = client.get("/relations/?format=json&kind=indirect").json()
    assert data == {"results": [{"from": "tr", "to": "us", "statements": 1}], "without_country": 0}
    data = client.get("/relations/?format=json&date_from=2024-03-01").json()
    assert {(r["from"], r["to"]): r["statements"] for r in data["results"]} == {
        ("tr", "us"): 2,
        ("tr", "gr"): 1,
    }
    data = client.get("/relations/?format=json&topic=trade").json()
    assert data["results"] == [{"from": "tr", "to": "us", "statements": 1}]

    response = client.get("/relations/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["from"], r["to"], r["statements"]) for r in rows] == [
        ("tr", "us", "3"),
        ("tr", "gr", "1"),
        ("us", "tr", "1"),
    ]
    assert rows[0]["from_name"] == Country.objects.get(code="TR").name


def test_bad_format_or_filter_is_a_400(client, corpus):
    assert client.get("/relations/?format=xml").status_code == 400
    assert client.get("/relations/?format=json&rows=ZZ").status_code == 400
    assert client.get("/relations/?date_from=yesterday").status_code == 400


def cells(html: str) -> dict[tuple[str, str], tuple[int, str]]:
    """(speaker country, mentioned country) -> (count, link) of each matrix cell."""
    found = {}
    for href, count in re.findall(r'<td class="shade-\d"><a href="([^"]+)"[^>]*>(\d+)</a>', html):
        href = unescape(href)
        source = re.search(r"speaker_country=(\w\w)", href).group(1)
        target = re.search(r"[?&]country=(\w\w)", href).group(1)
        found[(source, target)] = (int(count), href)
    return found


def test_matrix_cells_equal_direct_counts_and_link_to_the_list(client, corpus):
    response = client.get("/relations/")
    html = response.content.decode()
    assert "<table" in html and '<th scope="col"' in html and '<th scope="row"' in html
    matrix = cells(html)
    assert {pair: n for pair, (n, _) in matrix.items()} == {
        ("TR", "US"): 3,
        ("TR", "GR"): 1,
        ("US", "TR"): 1,
    }
    for (source, target), (count, href) in matrix.items():
        assert count == direct_count(source, target)
        listed = client.get(href)
        assert listed.status_code == 200
        assert listed.context["page"].paginator.count == count
    assert 'class="own"' in html  # Turkey's mentions of itself are left out
    assert (
        "<strong>2</strong> statements that mention a country but whose speaker has no country"
        in html
    )


def test_matrix_shows_chosen_countries_and_keeps_filters_in_links(client, corpus):
    html = client.get("/relations/?rows=US&cols=TR,GR&kind=direct").content.decode()
    matrix = cells(html)
    assert set(matrix) == {("US", "TR")}
    assert "kind=direct" in matrix[("US", "TR")][1]
    # Phone list: the busiest pairs link to their pair pages.
    assert 'href="/relations/us/tr/?kind=direct"' in html


def test_htmx_request_gets_only_the_results(client, corpus):
    response = client.get("/relations/?kind=direct", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith("<title>")
    assert 'id="results"' in html and "<form" not in html
    assert response["HX-Push-Url"] == "/relations/?kind=direct"


def test_pages_make_a_constant_number_of_queries(client, corpus, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get("/relations/")
    with django_assert_max_num_queries(4):
        client.get("/relations/?topic=trade")
    with django_assert_max_num_queries(14):
        client.get("/relations/tr/us/")
    for i in range(3):
        speaker = make_speaker(f"More Speaker {i}", country="FR")
        make_quote(speaker=speaker, countries=("US", "TR", "GR"))
    with django_assert_max_num_queries(8):
        client.get("/relations/")
    with django_assert_max_num_queries(14):
        client.get("/relations/tr/us/")


def test_pair_page(client, corpus):
    response = client.get("/relations/tr/us/")
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == 3 == direct_count("TR", "US")
    html = response.content.decode()
    # The list's results partial with its facets, but not the facets the pair fixes.
    assert 'class="facet facet-speaker"' in html
    assert "facet-speaker_country" not in html
    # The speakers behind the pair, with counts.
    assert [(s.name, s.count) for s in response.context["pair_speakers"]] == [
        ("Ayla Demir", 2),
        ("Kemal Aras", 1),
    ]
    # Per month: January and March 2024.
    counts = {bar.date_from: bar.count for bar in response.context["chart"].bars}
    assert counts["2024-01-01"] == 1 and counts["2024-03-01"] == 2
    # The reverse pair, one click away.
    assert 'href="/relations/us/tr/"' in html
    assert response.context["reverse_count"] == 1
    # Filters narrow the list.
    assert client.get("/relations/tr/us/?kind=indirect").context["page"].paginator.count == 1


def test_pair_page_urls(client, corpus):
    response = client.get("/relations/TR/us/?kind=direct")
    assert response.status_code == 301
    assert response["Location"] == "/relations/tr/us/?kind=direct"
    assert client.get("/relations/xx/us/").status_code == 404
    assert client.get("/relations/tur/us/").status_code == 404


def test_country_page_lists_pairs_both_ways(client, corpus):
    html = client.get("/countries/tr/").content.decode()
    talks = html[html.index("Talks most about") : html.index("Talked about most by")]
    assert re.search(r'href="/relations/tr/us/">United States</a> <span class="n">3</span>', talks)
    assert 'href="/relations/tr/tr/"' not in html  # not itself
    by = html[html.index("Talked about most by") :]
    assert re.search(r'href="/relations/us/tr/">United States</a> <span class="n">1</span>', by)


def test_menu_links_to_the_matrix(client, corpus):
    assert f'href="{reverse("statements:relations")}"' in client.get("/").content.decode()


def test_matrix_busiest_first(client, corpus):
    for i in range(2):
        speaker = make_speaker(f"French Speaker {i}", country="FR")
        for _ in range(3):
            make_quote(speaker=speaker, countries=("DE",))
    response = client.get("/relations/?size=10")
    rows = [row["code"] for row in response.context["rows"]]
    columns = [c["code"] for c in response.context["columns"]]
    busiest_rows = list(
        Quote.objects.filter(is_deleted=False, speaker__country__isnull=False)
        .exclude(countries=None)
        .values_list("speaker__country")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("speaker__country", flat=True)
    )
    assert rows[0] == busiest_rows[0] == "FR"
    assert columns[:2] == ["DE", "US"]


def test_speakers_that_are_countries_count_for_their_country(client, corpus):
    """A speaker standing for a country (a ministry, a delegation) counts like a person
    from it: through Speaker.country."""
    ministry = make_speaker("Ministry of Foreign Affairs of France", country="FR")
    ministry.kind = "country"
    ministry.save()
    make_quote(speaker=ministry, countries=("TR",))
    rows = client.get("/relations/?format=json").json()["results"]
    assert {"from": "fr", "to": "tr", "statements": 1} in rows


@pytest.mark.parametrize(
    "query", ["kind=direct", "date_from=2024-02-01&date_to=2024-12-31", "topic=trade", "q=number"]
)
def test_filtered_cells_equal_the_filtered_list(client, corpus, query):
    html = client.get(f"/relations/?{query}").content.decode()
    matrix = cells(html)
    assert matrix
    for (source, target), (count, href) in matrix.items():
        assert query in href
        assert client.get(href).context["page"].paginator.count == count, (source, target)
    data = client.get(f"/relations/?{query}&format=json").json()
    listed = client.get(f"/?{query}").context["page"].paginator.count
    assert data["without_country"] <= listed
