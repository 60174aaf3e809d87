"""Topic tags: strong terms alone, weak terms with support, the passage fallback, overlaps."""

from statements.nlp import TopicRule
from statements.nlp.topic_tags import Paragraphs

from .conftest import find

RULES = [
    TopicRule(
        slug="elections",
        name="Elections",
        keywords=["election", "ballot"],
        weak=["vote", "campaign", "candidate"],
    ),
    TopicRule(slug="fisheries", name="Fisheries", keywords=["fishing quota"], weak=["boat"]),
    TopicRule(slug="security", name="Security", keywords=["surveillance"], weak=["security"]),
    TopicRule(slug="food", name="Food", keywords=["food security"], weak=["harvest"]),
]


def test_one_strong_term_is_enough(ann):
    r = ann("Karin Holm said the election would be held in May.", topics=RULES)
    assert find(r, "held in May").topics == ["elections"]


def test_one_weak_term_alone_tags_nothing(ann):
    r = ann("Karin Holm said the council would vote on the budget next week.", topics=RULES)
    assert find(r, "vote on the budget").topics == []


def test_two_different_weak_terms_tag_the_topic(ann):
    r = ann("Karin Holm said every candidate would campaign in the north.", topics=RULES)
    assert find(r, "every candidate").topics == ["elections"]


def test_the_same_weak_word_twice_is_still_one_term(ann):
    r = ann("Karin Holm said the vote was due and the voting would start at noon.", topics=RULES)
    assert find(r, "voting would start").topics == []


def test_a_weak_term_is_supported_by_strong_terms_in_its_passage(ann):
    text = (
        "The election commission opened the ballot boxes on Sunday.\n\n"
        'Karin Holm said the vote would stand and the count would be "fast".\n'
    )
    r = ann(text, topics=RULES)
    assert find(r, "vote would stand").topics == ["elections"]


def test_a_statement_without_topic_words_takes_its_passage_topic(ann):
    text = (
        "Fishing quotas dominated the meeting in Bergen.\n\n"
        "Ministers argued over fishing quotas for the northern fleet until late at night.\n\n"
        "Karin Holm said the two sides were close and would meet again in March.\n\n"
        "An unrelated paragraph about the weather follows here.\n\n"
        "Another one follows it, about the trains.\n\n"
        "Olav Berg said he would travel home on Friday.\n"
    )
    r = ann(text, topics=RULES)
    assert find(r, "two sides were close").topics == ["fisheries"]
    # three paragraphs away from any topic word: no passage topic
    assert find(r, "travel home").topics == []


def test_the_longest_term_wins_where_terms_overlap(ann):
    r = ann("Karin Holm said food security was at risk.", topics=RULES)
    assert find(r, "food security").topics == ["food"]


def test_surveillance_cameras_are_security_not_cyber(ann):
    r = ann("Karin Holm said surveillance cameras were installed at the border.")
    assert "security" in find(r, "surveillance cameras").topics
    assert "cyber" not in find(r, "surveillance cameras").topics


def test_default_vote_alone_is_not_elections(ann):
    r = ann("Karin Holm said the council would vote on the draft on Thursday.")
    assert "elections" not in find(r, "vote on the draft").topics


def test_default_body_names_tag_nothing(ann):
    r = ann("Karin Holm said the Security Council would meet on Thursday morning.")
    assert find(r, "would meet").topics == []


def test_default_diplomatic_topics(ann):
    r = ann(
        "Karin Holm said inspectors had found enriched uranium at the site.\n\n"
        "Olav Berg said a ceasefire would allow aid convoys to reach the city.\n"
    )
    assert find(r, "uranium").topics == ["nuclear"]
    assert set(find(r, "ceasefire").topics) == {"peace-process", "humanitarian"}


def test_document_topics_are_those_with_enough_evidence(ann):
    text = "Karin Holm said the election was fair.\n\nOlav Berg said the vote was late.\n"
    r = ann(text, topics=RULES)
    assert r.topics == ["elections"]


def test_paragraph_passage_spans_the_neighbours():
    text = "One.\n\nTwo two.\n\nThree.\n\nFour."
    paras = Paragraphs(text)
    two = text.index("Two")
    assert text[slice(*paras.passage(two, two + 3))] == "One.\n\nTwo two.\n\nThree."
    assert text[slice(*paras.passage(0, 4))] == "One.\n\nTwo two."
