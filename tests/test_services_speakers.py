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
