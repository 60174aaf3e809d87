"""Reference data: the country table and the topics staff edit."""

from __future__ import annotations

from statements import nlp
from statements.models import Country, Topic


def countries_load() -> int:
    """Create or refresh the country table from pycountry and our alias table."""
    count = 0
    for code, name, aliases in nlp.iter_countries():
        Country.objects.update_or_create(code=code, defaults={"name": name, "aliases": aliases})
        count += 1
    return count


def topics_load() -> int:
    """Add the default topics that are not there yet; staff edits are kept."""
    created = 0
    for rule in nlp.default_topics():
        _, was_created = Topic.objects.get_or_create(
            slug=rule.slug,
            defaults={
                "name": rule.name,
                "keywords": list(rule.keywords),
                "weak_keywords": list(rule.weak),
            },
        )
        created += was_created
    return created


def topic_rules() -> list[nlp.TopicRule]:
    """The topics staff edit in the admin, as the pipeline wants them."""
    return [
        nlp.TopicRule(
            slug=t.slug, name=t.name, keywords=list(t.keywords), weak=list(t.weak_keywords)
        )
        for t in Topic.objects.all()
    ]
