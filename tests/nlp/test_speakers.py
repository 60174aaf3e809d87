"""The document-level speaker table: merging, roles, role nouns, pronouns, kinds."""

from .conftest import find, speaker_of


def test_surname_merges_into_full_name(ann):
    text = (
        "Helmut Sandberg said the plan was ready. "
        "Later, Sandberg said the first phase would start in May."
    )
    r = ann(text)
    a, b = find(r, "plan was ready"), find(r, "first phase")
    assert a.speaker == b.speaker
    assert speaker_of(r, b) == "Helmut Sandberg"
    assert b.mention.text == "Sandberg"
    assert "Sandberg" in r.speakers[b.speaker].aliases


def test_role_and_organisation_from_premodifier(ann):
    r = ann("NATO Secretary General Ingrid Solberg said the alliance stood united.")
    q = find(r, "alliance stood united")
    profile = r.speakers[q.speaker]
    assert profile.name == "Ingrid Solberg"
    assert profile.role == "NATO Secretary General"
    assert profile.organisation == "NATO"
    assert profile.kind == "person"


def test_role_with_country_from_premodifier(ann):
    r = ann("U.S. Permanent Representative to the UN Mark Ellison said the vote was delayed.")
    q = find(r, "vote was delayed")
    profile = r.speakers[q.speaker]
    assert profile.name == "Mark Ellison"
    assert profile.country == "US"
    assert "Representative" in profile.role


def test_role_from_apposition(ann):
    r = ann("Pieter Janssen, the Dutch foreign minister, said the sanctions would stay.")
    q = find(r, "sanctions would stay")
    profile = r.speakers[q.speaker]
    assert profile.name == "Pieter Janssen"
    assert "foreign minister" in profile.role


def test_role_noun_resolves_through_role(ann):
    text = (
        "NATO Secretary General Ingrid Solberg said the summit would go ahead. "
        "Meanwhile the weather was poor. "
        "The secretary-general said the agenda was settled. "
        "The NATO chief said new members were welcome."
    )
    r = ann(text)
    for fragment in ("agenda was settled", "new members were welcome"):
        q = find(r, fragment)
        assert speaker_of(r, q) == "Ingrid Solberg"
    profile = r.speakers[find(r, "agenda").speaker]
    assert "The secretary-general" in profile.role_mentions
    # a role phrase is not a name: it must never match this person in another article
    assert not any("secretary" in a.lower() or "chief" in a.lower() for a in profile.aliases)


def test_role_noun_of_another_organisation_is_not_the_last_minister(ann):
    text = (
        "Portuguese Foreign Minister Rui Catarino said on Monday that Lisbon wanted a truce.\n\n"
        "The African Union's peace and security chief said the body was watching closely.\n\n"
        "The foreign minister said Portugal would host talks."
    )
    r = ann(text)
    other = find(r, "watching closely")
    assert speaker_of(r, other) != "Rui Catarino"
    assert other.speaker is None or r.speakers[other.speaker].kind == "unknown"
    same = find(r, "host talks")
    assert speaker_of(r, same) == "Rui Catarino"
    profile = r.speakers[same.speaker]
    assert profile.aliases == []
    assert profile.role_mentions == ["The foreign minister"]


def test_role_noun_needs_a_matching_office_and_country(ann):
    text = (
        "Danish Interior Minister Freja Holm said the border checks would stay. "
        "The Swedish minister said the checks hurt commuters. "
        "The finance minister said the costs were small."
    )
    r = ann(text)
    for fragment in ("hurt commuters", "costs were small"):
        assert speaker_of(r, find(r, fragment)) != "Freja Holm"


def test_headline_role_resolves_to_the_person_named_later(ann):
    text = (
        "Latvian minister warns of gas shortage\n\n"
        "Latvian Minister Ilze Ozola said the reserves would last until March. "
        "Officials said the pipeline was closed. The bloc said it would help."
    )
    r = ann(text)
    assert speaker_of(r, find(r, "gas shortage")) == "Ilze Ozola"
    for fragment, name in (("pipeline was closed", "Officials"), ("would help", "bloc")):
        profile = r.speakers[find(r, fragment).speaker]
        assert profile.name == name
        assert profile.kind == "unknown"


def test_portfolio_word_is_not_an_organisation(ann):
    r = ann("Health Minister Tomas Ruud said the clinics would reopen.")
    profile = r.speakers[find(r, "clinics would reopen").speaker]
    assert profile.name == "Tomas Ruud"
    assert profile.organisation is None


def test_pronoun_resolves_with_gender(ann):
    text = (
        "Mr. Anton Weiss met Ms. Clara Hoffmann in Vienna. "
        "Clara Hoffmann said the talks were useful. "
        "Anton Weiss said the talks were too short. "
        "She said a second round would follow."
    )
    r = ann(text)
    q = find(r, "second round")
    assert q.mention.text == "She"
    assert speaker_of(r, q) == "Clara Hoffmann"


def test_gender_learned_from_possessive_in_same_sentence(ann):
    text = (
        "Dana Kowalski said the decision was bad for her country. "
        "Adam Nowak said nothing would change. "
        "She said the government would appeal."
    )
    r = ann(text)
    assert speaker_of(r, find(r, "would appeal")) == "Dana Kowalski"


def test_organisation_speaker(ann):
    r = ann("The United Nations said aid convoys had been blocked for a week.")
    q = find(r, "aid convoys")
    assert r.speakers[q.speaker].kind == "organisation"
    assert r.speakers[q.speaker].name == "United Nations"


def test_country_speaker_from_capital_metonym(ann):
    r = ann("Washington warned that the new tariffs would hurt both economies.")
    q = find(r, "new tariffs")
    profile = r.speakers[q.speaker]
    assert profile.kind == "country"
    assert profile.country == "US"


def test_single_ner_label_is_not_trusted(ann):
    # the same surname in several sentences stays one person whatever NER says each time
    text = (
        "Foreign Minister Jonas Kvist said the embassy was safe. "
        "Kvist said the staff had been told. "
        "Kvist added that no one was hurt."
    )
    r = ann(text)
    speakers = {find(r, f).speaker for f in ("embassy was safe", "staff had", "no one was hurt")}
    assert len(speakers) == 1
    assert r.speakers[speakers.pop()].kind == "person"


def test_first_name_gives_a_gender_prior(ann):
    text = (
        "Foreign ministry spokesman Tao Ming said the meeting went well. "
        "“This is a test of the partnership,” said Markus Feld, a senior analyst. "
        "He said both sides had too much to lose."
    )
    r = ann(text)
    assert speaker_of(r, find(r, "too much to lose")) == "Markus Feld"


def test_text_evidence_beats_the_first_name_prior(ann):
    # 'her' in the speaker's own sentence outweighs what the first name suggests
    text = (
        "Ambassador Kay Morton said the decision worried her government. "
        "Paul Dunn said nothing would change. "
        "She said the embassy would stay open."
    )
    r = ann(text)
    assert speaker_of(r, find(r, "embassy would stay open")) == "Kay Morton"


def test_title_makes_a_person_whatever_ner_says(ann):
    r = ann("EU trade commissioner Helena Vasquez said the bloc would respond.")
    profile = r.speakers[find(r, "bloc would respond").speaker]
    assert profile.kind == "person"
    assert profile.organisation == "European Union"


def test_kremlin_statement(ann):
    r = ann("The Kremlin said in a statement that the talks were over.")
    q = find(r, "talks were over")
    assert r.speakers[q.speaker].country == "RU"
    assert q.cue.text == "said in a statement"


def test_capitalised_common_nouns_are_unknown_speakers(ann):
    text = (
        "Fellow Ministers said the plan was cruel. "
        "The Bloc said it would send money. "
        "Senior Officials said the camps were full."
    )
    r = ann(text)
    for fragment in ("send money", "camps were full"):
        q = find(r, fragment)
        assert r.speakers[q.speaker].kind == "unknown"
    # unnamed ministers speaking together are the group of a meeting's speakers, no name
    group = r.speakers[find(r, "plan was cruel").speaker]
    assert (group.kind, group.members) == ("group", [])


def test_title_inside_a_name_run_is_role(ann):
    text = (
        "Latvian minister warns of gas shortage\n\n"
        "Latvian Energy Minister Ilze Ozola said on Monday the reserves would last until March."
    )
    r = ann(text)
    q = find(r, "reserves would last")
    profile = r.speakers[q.speaker]
    assert profile.name == "Ilze Ozola"
    assert profile.country == "LV"
    assert speaker_of(r, find(r, "gas shortage")) == "Ilze Ozola"


def test_short_form_finds_a_full_name_that_ner_missed(ann):
    text = (
        "Chairperson of the Regional Commission Moussa Diop Keita has condemned the attack.\n\n"
        "Diop said that the region must act together."
    )
    r = ann(text)
    assert "Moussa" in r.speakers[find(r, "must act together").speaker].name
