"""The language of diplomacy: what is a statement and what is not, on invented sentences."""

import pytest

from statements.nlp.cues import CONSTRUCTIONS
from statements.nlp.lexicon import cues

from .conftest import find, speaker_of

MEETING = "The Committee met on Tuesday with delegates and representatives of the Council. "


def texts(result) -> list[str]:
    return [q.text for q in result.quotes]


def test_every_construction_names_lexicons_of_the_data_file():
    lex = cues()
    for constructions, _rule in CONSTRUCTIONS:
        for name in constructions:
            assert hasattr(lex, name), name


@pytest.mark.parametrize(
    ("sentence", "content", "cue"),
    [
        (
            "The minister Lena Dahl expressed deep concern about the fate of fishing towns.",
            "about the fate of fishing towns",
            "expressed deep concern",
        ),
        (
            "Lena Dahl voiced hope that the talks would resume before the winter.",
            "that the talks would resume before the winter",
            "voiced hope",
        ),
        (
            "Lena Dahl raised the alarm over shrinking budgets for relief agencies.",
            "over shrinking budgets for relief agencies",
            "raised the alarm",
        ),
        (
            "Lena Dahl expressed support for the mediation led by the regional bloc.",
            "for the mediation led by the regional bloc",
            "expressed support",
        ),
    ],
)
def test_stance_phrases_are_cues(ann, sentence, content, cue):
    r = ann(sentence)
    q = find(r, content)
    assert q.text == content
    assert q.cue.text == cue
    assert speaker_of(r, q) == "Lena Dahl"


def test_fronted_stance_participle_takes_the_main_subject(ann):
    r = ann("Voicing concern over the famine, the envoy Omar Haddad urged donors to act.")
    q = find(r, "over the famine")
    assert q.cue.text == "Voicing concern"
    assert speaker_of(r, q) == "Omar Haddad"


@pytest.mark.parametrize(
    ("sentence", "content"),
    [
        ("Omar Haddad called for an immediate ceasefire in the valley.", "immediate ceasefire"),
        ("Omar Haddad appealed to donors for more funding for the camps.", "donors"),
        ("Omar Haddad thanked the host country for organising the talks.", "host country"),
        ("Omar Haddad demanded that the convoy be allowed through.", "convoy be allowed"),
        ("Omar Haddad underscored the need for a political solution.", "need for a political"),
    ],
)
def test_diplomatic_speech_verbs(ann, sentence, content):
    r = ann(sentence)
    assert speaker_of(r, find(r, content)) == "Omar Haddad"


@pytest.mark.parametrize(
    ("headline", "content", "mention"),
    [
        (
            "Delegates Hail Progress on Ocean Treaty, as Committee Ends Session",
            "Progress on",
            "Delegates",
        ),
        ("SPEAKERS DECRY ATTACKS ON AID WORKERS IN CONFLICT ZONES", "ATTACKS ON AID", "SPEAKERS"),
        (
            "Delegates Voice Concern over Rising Debt in Small Island States",
            "over Rising Debt",
            "Delegates",
        ),
        (
            "Peace ‘Within Reach’ in the Valley, Special Envoy Tells Council",
            "Peace",
            "Special Envoy",
        ),
    ],
)
def test_headline_speech_acts_with_plural_or_collective_subjects(ann, headline, content, mention):
    r = ann(headline + "\n\nThe meeting went on into the evening.")
    q = find(r, content)
    assert q.mention.text == mention
    assert "as Committee" not in q.text


def test_inverted_subject_ending_a_headline_takes_the_clause_before(ann):
    r = ann("Progress made at the fisheries talks in Lisbon, say diplomats\n\nTalks go on.")
    q = find(r, "Progress made")
    assert q.mention.text == "diplomats"


def test_relative_clause_source_takes_the_noun_it_hangs_on(ann):
    r = ann("Leaders agreed on a quota of five percent, which was insisted on by Ana Silva.")
    q = find(r, "quota")
    assert q.text == "a quota of five percent"
    assert speaker_of(r, q) == "Ana Silva"


def test_passive_with_agent(ann):
    r = ann("The plan was criticized by the opposition leader Maria Sand.")
    q = find(r, "The plan")
    assert speaker_of(r, q) == "Maria Sand"


def test_continuation_sentence_in_meeting_coverage_takes_the_speaker(ann):
    text = (
        MEETING + "\n\nThe ambassador Ines Moreau said the Committee had to act before the "
        "deadline. The crisis would only deepen if States waited another year.\n\n"
        "The Council then adopted the text without a vote."
    )
    r = ann(text)
    q = find(r, "crisis would only deepen")
    assert q.cue is None
    assert speaker_of(r, q) == "Ines Moreau"
    assert not any("adopted the text" in t for t in texts(r))


def test_no_continuation_outside_meeting_coverage(ann):
    r = ann(
        "The farmer Ines Moreau said the harvest had been poor. "
        "Prices of grain rose by a third in the spring."
    )
    assert not any("Prices of grain" in t for t in texts(r))


def test_no_continuation_after_narration_or_in_a_new_paragraph(ann):
    text = (
        MEETING + "\n\nThe ambassador Ines Moreau said the Committee had to act soon. "
        "She then left the chamber for a meeting with the press.\n\n"
        "The session resumed at three with a new list of speakers."
    )
    r = ann(text)
    assert not any("left the chamber" in t or "session resumed" in t for t in texts(r))


@pytest.mark.parametrize(
    "text",
    [
        "By the draft, the text would have rejected the use of force in the region.",
        "Adopting resolution 9901 unanimously, the Council demanded that all parties cease fire.",
        "Under the draft, the Assembly would call on States to ratify the convention.",
        "The ministers held talks in Oslo on the future of the fisheries accord.",
        "Norway backed the bid for a seat on the board.",
        "The two leaders agreed to meet again in May in the capital.",
        "The committee decided to postpone the vote until the next session.",
        "Delegates voted to adopt the agenda of the meeting.",
        "The minister proposed a meeting of the three neighbours.",
        "The delegations discussed ways to fund the new mission.",
        "The spokesman rejected the accusations.",
        'The so-called "border adjustment" was dropped from the final text.',
    ],
)
def test_not_statements(ann, text):
    assert ann(text).quotes == []


def test_evidence_makes_the_same_verbs_speech(ann):
    r = ann("The minister Aino Virta agreed that the border should reopen next month.")
    assert speaker_of(r, find(r, "border should reopen")) == "Aino Virta"
    r = ann("The minister Aino Virta rejected the accusations of fraud in the count.")
    assert speaker_of(r, find(r, "accusations of fraud")) == "Aino Virta"


@pytest.mark.parametrize(
    "headline",
    ["Assembly Holds Debate on Veto Use", "Delegates Reject Motion", "Council Extends Mission"],
)
def test_headline_fragments_without_a_speech_act(ann, headline):
    assert ann(headline + "\n\nThe meeting went on into the evening.").quotes == []


def test_as_clause_reports_the_clause_it_hangs_on(ann):
    r = ann("As the envoy Rita Gomez noted, the talks have stalled over the border.")
    q = find(r, "talks have stalled")
    assert q.cue.text == "noted"
    assert speaker_of(r, q) == "Rita Gomez"
    assert ann("As the rain fell, the talks stalled.").quotes == []
    assert ann(MEETING + "As the Committee continued its debate, the lights failed.").quotes == []


def test_proposals_and_attacks_need_their_evidence(ann):
    r = ann("The senator Paul Reyes proposes cutting the fuel tax for two years.")
    assert speaker_of(r, find(r, "cutting the fuel tax")) == "Paul Reyes"
    r = ann("The senator Paul Reyes attacked Maria Lopez for her vote on the budget.")
    assert speaker_of(r, find(r, "Maria Lopez")) == "Paul Reyes"
    assert ann("Rebel units attacked the port of the northern city at dawn.").quotes == []


def test_relative_clause_before_the_cue_stays_out_of_the_content(ann):
    r = ann("He bought the mine, which Carl Berg says he is doing all he can to keep open.")
    q = find(r, "doing all he can")
    assert speaker_of(r, q) == "Carl Berg"
    assert "which" not in q.text


def test_headline_opening_with_a_participle_cue(ann):
    r = ann("Expressing Hope for Peace Deal, Speakers Urge Parties to Return to Table\n\nText.")
    hope = find(r, "for Peace Deal")
    assert hope.cue.text == "Expressing Hope"
    assert hope.mention.text == "Speakers"
    assert find(r, "Parties to Return").mention.text == "Speakers"
    assert (
        ann("Commending Progress in Talks, Security Council Extends Mission\n\nText.").quotes == []
    )
