"""Topics: editable keyword rules matched on lemmas and word forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from .lexicon import load_data


@dataclass(frozen=True)
class TopicRule:
    slug: str
    name: str
    keywords: list[str] = field(default_factory=list)  # lemmas or phrases

    def key(self) -> tuple:
        return (self.slug, tuple(self.keywords))


def default_topics() -> list[TopicRule]:
    """The default topic set from data/topics.json (the Django side stores it in Topic)."""
    return [TopicRule(t.slug, t.name, list(t.keywords)) for t in _default_topics()]


@cache
def _default_topics() -> tuple[TopicRule, ...]:
    data = load_data("topics.json")
    return tuple(TopicRule(t["slug"], t["name"], list(t["keywords"])) for t in data["topics"])
