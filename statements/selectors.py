"""Reads: filtered, paginated statement lists for the pages and exports."""

from __future__ import annotations

from django.db.models import Prefetch

from statements.models import Country, Quote, Topic


def quote_list(*, speaker: str = "", country: str = "", topic: str = "", kind: str = ""):
    """Visible statements, newest first, with what a list row shows fetched up front."""
    qs = Quote.objects.visible()
    if speaker:
        qs = qs.by_speaker(speaker)
    if country:
        qs = qs.mentioning_country(country)
    if topic:
        qs = qs.on_topic(topic)
    if kind:
        qs = qs.of_kind(kind)
    return (
        qs.select_related("article", "speaker", "speaker__country")
        .prefetch_related(
            Prefetch("countries", queryset=Country.objects.only("code", "name")),
            Prefetch("topics", queryset=Topic.objects.only("slug", "name")),
        )
        .newest_first()
    )
