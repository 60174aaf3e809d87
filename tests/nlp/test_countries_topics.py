"""Countries (pycountry + our aliases), topics, and name folding."""

from statements.nlp import TopicRule, default_topics, iter_countries
from statements.nlp.countries import country_table
from statements.nlp.names import fold

from .conftest import find


def test_country_table_comes_from_pycountry_with_our_aliases():
    table = country_table()
    assert len(table) >= 249
    assert "U.S." in table["US"].aliases and "Washington" in table["US"].aliases
    assert "Turkish" in table["TR"].aliases and "Ankara" in table["TR"].aliases
    assert "Kremlin" in table["RU"].aliases
    codes = [code for code, _name, _aliases in iter_countries()]
    assert len(codes) == len(set(codes))


def test_statement_countries_from_demonym_and_capital(ann):
    r = ann("Karin Holm said Turkish officials had met envoys from Moscow and the U.S. side.")
    q = find(r, "Turkish officials")
    assert set(q.countries) == {"TR", "RU", "US"}


def test_lowercase_us_is_not_a_country(ann):
    r = ann("Karin Holm said the decision was hard for us and for them.")
    assert find(r, "decision was hard").countries == []


def test_default_topics_and_matching(ann):
    topics = default_topics()
    assert 15 <= len(topics) <= 25
    assert all(t.keywords for t in topics)
    r = ann("Karin Holm said new sanctions and missile deliveries were discussed.")
    q = find(r, "sanctions")
    assert "sanctions" in q.topics
    assert "defence-and-arms" in q.topics


def test_custom_topic_rules_from_the_database(ann):
    rules = [TopicRule(slug="fisheries", name="Fisheries", keywords=["fishing quota", "trawler"])]
    r = ann("Karin Holm said the fishing quotas for trawlers would be cut.", topics=rules)
    assert find(r, "quotas").topics == ["fisheries"]
    assert r.topics == ["fisheries"]


def test_fold():
    assert fold("Erdoğan") == "erdogan"
    assert fold("ERDOĞAN") == fold("erdogan")
    assert fold("Jean-Yves Le Drian") == "jean yves le drian"
    assert fold("  Zoë  ") == "zoe"


def test_countries_longest_first(ann):
    r = ann(
        "Karin Holm said Equatorial Guinea, Papua New Guinea and South Sudan had signed, "
        "but not the Dominican Republic."
    )
    assert find(r, "Equatorial Guinea").countries == ["GQ", "PG", "SS", "DO"]


def test_a_name_holding_a_country_is_not_that_country(ann):
    r = ann("Karin Holm said envoys from New Mexico met Guinea's minister.")
    assert find(r, "New Mexico").countries == ["GN"]


def test_congo_names_are_told_apart(ann):
    r = ann("Karin Holm said the Democratic Republic of the Congo would host the talks.")
    assert find(r, "Congo").countries == ["CD"]
    assert country_table()["CD"].name == "Democratic Republic of the Congo"
