"""speakers_for_profiles: role phrases of a profile never become aliases."""

from __future__ import annotations

import pytest

from statements.models import Speaker, SpeakerAlias
from statements.nlp.types import SpeakerProfile
from statements.services.annotation_store import annotation_save
from statements.services.speakers import speakers_for_profiles


@pytest.mark.django_db
def test_role_mentions_are_not_stored_as_aliases():
    minister = SpeakerProfile(
        name="Rui Catarino",
        role="Portuguese Foreign Minister",
        aliases=["Catarino"],
        role_mentions=["The foreign minister"],
    )
    [person] = speakers_for_profiles(profiles=[minister])
    names = set(SpeakerAlias.objects.filter(speaker=person).values_list("name", flat=True))
    assert names == {"Catarino"}
    # a later article's unresolved role phrase is nobody we can name, not the minister
    phrase = SpeakerProfile(name="The foreign minister", kind="unknown")
    assert speakers_for_profiles(profiles=[phrase, minister]) == [None, person]
    assert Speaker.objects.count() == 1


@pytest.mark.django_db
def test_a_statement_by_someone_unnamed_keeps_the_words_but_no_speaker():
    from statements.models import Article, Quote
    from statements.nlp.types import Annotation, QuoteAnnotation, TextSpan

    body = "Officials said the talks would resume."
    article = Article.objects.create(title="t", body=body, content_hash="c" * 64)
    annotation = Annotation(
        quotes=[
            QuoteAnnotation(
                start=15,
                end=37,
                text=body[15:37],
                kind="indirect",
                cue=TextSpan(10, 14, "said"),
                speaker=0,
                mention=TextSpan(0, 9, "Officials"),
            )
        ],
        speakers=[SpeakerProfile(name="Officials", kind="unknown")],
    )
    annotation_save(article=article, annotation=annotation)
    quote = Quote.objects.get()
    assert quote.speaker is None
    assert quote.mention_text == "Officials"
    assert not Speaker.objects.exists()


@pytest.mark.django_db
def test_a_delegation_is_one_speaker_per_country_with_its_country():
    from statements.models import Country

    Country.objects.get_or_create(code="MX", defaults={"name": "Mexico"})
    delegation = SpeakerProfile(
        name="Representative of Mexico",
        kind="delegation",
        country="MX",
        role_mentions=["Mexico's delegate"],
    )
    first = speakers_for_profiles(profiles=[delegation])[0]
    again = speakers_for_profiles(profiles=[delegation])[0]  # another article
    assert first == again
    first.refresh_from_db()
    assert (first.kind, first.country_id) == (Speaker.Kind.DELEGATION, "MX")
    assert not SpeakerAlias.objects.filter(speaker=first).exists()


@pytest.mark.django_db
def test_unnamed_speakers_of_a_meeting_are_no_stored_speaker_but_named_groups_are():
    many = SpeakerProfile(name="Speakers", kind="group", role_mentions=["several delegations"])
    pair = SpeakerProfile(name="Chile and Peru", kind="group", members=["Chile", "Peru"])
    none, group = speakers_for_profiles(profiles=[many, pair])
    assert none is None
    assert group.kind == Speaker.Kind.GROUP


@pytest.mark.django_db
def test_a_delegations_statements_are_listed_under_its_country(client):
    from statements.models import Article, Country
    from statements.nlp.types import Annotation, QuoteAnnotation, TextSpan

    Country.objects.get_or_create(code="MX", defaults={"name": "Mexico"})
    body = "The representative of Mexico said the fund must grow."
    article = Article.objects.create(title="t", body=body, content_hash="d" * 64)
    start = body.index("the fund")
    annotation = Annotation(
        quotes=[
            QuoteAnnotation(
                start=start,
                end=len(body) - 1,
                text=body[start:-1],
                kind="indirect",
                cue=TextSpan(29, 33, "said"),
                speaker=0,
                mention=TextSpan(0, 28, body[:28]),
            )
        ],
        speakers=[SpeakerProfile(name="Representative of Mexico", kind="delegation", country="MX")],
    )
    annotation_save(article=article, annotation=annotation)
    listed = client.get("/", {"speaker_country": "MX"})
    assert [q.text for q in listed.context["page"].object_list] == ["the fund must grow"]
    country_page = client.get("/countries/mx/")
    assert "the fund must grow" in country_page.text
    assert "Representative of Mexico" in country_page.text
