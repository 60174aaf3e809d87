"""The tallies (statements/tallies.py) stay exact whatever writes: compared after each kind
of write with a recount from the ORM (tests/tally_recount.py) and with COUNT(*) queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection

from statements import selectors, tallies
from statements.models import Article, Quote, Speaker, Topic
from statements.selectors import QuoteFilters
from statements.services import curation
from tests.conftest import SEED_FILE
from tests.curation_factories import make_user
from tests.factories import make_article, make_quote, make_speaker, make_topic
from tests.tally_recount import recount, stored


def assert_exact() -> None:
    expected, found = recount(), stored()
    wrong = {k: (expected.get(k), found.get(k)) for k in expected.keys() | found.keys()}
    wrong = {k: v for k, v in wrong.items() if v[0] != v[1]}
    assert not wrong, f"{len(wrong)} tallies wrong (expected, stored): {list(wrong.items())[:8]}"


# On PostgreSQL frequent words are tally scopes too (tallies.tally_words): a few words the
# statements below use are tallied, so that every write is checked on their scopes as well.
WORDS = ["talk", "statement", "must", "will", "countri", "peac", "secur", "sanction"]


@pytest.fixture
def clean_tallies(db):
    tallies.tally_words(WORDS)
    # Whatever an earlier test that committed left behind, start from an exact recount.
    tallies.rebuild()
    assert_exact()


@pytest.fixture
def corpus(clean_tallies):
    tr, de = make_speaker("Ada Turan", country="TR"), make_speaker("Bea Weber", country="DE")
    nobody = make_speaker("Cy Nowhere")
    article = make_article(published=dt.date(2024, 5, 3))
    quotes = [
        make_quote(article=article, speaker=tr, countries=("DE", "FR"), topics=("trade",)),
        make_quote(article=article, speaker=tr, kind="indirect", countries=("DE",)),
        make_quote(speaker=de, countries=("TR",), topics=("trade", "energy")),
        make_quote(speaker=nobody, topics=("energy",), published=None),
        make_quote(speaker=None, countries=("FR",)),
    ]
    assert_exact()
    return {"tr": tr, "de": de, "nobody": nobody, "article": article, "quotes": quotes}


def test_counts_follow_corrections_and_deletions(corpus):
    user = make_user(staff=True)
    first, second, third, fourth, fifth = corpus["quotes"]
    curation.quote_update(quote=first, user=user, kind="indirect", speaker=corpus["de"])
    assert_exact()
    curation.quote_update(quote=second, user=user, countries=["TR", "US"], topics=[])
    assert_exact()
    curation.quotes_delete(quotes=[third, fifth], user=user)
    assert_exact()
    Quote.objects.filter(pk=third.pk).update(is_deleted=False)
    assert_exact()
    fourth.delete()
    assert_exact()
    corpus["article"].delete()
    assert_exact()
    assert Quote.objects.visible().count() == tallies.totals([tallies.ALL])[tallies.ALL]


def test_counts_follow_merges_and_speaker_changes(corpus):
    user = make_user(staff=True)
    curation.speakers_merge(keep=corpus["de"], merge=corpus["tr"], user=user)
    assert_exact()
    Speaker.objects.filter(pk=corpus["de"].pk).update(country_id="FR")
    assert_exact()
    speaker = Speaker.objects.get(pk=corpus["nobody"].pk)
    speaker.country_id = "US"
    speaker.save()
    assert_exact()
    speaker.delete()  # its statements stay, without a speaker
    assert_exact()


def test_counts_follow_dates_topics_and_bulk_writes(corpus):
    Article.objects.filter(pk=corpus["article"].pk).update(published=dt.date(2023, 1, 9))
    assert_exact()
    Article.objects.update(published=None)
    assert_exact()
    Topic.objects.get(slug="energy").delete()
    assert_exact()
    corpus["quotes"][0].topics.add(make_topic("climate"))
    Quote.topics.through.objects.filter(topic__slug="trade").delete()
    assert_exact()
    Quote.objects.update(kind="mixed")
    assert_exact()
    Quote.objects.all().delete()
    assert_exact()
    assert stored() == {}


def test_later_versions_of_a_story_are_counted_once(corpus):
    first = corpus["article"]
    second = make_article(published=dt.date(2024, 6, 1))
    make_quote(article=second, speaker=corpus["tr"], countries=("DE",), topics=("trade",))
    assert_exact()
    Article.objects.filter(pk=second.pk).update(duplicate_of=first)
    assert_exact()
    Article.objects.filter(pk=second.pk).update(published=dt.date(2024, 7, 1))
    make_quote(article=second, speaker=corpus["de"], countries=("FR",))
    assert_exact()
    Article.objects.filter(pk=second.pk).update(duplicate_of=None)
    assert_exact()
    Article.objects.filter(pk=second.pk).update(duplicate_of=first)
    first.delete()  # SET_NULL on its versions: they are shown and counted again
    assert_exact()
    assert Quote.objects.visible().count() == tallies.totals([tallies.ALL])[tallies.ALL]


def test_counts_follow_corrected_text(corpus):
    user = make_user(staff=True)
    first, second = corpus["quotes"][:2]
    # "Statement number N about the talks." loses its last word, then the other gains one.
    curation.quote_update(quote=first, user=user, end=first.end - len(" talks."))
    assert "talk" not in first.text
    assert_exact()
    Quote.objects.filter(pk=second.pk).update(text="Sanctions must stay.")
    assert_exact()


def test_counts_follow_ingest_and_reannotation(clean_tallies, capsys):
    call_command("ingest", str(SEED_FILE), "--no-progress")
    assert Quote.objects.count() > 5
    assert_exact()
    article = Article.objects.get()
    quotes = list(article.quotes.order_by("position"))
    Quote.objects.filter(pk=quotes[0].pk).update(is_deleted=True)
    Quote.objects.filter(pk=quotes[1].pk).update(speaker=None, kind="mixed")
    Article.objects.update(published=dt.date(2025, 2, 1))
    assert_exact()
    call_command("ingest", "--reannotate", "--no-progress")
    assert "1 re-annotated" in capsys.readouterr().out
    assert_exact()


def test_a_recount_changes_nothing_the_triggers_kept(corpus):
    Quote.objects.filter(pk=corpus["quotes"][1].pk).update(speaker=corpus["nobody"])
    before = stored()
    tallies.rebuild()
    assert stored() == before


def test_the_data_version_grows_with_every_write(corpus):
    version = tallies.data_version()
    Speaker.objects.filter(pk=corpus["tr"].pk).update(name="Ada Turan-Kaya")
    assert tallies.data_version() > version
    version = tallies.data_version()
    Quote.objects.filter(pk=corpus["quotes"][0].pk).update(kind="mixed")
    assert tallies.data_version() > version


@pytest.mark.parametrize(
    "filters",
    [
        QuoteFilters(),
        QuoteFilters(country="DE"),
        QuoteFilters(speaker_country="TR"),
        QuoteFilters(topic="trade"),
        QuoteFilters(kind="indirect"),
        QuoteFilters(speaker_country="TR", country="DE"),  # a pair: the relation's scope
        QuoteFilters(speaker_country="TR", country="TR"),  # not a relation: counted live
        QuoteFilters(country="DE", kind="direct"),  # two filters: counted live
        QuoteFilters(date_from=dt.date(2024, 1, 1)),
        QuoteFilters(q="talks"),  # on PostgreSQL a tallied word's scope
        QuoteFilters(q="talks", kind="direct"),  # counted live
    ],
)
def test_summary_counts_equal_count_star(corpus, filters):
    names = tuple(selectors.FACETS)
    summary = selectors.quote_summary(filters=filters, names=names, limit=50)
    matching = selectors.quote_filter(filters=filters)
    assert summary.total == matching.count()
    for value in summary.facets["country"]:
        assert value.count == matching.filter(countries=value.value).count()
    for value in summary.facets["topic"]:
        assert value.count == matching.filter(topics__slug=value.value).count()
    for value in summary.facets["speaker"]:
        assert value.count == matching.filter(speaker__slug=value.value).count()
    for value in summary.facets["speaker_country"]:
        assert value.count == matching.filter(speaker__country=value.value).count()
    for value in summary.facets["kind"]:
        assert value.count == matching.filter(kind=value.value).count()
    shown = sum(v.count for v in summary.facets["kind"])
    assert shown == summary.total


def test_speaker_overview_counts_months_and_subjects(corpus):
    tr = corpus["tr"]
    overview = selectors.speaker_overview(speaker=tr)
    assert overview.statement_count == Quote.objects.visible().filter(speaker=tr).count() == 2
    assert [(m.month, m.count) for m in overview.months] == [(dt.date(2024, 5, 1), 2)]
    assert [(c.value, c.count) for c in overview.top_countries] == [("DE", 2), ("FR", 1)]
    assert [(t.value, t.count) for t in overview.top_topics] == [("trade", 1)]
    assert selectors.country_statement_counts(code="TR") == {"by": 2, "about": 1}


def test_a_repeat_visit_costs_one_query_until_the_data_changes(client, corpus):
    from django.test.utils import CaptureQueriesContext

    first = client.get("/")
    assert first.status_code == 200 and first["ETag"]
    assert "no-cache" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert len(queries) == 1
    Quote.objects.filter(pk=corpus["quotes"][0].pk).update(is_deleted=True)
    changed = client.get("/", headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_scanning_newest_first_finds_the_same_statements(corpus):
    trade = Topic.objects.get(slug="trade")
    for filters in [
        QuoteFilters(speaker_ids=(corpus["tr"].pk, corpus["nobody"].pk)),
        QuoteFilters(speaker_country="TR"),
        QuoteFilters(country="DE"),
        QuoteFilters(topic="trade", topic_id=trade.pk, kind="direct"),
    ]:
        joined = list(selectors.quote_list(filters=filters))
        scanned = list(selectors.quote_list(filters=filters, scan_newest=True))
        assert joined == scanned and joined, filters


def test_scanning_pays_for_large_sets_and_early_pages():
    assert selectors.scan_newest_pays(matching=20_000, everything=100_000, rows_needed=25)
    assert not selectors.scan_newest_pays(matching=300, everything=100_000, rows_needed=25)
    assert not selectors.scan_newest_pays(matching=20_000, everything=100_000, rows_needed=5000)


def test_scanning_newest_first_finds_the_same_text_matches(corpus):
    filters = QuoteFilters(q="statement", kind="direct")
    joined = list(selectors.quote_list(filters=filters))
    assert joined == list(selectors.quote_list(filters=filters, scan_newest=True)) and joined


def test_triggers_lost_to_a_table_rebuild_come_back_after_migrating(corpus):
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite drops a table's triggers when Django rebuilds the table")
    tallies._execute("default", tallies.uninstall_sql("sqlite"))
    Quote.objects.filter(pk=corpus["quotes"][0].pk).update(kind="mixed")  # not counted
    assert not tallies.triggers_installed()
    tallies.ensure_tallies(connection)
    assert tallies.triggers_installed()
    assert_exact()
    Quote.objects.filter(pk=corpus["quotes"][1].pk).update(is_deleted=True)
    assert_exact()


def test_a_tally_left_wrong_is_recounted_after_migrating(corpus):
    from statements.models import Tally

    Tally.objects.filter(scope_dim="*").update(n=-3)  # as a flush in the wrong order leaves
    tallies.ensure_tallies(connection)
    assert_exact()


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="words are tallied on PostgreSQL only"
)


@needs_postgresql
def test_a_word_tallied_later_is_counted_from_its_statements(corpus):
    assert tallies.tally_words(["number", "talk"]) == ["number"]  # talk is tallied already
    assert_exact()
    assert tallies.totals([(tallies.WORD, "number")])[(tallies.WORD, "number")] == 5


@needs_postgresql
def test_frequent_words_are_tallied_from_the_statistics(corpus, monkeypatch):
    monkeypatch.setattr(tallies, "WORD_BATCH", 1)  # one transaction a word
    make_quote(text="Sanctions hurt.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE statements_quote")
    added = tallies.refresh_words(min_statements=2)
    assert "number" in added and "hurt" not in added  # in five statements, and in one
    assert tallies.refresh_words(min_statements=2) == []
    assert_exact()


@needs_postgresql
def test_a_search_for_one_tallied_word_reads_its_scope(corpus):
    scope = [(tallies.WORD, "talk")]
    assert selectors.tally_scopes(QuoteFilters(q="Talks")) == scope
    assert selectors.tally_scopes(QuoteFilters(q="  talk about ")) == scope  # a stop word
    for counted_live in ["talks ankara", "-talks", "talks or ankara", "ankara", "talks"]:
        if counted_live == "talks":  # a speaker named so: the search finds what they said
            make_speaker("Mira Talksmith")
        assert selectors.tally_scopes(QuoteFilters(q=counted_live)) is None, counted_live
