"""Reads: filtered, faceted, paginated statement lists for the pages and exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from difflib import SequenceMatcher

from django.contrib.postgres.search import (
    TrigramWordSimilarity,
)
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncMonth

from statements.datacache import cached
from statements.models import (
    Article,
    Country,
    Quote,
    QuoteQuerySet,
    Speaker,
    SpeakerAlias,
    SpeakerQuerySet,
    Topic,
)
from statements.nlp.names import fold
from statements.search import MIN_SPEAKER_QUERY, quote_text_search


@dataclass(frozen=True, slots=True)
class QuoteFilters:
    """What the statement list is narrowed to; empty values mean "any"."""

    q: str = ""
    speaker: str = ""  # a slug, or part of a name or alias
    speaker_country: str = ""  # ISO alpha-2, upper case
    country: str = ""  # mentioned in the statement; ISO alpha-2, upper case
    topic: str = ""  # slug
    kind: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    # The speakers `speaker` was resolved to (resolve_speaker), when it was; not a parameter.
    speaker_ids: tuple[int, ...] | None = None

    def params(self) -> dict[str, str]:
        """The filters that are set, as query-string values."""
        out = {}
        for field in fields(self):
            if field.name == "speaker_ids":
                continue
            value = getattr(self, field.name)
            if value:
                out[field.name] = value.isoformat() if isinstance(value, dt.date) else value
        return out


def quote_filter(*, filters: QuoteFilters) -> QuoteQuerySet:
    """Visible statements matching `filters`, unordered and without related rows."""
    qs = Quote.objects.visible()
    if filters.speaker_ids is not None:
        qs = qs.filter(speaker_id__in=filters.speaker_ids)
    elif filters.speaker:
        qs = qs.by_speaker_or_name(filters.speaker, fold(filters.speaker).strip())
    if filters.speaker_country:
        qs = qs.by_speaker_country(filters.speaker_country)
    if filters.country:
        qs = qs.mentioning_country(filters.country)
    if filters.topic:
        qs = qs.on_topic(filters.topic)
    if filters.kind:
        qs = qs.of_kind(filters.kind)
    qs = qs.published_between(filters.date_from, filters.date_to)
    if filters.q:
        qs = _matching_text(qs, filters.q)
    return qs


def _matching_text(qs: QuoteQuerySet, text: str) -> QuoteQuerySet:
    # The indexed full-text search (statements/search.py), plus statements by a speaker
    # whose name contains the text ("Erdoğan" finds what he said).
    return quote_text_search(qs, text, speaker_names=True)


def with_list_rows(qs: QuoteQuerySet) -> QuoteQuerySet:
    """Fetch what a list row or an export row shows, in a constant number of queries."""
    return (
        qs.select_related("article", "speaker", "speaker__country")
        # Not the article text: a row never shows it, and the database would carry every
        # matching article's body through the sort (20k bodies for a busy country).
        .defer("article__body", "speaker__country__aliases")
        .prefetch_related(
            Prefetch("countries", queryset=Country.objects.only("code", "name").order_by("code")),
            Prefetch("topics", queryset=Topic.objects.only("slug", "name").order_by("slug")),
        )
    )


def quote_list(*, filters: QuoteFilters) -> QuoteQuerySet:
    """Visible statements matching `filters`, newest first, with their list rows prefetched."""
    return with_list_rows(quote_filter(filters=filters)).newest_first()


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    label: str
    count: int


# Facet name (the query parameter it sets) -> heading shown beside it.
FACETS = {
    "speaker": "Speaker",
    "speaker_country": "Speaker's country",
    "country": "Countries mentioned",
    "topic": "Topic",
    "kind": "Kind",
}


def quote_facets(
    *, queryset: QuoteQuerySet, names: tuple[str, ...] = tuple(FACETS), limit: int = 10
) -> dict[str, list[FacetValue]]:
    """The most frequent values of each facet among `queryset`: one query per facet."""
    ids = queryset.values("pk")
    rows = Quote.objects.filter(pk__in=ids)
    links = {"country": Quote.countries.through, "topic": Quote.topics.through}
    sources = {
        "speaker": (rows.exclude(speaker=None), "speaker__slug", "speaker__name", "pk"),
        "speaker_country": (
            rows.exclude(speaker__country=None),
            "speaker__country__code",
            "speaker__country__name",
            "pk",
        ),
        "country": (
            links["country"].objects.filter(quote__in=ids),
            "country__code",
            "country__name",
            "quote",
        ),
        "topic": (
            links["topic"].objects.filter(quote__in=ids),
            "topic__slug",
            "topic__name",
            "quote",
        ),
        "kind": (rows, "kind", "kind", "pk"),
    }
    kind_labels = dict(Quote.Kind.choices)

    def compute() -> dict[str, list[FacetValue]]:
        return _facet_counts(sources, names, limit, kind_labels)

    # Grouping every matching statement is the page's dearest work and the counts change
    # only with the data: cached per query until the next write (statements/datacache.py).
    try:
        sql = str(ids.query)
    except EmptyResultSet:  # a filter that can match nothing (e.g. a query of only "-")
        return {name: [] for name in names}
    return cached(f"facets:{names}:{limit}:{sql}", compute)


def _facet_counts(sources, names, limit, kind_labels) -> dict[str, list[FacetValue]]:
    facets = {}
    for name in names:
        qs, value_field, label_field, counted = sources[name]
        values = (
            qs.values(value_field, label_field)
            .annotate(n=Count(counted))
            .order_by("-n", label_field)[:limit]
        )
        facets[name] = [
            FacetValue(
                value=row[value_field],
                label=kind_labels.get(row[label_field], row[label_field])
                if name == "kind"
                else row[label_field],
                count=row["n"],
            )
            for row in values
        ]
    return facets


def country_choices() -> list[Country]:
    return list(Country.objects.only("code", "name").order_by("name"))


def topic_choices() -> list[Topic]:
    return list(Topic.objects.only("slug", "name").order_by("name"))


def speaker_search(*, q: str, limit: int = 20) -> list[Speaker]:
    """Speakers whose name or an alias matches `q`, ignoring case and accents; on PostgreSQL
    also despite typos (trigram similarity). Best matches first, then the most quoted.

    Each speaker carries `statement_count`. An empty `q` gives the most quoted speakers.
    """
    folded = " ".join(fold(q).split())
    speakers = Speaker.objects.select_related("country").with_statement_counts()
    if not folded:
        return list(speakers.order_by("-statement_count", "name")[:limit])
    if connection.vendor == "postgresql":
        ranked = _trigram_ranked(speakers, folded, contains=True)
        return list(ranked.order_by("-rank", "-statement_count", "name")[:limit])
    ranked = speakers.name_contains(folded).annotate(
        rank=Case(
            When(search_name=folded, then=Value(0)),
            When(search_name__startswith=folded, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )
    found = list(ranked.order_by("rank", "-statement_count", "name")[:limit])
    if found:
        return found
    # No trigram index on SQLite: for a typo ("stoltenburg"), compare with each stored
    # name in Python. Fine for the demo-sized databases SQLite serves.
    close = _similar_names(folded)
    by_pk = speakers.in_bulk(list(close)[:limit])
    return sorted(by_pk.values(), key=lambda s: (-close[s.pk], -s.statement_count, s.name))


def _trigram_ranked(speakers, folded: str, *, contains: bool) -> SpeakerQuerySet:
    """PostgreSQL: `speakers` whose name or an alias is similar to `folded` (trigrams;
    with `contains`, also containing it), annotated with their best similarity `rank`."""

    # `contains` (LIKE) and the trigram operators both use the GIN trigram indexes.
    def matches() -> Q:
        similar = Q(search_name__trigram_similar=folded) | Q(
            search_name__trigram_word_similar=folded
        )
        return Q(search_name__contains=folded) | similar if contains else similar

    alias_ids = SpeakerAlias.objects.filter(matches()).values("speaker")
    best_alias = (
        SpeakerAlias.objects.filter(speaker=OuterRef("pk"))
        .annotate(similarity=TrigramWordSimilarity(folded, "search_name"))
        .order_by("-similarity")
        .values("similarity")[:1]
    )
    return speakers.filter(matches() | Q(pk__in=alias_ids)).annotate(
        rank=Greatest(
            TrigramWordSimilarity(folded, "search_name"),
            Coalesce(Subquery(best_alias), Value(0.0)),
        )
    )


# Below this similarity (difflib's ratio, 0..1) a name is not offered as a typo match.
TYPO_RATIO = 0.75
TYPO_SCAN_LIMIT = 20_000


def _similar_names(folded: str) -> dict[int, float]:
    """Speaker pk -> best similarity of `folded` to their name, an alias or a word of them."""
    names = list(Speaker.objects.values_list("pk", "search_name")[:TYPO_SCAN_LIMIT])
    names += list(SpeakerAlias.objects.values_list("speaker", "search_name")[:TYPO_SCAN_LIMIT])
    scores: dict[int, float] = {}
    matcher = SequenceMatcher(b=folded)
    for pk, name in names:
        for candidate in {name, *name.split()}:
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() >= TYPO_RATIO and matcher.ratio() >= TYPO_RATIO:
                scores[pk] = max(scores.get(pk, 0.0), matcher.ratio())
    return dict(sorted(scores.items(), key=lambda item: -item[1]))


@dataclass(frozen=True, slots=True)
class SpeakerMatch:
    """What a typed speaker filter stands for (see `resolve_speaker`)."""

    text: str
    speakers: tuple[Speaker, ...]  # by name; only pk, slug and name are loaded
    how: str  # "slug", "name" (name or alias contains the text), "similar" (a typo) or ""
    # False when more speakers contain the text than `speakers` holds.
    complete: bool = True

    @property
    def ids(self) -> tuple[int, ...] | None:
        """The speakers to filter by; None when there are too many to list."""
        return tuple(s.pk for s in self.speakers) if self.complete else None

    @property
    def speaker(self) -> Speaker | None:
        """The one speaker meant, when there is exactly one."""
        return self.speakers[0] if len(self.speakers) == 1 else None


# Speakers listed by id in a name filter; a text that more contain is filtered by a subquery.
MAX_SPEAKERS_RESOLVED = 200


def resolve_speaker(*, text: str) -> SpeakerMatch:
    """The speakers a speaker filter means, found the way the suggestions find them:
    the speaker with exactly this slug; else every speaker whose name or an alias contains
    the text (case and accents ignored), or only those with exactly this name when there
    are any; else, for a typo, the most similar speaker (ties all kept): trigrams on
    PostgreSQL, difflib on SQLite, as in `speaker_search`.

    One query, or two (PostgreSQL) to four (SQLite) for a typo.
    """
    text = text.strip()
    folded = " ".join(fold(text).split())
    found = Speaker.objects.filter(slug=text)
    if folded:
        found = found | Speaker.objects.name_contains(folded)
    exact_first = Case(
        When(slug=text, then=Value(0)),
        When(search_name=folded, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows = list(
        found.only("pk", "slug", "name", "search_name").order_by(exact_first, "name", "pk")[
            : MAX_SPEAKERS_RESOLVED + 1
        ]
    )
    if rows and rows[0].slug == text:
        return SpeakerMatch(text, (rows[0],), "slug")
    named = [s for s in rows if s.search_name == folded]
    if named:  # the whole name, as the box shows it once a suggestion is picked
        return SpeakerMatch(text, tuple(named), "name")
    if rows:
        complete = len(rows) <= MAX_SPEAKERS_RESOLVED
        return SpeakerMatch(text, tuple(rows[:MAX_SPEAKERS_RESOLVED]), "name", complete)
    similar = _most_similar_speakers(folded) if len(folded) >= MIN_SPEAKER_QUERY else ()
    return SpeakerMatch(text, similar, "similar" if similar else "")


def _most_similar_speakers(folded: str) -> tuple[Speaker, ...]:
    """The speakers whose name or an alias is most similar to `folded` (a typo)."""
    speakers = Speaker.objects.only("pk", "slug", "name")
    if connection.vendor == "postgresql":
        ranked = list(
            _trigram_ranked(speakers, folded, contains=False).order_by("-rank", "name")[
                :MAX_SPEAKERS_RESOLVED
            ]
        )
        return tuple(s for s in ranked if s.rank >= ranked[0].rank) if ranked else ()
    scores = _similar_names(folded)
    if not scores:
        return ()
    best = max(scores.values())
    return tuple(speakers.filter(pk__in=[pk for pk, v in scores.items() if v >= best]))


def speaker_detail(*, slug: str) -> Speaker | None:
    """A speaker with what their page shows about them (country, organisation, aliases)."""
    return (
        Speaker.objects.select_related("country", "organisation")
        .prefetch_related("aliases")
        .filter(slug=slug)
        .first()
    )


@dataclass(frozen=True, slots=True)
class MonthCount:
    month: dt.date  # first day of the month
    count: int


def speaker_statements_per_month(*, speaker: Speaker) -> list[MonthCount]:
    """Statements per month of publication, with the months between them that have none."""
    # Grouping a prolific speaker's statements by month costs ~100 ms at 100k statements
    # on SQLite (the month is computed in Python per row): cached until the next write.
    return cached(f"per-month:{speaker.pk}", lambda: _statements_per_month(speaker))


def _statements_per_month(speaker: Speaker) -> list[MonthCount]:
    rows = (
        Quote.objects.visible()
        .filter(speaker=speaker, article__published__isnull=False)
        .annotate(month=TruncMonth("article__published"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    counts = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        counts[month.replace(day=1)] = row["n"]
    if not counts:
        return []
    months = []
    month, last = min(counts), max(counts)
    while month <= last:
        months.append(MonthCount(month=month, count=counts.get(month, 0)))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def speaker_statement_count(*, speaker: Speaker) -> int:
    return cached(
        f"statement-count:{speaker.pk}",
        lambda: Quote.objects.visible().filter(speaker=speaker).count(),
    )


def article_detail(*, pk: int) -> Article | None:
    return Article.objects.filter(pk=pk).first()


@dataclass(frozen=True, slots=True)
class ArticleStatements:
    """One part of an article's statements: those whose position is in the part's range
    (a statement's part follows from its position alone, so links to it need no query)."""

    statements: list[Quote]
    total: int
    part: int
    parts: int


def article_statements(*, article: Article, part: int) -> ArticleStatements:
    """The visible statements of one part of an article (in text order), their speakers,
    and how many there are in all."""
    size = Quote.STATEMENTS_PER_PART
    visible = Quote.objects.visible().filter(article=article)
    summary = visible.aggregate(total=Count("id"), last=Max("position"))
    parts = (summary["last"] or 0) // size + 1
    part = min(max(part, 0), parts - 1)
    statements = list(
        visible.filter(position__gte=part * size, position__lt=(part + 1) * size)
        .select_related("speaker", "speaker__country")
        .order_by("start", "-end", "id")
    )
    return ArticleStatements(statements, summary["total"], part, parts)


def country_statement_counts(*, code: str) -> dict[str, int]:
    """How many statements are by speakers of the country and how many mention it
    (cached until the next write: every request to the page, fragments too, needs them)."""

    def compute() -> dict[str, int]:
        visible = Quote.objects.visible()
        return {
            "by": visible.by_speaker_country(code).count(),
            "about": visible.mentioning_country(code).count(),
        }

    return cached(f"country-counts:{code}", compute)
