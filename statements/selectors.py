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
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from statements import tallies
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
from statements.search import MIN_SPEAKER_QUERY, quote_text_search, speakers_named


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
    # The id of `topic`, when the caller knows it; not a parameter. Filtering on the id lets
    # the database use its statistics of the topic (not the average topic's) to plan.
    topic_id: int | None = None

    def params(self) -> dict[str, str]:
        """The filters that are set, as query-string values."""
        out = {}
        for field in fields(self):
            if field.name in ("speaker_ids", "topic_id"):
                continue
            value = getattr(self, field.name)
            if value:
                out[field.name] = value.isoformat() if isinstance(value, dt.date) else value
        return out


def quote_filter(*, filters: QuoteFilters, scan_newest: bool = False) -> QuoteQuerySet:
    """Visible statements matching `filters`, unordered and without related rows.

    With `scan_newest`, the speaker, country and topic filters are tests on each statement
    (EXISTS) rather than joins the database may start from: reading statements newest
    first and testing them finds a page of a large set at once, where starting from the
    filter sorts the whole set (SQLite always starts from the filter). `quote_list`
    chooses; the statements are the same either way.
    """
    # PostgreSQL weighs both ways with its statistics; SQLite starts from any index it can
    # use. There "+column" (the same value, but no index) leaves it the newest-first one.
    untested = scan_newest and connection.vendor == "sqlite"
    qs = Quote.objects.visible()
    if untested:
        qs = Quote.objects.alias(
            tested_deleted=Func(
                F("is_deleted"), template="+%(expressions)s", output_field=BooleanField()
            ),
            tested_speaker=Func(F("speaker_id"), template="+%(expressions)s"),
            tested_id=Func(F("id"), template="+%(expressions)s"),
        ).filter(tested_deleted=False, article__duplicate_of__isnull=True)
    qs = _filter_by_speaker(qs, filters, untested=untested)
    if filters.country:
        if scan_newest:
            links = Quote.countries.through.objects.filter(quote_id=OuterRef("pk"))
            qs = qs.filter(Exists(links.filter(country_id=filters.country.upper())))
        else:
            qs = qs.mentioning_country(filters.country)
    if filters.topic_id is not None:
        if scan_newest:
            links = Quote.topics.through.objects.filter(quote_id=OuterRef("pk"))
            qs = qs.filter(Exists(links.filter(topic_id=filters.topic_id)))
        else:
            qs = qs.filter(topics=filters.topic_id)
    elif filters.topic:
        qs = qs.on_topic(filters.topic)
    if filters.kind:
        qs = qs.of_kind(filters.kind)
    qs = qs.published_between(filters.date_from, filters.date_to)
    if filters.q:
        if untested:
            fields = {"id_field": "tested_id", "speaker_field": "tested_speaker"}
            qs = quote_text_search(qs, filters.q, speaker_names=True, **fields)
        else:
            qs = _matching_text(qs, filters.q)
    return qs


def _filter_by_speaker(
    qs: QuoteQuerySet, filters: QuoteFilters, *, untested: bool
) -> QuoteQuerySet:
    """`quote_filter`'s speaker and speaker-country filters (see there for `untested`)."""
    if filters.speaker_ids is not None:
        if untested:
            qs = qs.filter(tested_speaker__in=filters.speaker_ids)
        else:
            qs = qs.filter(speaker_id__in=filters.speaker_ids)
    elif filters.speaker:
        qs = qs.by_speaker_or_name(filters.speaker, fold(filters.speaker).strip())
    if filters.speaker_country:
        if untested:
            code = filters.speaker_country.upper()
            speakers = Speaker.objects.filter(country_id=code).values("pk")
            qs = qs.filter(tested_speaker__in=speakers)
        else:
            qs = qs.by_speaker_country(filters.speaker_country)
    return qs


def scan_newest_pays(*, matching: int, everything: int, rows_needed: int) -> bool:
    """Whether reading statements newest first and testing each (about rows_needed x
    everything / matching of them) beats collecting and sorting all `matching` ones."""
    return matching > 0 and rows_needed * everything <= matching * matching


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


def quote_list(*, filters: QuoteFilters, scan_newest: bool = False) -> QuoteQuerySet:
    """Visible statements matching `filters`, newest first, with their list rows prefetched."""
    return with_list_rows(quote_filter(filters=filters, scan_newest=scan_newest)).newest_first()


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


# Facet name -> the tally dimension holding its values (statements/tallies.py).
FACET_DIMS = {
    "speaker": tallies.SPEAKER,
    "speaker_country": tallies.SPEAKER_COUNTRY,
    "country": tallies.COUNTRY,
    "topic": tallies.TOPIC,
    "kind": tallies.KIND,
}


@dataclass(frozen=True, slots=True)
class QuoteSummary:
    """How many statements a list holds, and its facets; `everything`: how many statements
    are visible in all."""

    total: int
    facets: dict[str, list[FacetValue]]
    everything: int


def quote_summary(
    *, filters: QuoteFilters, names: tuple[str, ...] = tuple(FACETS), limit: int = 10
) -> QuoteSummary:
    """The number of statements matching `filters` and the most frequent values of each
    facet among them, exact. When the filters fix at most one of speaker, speaker's
    country, country, topic or kind, both are read from the tallies kept on write (one
    query); otherwise from one grouping pass over the matching statements, cached until
    the data changes."""
    dims = tuple(FACET_DIMS[name] for name in names)
    scopes = tally_scopes(filters)
    if scopes is not None:
        counts = tallies.scope_counts(scopes, dims)
    else:
        counts = _live_counts(quote_filter(filters=filters), dims)
    return QuoteSummary(counts.total, _facet_values(counts, names, limit), counts.everything)


def quote_facets(
    *, queryset: QuoteQuerySet, names: tuple[str, ...] = tuple(FACETS), limit: int = 10
) -> dict[str, list[FacetValue]]:
    """The most frequent values of each facet among `queryset` (exact, one grouping pass)."""
    counts = _live_counts(queryset, tuple(FACET_DIMS[name] for name in names))
    return _facet_values(counts, names, limit)


def tally_scopes(filters: QuoteFilters) -> list[tuple[str, str]] | None:
    """The tally scopes whose statements are exactly those `filters` match, or None."""
    if filters.date_from or filters.date_to:
        return None
    if filters.q:
        return _word_scope(filters)
    scopes: list[list[tuple[str, str]]] = []
    if filters.speaker_ids is not None:
        scopes.append([(tallies.SPEAKER, str(pk)) for pk in filters.speaker_ids])
    elif filters.speaker:
        return None
    if filters.speaker_country:
        scopes.append([(tallies.SPEAKER_COUNTRY, filters.speaker_country)])
    if filters.country:
        scopes.append([(tallies.COUNTRY, filters.country)])
    if filters.kind:
        scopes.append([(tallies.KIND, filters.kind)])
    if filters.topic:
        topic = filters.topic_id
        if topic is None:
            topic = Topic.objects.filter(slug=filters.topic).values_list("pk", flat=True).first()
        scopes.append([(tallies.TOPIC, str(topic))] if topic else [])
    if len(scopes) > 1:
        return _relation_scope(filters)
    return scopes[0] if scopes else [tallies.ALL]


def _word_scope(filters: QuoteFilters) -> list[tuple[str, str]] | None:
    """A search for one tallied word alone is that word's scope, unless the word is also
    part of a speaker's name (the search finds what they said too)."""
    if filters.params().keys() != {"q"}:
        return None
    word = tallies.tallied_word(filters.q)
    if word is None or speakers_named(filters.q):
        return None
    return [(tallies.WORD, word)]


def _relation_scope(filters: QuoteFilters) -> list[tuple[str, str]] | None:
    """Statements by speakers of one country that mention another (a pair's page) are the
    tally scope of that relation."""
    pair = filters.speaker_country, filters.country
    if filters.params().keys() != {"speaker_country", "country"} or pair[0] == pair[1]:
        return None
    return [(tallies.RELATION, f"{pair[0]}>{pair[1]}")]


def _live_counts(queryset: QuoteQuerySet, dims: tuple[str, ...]) -> tallies.ScopeCounts:
    rows = (
        queryset.order_by()
        .annotate(speaker_country=F("speaker__country_id"))
        .values("id", "speaker_id", "speaker_country", "kind")
    )
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (e.g. a query of only "-")
        return tallies.ScopeCounts(0, {d: {} for d in dims})
    # Grouping every matching statement is the page's dearest work and the counts change
    # only with the data: cached per query until the next write (statements/datacache.py).
    return cached(f"counts:{dims}:{sql}:{params}", lambda: tallies.live_counts(sql, params, dims))


def _facet_values(
    counts: tallies.ScopeCounts, names: tuple[str, ...], limit: int
) -> dict[str, list[FacetValue]]:
    """The `limit` most frequent values of each facet (ties by label), with their labels:
    one query per kind of label (speakers, countries, topics) that is needed."""
    candidates = {}
    for name in names:
        found = counts.values.get(FACET_DIMS[name], {})
        ranked = sorted(found.values(), reverse=True)
        # Every value as frequent as the last one shown, so that ties sort by label.
        cutoff = ranked[limit - 1] if len(ranked) >= limit else 0
        candidates[name] = {key: n for key, n in found.items() if n >= max(cutoff, 1)}
    labels = _facet_labels(candidates)
    facets = {}
    for name in names:
        values = [
            FacetValue(value=labels[name][key][0], label=labels[name][key][1], count=n)
            for key, n in candidates[name].items()
            if key in labels[name]
        ]
        values.sort(key=lambda v: (-v.count, v.label))
        facets[name] = values[:limit]
    return facets


def _facet_labels(candidates: dict[str, dict[str, int]]) -> dict[str, dict[str, tuple]]:
    """Facet name -> tally key -> (the value the filter takes, the label shown)."""
    labels: dict[str, dict[str, tuple]] = {name: {} for name in candidates}
    speakers = candidates.get("speaker")
    if speakers:
        for pk, slug, name in Speaker.objects.filter(pk__in=[int(k) for k in speakers]).values_list(
            "pk", "slug", "name"
        ):
            labels["speaker"][str(pk)] = (slug, name)
    codes = {*candidates.get("speaker_country", ()), *candidates.get("country", ())}
    if codes:
        names = dict(Country.objects.filter(code__in=codes).values_list("code", "name"))
        for facet in ("speaker_country", "country"):
            for code in candidates.get(facet, ()):
                if code in names:
                    labels[facet][code] = (code, names[code])
    topics = candidates.get("topic")
    if topics:
        for pk, slug, name in Topic.objects.filter(pk__in=[int(k) for k in topics]).values_list(
            "pk", "slug", "name"
        ):
            labels["topic"][str(pk)] = (slug, name)
    kinds = dict(Quote.Kind.choices)
    for kind in candidates.get("kind", ()):
        labels["kind"][kind] = (kind, kinds.get(kind, kind))
    return labels


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

    # Each table's conditions on their own (one bitmap scan of its trigram index), the two
    # joined by ids: OR-ed with a subquery, they made the planner scan every name.
    speaker_ids = Speaker.objects.filter(matches()).values("pk")
    alias_ids = SpeakerAlias.objects.filter(matches()).values("speaker")
    best_alias = (
        SpeakerAlias.objects.filter(speaker=OuterRef("pk"))
        .annotate(similarity=TrigramWordSimilarity(folded, "search_name"))
        .order_by("-similarity")
        .values("similarity")[:1]
    )
    return speakers.filter(Q(pk__in=speaker_ids) | Q(pk__in=alias_ids)).annotate(
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


@dataclass(frozen=True, slots=True)
class SpeakerOverview:
    """What a speaker's page says about all their statements."""

    statement_count: int
    months: list[MonthCount]  # per month of publication, the months between included
    top_countries: list[FacetValue]
    top_topics: list[FacetValue]


def speaker_overview(*, speaker: Speaker, limit: int = 8) -> SpeakerOverview:
    """From the tallies kept on write: one query, plus the countries' and topics' names."""
    counts = tallies.scope_counts(
        [(tallies.SPEAKER, str(speaker.pk))], (tallies.MONTH, tallies.COUNTRY, tallies.TOPIC)
    )
    about = _facet_values(counts, ("country", "topic"), limit)
    return SpeakerOverview(
        statement_count=counts.total,
        months=tallied_months(counts.values[tallies.MONTH]),
        top_countries=about["country"],
        top_topics=about["topic"],
    )


def speaker_statements_per_month(*, speaker: Speaker) -> list[MonthCount]:
    """Statements per month of publication, with the months between them that have none."""
    counts = tallies.scope_counts([(tallies.SPEAKER, str(speaker.pk))], (tallies.MONTH,))
    return tallied_months(counts.values[tallies.MONTH])


def tallied_months(by_month: dict[str, int]) -> list[MonthCount]:
    """Tallied months ("YYYY-MM" keys) as `months_with_gaps` gives them."""
    counts = {dt.date(int(key[:4]), int(key[5:7]), 1): n for key, n in by_month.items()}
    return months_with_gaps(counts)


def months_with_gaps(counts: dict[dt.date, int]) -> list[MonthCount]:
    """Counts per first-of-month date, in order, with the months between that have none."""
    if not counts:
        return []
    months = []
    month, last = min(counts), max(counts)
    while month <= last:
        months.append(MonthCount(month=month, count=counts.get(month, 0)))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def speaker_statement_count(*, speaker: Speaker) -> int:
    return tallies.totals([(tallies.SPEAKER, str(speaker.pk))])[(tallies.SPEAKER, str(speaker.pk))]


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
    """How many statements are by speakers of the country and how many mention it."""
    found = tallies.totals([(tallies.SPEAKER_COUNTRY, code), (tallies.COUNTRY, code)])
    return {"by": found[(tallies.SPEAKER_COUNTRY, code)], "about": found[(tallies.COUNTRY, code)]}
