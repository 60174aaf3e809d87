"""Export rows and the spreadsheet formula guard."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from statements.exports import csv_safe, export_filename
from statements.models import Quote
from statements.selectors import QuoteFilters
from tests.factories import make_article, make_quote, make_speaker


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


def flattened(item: dict) -> dict:
    """A JSON export row as the CSV writes it."""
    speaker = item["speaker"] or {}
    article = item["article"]
    cells = {
        "text": item["text"],
        "kind": item["kind"],
        "speaker_name": speaker.get("name"),
        "speaker_role": speaker.get("role"),
        "speaker_country": speaker.get("country"),
        "cue": item["cue"],
        "article_title": article["title"],
        "article_source": article["source"],
        "article_url": article["url"],
        "article_published": article["published"],
        "countries": " ".join(item["countries"]),
        "topics": " ".join(item["topics"]),
        "link": item["link"],
        "id": item["id"],
        "speaker_slug": speaker.get("slug"),
        "article_id": article["id"],
        "start": item["start"],
        "end": item["end"],
    }
    return {key: "" if value is None else str(csv_safe(value)) for key, value in cells.items()}


def test_every_csv_row_is_its_json_row_flattened(client, db):
    """The CSV's cells are written by the database, the JSON's in Python: they agree on
    defused formulas, links into an article's later parts, interrupted quotes, codes in
    order, and missing speakers, dates and cues."""
    body = "Talks\n\n“We stay,” the envoy said, “and we talk.”\n"
    article = make_article(title="=Talks", body=body, source_name="@wire", url="-x")
    first, second = "We stay,", "and we talk."
    start, end = body.index(first), body.index(second) + len(second)
    make_quote(
        text=body[start:end],
        article=article,
        speaker=make_speaker("+Envoy", country="TR", role="-Envoy"),
        countries=("US", "DE", "TR"),
        topics=("trade", "defence"),
        fragments=[[start, start + len(first)], [body.index(second), end]],
    )
    make_quote(text="=SUM(A1) later in the article", article=article, cue="@said")
    far = make_quote(text="Far down a long article", published=None, cue="")
    Quote.objects.filter(pk=far.pk).update(position=Quote.STATEMENTS_PER_PART * 2 + 3)
    response = client.get("/", {"format": "csv"})
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    payload = json.loads(b"".join(client.get("/", {"format": "json"}).streaming_content))
    assert len(rows) == 3
    assert rows == [flattened(item) for item in payload["results"]]
    by_text = {row["text"]: row for row in rows}
    assert by_text["We stay, … and we talk."]["countries"] == "DE TR US"
    assert by_text["We stay, … and we talk."]["speaker_name"] == "'+Envoy"
    far = by_text["Far down a long article"]
    assert far["link"].endswith(f"/articles/{far['article_id']}/?part=3#q{far['id']}")
    assert far["article_published"] == ""


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
