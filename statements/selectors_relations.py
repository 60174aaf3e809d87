"""Reads for the relations pages: which countries' speakers talk about which countries.

A pair (from, to) counts the visible statements by speakers of country `from` that mention
country `to`; a country's mentions of itself are left out. Counts are read live from the
statements (no stored aggregate), so uploads, corrections, deletions and speaker merges
show at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q

from statements.models import Quote, RelationTally, Speaker
from statements.relations_tally import MENTIONS
from statements.selectors import MonthCount, QuoteFilters, quote_filter

MentionLink = Quote.countries.through


@dataclass(frozen=True, slots=True)
class PairCount:
    """Statements by speakers of `source` (ISO alpha-2, upper case) mentioning `target`."""

    source: str
    target: str
    count: int


@dataclass(frozen=True, slots=True)
class RelationCounts:
    pairs: list[PairCount]  # every non-empty pair, largest first
    # Statements that mention a country but whose speaker has no country (an unresolved
    # speaker, an international official): not in any pair, counted here instead.
    without_country: int


def _is_unfiltered(filters: QuoteFilters) -> bool:
    return not filters.params() and filters.speaker_ids is None


def _mention_links(filters: QuoteFilters):
    """The (statement, mentioned country) links of the visible statements matching
    `filters`, narrowed exactly as the statement list narrows (so that a cell's count is
    the count of the list it links to)."""
    links = MentionLink.objects.filter(quote__is_deleted=False)
    if _is_unfiltered(filters):
        return links
    return links.filter(quote__in=quote_filter(filters=filters).values("pk"))


def relation_counts(*, filters: QuoteFilters, live: bool = False) -> RelationCounts:
    """Every non-empty (speaker's country, mentioned country) pair among the statements
    matching `filters`, a country's mentions of itself left out, and how many statements
    mention a country but have a speaker without one. Two queries.

    Unfiltered, the pairs come from the trigger-kept tally (statements/relations_tally.py);
    with filters (or `live`), they are counted from the statements.
    """
    if _is_unfiltered(filters) and not live:
        rows = (
            RelationTally.objects.filter(statements__gt=0)
            .exclude(source="")
            .exclude(target=MENTIONS)
            .exclude(source=F("target"))
            .values_list("source", "target", "statements")
        )
    else:
        rows = (
            _mention_links(filters)
            .filter(quote__speaker__country__isnull=False)
            .exclude(country=F("quote__speaker__country"))
            .values_list("quote__speaker__country", "country")
            .annotate(n=Count("*"))
            .order_by()
        )
    pairs = sorted(
        (PairCount(source, target, n) for source, target, n in rows),
        key=lambda p: (-p.count, p.source, p.target),
    )
    return RelationCounts(pairs=pairs, without_country=_without_country(filters, live=live))


def _without_country(filters: QuoteFilters, *, live: bool) -> int:
    """Visible statements matching `filters` that mention a country and whose speaker has
    none (or who have no speaker)."""
    if _is_unfiltered(filters) and not live:
        row = RelationTally.objects.filter(source="", target=MENTIONS).first()
        return row.statements if row else 0
    no_country = Speaker.objects.filter(country__isnull=True).values("pk")
    # Two index ranges (no speaker; speakers without a country) of the (speaker,
    # is_deleted) index rather than a scan of every statement with its speaker.
    quotes = Quote.objects.visible().filter(Q(speaker__isnull=True) | Q(speaker__in=no_country))
    if not _is_unfiltered(filters):
        quotes = quotes.filter(pk__in=quote_filter(filters=filters).values("pk"))
    return quotes.filter(Exists(MentionLink.objects.filter(quote=OuterRef("pk")))).count()


@dataclass(frozen=True, slots=True)
class CountryTotal:
    code: str
    count: int


def country_relations(*, code: str, limit: int = 8) -> dict[str, list[CountryTotal]]:
    """For a country page: the countries its speakers mention most ("talks_about") and the
    countries whose speakers mention it most ("talked_about_by"), itself left out."""
    code = code.upper()
    visible = MentionLink.objects.filter(quote__is_deleted=False)
    talks_about = (
        visible.filter(quote__speaker__country=code)
        .exclude(country=code)
        .values_list("country")
        .annotate(n=Count("*"))
        .order_by("-n", "country")[:limit]
    )
    talked_about_by = (
        visible.filter(country=code, quote__speaker__country__isnull=False)
        .exclude(quote__speaker__country=code)
        .values_list("quote__speaker__country")
        .annotate(n=Count("*"))
        .order_by("-n", "quote__speaker__country")[:limit]
    )
    return {
        "talks_about": [CountryTotal(c, n) for c, n in talks_about],
        "talked_about_by": [CountryTotal(c, n) for c, n in talked_about_by],
    }


def pair_statement_count(*, source: str, target: str) -> int:
    """Visible statements by speakers of `source` that mention `target`."""
    return (
        MentionLink.objects.filter(
            quote__is_deleted=False, quote__speaker__country=source.upper(), country=target.upper()
        )
        .values("quote")
        .count()
    )


def pair_statements_per_month(*, source: str, target: str) -> list[MonthCount]:
    """The pair's statements per month of publication, with the empty months between."""
    # Grouped by day in SQL and by month here: no date-truncation function, which SQLite
    # runs in Python for every row.
    days = (
        MentionLink.objects.filter(
            quote__is_deleted=False,
            quote__speaker__country=source.upper(),
            country=target.upper(),
            quote__article__published__isnull=False,
        )
        .values_list("quote__article__published")
        .annotate(n=Count("*"))
        .order_by()
    )
    counts: dict[dt.date, int] = {}
    for day, n in days:
        month = day.replace(day=1)
        counts[month] = counts.get(month, 0) + n
    if not counts:
        return []
    months = []
    month, last = min(counts), max(counts)
    while month <= last:
        months.append(MonthCount(month=month, count=counts.get(month, 0)))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


@dataclass(frozen=True, slots=True)
class SpeakerCount:
    slug: str
    name: str
    count: int


def pair_speakers(*, source: str, target: str, limit: int = 15) -> list[SpeakerCount]:
    """The speakers behind a pair, most statements first."""
    rows = (
        MentionLink.objects.filter(
            quote__is_deleted=False, quote__speaker__country=source.upper(), country=target.upper()
        )
        .values_list("quote__speaker", "quote__speaker__slug", "quote__speaker__name")
        .annotate(n=Count("*"))
        .order_by("-n", "quote__speaker__name")[:limit]
    )
    return [SpeakerCount(slug, name, n) for _pk, slug, name, n in rows]
