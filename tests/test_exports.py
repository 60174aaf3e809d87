"""Export rows and the spreadsheet formula guard."""

from __future__ import annotations

import datetime as dt

import pytest

from statements.exports import CSV_COLUMNS, ExportRow, csv_cells, csv_safe, export_filename
from statements.models import Quote
from statements.selectors import QuoteFilters


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\t=x", "'\t=x"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_csv_cells_flatten_a_row():
    row = ExportRow(
        pk=1,
        text="=evil",
        kind="direct",
        start=0,
        end=5,
        fragments=None,
        cue="",
        position=Quote.STATEMENTS_PER_PART + 1,
        speaker_id=None,
        speaker_name=None,
        speaker_slug=None,
        speaker_role=None,
        speaker_country=None,
        article_id=2,
        article_title="-title",
        article_source="@wire",
        article_url="",
        article_published=None,
        countries=["TR", "US"],
        topics=[],
    )
    cells = dict(zip(CSV_COLUMNS, csv_cells(row, site="http://testserver"), strict=True))
    assert cells == {
        "text": "'=evil",
        "kind": "direct",
        "speaker_name": "",
        "speaker_role": "",
        "speaker_country": "",
        "cue": "",
        "article_title": "'-title",
        "article_source": "'@wire",
        "article_url": "",
        "article_published": "",
        "countries": "TR US",
        "topics": "",
        "link": "http://testserver/articles/2/?part=2#q1",
        "id": 1,
        "speaker_slug": "",
        "article_id": 2,
        "start": 0,
        "end": 5,
    }


@pytest.mark.parametrize(
    "filters, speaker_slug, expected",
    [
        ({}, "", "statements"),
        (
            {
                "speaker": "jens-stoltenberg",
                "date_from": dt.date(2024, 1, 1),
                "date_to": dt.date(2024, 12, 31),
            },
            "",
            "statements-speaker-jens-stoltenberg-2024",
        ),
        # A typed name is named after the speaker it found.
        ({"speaker": "Stoltenberg"}, "jens-stoltenberg", "statements-speaker-jens-stoltenberg"),
        (
            {"speaker_country": "TR", "topic": "defence", "kind": "direct"},
            "",
            "statements-speakers-from-tr-topic-defence-direct",
        ),
        (
            {"country": "US", "date_from": dt.date(2024, 3, 1), "date_to": dt.date(2024, 3, 31)},
            "",
            "statements-mentioning-us-2024-03",
        ),
        (
            {"q": "Erdoğan / S-400?", "date_from": dt.date(2024, 3, 5)},
            "",
            "statements-words-erdogan-s-400-from-2024-03-05",
        ),
        (
            {"date_from": dt.date(2024, 1, 5), "date_to": dt.date(2024, 2, 1)},
            "",
            "statements-2024-01-05-to-2024-02-01",
        ),
        ({"date_to": dt.date(2023, 12, 31)}, "", "statements-to-2023-12-31"),
    ],
)
def test_export_filename_says_the_filters(filters, speaker_slug, expected):
    name = export_filename(filters=QuoteFilters(**filters), speaker_slug=speaker_slug)
    assert name == expected


def test_export_filename_stays_short():
    name = export_filename(filters=QuoteFilters(q="word " * 100, topic="t" * 60))
    assert len(name) <= 120 and not name.endswith("-")
