"""Reads: speaker search, facets, statements per month."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from statements import selectors
from statements.selectors import MonthCount, QuoteFilters
from tests.factories import make_quote, make_speaker

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram similarity needs PostgreSQL"
)


@pytest.fixture
def speakers():
    return {
        "jens": make_speaker("Jens Stoltenberg", aliases=("Stoltenberg", "the NATO chief")),
        "erdogan": make_speaker("Recep Tayyip Erdoğan", aliases=("Erdoğan",)),
        "lavrov": make_speaker("Sergey Lavrov"),
        "stolt": make_speaker("Anna Stolt"),
    }


def names(q: str, limit: int = 20) -> list[str]:
    return [s.name for s in selectors.speaker_search(q=q, limit=limit)]


@pytest.mark.parametrize(
    "q, expected",
    [
        ("erdogan", "Recep Tayyip Erdoğan"),
        ("Erdoğan", "Recep Tayyip Erdoğan"),
        ("  TAYYIP  ", "Recep Tayyip Erdoğan"),
        ("stoltenberg", "Jens Stoltenberg"),
        ("jens stoltenberg", "Jens Stoltenberg"),
        ("nato chief", "Jens Stoltenberg"),
        ("lavr", "Sergey Lavrov"),
    ],
)
def test_speaker_search_ignores_case_and_accents_and_reads_aliases(speakers, q, expected):
    assert names(q)[0] == expected


def test_speaker_search_ranks_and_counts(speakers):
    make_quote(speaker=speakers["jens"])
    make_quote(speaker=speakers["jens"])
    results = selectors.speaker_search(q="stolt")
    assert {s.name for s in results} >= {"Jens Stoltenberg", "Anna Stolt"}
    jens = next(s for s in results if s.name == "Jens Stoltenberg")
    assert jens.statement_count == 2


def test_speaker_search_without_query_lists_the_most_quoted(speakers):
    make_quote(speaker=speakers["lavrov"])
    assert names("")[0] == "Sergey Lavrov"
    assert len(names("", limit=2)) == 2


def test_speaker_search_finds_nothing_for_nonsense(speakers):
    assert names("qqqqzzzz") == []


@pytest.mark.parametrize(
    "q, expected",
    [
        ("Stoltenburg", "Jens Stoltenberg"),
        ("erdogn", "Recep Tayyip Erdoğan"),
        ("Lavrof", "Sergey Lavrov"),
    ],
)
def test_speaker_search_tolerates_typos(speakers, q, expected):
    assert names(q)[0] == expected


@postgres_only
def test_trigram_indexes_exist_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%search_name_trgm"]
        )
        found = {row[0] for row in cursor.fetchall()}
    assert found == {
        "statements_speaker_search_name_trgm",
        "statements_speakeralias_search_name_trgm",
    }


def test_statements_per_month_fill_the_gaps():
    speaker = make_speaker("Busy Person")
    for day in (dt.date(2023, 11, 3), dt.date(2023, 11, 20), dt.date(2024, 2, 1)):
        make_quote(speaker=speaker, published=day)
    make_quote(speaker=speaker, published=None)  # undated: not on the timeline
    assert selectors.speaker_statements_per_month(speaker=speaker) == [
        MonthCount(dt.date(2023, 11, 1), 2),
        MonthCount(dt.date(2023, 12, 1), 0),
        MonthCount(dt.date(2024, 1, 1), 0),
        MonthCount(dt.date(2024, 2, 1), 1),
    ]


def test_statements_per_month_empty():
    assert selectors.speaker_statements_per_month(speaker=make_speaker("Quiet")) == []


def test_facets_are_top_values_by_count():
    a, b = make_speaker("A Person", country="FR"), make_speaker("B Person", country="DE")
    for _ in range(3):
        make_quote(speaker=a, countries=("RU", "UA"))
    make_quote(speaker=b, countries=("RU",))
    facets = selectors.quote_facets(queryset=selectors.quote_filter(filters=QuoteFilters()))
    assert [(v.value, v.count) for v in facets["speaker"]] == [("a-person", 3), ("b-person", 1)]
    assert [(v.value, v.count) for v in facets["country"]] == [("RU", 4), ("UA", 3)]
    assert [(v.value, v.count) for v in facets["speaker_country"]] == [("FR", 3), ("DE", 1)]
    limited = selectors.quote_facets(
        queryset=selectors.quote_filter(filters=QuoteFilters(country="UA")),
        names=("country",),
        limit=1,
    )
    assert list(limited) == ["country"]
    assert [(v.value, v.count) for v in limited["country"]] == [("RU", 3)]


def test_filters_as_params():
    filters = QuoteFilters(q="x", country="TR", date_from=dt.date(2024, 1, 2))
    assert filters.params() == {"q": "x", "country": "TR", "date_from": "2024-01-02"}


def resolved(text: str) -> tuple[str, list[str]]:
    match = selectors.resolve_speaker(text=text)
    return match.how, [s.name for s in match.speakers]


@pytest.mark.parametrize(
    "text, how, expected",
    [
        ("jens-stoltenberg", "slug", ["Jens Stoltenberg"]),
        ("erdogan", "name", ["Recep Tayyip Erdoğan"]),
        ("  THE nato   chief ", "name", ["Jens Stoltenberg"]),  # an alias
        ("stolt", "name", ["Anna Stolt", "Jens Stoltenberg"]),  # every name containing it
        ("Anna Stolt", "name", ["Anna Stolt"]),
        ("Stoltenburg", "similar", ["Jens Stoltenberg"]),
        ("erdogn", "similar", ["Recep Tayyip Erdoğan"]),
        ("Lavrof", "similar", ["Sergey Lavrov"]),
        ("qqqqzzzz", "", []),
        ("-", "", []),  # nothing left to compare once folded
    ],
)
def test_resolve_speaker(speakers, text, how, expected):
    assert resolved(text) == (how, expected)


def test_resolve_speaker_prefers_the_exact_slug_then_the_exact_name(speakers):
    make_speaker("Stolt", slug="stolt")
    assert resolved("stolt") == ("slug", ["Stolt"])
    make_speaker("Anna Stolt Junior")
    assert resolved("anna stolt") == ("name", ["Anna Stolt"])


def test_resolve_speaker_with_too_many_names_still_filters_by_all(speakers, monkeypatch):
    make_quote(speaker=speakers["jens"])
    make_quote(speaker=speakers["stolt"])
    monkeypatch.setattr(selectors, "MAX_SPEAKERS_RESOLVED", 1)
    match = selectors.resolve_speaker(text="stolt")
    assert not match.complete and match.ids is None  # too many to list: a subquery
    filters = QuoteFilters(speaker="stolt", speaker_ids=match.ids)
    assert selectors.quote_filter(filters=filters).count() == 2


@pytest.mark.parametrize("q", ["Stoltenburg", "erdogn", "Lavrof", "stolt", "nato chief"])
def test_resolve_speaker_agrees_with_the_first_suggestion(speakers, q):
    assert selectors.speaker_search(q=q)[0] in selectors.resolve_speaker(text=q).speakers
