"""Articles, the statements found in them, and who made them."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Now
from django.urls import get_script_prefix, reverse
from django.utils.text import Truncator

from statements.fragments import Piece, quote_pieces, speaker_words
from statements.relations_tally import COLUMN_TOTAL, MENTIONS, ROW_TOTAL


def page_url(viewname: str, *args) -> str:
    """reverse(), remembered: a list page links each of its 25 statements to a speaker, an
    article, countries and topics, and reversing those ~150 URLs cost a quarter of its
    rendering. The URL patterns never change while the process runs; the script prefix is
    part of the key."""
    return _reversed(get_script_prefix(), viewname, args)


@functools.lru_cache(maxsize=50_000)
def _reversed(prefix: str, viewname: str, args: tuple) -> str:
    return reverse(viewname, args=args)


class Country(models.Model):
    """An ISO 3166-1 country; names and codes come from pycountry, aliases from our table."""

    code = models.CharField("ISO alpha-2", max_length=2, primary_key=True)
    name = models.CharField(max_length=120)
    aliases = models.JSONField(
        default=list, blank=True, help_text="Demonyms, capitals, short forms."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2}$"), name="country_code_iso2"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return page_url("statements:country_detail", self.code.lower())


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    acronym = models.CharField(max_length=30, blank=True)
    aliases = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.acronym or self.name


class Topic(models.Model):
    """An editable subject; `keywords` (strong terms: one tags a statement) and
    `weak_keywords` (a second one, or strong terms nearby, needed) are lemmas or phrases
    the pipeline matches."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    keywords = models.JSONField(default=list, blank=True)
    weak_keywords = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return page_url("statements:topic_detail", self.slug)


class SpeakerQuerySet(models.QuerySet):
    def with_statement_counts(self) -> SpeakerQuerySet:
        """Each speaker's visible statements as `statement_count`, read from the tally kept
        on write (one primary-key lookup per speaker, never their statements)."""
        counted = Tally.objects.filter(
            scope_dim="s",
            scope_key=Cast(models.OuterRef("pk"), models.CharField()),
            value_dim="*",
            value_key="",
        ).values("n")[:1]
        return self.annotate(
            statement_count=Coalesce(
                models.Subquery(counted), 0, output_field=models.IntegerField()
            )
        )

    def name_contains(self, folded: str) -> SpeakerQuerySet:
        """Speakers whose folded name or an alias contains `folded` (already folded)."""
        return self.filter(
            Q(search_name__contains=folded)
            | Q(pk__in=SpeakerAlias.objects.filter(search_name__contains=folded).values("speaker"))
        )


class Speaker(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person"
        ORGANISATION = "organisation"
        # a State's delegation whose delegate the text does not name: one per country,
        # "Representative of Mexico", with that country
        DELEGATION = "delegation"
        COUNTRY = "country"
        GROUP = "group"  # named members speaking together ("Qatar and Egypt")
        UNKNOWN = "unknown"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.PERSON)
    role = models.CharField(max_length=200, blank=True)
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.SET_NULL, related_name="speakers"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="speakers"
    )
    # Case- and accent-folded name: "Erdoğan" is found as "erdogan".
    search_name = models.CharField(max_length=200, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return page_url("statements:speaker_detail", self.slug)

    @property
    def country_beside_name(self) -> Country | None:
        """The country to show after the speaker's name: none when the speaker is the
        country itself ("Philippines", not "Philippines Philippines")."""
        if self.kind == self.Kind.COUNTRY or self.country_id is None:
            return None
        country = self.country
        return None if country.name.casefold() == self.name.casefold() else country


class SpeakerAlias(models.Model):
    """Another name of a speaker: a surname, a spelling, initials. Never a role noun ("the
    minister"): roles name different people in different articles, so they stay on each
    statement's mention and never join speakers across articles."""

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    search_name = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "speaker aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["speaker", "search_name"], name="alias_unique_per_speaker"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        ANNOTATING = "annotating"
        ANNOTATED = "annotated"
        FAILED = "failed"

    title = models.CharField(max_length=500)
    body = models.TextField(
        help_text="The text exactly as received; statement offsets point into it."
    )
    source_name = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    byline = models.CharField(max_length=300, blank=True, help_text="Who wrote it (names).")
    dateline = models.CharField(
        max_length=200, blank=True, help_text="Where and when it was filed, as the text said."
    )
    published = models.DateField(null=True, blank=True, db_index=True)
    content_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING, db_index=True)
    error = models.TextField(blank=True)
    pipeline_version = models.CharField(max_length=40, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    annotated_at = models.DateTimeField(null=True, blank=True)
    # A later version of a story stored before (a wire story re-sent with small edits):
    # its statements are shown on its own page but counted once, under the first version.
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="versions",
        verbose_name="version of",
    )
    # While `annotating`: the worker holding the article and until when. The worker renews
    # the lease while it works; an expired lease means the worker is gone and the article
    # goes back to the queue (services/leases.py).
    lease_owner = models.CharField(max_length=64, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Claims since the last finished annotation: an article that keeps losing its worker
    # (it crashes the process, or outlasts the statement timeout) ends `failed`.
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-published", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_hash__regex=r"^[0-9a-f]{64}$"), name="article_hash_sha256"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return page_url("statements:article_detail", self.pk)


class QuoteQuerySet(models.QuerySet):
    def visible(self) -> QuoteQuerySet:
        """Statements users see in lists, counts and exports: not deleted by staff, and
        from the first version of a story only (see Article.duplicate_of)."""
        return self.filter(is_deleted=False, article__duplicate_of__isnull=True)

    def by_speaker_or_name(self, slug: str, folded: str) -> QuoteQuerySet:
        """By the speaker with this slug; when there is none, by any speaker whose folded
        name or alias contains `folded` (so a name typed without JavaScript still works)."""
        # One IN (subquery UNION subquery) rather than an OR across the join: the OR kept
        # the database from using the speaker index, a full scan at 100k statements.
        exact = Speaker.objects.filter(slug=slug)
        named = Speaker.objects.name_contains(folded).filter(~models.Exists(exact))
        return self.filter(speaker__in=exact.values("pk").union(named.values("pk")))

    def mentioning_country(self, code: str) -> QuoteQuerySet:
        return self.filter(countries__code=code.upper())

    def by_speaker_country(self, code: str) -> QuoteQuerySet:
        return self.filter(speaker__country__code=code.upper())

    def on_topic(self, slug: str) -> QuoteQuerySet:
        return self.filter(topics__slug=slug)

    def of_kind(self, kind: str) -> QuoteQuerySet:
        return self.filter(kind=kind)

    def published_between(self, date_from=None, date_to=None) -> QuoteQuerySet:
        qs = self
        if date_from:
            qs = qs.filter(article__published__gte=date_from)
        if date_to:
            qs = qs.filter(article__published__lte=date_to)
        return qs

    def newest_first(self) -> QuoteQuerySet:
        return self.order_by(
            F("article__published").desc(nulls_last=True), "-article_id", "position", "id"
        )


class Quote(models.Model):
    """A statement: who said what, where in which article."""

    class Kind(models.TextChoices):
        DIRECT = "direct"
        INDIRECT = "indirect"
        MIXED = "mixed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quotes")
    speaker = models.ForeignKey(
        Speaker, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    text = models.TextField()
    # No index on `kind` or `is_deleted`: three values and a flag that is almost always
    # False select too much to help, and without statistics SQLite's planner trusts them
    # over the newest-first article index (a full sort of every statement per page).
    kind = models.CharField(max_length=10, choices=Kind)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    cue_text = models.CharField(max_length=200, blank=True)
    cue_start = models.PositiveIntegerField(null=True, blank=True)
    cue_end = models.PositiveIntegerField(null=True, blank=True)
    mention_text = models.CharField(max_length=300, blank=True)
    mention_start = models.PositiveIntegerField(null=True, blank=True)
    mention_end = models.PositiveIntegerField(null=True, blank=True)
    # An interrupted quote's pieces ('"A," she said. "B."'): [[start, end], ...] offsets
    # into the article body; null or empty when the statement is one piece
    # (statements/fragments.py). Nullable without a default so that SQLite adds the column
    # in place: rebuilding the statements table breaks the triggers that point at it.
    fragments = models.JSONField(
        null=True,
        blank=True,
        help_text="Offsets of the speaker's pieces when narration interrupts the quote.",
    )
    countries = models.ManyToManyField(Country, blank=True, related_name="quotes")
    topics = models.ManyToManyField(Topic, blank=True, related_name="quotes")
    position = models.PositiveIntegerField(default=0, help_text="Order within the article.")
    # Staff corrections: annotation never overwrites a verified quote, and a deleted one
    # stays as a tombstone so that re-annotation does not bring it back.
    verified = models.BooleanField(default=False, db_index=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        verbose_name = "statement"
        verbose_name_plural = "statements"
        ordering = ["article", "position"]
        indexes = [
            models.Index(fields=["article", "position"]),
            # Covers "visible statements of a speaker" (counts, speaker search, facets)
            # without reading the rows.
            models.Index(fields=["speaker", "is_deleted"], name="quote_speaker_visible"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="quote_start_before_end"),
            models.CheckConstraint(
                condition=Q(cue_start__isnull=True, cue_end__isnull=True)
                | Q(cue_start__lt=F("cue_end")),
                name="quote_cue_span_valid",
            ),
            models.CheckConstraint(
                condition=Q(mention_start__isnull=True, mention_end__isnull=True)
                | Q(mention_start__lt=F("mention_end")),
                name="quote_mention_span_valid",
            ),
        ]

    def __str__(self) -> str:
        # Cut at a word, marked with an ellipsis: the admin's headings and breadcrumbs show it.
        return Truncator(self.text).words(14)

    # The article page lists an article's statements in parts of this many positions.
    STATEMENTS_PER_PART = 200

    def get_absolute_url(self) -> str:
        return self.url_in_article(article_id=self.article_id, pk=self.pk, position=self.position)

    @classmethod
    def url_in_article(cls, *, article_id: int, pk: int, position: int) -> str:
        """Where the article page shows a statement: the part holding its position, and
        its anchor (also for statements read as plain values, as exports do)."""
        part = position // cls.STATEMENTS_PER_PART
        query = f"?part={part + 1}" if part else ""
        return f"{page_url('statements:article_detail', article_id)}{query}#q{pk}"

    @classmethod
    def url_in_article_sql(cls, *, site: str = "") -> Concat:
        """url_in_article as an SQL expression (`site` in front), for an export of
        thousands of rows to have the database write their links."""
        # The article page's URL around its id, from reverse() with a stand-in id.
        stand_in = 987654321
        before, after = page_url("statements:article_detail", stand_in).split(str(stand_in))
        part = F("position") / cls.STATEMENTS_PER_PART  # integer division on both databases
        return Concat(
            Value(site + before),
            Cast("article_id", models.CharField()),
            Value(after),
            Case(
                When(
                    position__gte=cls.STATEMENTS_PER_PART,
                    then=Concat(Value("?part="), Cast(part + 1, models.CharField())),
                ),
                default=Value(""),
            ),
            Value("#q"),
            Cast("pk", models.CharField()),
            output_field=models.CharField(),
        )

    @property
    def pieces(self) -> list[Piece]:
        """The speaker's words and the narration interrupting them, in text order."""
        return quote_pieces(text=self.text, start=self.start, fragments=self.fragments or ())

    @property
    def speaker_words(self) -> str:
        """The statement without the narration that interrupts it (what exports carry)."""
        return speaker_words(text=self.text, start=self.start, fragments=self.fragments or ())


class WorkerHeartbeat(models.Model):
    """The last sign of life of each annotation worker process, for health checks."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker_id


class ArticleSketch(models.Model):
    """One of the smallest shingle hashes of an article's body (statements/neardup.py): the
    index through which a new article finds the stored ones it may be a version of."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sketch")
    value = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "value"], name="sketch_unique_value"),
        ]


class FeedQuerySet(models.QuerySet):
    def due(self, now=None) -> FeedQuerySet:
        from django.utils import timezone

        now = now or timezone.now()
        return self.filter(active=True).filter(
            Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
        )


class Feed(models.Model):
    """An RSS or Atom feed the worker polls; its new entries are imported by URL."""

    url = models.URLField("feed URL", max_length=1000, unique=True)
    name = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    poll_every = models.PositiveIntegerField(
        "poll every (minutes)", default=30, validators=[MinValueValidator(1)]
    )
    last_polled_at = models.DateTimeField("last polled", null=True, blank=True)
    next_poll_at = models.DateTimeField("next poll", null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)
    failures = models.PositiveIntegerField(
        default=0, help_text="Polls failed in a row; each one doubles the wait (back-off)."
    )
    articles_found = models.PositiveIntegerField(default=0)
    # Conditional GET: what the server said last time, sent back so an unchanged feed
    # answers 304 with no body.
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FeedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "url"]
        constraints = [
            models.CheckConstraint(condition=Q(poll_every__gte=1), name="feed_poll_every_positive"),
        ]

    def __str__(self) -> str:
        return self.name or self.url


class UrlImport(models.Model):
    """A web page to fetch and store as an article: pasted by staff or found in a feed."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        FETCHING = "fetching"
        STORED = "stored"
        DUPLICATE = "duplicate", "Already stored"
        FAILED = "failed"

    url = models.URLField("URL", max_length=1000)
    status = models.CharField(max_length=20, choices=Status, default=Status.QUEUED, db_index=True)
    error = models.TextField(blank=True)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="imports"
    )
    feed = models.ForeignKey(
        Feed, null=True, blank=True, on_delete=models.CASCADE, related_name="imports"
    )
    # The entry's id in its feed (its <guid> or <id>, else its link): never imported twice.
    entry_id = models.CharField(max_length=1000, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "URL import"
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "entry_id"],
                condition=Q(feed__isnull=False),
                name="feed_entry_imported_once",
            ),
        ]

    def __str__(self) -> str:
        return self.url


class Tally(models.Model):
    """How many visible statements carry both of two items (statements/tallies.py): kept
    current by database triggers, read by the pages instead of counting statements."""

    pk = models.CompositePrimaryKey("scope_dim", "scope_key", "value_dim", "value_key")
    scope_dim = models.CharField(max_length=1)
    scope_key = models.CharField(max_length=20)
    value_dim = models.CharField(max_length=1)
    value_key = models.CharField(max_length=20)
    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "tallies"

    def __str__(self) -> str:
        return f"{self.scope_dim}:{self.scope_key} {self.value_dim}:{self.value_key} = {self.n}"


class TallyWord(models.Model):
    """A word (a lexeme of the search vectors) frequent enough that its statements are a
    tally scope of their own (statements/tallies.py, PostgreSQL)."""

    lexeme = models.CharField(max_length=20, primary_key=True)
    added = models.DateTimeField(db_default=Now())  # inserted by SQL (tallies.tally_words)

    def __str__(self) -> str:
        return self.lexeme


# The rows of the relations matrix's cells: a speaker's country and another country it
# mentions, not empty (not the totals rows, nor the statements without a country).
RELATION_PAIRS = (
    Q(statements__gt=0)
    & ~Q(source__in=["", ROW_TOTAL, COLUMN_TOTAL])
    & ~Q(target=MENTIONS)
    & ~Q(source=F("target"))
)


class RelationTallyQuerySet(models.QuerySet):
    def pairs(self):
        """The matrix's cells (RELATION_PAIRS), which an index of their own orders."""
        return self.filter(RELATION_PAIRS)

    def totals(self):
        """The matrix's row totals (source ROW_TOTAL) and column totals (COLUMN_TOTAL)."""
        return self.filter(source__in=[ROW_TOTAL, COLUMN_TOTAL], statements__gt=0)


class RelationTally(models.Model):
    """Visible statements by speakers of `source` that mention `target`, for every pair;
    `source` is '' when the speaker has no country. Its totals rows hold the matrix's row
    and column totals. Written only by database triggers (statements/relations_tally.py),
    read by the relations pages."""

    source = models.CharField(max_length=2, blank=True)
    target = models.CharField(max_length=2)
    statements = models.IntegerField(default=0)

    objects = RelationTallyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="relation_tally_pair"),
        ]
        indexes = [
            # The matrix's busiest pairs are the first entries, and the number of pairs an
            # index-only count: neither reads every pair (29,000 at a million statements).
            models.Index(
                F("statements").desc(),
                "source",
                "target",
                condition=RELATION_PAIRS,
                name="relation_tally_busiest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source or '?'} → {self.target}: {self.statements}"
