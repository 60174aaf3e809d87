"""States as speakers: delegations, countries, groups, and the State a person speaks for."""

import json

from .conftest import find


def profile_of(result, fragment):
    q = find(result, fragment)
    assert q.speaker is not None, f"no speaker for {fragment!r}"
    return result.speakers[q.speaker]


def test_representative_of_a_country_is_its_delegation(ann):
    r = ann("The representative of Mexico said that the fund must grow.")
    p = profile_of(r, "fund must grow")
    assert (p.kind, p.country, p.name) == ("delegation", "MX", "Representative of Mexico")


def test_possessive_delegate_is_the_delegation(ann):
    r = ann("Chile's delegate said that the deadline was too short.")
    p = profile_of(r, "deadline was too short")
    assert (p.kind, p.country) == ("delegation", "CL")


def test_multiword_country_is_not_garbled(ann):
    r = ann("The representative of the Russian Federation said that the draft was unbalanced.")
    p = profile_of(r, "draft was unbalanced")
    assert (p.kind, p.country) == ("delegation", "RU")
    assert p.name != "Federation"


def test_observer_for_a_state(ann):
    r = ann("The observer for the State of Palestine said that the report was late.")
    assert profile_of(r, "report was late").country == "PS"


def test_delegation_of_a_country(ann):
    r = ann("The delegation of Peru stressed that water rights matter.")
    p = profile_of(r, "water rights")
    assert (p.kind, p.country) == ("delegation", "PE")


def test_one_delegation_per_country_in_a_text(ann):
    text = (
        "The representative of Ghana said that the budget was fair. "
        "Later, Ghana's delegate said that the audit should be public."
    )
    r = ann(text)
    assert find(r, "budget was fair").speaker == find(r, "audit should").speaker


def test_ambassador_to_an_organisation_speaks_for_the_sending_state(ann):
    r = ann(
        "Norway's permanent representative to the United Nations, Tor Lindqvist, said that "
        "the ceasefire must hold."
    )
    p = profile_of(r, "ceasefire must hold")
    assert p.name == "Tor Lindqvist"
    assert p.kind == "person"
    assert p.country == "NO"
    assert p.organisation == "United Nations"


def test_delegate_speaking_for_a_group_keeps_the_delegation(ann):
    r = ann(
        "Speaking on behalf of the Group of 77, the representative of Kenya said that "
        "debt relief was urgent."
    )
    p = profile_of(r, "debt relief")
    assert (p.kind, p.country) == ("delegation", "KE")


def test_minister_of_a_country_in_apposition(ann):
    r = ann("Lena Varga, Minister for Foreign Affairs of Hungary, said that talks would resume.")
    p = profile_of(r, "talks would resume")
    assert (p.name, p.country) == ("Lena Varga", "HU")


def test_country_in_brackets_after_a_meeting_speaker(ann):
    r = ann("Tomas Rehn (Sweden) said that the mission should stay.")
    assert profile_of(r, "mission should stay").country == "SE"


def test_international_official_has_no_country(ann):
    r = ann(
        "Amara Diallo (Senegal), Under-Secretary-General for Political Affairs, said that "
        "the elections must be credible."
    )
    p = profile_of(r, "elections must be credible")
    assert p.name == "Amara Diallo"
    assert p.country is None


def test_minister_for_a_portfolio_is_not_a_name(ann):
    r = ann("Cuba's Vice Minister for External Affairs said that the embargo must end.")
    p = profile_of(r, "embargo must end")
    assert p.name != "External Affairs"
    assert p.country == "CU"


def test_a_country_as_speaker(ann):
    r = ann("Russia said that the sanctions were illegal.")
    p = profile_of(r, "sanctions were illegal")
    assert (p.kind, p.country) == ("country", "RU")


def test_a_state_body_speaks_for_its_country(ann):
    r = ann("The Danish Foreign Ministry said that the embassy would reopen.")
    assert profile_of(r, "embassy would reopen").country == "DK"


def test_national_office_without_a_state_takes_the_country_of_the_headline(ann):
    text = (
        "Portugal rejects the new levy\n\n"
        "Foreign Ministry spokesperson Rui Matos said that the levy broke the treaty."
    )
    assert profile_of(ann(text), "levy broke").country == "PT"


def test_unnamed_many_are_the_speakers_group(ann):
    r = ann("Several delegations said that the mandate was too broad.")
    p = profile_of(r, "mandate was too broad")
    assert (p.kind, p.name, p.country) == ("group", "Speakers", None)


def test_coordinated_states_are_one_group(ann):
    r = ann("Norway and Iceland said that the fishing quota was unfair.")
    p = profile_of(r, "fishing quota")
    assert p.kind == "group"
    assert p.name == "Norway and Iceland"


def test_both_countries_resolve_to_the_pair_that_spoke(ann):
    text = (
        "Norway and Iceland said that the fishing quota was unfair. "
        "Both countries added that talks should resume in spring."
    )
    r = ann(text)
    assert find(r, "fishing quota").speaker == find(r, "resume in spring").speaker


def test_they_without_a_group_stays_unresolved(ann):
    text = (
        "Ines Moreau said that the budget was fair. They said that the vote should wait until June."
    )
    assert find(ann(text), "vote should wait").speaker is None


def test_pronoun_after_a_delegation_resolves_to_it(ann):
    text = (
        "The representative of Austria said that the treaty was a success. "
        "She stressed that verification must be funded."
    )
    r = ann(text)
    p = profile_of(r, "verification must be funded")
    assert (p.kind, p.country) == ("delegation", "AT")


def test_pronoun_never_resolves_to_a_name_inside_a_quote(ann):
    text = (
        'Mara Olsen said: "President Kessler, stop the shelling now." '
        "He added that the convoy was ready."
    )
    r = ann(text)
    q = find(r, "convoy was ready")
    assert q.speaker is None or r.speakers[q.speaker].name != "President Kessler"
    assert "Kessler" not in (r.speakers[q.speaker].name if q.speaker is not None else "")


def test_role_noun_links_to_the_named_ambassador(ann):
    text = (
        "Ambassador Pavel Koval said that the border was calm. "
        "The ambassador said that observers were welcome."
    )
    r = ann(text)
    assert find(r, "observers were welcome").speaker == find(r, "border was calm").speaker


def test_annotate_json_gives_speaker_country_and_kind(ann):
    r = ann("The representative of Mexico said that the fund must grow.")
    line = r.to_json(doc_id="x", source="x.txt")
    speaker = line["quotes"][0]["speaker"]
    assert speaker["country"] == "MX"
    assert speaker["kind"] == "delegation"
    json.dumps(line)


def test_demonym_delegate_and_longest_country_first(ann):
    r = ann(
        "The Bolivian delegate said that the quota was unfair. "
        "The Equatorial Guinean delegate said that the fund was empty."
    )
    assert profile_of(r, "quota was unfair").country == "BO"
    assert profile_of(r, "fund was empty").country == "GQ"


def test_country_after_a_name(ann):
    r = ann("Ana Ruiz of Uruguay said that the talks were useful.")
    assert profile_of(r, "talks were useful").country == "UY"


def test_pronoun_skips_a_person_spoken_of_in_reported_speech(ann):
    text = (
        "The representative of Kenya said that President Omondi had signed the accord. "
        "He added that the border would reopen."
    )
    p = profile_of(ann(text), "border would reopen")
    assert (p.kind, p.country) == ("delegation", "KE")


def test_the_delegate_is_the_delegation_that_just_spoke(ann):
    text = (
        "The representative of Ghana said that the budget was fair. "
        "The delegate added that the audit should be public."
    )
    r = ann(text)
    assert find(r, "audit should").speaker == find(r, "budget was fair").speaker


def test_representatives_of_two_states_are_a_group_they_resolves_to(ann):
    text = (
        "The representatives of Chile and Peru said that the fishing rules were unfair. "
        "They added that a review was overdue."
    )
    r = ann(text)
    p = profile_of(r, "fishing rules")
    assert p.kind == "group"
    assert p.members == ["Representative of Chile", "Representative of Peru"]
    assert find(r, "review was overdue").speaker == find(r, "fishing rules").speaker


def test_a_ministry_is_not_its_spokesperson(ann):
    text = (
        "Foreign Office spokesperson Lina Haddad said that the envoy was recalled. "
        "The foreign office also said that the visit was cancelled."
    )
    r = ann(text)
    q = find(r, "visit was cancelled")
    assert q.speaker is None or r.speakers[q.speaker].name != "Lina Haddad"


def test_coordinated_portfolios_keep_the_country_of_the_title(ann):
    r = ann(
        "Ines Berg, Minister of Foreign Affairs and Trade of Iceland, said that the fishing "
        "talks would resume."
    )
    p = profile_of(r, "fishing talks")
    assert (p.name, p.country) == ("Ines Berg", "IS")


def test_a_pair_named_inside_another_statement_is_what_both_countries_resolve_to(ann):
    text = (
        "Chile and Peru reaffirmed their commitment to the talks, the Chilean Foreign "
        "Ministry said.\n\nIn a joint statement, the two countries stressed the need for calm."
    )
    r = ann(text)
    p = profile_of(r, "need for calm")
    assert (p.kind, p.members) == ("group", ["Chile", "Peru"])
