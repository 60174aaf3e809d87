"""Reads for the index pages: every country and topic with its statement counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from statements.datacache import cached
from statements.models import Country, Quote, Topic


@dataclass(frozen=True, slots=True)
class CountryCount:
    code: str
    name: str
    by: int  # statements by speakers from the country
    about: int  # statements that mention it

    @property
    def total(self) -> int:
        return self.by + self.about


@dataclass(frozen=True, slots=True)
class TopicCount:
    slug: str
    name: str
    statements: int


def _counts(queryset, field: str, counted: str) -> dict[str, int]:
    rows = queryset.values(field).annotate(n=Count(counted)).values_list(field, "n").order_by()
    return dict(rows)


def country_index() -> list[CountryCount]:
    """Countries that have statements by their speakers or about them, by name: three
    queries, cached until the next write."""

    def compute() -> list[CountryCount]:
        visible = Quote.objects.visible()
        by = _counts(visible.exclude(speaker__country=None), "speaker__country_id", "pk")
        about = _counts(
            Quote.countries.through.objects.filter(quote__in=visible.values("pk")),
            "country_id",
            "quote_id",
        )
        names = Country.objects.filter(code__in=by.keys() | about.keys()).order_by("name")
        return [
            CountryCount(code, name, by.get(code, 0), about.get(code, 0))
            for code, name in names.values_list("code", "name")
        ]

    return cached("country-index", compute)


def topic_index() -> list[TopicCount]:
    """Every topic with its number of statements, by name (topics without any too: the
    page shows what can be found): two queries, cached until the next write."""

    def compute() -> list[TopicCount]:
        visible = Quote.objects.visible()
        counts = _counts(
            Quote.topics.through.objects.filter(quote__in=visible.values("pk")),
            "topic_id",
            "quote_id",
        )
        return [
            TopicCount(slug, name, counts.get(pk, 0))
            for pk, slug, name in Topic.objects.order_by("name").values_list("pk", "slug", "name")
        ]

    return cached("topic-index", compute)
