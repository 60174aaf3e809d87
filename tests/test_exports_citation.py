"""Exports that can be cited and opened in a spreadsheet: read back as a user's tools would."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.http import StreamingHttpResponse

from statements.models import Speaker
from tests.factories import make_article, make_quote, make_speaker

BOM = b"\xef\xbb\xbf"


@pytest.fixture
def cited(db):
    speaker = make_speaker("Recep Tayyip Erdoğan", country="TR", role="President")
    article = make_article(
        title="Ankara and Athens resume talks",
        body="Ankara and Athens resume talks\n\n“Türkiye wants calm waters” the president said.",
        published=dt.date(2024, 6, 3),
        source_name="Daily Wire",
        url="https://example.com/talks",
    )
    quote = make_quote(
        text="Türkiye wants calm waters",
        article=article,
        speaker=speaker,
        countries=("TR", "GR"),
        topics=("diplomacy",),
    )
    return quote


def raw(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse)  # streamed, not built in memory
    return b"".join(response.streaming_content)


def test_csv_read_back_has_a_bom_and_every_citation_column(client, cited):
    response = client.get("/", {"format": "csv"})
    data = raw(response)
    assert data.startswith(BOM)  # Excel then reads UTF-8: "Erdoğan", not "ErdoÄŸan"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert {k: row[k] for k in list(row)[:13]} == {
        "text": "Türkiye wants calm waters",
        "kind": "direct",
        "speaker_name": "Recep Tayyip Erdoğan",
        "speaker_role": "President",
        "speaker_country": "TR",
        "cue": "said",
        "article_title": "Ankara and Athens resume talks",
        "article_source": "Daily Wire",
        "article_url": "https://example.com/talks",
        "article_published": "2024-06-03",
        "countries": "GR TR",
        "topics": "diplomacy",
        "link": f"http://testserver/articles/{cited.article_id}/#q{cited.pk}",
    }


def test_json_has_the_same_fields_as_the_csv(client, cited):
    payload = json.loads(raw(client.get("/", {"format": "json"})))
    (row,) = payload["results"]
    assert row["speaker"]["role"] == "President"
    assert row["article"]["source"] == "Daily Wire"
    assert row["article"]["url"] == "https://example.com/talks"
    assert row["link"] == f"http://testserver/articles/{cited.article_id}/#q{cited.pk}"
    csv_row = next(
        csv.DictReader(io.StringIO(raw(client.get("/", {"format": "csv"})).decode("utf-8-sig")))
    )
    assert csv_row["text"] == row["text"]
    assert csv_row["speaker_name"] == row["speaker"]["name"]
    assert csv_row["link"] == row["link"]


def test_the_link_of_a_row_opens_the_statement(client, cited):
    row = json.loads(raw(client.get("/", {"format": "json"})))["results"][0]
    path, anchor = row["link"].removeprefix("http://testserver").split("#")
    page = client.get(path)
    assert page.status_code == 200
    assert f'id="{anchor}"' in page.text


def test_file_names_say_the_filters(client, cited):
    params = {"speaker": "recep-tayyip-erdogan", "date_from": "2024-01-01", "date_to": "2024-12-31"}
    response = client.get("/", params | {"format": "csv"})
    expected = 'attachment; filename="statements-speaker-recep-tayyip-erdogan-2024.csv"'
    assert response["Content-Disposition"] == expected
    page = client.get("/", params)
    assert 'download="statements-speaker-recep-tayyip-erdogan-2024.csv"' in page.text
    json_name = client.get("/", params | {"format": "json"})["Content-Disposition"]
    assert json_name == 'inline; filename="statements-speaker-recep-tayyip-erdogan-2024.json"'
    # The speaker's own page names the file the same way, and the topic and country pages
    # after their own filter.
    speaker_page = client.get("/speakers/recep-tayyip-erdogan/", {"format": "csv"})
    assert "statements-speaker-recep-tayyip-erdogan.csv" in speaker_page["Content-Disposition"]
    about = client.get("/countries/gr/", {"section": "about", "format": "csv"})
    assert "statements-mentioning-gr.csv" in about["Content-Disposition"]
    topic = client.get("/topics/diplomacy/", {"kind": "direct", "format": "csv"})
    assert "statements-topic-diplomacy-direct.csv" in topic["Content-Disposition"]


def test_new_columns_are_guarded_against_formulas(client, db):
    speaker = make_speaker("Someone", role="=cmd|' /C calc'!A0")
    article = make_article(source_name="+wire", url="", body="H\n\n“Calm words” she said.")
    make_quote(text="Calm words", article=article, speaker=speaker)
    data = raw(client.get("/", {"format": "csv"})).decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(data))
    assert row["speaker_role"] == "'=cmd|' /C calc'!A0"
    assert row["article_source"] == "'+wire"


def test_a_country_speaker_keeps_its_code_in_exports(client, db):
    country = make_speaker("Philippines", country="PH")
    Speaker.objects.filter(pk=country.pk).update(kind=Speaker.Kind.COUNTRY)
    make_quote(text="The missions are lawful", speaker=country)
    data = raw(client.get("/", {"format": "csv"})).decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(data))
    assert (row["speaker_name"], row["speaker_country"]) == ("Philippines", "PH")
