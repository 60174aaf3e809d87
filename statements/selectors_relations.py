"""Reads for the relations pages: which countries' speakers talk about which countries.

A pair (from, to) counts the visible statements by speakers of country `from` that mention
country `to`; a country's mentions of itself are left out. Counts come from tallies that
database triggers keep exact on every write (uploads, corrections, deletions, speaker
merges show at once), or, for filters no tally answers, from the statements themselves.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, When

from statements import tallies
from statements.models import Country, Quote, RelationTally, Speaker
from statements.relations_tally import MENTIONS, ROW_TOTAL
from statements.selectors import (
    MonthCount,
    QuoteFilters,
    months_with_gaps,
    quote_filter,
    tallied_months,
    tally_scopes,
)

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
    `filters`, narrowed as the statement list narrows (`quote_filter`), so that a cell's
    count is the count of the list it links to. The plain filters are joins on the
    statement (3-5 times faster than `quote__in` a subquery of every matching statement);
    words and speaker names go through the list's own subquery."""
    links = MentionLink.objects.filter(
        quote__is_deleted=False, quote__article__duplicate_of__isnull=True
    )
    if filters.kind:
        links = links.filter(quote__kind=filters.kind)
    if filters.date_from:
        links = links.filter(quote__article__published__gte=filters.date_from)
    if filters.date_to:
        links = links.filter(quote__article__published__lte=filters.date_to)
    if filters.topic:
        on_topic = Quote.topics.through.objects.filter(
            quote=OuterRef("quote"), topic__slug=filters.topic
        )
        links = links.filter(Exists(on_topic))
    if filters.speaker_country:
        links = links.filter(quote__speaker__country=filters.speaker_country)
    if filters.country:
        links = links.filter(country=filters.country)
    if filters.q or filters.speaker or filters.speaker_ids is not None:
        narrowed = QuoteFilters(
            q=filters.q, speaker=filters.speaker, speaker_ids=filters.speaker_ids
        )
        links = links.filter(quote__in=quote_filter(filters=narrowed).values("pk"))
    return links


def relation_counts(*, filters: QuoteFilters, live: bool = False) -> RelationCounts:
    """Every non-empty (speaker's country, mentioned country) pair among the statements
    matching `filters`, a country's mentions of itself left out, and how many statements
    mention a country but have a speaker without one. Two queries.

    Unfiltered, the pairs come from the trigger-kept relations tally
    (statements/relations_tally.py); filtered by one kind or one topic alone, from the
    statement tally (statements/tallies.py); with other filters (or `live`), they are
    counted from the statements.
    """
    scope = None if live else _tally_scope(filters)
    if _is_unfiltered(filters) and not live:
        rows = RelationTally.objects.pairs().values_list("source", "target", "statements")
    elif scope is not None:
        return _tally_scope_counts(scope)
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


def _tally_scope(filters: QuoteFilters) -> tuple[str, str] | None:
    """The tally scope that holds the relations of the statements `filters` match: a
    kind, a topic or a tallied word alone (statements/tallies.py counts relations per
    each)."""
    scopes = tally_scopes(filters)
    by = (tallies.KIND, tallies.TOPIC, tallies.WORD)
    if scopes and len(scopes) == 1 and scopes[0][0] in by:
        return scopes[0]
    return None


def _tally_scope_counts(scope: tuple[str, str]) -> RelationCounts:
    """The matrix of one tally scope: its relation items, one query."""
    relations = tallies.scope_counts([scope], [tallies.RELATION]).values[tallies.RELATION]
    pairs = []
    for key, n in relations.items():
        source, _, target = key.partition(">")
        if source:
            pairs.append(PairCount(source, target, n))
    pairs.sort(key=lambda p: (-p.count, p.source, p.target))
    return RelationCounts(pairs=pairs, without_country=relations.get(tallies.UNPLACED, 0))


def _without_country(filters: QuoteFilters, *, live: bool) -> int:
    """Visible statements matching `filters` that mention a country and whose speaker has
    none (or who have no speaker)."""
    if _is_unfiltered(filters) and not live:
        row = RelationTally.objects.filter(source="", target=MENTIONS).first()
        return row.statements if row else 0
    without = _mention_links(filters).filter(
        Q(quote__speaker__isnull=True) | Q(quote__speaker__country__isnull=True)
    )
    return without.values("quote").distinct().count()


@dataclass(frozen=True, slots=True)
class CountryTotal:
    code: str
    name: str
    count: int


def country_relations(*, code: str, limit: int = 8) -> dict[str, list[CountryTotal]]:
    """For a country page: the countries its speakers mention most ("talks_about") and the
    countries whose speakers mention it most ("talked_about_by"), itself left out. One
    query on the tally."""
    code = code.upper()
    other = Case(When(source=code, then=F("target")), default=F("source"))
    rows = (
        RelationTally.objects.pairs()
        .filter(Q(source=code) | Q(target=code))
        .annotate(
            other=other,
            other_name=Subquery(Country.objects.filter(code=OuterRef("other")).values("name")[:1]),
        )
        .values_list("source", "other", "other_name", "statements")
    )
    talks_about, talked_about_by = [], []
    for source, other_code, name, n in rows:
        side = talks_about if source == code else talked_about_by
        side.append(CountryTotal(other_code, name or other_code, n))
    return {
        name: sorted(side, key=lambda c: (-c.count, c.code))[:limit]
        for name, side in (("talks_about", talks_about), ("talked_about_by", talked_about_by))
    }


def pair_statement_counts(*, source: str, target: str) -> tuple[int, int]:
    """Visible statements by speakers of `source` mentioning `target`, and the other way
    round. One query on the tally."""
    source, target = source.upper(), target.upper()
    counts = dict(
        RelationTally.objects.filter(
            Q(source=source, target=target) | Q(source=target, target=source)
        ).values_list("source", "statements")
    )
    return counts.get(source, 0), counts.get(target, 0)


@dataclass(frozen=True, slots=True)
class SpeakerCount:
    slug: str
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class PairProfile:
    months: list[MonthCount]  # statements per month of publication, empty months included
    speakers: list[SpeakerCount]  # the speakers behind the pair, most statements first


def pair_profile(*, source: str, target: str, speakers: int = 15) -> PairProfile:
    """What a pair's page shows about all of its statements: from the tally of the relation
    (statements/tallies.py), one query, then the names of the busiest speakers."""
    source, target = source.upper(), target.upper()
    if source == target:  # not a relation: counted from the statements
        return _pair_profile_live(source=source, target=target, speakers=speakers)
    counts = tallies.scope_counts(
        [(tallies.RELATION, f"{source}>{target}")], (tallies.SPEAKER, tallies.MONTH)
    )
    per_speaker = {int(pk): n for pk, n in counts.values[tallies.SPEAKER].items()}
    return _profile(tallied_months(counts.values[tallies.MONTH]), per_speaker, speakers)


def _pair_profile_live(*, source: str, target: str, speakers: int) -> PairProfile:
    """The same from the statements: grouped by speaker and day (months are summed here:
    SQLite would truncate each date in Python)."""
    rows = (
        MentionLink.objects.filter(
            quote__is_deleted=False,
            quote__article__duplicate_of__isnull=True,
            quote__speaker__country=source,
            country=target,
        )
        .values_list("quote__speaker", "quote__article__published")
        .annotate(n=Count("*"))
        .order_by()
    )
    per_month: Counter[dt.date] = Counter()
    per_speaker: Counter[int] = Counter()
    for speaker_id, day, n in rows:
        per_speaker[speaker_id] += n
        if day is not None:
            per_month[day.replace(day=1)] += n
    return _profile(months_with_gaps(per_month), per_speaker, speakers)


def _profile(months: list[MonthCount], per_speaker: dict[int, int], speakers: int):
    busiest = sorted(per_speaker.items(), key=lambda kv: (-kv[1], kv[0]))[:speakers]
    named = Speaker.objects.filter(pk__in=[pk for pk, _ in busiest])
    found = {pk: (slug, name) for pk, slug, name in named.values_list("pk", "slug", "name")}
    return PairProfile(
        months=months,
        speakers=[SpeakerCount(*found[pk], n) for pk, n in busiest if pk in found],
    )


SHADES = 5  # shading levels of a non-empty cell, 1 (fewest) to SHADES (most)


@dataclass(frozen=True, slots=True)
class MatrixCell:
    source: str
    target: str
    count: int
    shade: int  # 0 for an empty cell, else 1..SHADES on a log scale of the largest cell


@dataclass(frozen=True, slots=True)
class MatrixRow:
    source: str
    cells: list[MatrixCell]
    total: int  # over every mentioned country, shown or not


@dataclass(frozen=True, slots=True)
class Matrix:
    rows: list[MatrixRow]
    columns: list[str]
    column_totals: list[int]  # over every speaker country, shown or not
    largest: int


def _shade(count: int, largest: int) -> int:
    if count <= 0:
        return 0
    if largest <= 1:
        return SHADES
    return max(1, math.ceil(SHADES * math.log1p(count) / math.log1p(largest)))


def _busiest(totals: dict[str, int], chosen: Sequence[str], size: int) -> list[str]:
    if chosen:
        return sorted(dict.fromkeys(chosen), key=lambda code: (-totals.get(code, 0), code))
    return [code for code, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))][:size]


def _matrix(
    *,
    row_totals: dict[str, int],
    column_totals: dict[str, int],
    cell_counts: Callable[[list[str], list[str]], dict[tuple[str, str], int]],
    rows: Sequence[str],
    columns: Sequence[str],
    size: int,
) -> Matrix:
    shown_rows = _busiest(row_totals, rows, size)
    shown_columns = _busiest(column_totals, columns, size)
    counts = cell_counts(shown_rows, shown_columns) if shown_rows and shown_columns else {}
    largest = max(
        (counts.get((r, c), 0) for r in shown_rows for c in shown_columns if r != c), default=0
    )
    return Matrix(
        rows=[
            MatrixRow(
                source=r,
                cells=[
                    MatrixCell(r, c, n := counts.get((r, c), 0), _shade(n, largest))
                    for c in shown_columns
                ],
                total=row_totals.get(r, 0),
            )
            for r in shown_rows
        ],
        columns=shown_columns,
        column_totals=[column_totals.get(c, 0) for c in shown_columns],
        largest=largest,
    )


@dataclass(frozen=True, slots=True)
class RelationOverview:
    """What the matrix page shows."""

    matrix: Matrix
    top_pairs: list[PairCount]
    pair_count: int  # non-empty pairs
    mention_total: int  # statements counted once per other country they mention
    without_country: int


def relation_overview(
    *,
    filters: QuoteFilters,
    rows: Sequence[str] = (),
    columns: Sequence[str] = (),
    size: int,
    top: int = 20,
) -> RelationOverview:
    """The matrix of the statements matching `filters`: the chosen rows and columns, else
    the `size` busiest speaker countries and most mentioned countries, busiest first; the
    `top` busiest pairs; totals.

    Unfiltered it reads only the tally, in four small queries (the row and column totals,
    the shown cells, the top pairs with the pair count, the statements without a country);
    filtered by what a tally scope holds (one kind, topic or frequent word), that scope's
    pairs in one query; otherwise it counts every pair from the statements (two queries).
    """
    scope = None if _is_unfiltered(filters) else _tally_scope(filters)
    if scope is not None:
        return _scope_overview(scope, rows=rows, columns=columns, size=size, top=top)
    if not _is_unfiltered(filters):
        counts = relation_counts(filters=filters)
        row_totals: Counter[str] = Counter()
        column_totals: Counter[str] = Counter()
        by_pair = {}
        for pair in counts.pairs:
            row_totals[pair.source] += pair.count
            column_totals[pair.target] += pair.count
            by_pair[(pair.source, pair.target)] = pair.count
        return _overview(
            row_totals=row_totals,
            column_totals=column_totals,
            cell_counts=lambda _rows, _columns: by_pair,
            rows=rows,
            columns=columns,
            size=size,
            top_pairs=counts.pairs[:top],
            pair_count=len(counts.pairs),
            without_country=counts.without_country,
        )

    pairs = RelationTally.objects.pairs()

    def cell_counts(shown_rows, shown_columns):
        cells = pairs.filter(source__in=shown_rows, target__in=shown_columns)
        return {(s, t): n for s, t, n in cells.values_list("source", "target", "statements")}

    # The totals are rows of the tally (a few hundred, read by index); the busiest pairs
    # are the first entries of the pairs' index, and their number an index-only count.
    row_totals, column_totals = {}, {}
    totals = RelationTally.objects.totals().values_list("source", "target", "statements")
    for side, code, n in totals:
        (row_totals if side == ROW_TOTAL else column_totals)[code] = n
    busiest = pairs.order_by("-statements", "source", "target")[:top]
    top_pairs = [PairCount(*row) for row in busiest.values_list("source", "target", "statements")]
    pair_count = pairs.count()
    return _overview(
        row_totals=row_totals,
        column_totals=column_totals,
        cell_counts=cell_counts,
        rows=rows,
        columns=columns,
        size=size,
        top_pairs=top_pairs,
        pair_count=pair_count,
        without_country=_without_country(filters, live=False),
    )


def _scope_overview(
    scope: tuple[str, str], *, rows: Sequence[str], columns: Sequence[str], size: int, top: int
) -> RelationOverview:
    """`relation_overview` of one tally scope, from its relation items (`TR>US`): tens of
    thousands at a million statements, so summed in one pass without an object each."""
    counts = tallies.scope_counts([scope], [tallies.RELATION]).values[tallies.RELATION]
    without_country = counts.pop(tallies.UNPLACED, 0)
    row_totals: Counter[str] = Counter()
    column_totals: Counter[str] = Counter()
    for key, n in counts.items():  # ISO alpha-2 codes on either side of ">"
        row_totals[key[:2]] += n
        column_totals[key[3:]] += n

    def cell_counts(shown_rows, shown_columns):
        cells = ((r, c, counts.get(f"{r}>{c}")) for r in shown_rows for c in shown_columns)
        return {(r, c): n for r, c, n in cells if n}

    # Keys sort as (source, target) do: busiest first, then by pair.
    busiest = heapq.nsmallest(top, counts.items(), key=lambda item: (-item[1], item[0]))
    return _overview(
        row_totals=row_totals,
        column_totals=column_totals,
        cell_counts=cell_counts,
        rows=rows,
        columns=columns,
        size=size,
        top_pairs=[PairCount(key[:2], key[3:], n) for key, n in busiest],
        pair_count=len(counts),
        without_country=without_country,
    )


def _overview(
    *,
    row_totals: dict[str, int],
    column_totals: dict[str, int],
    cell_counts: Callable,
    rows: Sequence[str],
    columns: Sequence[str],
    size: int,
    top_pairs: list[PairCount],
    pair_count: int,
    without_country: int,
) -> RelationOverview:
    """The page's overview from its totals, however they were counted; `rows`, `columns`
    and `size` choose the cells shown (see `_matrix`)."""
    return RelationOverview(
        matrix=_matrix(
            row_totals=row_totals,
            column_totals=column_totals,
            cell_counts=cell_counts,
            rows=rows,
            columns=columns,
            size=size,
        ),
        top_pairs=top_pairs,
        pair_count=pair_count,
        mention_total=sum(row_totals.values()),
        without_country=without_country,
    )
