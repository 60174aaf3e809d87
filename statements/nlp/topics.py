"""Topics: editable term lists, strong and weak, matched on lemmas and word forms.

A strong term tags a statement on its own ("ceasefire", "uranium"); a weak term ("vote",
"talks") tags it only with support: a second, different weak term of the same topic in the
statement, or the topic's strong terms in the passage around it (see `topic_tags.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from .lexicon import load_data


@dataclass(frozen=True)
class TopicRule:
    slug: str
    name: str
    keywords: list[str] = field(default_factory=list)  # strong terms: lemmas or phrases
    weak: list[str] = field(default_factory=list)  # terms that need support

    def key(self) -> tuple:
        return (self.slug, tuple(self.keywords), tuple(self.weak))


def default_topics() -> list[TopicRule]:
    """The default topic set from data/topics.json (the Django side stores it in Topic)."""
    return [TopicRule(t.slug, t.name, list(t.keywords), list(t.weak)) for t in _default_topics()]


@cache
def _default_topics() -> tuple[TopicRule, ...]:
    data = load_data("topics.json")
    return tuple(
        TopicRule(t["slug"], t["name"], list(t["strong"]), list(t.get("weak", [])))
        for t in data["topics"]
    )


@cache
def neutral_phrases() -> tuple[str, ...]:
    """Names of bodies and roles ("Security Council", "defence minister") whose words tag
    nothing: a body's name is not the subject of what is said there."""
    return tuple(load_data("topics.json").get("neutral", []))
