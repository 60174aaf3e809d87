"""The browsing pages: filters, facets, HTMX fragments, exports, bad input, query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import hypothesis
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import strategies as st

from statements.models import Article, Country, Quote, Speaker
from tests.factories import make_article, make_quote, make_speaker

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def data():
    """Three speakers from three countries, statements on two topics over three months."""
    jens = make_speaker(
        "Jens Stoltenberg",
        country="NO",
        role="NATO Secretary General",
        aliases=("Stoltenberg", "the NATO chief"),
        organisation="NATO",
    )
    erdogan = make_speaker("Recep Tayyip Erdoğan", country="TR", role="President")
    kay = make_speaker("Kay Bailey Hutchison", country="US", role="Permanent Representative")
    quotes = {
        "dialogue": make_quote(
            text="We call on the United States to hold a dialogue with Ankara",
            speaker=jens,
            kind="indirect",
            cue="called on",
            countries=("US", "TR"),
            topics=("defence",),
            published=dt.date(2024, 1, 10),
        ),
        "s400": make_quote(
            text="Purchasing the S-400 is Turkey's national decision",
            speaker=jens,
            kind="direct",
            cue="reiterated",
            countries=("TR",),
            topics=("defence",),
            published=dt.date(2024, 2, 5),
        ),
        "sovereign": make_quote(
            text="Our decision is final and sovereign",
            speaker=erdogan,
            kind="direct",
            cue="said",
            countries=("TR",),
            published=dt.date(2024, 3, 20),
        ),
        "worried": make_quote(
            text="We are very worried at the point we have come to",
            speaker=kay,
            kind="mixed",
            cue="warned",
            countries=("TR", "RU"),
            topics=("sanctions",),
            published=dt.date(2024, 3, 22),
        ),
        "anonymous": make_quote(
            text="Talks will continue next week",
            speaker=None,
            kind="indirect",
            cue="",
            published=None,
        ),
    }
    return {"jens": jens, "erdogan": erdogan, "kay": kay, **quotes}


def texts(response) -> list[str]:
    """Statement texts shown on a page, in order."""
    return [q.text for q in response.context["page"].object_list]


def get(client, path="/", **params):
    return client.get(path, params)


# --- filters ------------------------------------------------------------------------------


def test_list_is_newest_first_with_total(client, data):
    response = get(client)
    assert response.status_code == 200
    assert texts(response) == [
        data["worried"].text,
        data["sovereign"].text,
        data["s400"].text,
        data["dialogue"].text,
        data["anonymous"].text,  # no publication date: last
    ]
    assert "<strong>5</strong> statements" in response.text


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"speaker": "jens-stoltenberg"}, ["s400", "dialogue"]),
        ({"speaker": "stoltenberg"}, ["s400", "dialogue"]),  # typed, no JavaScript
        ({"speaker": "erdogan"}, ["sovereign"]),  # accents folded
        ({"speaker": "the nato chief"}, ["s400", "dialogue"]),  # an alias
        ({"speaker_country": "NO"}, ["s400", "dialogue"]),
        ({"speaker_country": "tr"}, ["sovereign"]),  # any case
        ({"country": "US"}, ["dialogue"]),
        ({"country": "TR"}, ["worried", "sovereign", "s400", "dialogue"]),
        ({"topic": "sanctions"}, ["worried"]),
        ({"kind": "direct"}, ["sovereign", "s400"]),
        ({"kind": "mixed"}, ["worried"]),
        ({"date_from": "2024-02-01"}, ["worried", "sovereign", "s400"]),
        ({"date_to": "2024-02-05"}, ["s400", "dialogue"]),
        ({"date_from": "2024-02-01", "date_to": "2024-03-20"}, ["sovereign", "s400"]),
        ({"q": "dialogue"}, ["dialogue"]),
        ({"q": "decision"}, ["sovereign", "s400"]),
        ({"q": "Erdoğan"}, ["sovereign"]),  # the speaker's name
        ({"country": "TR", "kind": "direct", "speaker_country": "NO"}, ["s400"]),
        ({"topic": "defence", "q": "decision"}, ["s400"]),
        ({"speaker": "kay-bailey-hutchison", "topic": "defence"}, []),
    ],
)
def test_filters(client, data, params, expected):
    response = get(client, **params)
    assert response.status_code == 200
    assert texts(response) == [data[name].text for name in expected]


def test_unknown_speaker_slug_is_an_empty_result_that_says_what_to_do(client, data):
    response = get(client, speaker="nobody-at-all")
    assert response.status_code == 200
    assert texts(response) == []
    assert "No statements match" in response.text
    assert "Remove a filter" in response.text
    assert "Speaker: “nobody-at-all”" in response.text


def test_exact_slug_wins_over_name_match(client, data):
    # "kay" alone would also be part of other names; the slug picks one speaker.
    make_quote(text="Another Kay spoke", speaker=make_speaker("Kay Other", slug="kay"))
    assert texts(get(client, speaker="kay")) == ["Another Kay spoke"]


@pytest.mark.parametrize(
    "typed, name, expected",
    [
        ("hutchinson", "Kay Bailey Hutchison", ["worried"]),  # a typo, as the QA typed it
        ("stoltenburg", "Jens Stoltenberg", ["s400", "dialogue"]),
        ("erdogn", "Recep Tayyip Erdoğan", ["sovereign"]),
    ],
)
def test_typed_speaker_with_a_typo_finds_what_the_suggestions_offer(
    client, data, typed, name, expected
):
    suggested = client.get("/speakers/", {"q": typed, "format": "json"}).json()["results"]
    assert suggested[0]["name"] == name
    response = get(client, speaker=typed)
    assert texts(response) == [data[key].text for key in expected]
    assert f"Showing statements by {name} (matched “{typed}”)" in response.text
    assert f"Speaker: {name}" in response.text
    assert f"<title>Statements by {name} · Newsroom" in response.text
    # The exports are the same statements.
    exported = json.loads(body_of(get(client, speaker=typed, format="json")))
    assert [row["text"] for row in exported["results"]] == texts(response)


def test_typed_part_of_several_names_finds_all_of_them(client, data):
    other = make_quote(text="Another Kay spoke", speaker=make_speaker("Kay Other"))
    response = get(client, speaker="KAY")
    assert texts(response) == [data["worried"].text, other.text]
    assert "Showing statements by Kay Bailey Hutchison and Kay Other (matched “KAY”)" in (
        response.text
    )
    assert "Speaker: “KAY”" in response.text


def test_typed_whole_name_finds_only_that_speaker(client, data):
    # What the box shows after a suggestion is picked, sent without JavaScript.
    make_quote(text="Junior spoke", speaker=make_speaker("Jens Stoltenberg Junior"))
    response = get(client, speaker="jens stoltenberg")
    assert texts(response) == [data["s400"].text, data["dialogue"].text]
    assert "Showing statements by" not in response.text  # it found what was typed
    assert "Speaker: Jens Stoltenberg" in response.text


def test_speaker_box_shows_the_name_of_the_slug_in_the_url(client, data):
    html = get(client, speaker="jens-stoltenberg").text
    assert 'value="Jens Stoltenberg"' in html
    assert 'data-slug="jens-stoltenberg" data-name="Jens Stoltenberg"' in html
    assert 'value="jens-stoltenberg"' not in html
    # The results say so too, for the script to show it after a facet link.
    assert 'data-speaker-slug="jens-stoltenberg" data-speaker-name="Jens Stoltenberg"' in html
    assert "Showing statements by" not in html
    # What was typed stays as typed.
    assert 'value="stoltenburg"' in get(client, speaker="stoltenburg").text


def test_deleted_statements_are_hidden(client, data):
    Quote.objects.filter(pk=data["s400"].pk).update(is_deleted=True)
    assert data["s400"].text not in texts(get(client))


def test_row_shows_speaker_role_country_cue_and_links_to_article_anchor(client, data):
    quote = data["s400"]
    response = get(client, speaker="jens-stoltenberg", kind="direct")
    html = response.text
    assert f"“{quote.text.replace("'", '&#x27;')}”" in html  # direct speech in quote marks
    assert 'href="/speakers/jens-stoltenberg/"' in html
    assert "NATO Secretary General" in html
    assert 'href="/countries/no/"' in html
    assert "reiterated" in html
    assert f'href="/articles/{quote.article_id}/#q{quote.pk}"' in html
    assert "5 Feb 2024" in html


def test_title_names_the_filters(client, data):
    response = get(client, speaker="jens-stoltenberg", country="TR", topic="defence")
    assert "<title>Statements by Jens Stoltenberg, mentioning Türkiye, on Defence · Newsroom" in (
        response.text
    )


# --- facets -------------------------------------------------------------------------------


def facet(response, name):
    return next(box for box in response.context["facets"] if box.name == name)


def test_facets_count_the_current_result(client, data):
    response = get(client, country="TR")
    speakers = {item.label: item.count for item in facet(response, "speaker").items}
    assert speakers == {"Jens Stoltenberg": 2, "Recep Tayyip Erdoğan": 1, "Kay Bailey Hutchison": 1}
    assert [i.label for i in facet(response, "speaker").items][0] == "Jens Stoltenberg"
    countries = {item.label: item.count for item in facet(response, "country").items}
    assert countries["Türkiye"] == 4
    assert countries["United States"] == 1
    kinds = {item.label: item.count for item in facet(response, "kind").items}
    assert kinds == {"Direct": 2, "Indirect": 1, "Mixed": 1}
    topics = {item.label: item.count for item in facet(response, "topic").items}
    assert topics == {"Defence": 2, "Sanctions": 1}


def test_facet_link_adds_the_filter_and_the_selected_one_removes_it(client, data):
    response = get(client, kind="direct")
    norway = next(i for i in facet(response, "speaker_country").items if i.label == "Norway")
    assert not norway.selected
    assert norway.url == "/?kind=direct&speaker_country=NO"
    assert f'href="{norway.url.replace("&", "&amp;")}"' in response.text

    followed = client.get(norway.url)
    assert texts(followed) == [data["s400"].text]
    selected = next(i for i in facet(followed, "speaker_country").items if i.label == "Norway")
    assert selected.selected
    assert selected.url == "/?kind=direct"
    assert len(texts(client.get(selected.url))) == 2


def test_facet_link_drops_the_page(client, data, settings):
    settings.NEWSROOM_PAGE_SIZE = 2
    response = get(client, page="2")
    assert all("page=" not in item.url for box in response.context["facets"] for item in box.items)


def test_active_filter_chip_removes_only_its_filter(client, data):
    response = get(client, country="TR", kind="direct")
    chips = {a.name: a.remove_url for a in response.context["active_filters"]}
    assert chips == {"country": "/?kind=direct", "kind": "/?country=TR"}


# --- HTMX ---------------------------------------------------------------------------------


def test_htmx_request_gets_only_the_results_fragment(client, data):
    response = client.get("/", {"country": "TR", "q": "", "speaker": ""}, **HX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<title>")
    assert '\n<div id="results"' in response.text
    assert "<html" not in response.text
    assert 'id="filters"' not in response.text
    assert "<title>Statements mentioning Türkiye · Newsroom</title>" in response.text
    # The address bar gets the canonical URL, without the empty parameters.
    assert response["HX-Push-Url"] == "/?country=TR"
    assert "HX-Request" in response["Vary"]


def test_full_page_has_form_and_results_and_varies_on_hx_request(client, data):
    response = get(client, country="TR")
    assert response.text.startswith("<!doctype html>")
    assert 'id="filters"' in response.text and 'id="results"' in response.text
    assert 'hx-get="/"' in response.text and 'hx-push-url="true"' in response.text
    assert "HX-Request" in response["Vary"]
    assert "HX-Push-Url" not in response


def test_history_restore_request_gets_the_full_page(client, data):
    response = client.get("/", {"country": "TR"}, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HX)
    assert response.text.startswith("<!doctype html>")
    assert 'id="filters"' in response.text


@pytest.mark.parametrize(
    "url, target",
    [
        (
            "/?q=Turkey&speaker=&speaker_country=&country=&topic=&kind=&date_from=&date_to=",
            "/?q=Turkey",
        ),
        ("/?speaker=&kind=", "/"),
        ("/?q=+&country=TR", "/?country=TR"),
        ("/speakers/?q=", "/speakers/"),
        ("/speakers/jens-stoltenberg/?kind=&page=2", "/speakers/jens-stoltenberg/?page=2"),
        ("/countries/tr/?section=about&kind=", "/countries/tr/?section=about"),
        ("/topics/defence/?q=&format=json", "/topics/defence/?format=json"),
    ],
)
def test_empty_parameters_redirect_to_the_clean_url(client, data, url, target):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == target
    assert "HX-Request" in response["Vary"]
    # htmx requests get the fragment at once, and push the clean URL themselves.
    assert client.get(url, **HX).status_code == 200


def test_works_without_javascript(client, data):
    html = get(client).text
    assert '<form id="filters" class="filters" method="get" action="/"' in html
    assert '<button type="submit">Filter</button>' in html
    assert 'name="speaker"' in html and 'name="q"' in html
    # Controls carry accessible labels.
    for field in ("q", "speaker", "speaker_country", "country", "topic", "kind", "date_from"):
        assert f'for="id_{field}"' in html


def test_no_inline_scripts_or_styles(client, data):
    for url in ["/", "/speakers/", f"/articles/{data['s400'].article_id}/"]:
        html = client.get(url).text
        assert "<script>" not in html and "style=" not in html and "hx-on" not in html


# --- pagination and bad input -------------------------------------------------------------


@pytest.fixture
def many(db, settings):
    settings.NEWSROOM_PAGE_SIZE = 10
    speaker = make_speaker("Many Words", country="FR")
    article = make_article(body="Headline\n\n" + " ".join(f"S{i:02d}." for i in range(25)))
    return [
        make_quote(text=f"S{i:02d}", article=article, speaker=speaker, cue="") for i in range(25)
    ]


def test_pagination_and_total(client, many):
    response = get(client, page="2")
    assert response.context["page"].number == 2
    assert texts(response) == [f"S{i:02d}" for i in range(10, 20)]
    assert "page 2 of 3" in response.text
    assert 'href="/?page=3"' in response.text and 'href="/"' in response.text


@pytest.mark.parametrize(
    "number, expected",
    [("abc", 1), ("-1", 3), ("0", 3), ("999999", 3), ("9" * 10_000, 1), ("2.5", 1), ("", 1)],
)
def test_bad_page_numbers_give_a_real_page(client, many, number, expected):
    response = client.get("/", {"page": number}, follow=True)  # page="" redirects to /
    assert response.status_code == 200
    assert response.context["page"].number == expected


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2024-13-45"},
        {"date_to": "yesterday"},
        {"date_from": "2024-03-01", "date_to": "2024-01-01"},
        {"kind": "shouted"},
        {"country": "Turkey"},
        {"speaker_country": "XX"},
        {"topic": "no-such-topic"},
        {"q": "x" * 10_240},
        {"speaker": "y" * 10_240},
        {"q": "nul\x00byte"},  # PostgreSQL refuses NUL in text: must not reach it
        {"speaker": "\x00"},
        {"country": "\x00"},
    ],
)
def test_bad_filters_are_a_400_with_the_reason(client, data, params):
    response = get(client, **params)
    assert response.status_code == 400
    assert "Check the filters" in response.text
    fragment = client.get("/", params, **HX)
    assert fragment.status_code == 400
    assert "Check the filters" in fragment.text
    export = client.get("/", {**params, "format": "json"})
    assert export.status_code == 400
    assert "errors" in export.json()


def test_unknown_format_is_a_400(client, data):
    assert get(client, format="xml").status_code == 400


def test_post_is_not_allowed(client, data):
    assert client.post("/").status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        "/speakers/nobody/",
        "/topics/nothing/",
        "/countries/xx/",
        "/countries/usa/",
        "/countries/1a/",
        "/articles/999999/",
        "/articles/99999999999999999999999/",
    ],
)
def test_unknown_pages_are_404(client, data, url):
    assert client.get(url).status_code == 404


# --- exports ------------------------------------------------------------------------------

# The fixed keys of docs/design.md, and what a citation needs besides.
ROW_KEYS = {
    "id",
    "text",
    "kind",
    "start",
    "end",
    "cue",
    "speaker",
    "article",
    "countries",
    "topics",
    "fragments",
    "link",
}


def body_of(response) -> str:
    """The body as text; a CSV's byte-order mark is read as such (as spreadsheets do)."""
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_json_export_shape_is_exact(client, data):
    response = get(client, speaker="jens-stoltenberg", kind="direct", format="json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    payload = json.loads(body_of(response))
    quote = data["s400"]
    assert payload == {
        "count": 1,
        "results": [
            {
                "id": quote.pk,
                "text": quote.text,
                "kind": "direct",
                "start": quote.start,
                "end": quote.end,
                "fragments": [],
                "cue": "reiterated",
                "speaker": {
                    "name": "Jens Stoltenberg",
                    "slug": "jens-stoltenberg",
                    "country": "NO",
                    "role": "NATO Secretary General",
                },
                "article": {
                    "id": quote.article_id,
                    "title": quote.article.title,
                    "published": "2024-02-05",
                    "source": None,
                    "url": None,
                },
                "countries": ["TR"],
                "topics": ["defence"],
                "link": f"http://testserver/articles/{quote.article_id}/#q{quote.pk}",
            }
        ],
    }
    article = Article.objects.get(pk=quote.article_id)
    assert article.body[quote.start : quote.end] == quote.text


def test_json_export_unknown_speaker_and_date_are_null(client, data):
    payload = json.loads(body_of(get(client, q="continue", format="json")))
    (row,) = payload["results"]
    assert set(row) == ROW_KEYS
    assert row["speaker"] is None
    assert row["cue"] is None
    assert row["article"]["published"] is None
    assert row["countries"] == [] and row["topics"] == []


def test_exports_have_every_page_and_match_the_filter(client, many):
    payload = json.loads(body_of(get(client, format="json", page="2")))
    assert payload["count"] == 25
    assert [row["text"] for row in payload["results"]] == [f"S{i:02d}" for i in range(25)]
    rows = list(csv.reader(io.StringIO(body_of(get(client, format="csv")))))
    assert len(rows) == 26


def test_csv_export_header_rows_and_filename(client, data):
    response = get(client, country="TR", format="csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body_of(response))))
    assert list(rows[0]) == [
        "text",
        "kind",
        "speaker_name",
        "speaker_role",
        "speaker_country",
        "cue",
        "article_title",
        "article_source",
        "article_url",
        "article_published",
        "countries",
        "topics",
        "link",
        "id",
        "speaker_slug",
        "article_id",
        "start",
        "end",
    ]
    assert [r["text"] for r in rows] == texts(get(client, country="TR"))
    worried = next(r for r in rows if r["text"] == data["worried"].text)
    assert worried["countries"] == "RU TR"
    assert worried["speaker_slug"] == "kay-bailey-hutchison"
    assert worried["article_id"] == str(data["worried"].article_id)
    assert worried["start"] == str(data["worried"].start)


def test_csv_guards_against_formulas(client, db):
    make_quote(text="=HYPERLINK(evil)", speaker=make_speaker("@admin"), cue="+said")
    make_quote(text="-1 is a number", cue="")
    rows = list(csv.DictReader(io.StringIO(body_of(get(client, format="csv")))))
    by_text = {r["text"]: r for r in rows}
    assert by_text["'=HYPERLINK(evil)"]["speaker_name"] == "'@admin"
    assert by_text["'=HYPERLINK(evil)"]["cue"] == "'+said"
    assert "'-1 is a number" in by_text


def test_export_links_on_each_page(client, data):
    pages = {
        "/": "/?format=csv",
        "/speakers/jens-stoltenberg/": "/speakers/jens-stoltenberg/?format=csv",
        "/countries/tr/": "/countries/tr/?format=csv",
        "/topics/defence/": "/topics/defence/?format=csv",
    }
    for url, export in pages.items():
        response = client.get(url, {"kind": "direct"})
        assert f'href="{url}?kind=direct&amp;format=csv"' in response.text, url
        assert export


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/speakers/jens-stoltenberg/", ["s400", "dialogue"]),
        ("/countries/no/", ["s400", "dialogue"]),
        ("/countries/no/?section=about", []),
        ("/countries/tr/?section=about", ["worried", "sovereign", "s400", "dialogue"]),
        ("/topics/defence/", ["s400", "dialogue"]),
    ],
)
def test_page_exports_are_their_filtered_rows(client, data, url, expected):
    separator = "&" if "?" in url else "?"
    payload = json.loads(body_of(client.get(f"{url}{separator}format=json")))
    assert [row["text"] for row in payload["results"]] == [data[n].text for n in expected]
    assert payload["count"] == len(expected)


# --- speaker search -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "q, name",
    [
        ("erdogan", "Recep Tayyip Erdoğan"),
        ("ERDOĞAN", "Recep Tayyip Erdoğan"),
        ("stoltenberg", "Jens Stoltenberg"),
        ("nato chief", "Jens Stoltenberg"),  # alias
        ("bailey", "Kay Bailey Hutchison"),
    ],
)
def test_speaker_search_json(client, data, q, name):
    response = get(client, "/speakers/", q=q, format="json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["name"] == name
    assert set(results[0]) == {"name", "slug", "country", "statements"}


def test_speaker_search_json_counts_statements(client, data):
    (row,) = get(client, "/speakers/", q="jens", format="json").json()["results"]
    assert row == {
        "name": "Jens Stoltenberg",
        "slug": "jens-stoltenberg",
        "country": "NO",
        "statements": 2,
    }


def test_speaker_search_page_and_fragment(client, data):
    response = get(client, "/speakers/", q="erdogan")
    assert response.status_code == 200
    assert 'href="/speakers/recep-tayyip-erdogan/"' in response.text
    assert "<title>Speakers matching “erdogan” · Newsroom" in response.text
    fragment = client.get("/speakers/", {"q": "erdogan"}, **HX)
    assert '<div id="results"' in fragment.text and "<form" not in fragment.text
    assert "HX-Request" in fragment["Vary"]
    assert "No speaker matches" in get(client, "/speakers/", q="zzzz").text


def test_speaker_search_bad_input(client, data):
    assert get(client, "/speakers/", q="x" * 10_240).status_code == 400
    assert get(client, "/speakers/", q="\x00", format="json").status_code == 400
    assert get(client, "/speakers/", q="a", format="json", limit="9" * 5000).status_code == 200
    assert get(client, "/speakers/", q="x" * 10_240, format="json").status_code == 400
    assert get(client, "/speakers/", q="a", format="json", limit="abc").status_code == 200
    assert get(client, "/speakers/", format="xml").status_code == 400


# --- speaker, article, country and topic pages --------------------------------------------


def test_speaker_page(client, data):
    response = client.get("/speakers/jens-stoltenberg/")
    html = response.text
    assert response.status_code == 200
    assert '<h1 id="speaker-name">Jens Stoltenberg</h1>' in html
    assert "NATO Secretary General" in html and "Norway" in html and ">NATO<" in html
    assert "the NATO chief" in html  # aliases
    assert "<strong>2</strong> statements" in html
    assert "<svg" in html and html.count("<rect") == 12  # a year, up to Feb 2024
    assert 'aria-label="Feb 2024: 1 statement"' in html
    assert "Speaks most about" in html and "Türkiye" in html
    assert texts(response) == [data["s400"].text, data["dialogue"].text]
    # The filters work here too, but the speaker is fixed by the page.
    assert 'name="speaker"' not in html
    assert texts(client.get("/speakers/jens-stoltenberg/", {"kind": "direct"})) == [
        data["s400"].text
    ]


def test_speaker_page_fragment_skips_the_profile(client, data, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = client.get("/speakers/jens-stoltenberg/", {"kind": "direct"}, **HX)
    assert "<svg" not in response.text
    assert response["HX-Push-Url"] == "/speakers/jens-stoltenberg/?kind=direct"


def test_article_page_highlights_every_statement(client, data):
    quote = data["s400"]
    response = client.get(f"/articles/{quote.article_id}/")
    html = response.text
    assert response.status_code == 200
    assert f'id="q{quote.pk}"' in html
    assert 'title="Jens Stoltenberg: reiterated"' in html
    assert "Purchasing the S-400 is Turkey&#x27;s national decision</mark>" in html
    assert 'href="/speakers/jens-stoltenberg/"' in html  # side list links to the speaker
    assert "Annotated" in html


def test_article_page_escapes_article_text(client, db):
    article = make_article(body="<b>Head</b>\n\n<script>alert(1)</script> “<i>Hi</i>,” he said.")
    make_quote(text="<i>Hi</i>,", article=article, cue="said")
    html = client.get(f"/articles/{article.pk}/").text
    assert "<script>alert" not in html and "<i>Hi" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("status", ["pending", "annotating", "failed"])
def test_article_page_shows_status(client, db, status):
    article = make_article(status=status, error="Boom")
    html = client.get(f"/articles/{article.pk}/").text
    assert f"article-status-{status}" in html
    assert "Boom" not in html  # error details are for staff
    if status != "failed":  # the status badge polls until the work is done
        assert f'hx-get="/articles/{article.pk}/status/?refresh=1"' in html


def test_country_page_has_two_labelled_sections(client, data):
    by = client.get("/countries/tr/")
    assert by.status_code == 200
    assert "Said by speakers from Türkiye" in by.text and "Mentioning Türkiye" in by.text
    assert texts(by) == [data["sovereign"].text]
    about = client.get("/countries/tr/", {"section": "about"})
    assert len(texts(about)) == 4
    assert "Statements that mention Türkiye" in about.text
    # The section survives an HTMX filter change.
    fragment = client.get("/countries/tr/", {"section": "about", "kind": "direct"}, **HX)
    assert fragment["HX-Push-Url"] == "/countries/tr/?kind=direct&section=about"


@pytest.mark.parametrize(
    "path, target",
    [
        ("/countries/TR/", "/countries/tr/"),
        ("/countries/Tr/?section=about&kind=direct", "/countries/tr/?section=about&kind=direct"),
    ],
)
def test_country_page_redirects_to_its_lower_case_url(client, data, path, target):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == target
    assert target.startswith(Country.objects.get(code="TR").get_absolute_url())


def test_country_page_opens_on_the_section_that_has_statements(client, data):
    # Nobody from the United Kingdom speaks; one statement mentions it.
    make_quote(text="London is worried", speaker=data["kay"], countries=("GB",))
    response = client.get("/countries/gb/")
    assert texts(response) == ["London is worried"]
    assert "Statements that mention United Kingdom" in response.text
    assert response.context["about"] is True
    # The tabs: the other section by name, this one without (it is the default).
    assert response.context["by_url"] == "/countries/gb/?section=by"
    assert response.context["about_url"] == "/countries/gb/"
    by = client.get("/countries/gb/", {"section": "by"})
    assert texts(by) == [] and by.context["about"] is False
    assert 'name="section" value="by"' in by.text  # the filters keep the section
    # A filter change on the default section needs no section in the URL.
    fragment = client.get("/countries/gb/", {"kind": "direct"}, **HX)
    assert fragment["HX-Push-Url"] == "/countries/gb/?kind=direct"
    # Where both sections have statements, the page opens on "Said by".
    tr = client.get("/countries/tr/")
    assert tr.context["about"] is False and tr.context["about_url"] == (
        "/countries/tr/?section=about"
    )


def test_topic_page(client, data):
    response = client.get("/topics/defence/")
    assert response.status_code == 200
    assert "<h1>Defence</h1>" in response.text
    assert texts(response) == [data["s400"].text, data["dialogue"].text]
    assert "<title>Topic: Defence · Newsroom" in response.text


def test_empty_database_says_what_to_do(client, db):
    assert "No statements yet" in client.get("/").text
    assert "No speakers yet" in client.get("/speakers/").text


# --- query counts -------------------------------------------------------------------------


def make_statements(n: int) -> None:
    speakers = [
        Speaker.objects.filter(slug=f"person-{i}").first() or make_speaker(f"Person {i}", country=c)
        for i, c in enumerate(["NO", "TR", "US"])
    ]
    article = make_article(body="Headline\n\n" + " ".join(f"Q{i:03d}." for i in range(n)))
    for i in range(n):
        make_quote(
            text=f"Q{i:03d}",
            article=article,
            speaker=speakers[i % 3],
            countries=("TR", "US")[: 1 + i % 2],
            topics=("defence",) if i % 2 else (),
            cue="said",
        )


PAGES_AND_QUERIES = [
    # The data version (ETag), countries and topics for the selects, rows, 2 prefetches, the
    # count and facets with their labels (+ 1 for the speaker's name; the speaker page adds
    # its profile, the country page its tab counts).
    ("/", 11),
    ("/?country=TR&q=Q0&speaker=person", 12),
    # A typo in the speaker: + 3 on SQLite (difflib reads the names and the aliases, then
    # the best speakers), + 1 on PostgreSQL (one trigram query).
    ("/?speaker=persn+1", 15),
    ("/speakers/person-1/", 16),
    ("/countries/tr/", 14),  # + 1: the pairs it talks about and is talked about in
    ("/topics/defence/", 11),
    ("/speakers/?q=person", 2),
]


@pytest.mark.parametrize("n", [5, 60])
@pytest.mark.parametrize("url, limit", PAGES_AND_QUERIES)
def test_query_count_is_bounded(client, settings, django_assert_max_num_queries, n, url, limit):
    settings.NEWSROOM_PAGE_SIZE = 100  # every statement on one page
    make_statements(n)
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", [url for url, _ in PAGES_AND_QUERIES])
def test_query_count_does_not_grow_with_rows(client, settings, url):
    settings.NEWSROOM_PAGE_SIZE = 100
    counts = []
    for n in (5, 55):
        make_statements(n)
        for headers in ({}, HX):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, **headers).status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:], counts


@pytest.mark.parametrize("n", [5, 60])
def test_article_page_query_count_is_constant(client, django_assert_max_num_queries, n):
    make_statements(n)
    article = Article.objects.get()
    # The data version (conditional GET), the article, its part summary, the part's statements.
    with django_assert_max_num_queries(4):
        response = client.get(reverse("statements:article_detail", args=[article.pk]))
    assert response.status_code == 200


# --- any input ----------------------------------------------------------------------------

PARAM_NAMES = [
    "q",
    "speaker",
    "speaker_country",
    "country",
    "topic",
    "kind",
    "date_from",
    "date_to",
    "page",
    "section",
    "format",
]


@hypothesis.settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
@hypothesis.given(
    params=st.dictionaries(
        st.sampled_from(PARAM_NAMES),
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(["TR", "tr", "direct", "2024-02-30", "-1", "csv", "json", "about"]),
        ),
        max_size=5,
    ),
    path=st.sampled_from(["/", "/speakers/jens-stoltenberg/", "/countries/tr/", "/speakers/"]),
    htmx=st.booleans(),
)
def test_no_query_string_makes_a_server_error(client, data, params, path, htmx):
    headers = HX if htmx else {}
    response = client.get(path, params, **headers)
    if response.status_code == 302:  # empty parameters dropped
        assert not htmx and any(not v.strip() for v in params.values()), (path, params)
        response = client.get(response["Location"], **headers)
    assert response.status_code in (200, 400), (path, params)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)


@pytest.mark.django_db
def test_an_article_with_many_statements_lists_them_in_parts(client):
    """A long article's page marks and lists one part of its statements at a time."""
    from statements.models import Quote
    from tests.curation_factories import make_article

    body = "Many statements\n\n" + "".join(f'"Point {n}," she said. ' for n in range(450))
    article = make_article(body=body)
    quotes = []
    for n in range(450):
        text = f"Point {n},"
        start = body.index(f'"{text}"') + 1
        quotes.append(
            Quote(
                article=article,
                text=text,
                kind="direct",
                start=start,
                end=start + len(text),
                position=n,
            )  # fmt: skip
        )
    Quote.objects.bulk_create(quotes)
    first = client.get(article.get_absolute_url()).text
    assert "450 statements" in first
    assert "Part 1 of 3" in first
    assert first.count('class="jump"') == 200
    later = Quote.objects.get(article=article, position=250)
    url = later.get_absolute_url()
    assert url == f"{article.get_absolute_url()}?part=2#q{later.pk}"
    second = client.get(url.split("#")[0]).text
    assert f'id="q{later.pk}"' in second and f'href="#q{later.pk}"' in second
    assert f'id="q{later.pk}"' not in first
    assert "Part 2 of 3" in client.get(f"{article.get_absolute_url()}?part=2").text
    assert "Part 1 of 3" in client.get(f"{article.get_absolute_url()}?part=abc").text
