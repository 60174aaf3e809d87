"""The relations counts stay equal to a direct count over the statements, whatever writes
them: uploads (annotation saves), re-annotation, corrections, deletions, merges, speaker
edits, article deletion."""

from __future__ import annotations

from collections import Counter
from unittest import mock

import pytest
from django.db import connection

from statements import relations_tally, selectors_relations, tallies
from statements.models import Article, Quote, RelationTally, Speaker
from statements.nlp.types import Annotation, QuoteAnnotation, SpeakerProfile
from statements.selectors import QuoteFilters
from statements.selectors_relations import (
    _pair_profile_live,
    pair_profile,
    relation_counts,
    relation_overview,
)
from statements.services import annotation_store, curation
from tests.curation_factories import make_user
from tests.factories import make_article, make_quote, make_speaker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tallied_words(db):
    # PostgreSQL: words the statements below use are tally scopes, with their relations.
    tallies.tally_words(["must", "neighbour", "talk"])


def direct_pairs() -> Counter:
    """(speaker's country or '', mentioned country) -> visible statements, counted in Python
    from the rows themselves; (source, '') counts the statements that mention any country;
    (ROW_TOTAL, X) and (COLUMN_TOTAL, Y) the matrix's row and column totals."""
    counts = Counter()
    for quote in Quote.objects.visible().select_related("speaker"):
        source = (quote.speaker.country_id if quote.speaker else None) or ""
        codes = list(quote.countries.values_list("code", flat=True))
        for code in codes:
            counts[(source, code)] += 1
            if source and code != source:
                counts[(relations_tally.ROW_TOTAL, source)] += 1
                counts[(relations_tally.COLUMN_TOTAL, code)] += 1
        if codes:
            counts[(source, "")] += 1
    return counts


def matrix_pairs(counts: Counter) -> dict:
    totals = {relations_tally.ROW_TOTAL, relations_tally.COLUMN_TOTAL, ""}
    return {
        (source, target): n
        for (source, target), n in counts.items()
        if source not in totals and target and source != target
    }


def direct_without_country() -> int:
    return sum(
        1
        for quote in Quote.objects.visible().select_related("speaker")
        if not (quote.speaker and quote.speaker.country_id) and quote.countries.exists()
    )


def tally_pairs() -> Counter:
    return Counter(
        {
            (row.source, row.target): row.statements
            for row in RelationTally.objects.all()
            if row.statements
        }
    )


def assert_counts_match() -> None:
    expected = direct_pairs()
    assert tally_pairs() == expected
    counts = relation_counts(filters=QuoteFilters())
    assert {(p.source, p.target): p.count for p in counts.pairs} == matrix_pairs(expected)
    assert counts.without_country == direct_without_country()
    # The live count (used when filters are set) agrees with the tally.
    live = relation_counts(filters=QuoteFilters(kind=""), live=True)
    assert live == counts
    # A pair page's speakers and months, from the relation's tally scope, as counted live.
    for source, target in matrix_pairs(expected):
        assert pair_profile(source=source, target=target) == _pair_profile_live(
            source=source, target=target, speakers=15
        )
    # So do the tally's counts per kind and per topic (the matrix filtered by one of them).
    kinds = set(Quote.objects.values_list("kind", flat=True)) | {"direct"}
    topics = set(Quote.topics.through.objects.values_list("topic__slug", flat=True)) | {"x"}
    # And per tallied word (PostgreSQL: the matrix of a search for one frequent word).
    words = [QuoteFilters(q=word) for word in ("must", "neighbours", "absent")]
    for one in [QuoteFilters(kind=k) for k in kinds] + [QuoteFilters(topic=t) for t in topics]:
        assert relation_counts(filters=one) == relation_counts(filters=one, live=True), one
    for one in words:
        assert relation_counts(filters=one) == relation_counts(filters=one, live=True), one
    # The unfiltered matrix page reads the totals rows, and the matrix of such a filter sums
    # the scope's pairs itself: each as the live count does.
    for one in [QuoteFilters(), QuoteFilters(kind="direct"), *words]:
        for size in (1, 5):
            tallied = relation_overview(filters=one, size=size, top=2)
            with (
                mock.patch.object(selectors_relations, "_tally_scope", return_value=None),
                mock.patch.object(selectors_relations, "_is_unfiltered", return_value=False),
            ):
                assert relation_overview(filters=one, size=size, top=2) == tallied, one


BODY = (
    "Talks in Ankara\n\n"
    '"Washington must listen to Turkey," the minister said.\n'
    '"Russia and Greece are our neighbours," he added.\n'
    '"France will not decide for us," a spokesman said.\n'
)


def annotation_for(body: str, *, speakers: list[SpeakerProfile], plan) -> Annotation:
    """plan: (quoted text, speaker index or None, countries) per statement."""
    quotes = []
    for text, speaker, countries in plan:
        start = body.index(text)
        quotes.append(
            QuoteAnnotation(
                start=start,
                end=start + len(text),
                text=text,
                kind="direct",
                cue=None,
                speaker=speaker,
                mention=None,
                countries=list(countries),
            )
        )
    return Annotation(quotes=quotes, speakers=speakers)


@pytest.fixture
def staff():
    return make_user(staff=True)


def test_counts_follow_uploads_and_reannotation():
    article = make_article(body=BODY)
    minister = SpeakerProfile(name="Ayla Demir", country="TR")
    spokesman = SpeakerProfile(name="Unnamed Spokesman")
    plan = [
        ("Washington must listen to Turkey,", 0, ("US", "TR")),
        ("Russia and Greece are our neighbours,", 0, ("RU", "GR")),
        ("France will not decide for us,", 1, ("FR",)),
    ]
    annotation_store.annotation_save(
        article=article, annotation=annotation_for(BODY, speakers=[minister, spokesman], plan=plan)
    )
    assert tally_pairs()[("TR", "US")] == 1
    assert tally_pairs()[("TR", "TR")] == 1  # kept in the tally, left out of the matrix
    assert relation_counts(filters=QuoteFilters()).without_country == 1
    assert_counts_match()

    # Re-annotation: the same spans keep their rows, with other speakers and countries.
    plan = [
        ("Washington must listen to Turkey,", 1, ("US",)),
        ("Russia and Greece are our neighbours,", 0, ("RU",)),
    ]
    annotation_store.annotation_save(
        article=article, annotation=annotation_for(BODY, speakers=[minister, spokesman], plan=plan)
    )
    assert tally_pairs()[("TR", "US")] == 0
    assert tally_pairs()[("", "US")] == 1
    assert_counts_match()


def test_counts_follow_corrections_deletions_and_merges(staff):
    tr = make_speaker("Ayla Demir", country="TR")
    us = make_speaker("John Roe", country="US")
    nobody = make_speaker("Anonymous Envoy")
    q1 = make_quote(speaker=tr, countries=("US", "RU"), topics=("trade",), kind="indirect")
    q2 = make_quote(speaker=tr, countries=("US",))
    q3 = make_quote(speaker=us, countries=("TR", "US"))
    q4 = make_quote(speaker=nobody, countries=("TR",), topics=("trade", "energy"))
    make_quote(speaker=None, countries=("GR",))
    make_quote(speaker=us, countries=())
    assert_counts_match()

    # A correction: another speaker, other countries.
    curation.quote_update(quote=q2, user=staff, speaker=us, countries=["RU", "GR"])
    assert_counts_match()
    curation.quote_update(quote=q1, user=staff, countries=[])
    assert_counts_match()

    # Soft deletion, and a deleted statement's mentions edited.
    curation.quotes_delete(quotes=[q3], user=staff)
    assert_counts_match()
    q3.countries.add("FR")
    assert tally_pairs()[("US", "FR")] == 0
    assert_counts_match()
    Quote.objects.filter(pk=q3.pk).update(is_deleted=False)  # restored
    assert_counts_match()

    # A merge: the speaker without a country takes the merged one's country.
    kept = curation.speakers_merge(keep=nobody, merge=tr, user=staff)
    assert kept.country_id == "TR"
    assert not Speaker.objects.filter(pk=tr.pk).exists()
    assert_counts_match()

    # A speaker's country edited, then the speaker deleted (their statements lose it).
    us.country_id = "GB"
    us.save()
    assert_counts_match()
    us.delete()
    assert_counts_match()

    # Hard deletes: a statement, then a whole article.
    q4.refresh_from_db()
    q4.delete()
    assert_counts_match()
    Article.objects.all().delete()
    assert_counts_match()
    assert not tally_pairs()


def test_rebuild_recounts_from_scratch():
    tr = make_speaker("Ayla Demir", country="TR")
    make_quote(speaker=tr, countries=("US", "GR"))
    make_quote(speaker=tr, countries=("US",))
    before = tally_pairs()
    RelationTally.objects.all().delete()
    relations_tally.rebuild(connection)
    assert (
        tally_pairs()
        == before
        == Counter(
            {
                ("TR", "US"): 2,
                ("TR", "GR"): 1,
                ("TR", ""): 2,
                (relations_tally.ROW_TOTAL, "TR"): 3,
                (relations_tally.COLUMN_TOTAL, "US"): 2,
                (relations_tally.COLUMN_TOTAL, "GR"): 1,
            }
        )
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite drops triggers with a table")
def test_triggers_come_back_after_a_table_rebuild():
    """SQLite loses a table's triggers when a migration rebuilds it: the post-migrate
    repair puts them back and recounts."""
    tr = make_speaker("Ayla Demir", country="TR")
    make_quote(speaker=tr, countries=("US",))
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER statements_tally_link_ai")
    make_quote(speaker=tr, countries=("US",))  # not counted: the trigger is gone
    assert tally_pairs()[("TR", "US")] == 1
    relations_tally.ensure_triggers(connection)
    assert tally_pairs()[("TR", "US")] == 2
    make_quote(speaker=tr, countries=("US",))
    assert_counts_match()


def test_later_versions_of_a_story_are_counted_once():
    tr = make_speaker("Ayla Demir", country="TR")
    first, second = make_article(title="A"), make_article(title="A, again")
    for article in (first, second):
        make_quote(article=article, speaker=tr, countries=("US", "GR"))
    make_quote(article=second, speaker=None, countries=("US",))
    assert_counts_match()
    Article.objects.filter(pk=second.pk).update(duplicate_of=first)  # found to be a version
    assert tally_pairs()[("TR", "US")] == 1
    assert_counts_match()
    make_quote(article=second, speaker=tr, countries=("FR",))  # a version's new statement
    Quote.objects.filter(article=second).update(is_deleted=True)
    assert_counts_match()
    Quote.objects.filter(article=second).update(is_deleted=False)
    first.delete()  # the first version goes: the next one is shown again
    assert Article.objects.get(pk=second.pk).duplicate_of is None
    assert tally_pairs()[("TR", "FR")] == 1
    assert_counts_match()
