"""Writing an annotation: the machine-made statements of an article replaced by new ones,
staff corrections kept, in one transaction per batch and a number of queries that does
not grow with the batch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from statements import nlp
from statements.datacache import bump_data_version
from statements.models import Article, Country, Quote, Topic
from statements.nlp.types import Annotation, QuoteAnnotation
from statements.services.leases import LeaseLost
from statements.services.speakers import speakers_for_profiles

PIPELINE_VERSION = nlp.PIPELINE_VERSION
# A save that lost a race with another writer (two processes creating the same new
# speaker, a deadlock) rolled back as a whole; the next attempt finds what the other
# process committed.
RACE_ERRORS = (IntegrityError, OperationalError)
SAVE_ATTEMPTS = 3


def annotation_save(
    *, article: Article, annotation: Annotation, lease_owner: str | None = None
) -> Article:
    """Replace the machine-made statements of an article with a new annotation.

    Verified statements stay as staff left them, and new statements overlapping them or a
    statement staff deleted are dropped: a correction is never lost to re-annotation.
    Raises ValueError (and saves nothing) when a span does not match the article text, and
    LeaseLost when `lease_owner` no longer holds the article (another worker took it over).
    """
    with transaction.atomic():
        _lock(articles=[article], lease_owner=lease_owner)
        _write_annotations([(article, annotation)])
    return article


def annotation_save_batch(
    *, items: Sequence[tuple[Article, Annotation]], lease_owner: str | None = None
) -> dict[int, Exception]:
    """`annotation_save` for a batch, in one transaction. If the batch fails, each article
    is saved on its own (tried again when it lost a race) so that the failure is pinned on
    the one that caused it; returns {article pk: exception}."""
    if not items:
        return {}
    try:
        with transaction.atomic():
            _lock(articles=[a for a, _ in items], lease_owner=lease_owner)
            _write_annotations(items)
        return {}
    except Exception:  # noqa: BLE001 - saved one by one below
        pass
    failures = {}
    for article, annotation in items:
        for attempt in range(SAVE_ATTEMPTS):
            try:
                annotation_save(article=article, annotation=annotation, lease_owner=lease_owner)
                break
            except RACE_ERRORS as exc:
                if attempt == SAVE_ATTEMPTS - 1:
                    failures[article.pk] = exc
            except Exception as exc:  # noqa: BLE001 - stored on the article by the caller
                failures[article.pk] = exc
                break
    return failures


def _lock(*, articles: Sequence[Article], lease_owner: str | None) -> None:
    """Lock the articles' rows (a concurrent save of the same article waits for us) and,
    for a leased run, check that this process still holds them."""
    rows = Article.objects.select_for_update().filter(pk__in=[a.pk for a in articles])
    held = rows.values_list("pk", "lease_owner", "status")
    lost = [
        pk
        for pk, owner, status in held
        if lease_owner is not None and (owner != lease_owner or status != "annotating")
    ]
    if lost:
        raise LeaseLost(f"article(s) {lost} taken over by another worker")


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _check_span(body: str, start: int, end: int, text: str) -> None:
    if not (0 <= start < end <= len(body)) or body[start:end] != text:
        raise ValueError(f"span {start}:{end} does not match the article text")


_REANNOTATED_FIELDS = [
    "speaker",
    "text",
    "kind",
    "cue_text",
    "cue_start",
    "cue_end",
    "mention_text",
    "mention_start",
    "mention_end",
    "fragments",
    "position",
]


def _write_annotations(items: Sequence[tuple[Article, Annotation]]) -> None:
    ids = [article.pk for article, _ in items]
    # Machine-made statements found again at the same span keep their id, so shared links
    # (/articles/<id>/#q<quote id>) and exported ids survive re-annotation.
    replaceable = Quote.objects.filter(article_id__in=ids, verified=False, is_deleted=False)
    previous = {
        (article_id, start, end): pk
        for pk, article_id, start, end in replaceable.values_list(
            "pk", "article_id", "start", "end"
        )
    }
    kept: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for article_id, start, end in (
        Quote.objects.filter(article_id__in=ids)
        .exclude(verified=False, is_deleted=False)
        .values_list("article_id", "start", "end")
    ):
        kept[article_id].append((start, end))

    speakers = speakers_for_profiles(
        profiles=[p for _, annotation in items for p in annotation.speakers]
    )
    codes = {c for _, a in items for q in a.quotes for c in q.countries}
    countries = (
        set(Country.objects.filter(code__in=codes).values_list("code", flat=True))
        if codes
        else set()
    )
    slugs = {t for _, a in items for q in a.quotes for t in q.topics}
    topics = Topic.objects.in_bulk(slugs, field_name="slug") if slugs else {}

    new_quotes: list[tuple[Quote, QuoteAnnotation]] = []
    first_speaker = 0
    for article, annotation in items:
        article_speakers = speakers[first_speaker : first_speaker + len(annotation.speakers)]
        first_speaker += len(annotation.speakers)
        spans = kept.get(article.pk, ())
        for position, qa in enumerate(annotation.quotes):
            _check_span(article.body, qa.start, qa.end, qa.text)
            if any(_overlaps(qa.start, qa.end, s, e) for s, e in spans):
                continue
            quote = Quote(
                article=article,
                speaker=article_speakers[qa.speaker] if qa.speaker is not None else None,
                text=qa.text,
                kind=qa.kind,
                start=qa.start,
                end=qa.end,
                fragments=[[f.start, f.end] for f in qa.fragments],
                position=position,
            )
            if qa.cue:
                _check_span(article.body, qa.cue.start, qa.cue.end, qa.cue.text)
                quote.cue_text, quote.cue_start, quote.cue_end = (
                    qa.cue.text[:200],
                    qa.cue.start,
                    qa.cue.end,
                )
            if qa.mention:
                _check_span(article.body, qa.mention.start, qa.mention.end, qa.mention.text)
                quote.mention_text = qa.mention.text[:300]
                quote.mention_start, quote.mention_end = qa.mention.start, qa.mention.end
            quote.pk = previous.pop((article.pk, qa.start, qa.end), None)
            new_quotes.append((quote, qa))

    Quote.objects.filter(pk__in=previous.values()).delete()
    reused = [q for q, _ in new_quotes if q.pk is not None]
    Quote.objects.bulk_update(reused, _REANNOTATED_FIELDS, batch_size=500)
    reused_ids = [q.pk for q in reused]
    Quote.countries.through.objects.filter(quote_id__in=reused_ids).delete()
    Quote.topics.through.objects.filter(quote_id__in=reused_ids).delete()
    Quote.objects.bulk_create([q for q, _ in new_quotes if q.pk is None], batch_size=500)
    Quote.countries.through.objects.bulk_create(
        [
            Quote.countries.through(quote_id=q.pk, country_id=code)
            for q, qa in new_quotes
            for code in dict.fromkeys(qa.countries)
            if code in countries
        ],
        batch_size=1000,
    )
    Quote.topics.through.objects.bulk_create(
        [
            Quote.topics.through(quote_id=q.pk, topic_id=topics[slug].pk)
            for q, qa in new_quotes
            for slug in dict.fromkeys(qa.topics)
            if slug in topics
        ],
        batch_size=1000,
    )

    now = timezone.now()
    done = {
        "status": Article.Status.ANNOTATED,
        "error": "",
        "pipeline_version": PIPELINE_VERSION,
        "annotated_at": now,
        "updated_at": now,
        "lease_owner": "",
        "lease_expires_at": None,
        "attempts": 0,
    }
    Article.objects.filter(pk__in=ids).update(**done)
    # Bulk writes send no signals: tell the aggregate cache ourselves, once committed.
    transaction.on_commit(bump_data_version)
    for article, _ in items:
        for field, value in done.items():
            setattr(article, field, value)
