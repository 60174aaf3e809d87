"""How a statement reads on the pages and in exports: an interrupted quote shows the
narration between its pieces muted and exports only the speaker's words; a country that
speaks is named once."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from statements import nlp
from statements.fragments import Piece, interruptions, quote_pieces, speaker_words
from statements.models import Speaker
from statements.services.annotation_store import annotation_save
from tests.factories import make_article, make_quote, make_speaker

BODY = (
    "Envoys meet on the strait\n\n"
    "“We have never closed the strait and we never will,” the foreign minister said. "
    "“But we will answer every provocation.”\n"
)
FIRST = "We have never closed the strait and we never will,"
SECOND = "But we will answer every provocation."


def test_pieces_of_an_interrupted_quote():
    start = BODY.index(FIRST)
    end = BODY.index(SECOND) + len(SECOND)
    fragments = [[start, start + len(FIRST)], [BODY.index(SECOND), end]]
    text = BODY[start:end]
    assert quote_pieces(text=text, start=start, fragments=fragments) == [
        Piece(FIRST, True),
        Piece("the foreign minister said.", False),
        Piece(SECOND, True),
    ]
    assert speaker_words(text=text, start=start, fragments=fragments) == f"{FIRST} … {SECOND}"
    ((a, b),) = interruptions(text=text, start=start, fragments=fragments)
    assert BODY[a:b] == "the foreign minister said."


@pytest.mark.parametrize(
    "fragments",
    [[], [[0, 5]], [[0, 5], [3, 10]], [[0, 5], [7, 999]], [[0, 2, 3], [5, 10]], [[0, 3], [5, 8]]],
    ids=["none", "one", "overlapping", "outside", "malformed", "span-corrected-since"],
)
def test_fragments_that_do_not_fit_leave_the_statement_whole(fragments):
    assert quote_pieces(text="abcdefghij", start=0, fragments=fragments) == [
        Piece("abcdefghij", True)
    ]
    assert speaker_words(text="abcdefghij", start=0, fragments=fragments) == "abcdefghij"


@pytest.fixture
def interrupted(db):
    article = make_article(title="Envoys meet on the strait", body=BODY)
    start, end = BODY.index(FIRST), BODY.index(SECOND) + len(SECOND)
    quote = make_quote(
        text=BODY[start:end],
        article=article,
        speaker=make_speaker("Amal Rahimi", country="EG", role="Foreign Minister"),
        fragments=[[start, start + len(FIRST)], [BODY.index(SECOND), end]],
    )
    return quote


def test_list_shows_the_narration_muted(client, interrupted):
    page = client.get("/").text
    quote_html = re.search(r"<blockquote>(.*?)</blockquote>", page, re.S).group(1)
    assert f"“{FIRST}”" in quote_html and f"“{SECOND}”" in quote_html
    assert re.search(r'<span class="narration"[^>]*>the foreign minister said\.</span>', quote_html)


def test_article_page_mutes_the_narration_inside_the_statement(client, interrupted):
    page = client.get(f"/articles/{interrupted.article_id}/").text
    assert re.search(r'<mark class="narration">[^<]*the foreign minister', page)
    # The statement index reads as the speaker's words.
    assert f"{FIRST} … But we will" in page


def test_exports_carry_the_speakers_words_only(client, interrupted):
    data = b"".join(client.get("/", {"format": "csv"}).streaming_content).decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(data))
    assert row["text"] == f"{FIRST} … {SECOND}"
    payload = json.loads(b"".join(client.get("/", {"format": "json"}).streaming_content))
    (item,) = payload["results"]
    assert item["text"] == row["text"]
    assert [BODY[f["start"] : f["end"]] for f in item["fragments"]] == [FIRST, SECOND]
    # Still the whole span: the page anchors and the offsets into the article.
    assert BODY[item["start"] : item["end"]].startswith(FIRST)


@pytest.fixture
def country_speaker(db):
    speaker = make_speaker("Philippines", country="PH", aliases=("Manila",))
    Speaker.objects.filter(pk=speaker.pk).update(kind=Speaker.Kind.COUNTRY)
    make_quote(text="The resupply missions are lawful", speaker=speaker)
    person = make_speaker("Ana Reyes", country="PH", role="Foreign Secretary")
    make_quote(text="We will keep talking", speaker=person)
    return speaker


def meta_lines(html: str) -> list[str]:
    lines = re.findall(r'<p class="meta">(.*?)</p>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line)).strip() for line in lines]


def test_a_country_speaker_is_named_once_in_the_list(client, country_speaker):
    lines = meta_lines(client.get("/").text)
    assert "Philippines said Direct" in lines
    assert not any("Philippines Philippines" in line for line in lines)
    # A person keeps their country beside the name.
    assert "Ana Reyes , Foreign Secretary Philippines said Direct" in lines


def test_a_country_speaker_page_does_not_repeat_the_name(client, country_speaker):
    page = client.get("/speakers/philippines/").text
    facts = re.search(r'<p class="profile-facts">(.*?)</p>', page, re.S).group(1)
    assert "Philippines" not in re.sub(r"<[^>]+>", "", facts)
    assert 'href="/countries/ph/"' in facts  # still one click to the country


def test_a_country_speaker_in_the_speaker_search(client, country_speaker):
    page = client.get("/speakers/", {"q": "philippines"}).text
    card = re.search(r'<li class="speaker-card">(.*?)</li>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>", " ", card).count("Philippines") == 1


def test_annotation_stores_the_pieces_of_an_interrupted_quote(db):
    article = make_article(title="Envoys meet on the strait", body=BODY, status="pending")
    annotation_save(article=article, annotation=nlp.annotate(BODY))
    quote = article.quotes.get(text__startswith=FIRST)
    assert [BODY[s:e] for s, e in quote.fragments] == [FIRST, SECOND]
    assert quote.speaker_words == f"{FIRST} … {SECOND}"
