"""speakers_for_profiles: role phrases of a profile never become aliases."""

from __future__ import annotations

import pytest

from statements import services
from statements.models import Speaker, SpeakerAlias
from statements.nlp.types import SpeakerProfile


@pytest.mark.django_db
def test_role_mentions_are_not_stored_as_aliases():
    minister = SpeakerProfile(
        name="Rui Catarino",
        role="Portuguese Foreign Minister",
        aliases=["Catarino"],
        role_mentions=["The foreign minister"],
    )
    [person] = services.speakers_for_profiles(profiles=[minister])
    names = set(SpeakerAlias.objects.filter(speaker=person).values_list("name", flat=True))
    assert names == {"Catarino"}
    # a later article's unresolved role phrase is its own (unknown) speaker, not the minister
    phrase = SpeakerProfile(name="The foreign minister", kind="unknown")
    [other] = services.speakers_for_profiles(profiles=[phrase])
    assert other.pk != person.pk
    assert Speaker.objects.count() == 2
