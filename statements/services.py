"""Writes: storing articles, saving annotations, keeping staff corrections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.text import slugify

from statements import nlp
from statements.models import Article, Country, Organisation, Quote, Speaker, SpeakerAlias, Topic
from statements.nlp.names import fold
from statements.nlp.types import Annotation, QuoteAnnotation, SpeakerProfile
from statements.textio import ArticleText, content_hash

PIPELINE_VERSION = "1"


@dataclass(frozen=True, slots=True)
class IngestResult:
    article: Article
    created: bool


def article_ingest(
    *,
    text: ArticleText,
    source_name: str = "",
    url: str = "",
    published: dt.date | None = None,
    uploaded_by=None,
) -> IngestResult:
    """Store an article as pending unless the same content is already stored."""
    digest = content_hash(text.body)
    existing = Article.objects.filter(content_hash=digest).first()
    if existing:
        return IngestResult(existing, created=False)
    try:
        with transaction.atomic():
            article = Article.objects.create(
                title=text.title,
                body=text.body,
                source_name=source_name,
                url=url,
                published=published,
                content_hash=digest,
                uploaded_by=uploaded_by,
            )
    except IntegrityError:
        # Another process stored the same content between our check and insert.
        return IngestResult(Article.objects.get(content_hash=digest), created=False)
    return IngestResult(article, created=True)


def topic_rules() -> list[nlp.TopicRule]:
    """The topics staff edit in the admin, as the pipeline wants them."""
    return [
        nlp.TopicRule(slug=t.slug, name=t.name, keywords=list(t.keywords))
        for t in Topic.objects.all()
    ]


def article_annotate(*, article: Article) -> Article:
    """Run the pipeline on one stored article and save the result (or the failure)."""
    return articles_annotate(articles=[article])[0]


def articles_annotate(*, articles: Iterable[Article], batch_size: int = 16) -> list[Article]:
    """Annotate stored articles in batches; one article's failure does not stop the others."""
    done = []
    for article, outcome in annotate_stream(articles=articles, batch_size=batch_size):
        annotation_save_or_fail(article=article, outcome=outcome)
        done.append(article)
    return done


def annotate_stream(
    *, articles: Iterable[Article], batch_size: int = 16, n_process: int = 1
) -> Iterator[tuple[Article, Annotation | Exception]]:
    """Pipeline results for articles, streamed; a crash on a batch is retried one by one so
    that it is pinned on the article that caused it."""
    rules = topic_rules() or None
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= batch_size:
            yield from _annotate_batch(batch, rules, n_process)
            batch = []
    if batch:
        yield from _annotate_batch(batch, rules, n_process)


def _annotate_batch(batch, rules, n_process):
    try:
        results = list(
            nlp.annotate_many(
                ((a.body, a) for a in batch),
                topics=rules,
                batch_size=len(batch),
                n_process=n_process,
            )
        )
    except Exception:
        for article in batch:
            try:
                yield article, nlp.annotate(article.body, topics=rules)
            except Exception as exc:  # noqa: BLE001 - reported on the article, not raised
                yield article, exc
        return
    for annotation, article in results:
        yield article, annotation


def article_mark_failed(*, article: Article, error: str) -> None:
    article.status = Article.Status.FAILED
    article.error = error[:5000]
    article.save(update_fields=["status", "error", "updated_at"])


def article_claim(*, article: Article) -> bool:
    """Move a pending article to `annotating`, in one conditional UPDATE: of two processes
    that want to annotate it (two `ingest` runs on the same folder), exactly one gets it."""
    claimed = Article.objects.filter(pk=article.pk, status=Article.Status.PENDING).update(
        status=Article.Status.ANNOTATING, updated_at=timezone.now()
    )
    if claimed:
        article.status = Article.Status.ANNOTATING
    return bool(claimed)


def annotation_save_or_fail(
    *, article: Article, outcome: Annotation | Exception, attempts: int = 3
) -> str:
    """Save a pipeline outcome, or mark the article failed with the reason; returns the
    reason ("" when saved). Never raises for one article's trouble, so a batch carries on.

    A save that loses a race with another writer (two processes creating the same speaker,
    a deadlock) rolled back as a whole and is simply tried again.
    """
    error: Exception | None = outcome if isinstance(outcome, Exception) else None
    for attempt in range(attempts):
        if error is not None:
            break
        try:
            annotation_save(article=article, annotation=outcome)
            return ""
        except (IntegrityError, OperationalError) as exc:
            if attempt == attempts - 1:
                error = exc
        except Exception as exc:  # noqa: BLE001 - stored on the article, the batch goes on
            error = exc
    reason = f"{type(error).__name__}: {error}"
    article_mark_failed(article=article, error=reason)
    return reason


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _check_span(body: str, start: int, end: int, text: str) -> None:
    if not (0 <= start < end <= len(body)) or body[start:end] != text:
        raise ValueError(f"span {start}:{end} does not match the article text")


@transaction.atomic
def annotation_save(*, article: Article, annotation: Annotation) -> Article:
    """Replace the machine-made statements of an article with a new annotation.

    Verified statements stay as staff left them, and new statements overlapping them or a
    statement staff deleted are dropped: a correction is never lost to re-annotation.
    """
    article = Article.objects.select_for_update().get(pk=article.pk)
    article.quotes.filter(verified=False, is_deleted=False).delete()
    kept = list(article.quotes.values_list("start", "end"))

    # Speakers are looked up or created in name order: two transactions creating the same
    # new speakers then wait on each other instead of deadlocking.
    speakers: list[Speaker | None] = [None] * len(annotation.speakers)
    for i in sorted(range(len(speakers)), key=lambda i: fold(annotation.speakers[i].name)):
        speakers[i] = speaker_for_profile(profile=annotation.speakers[i])
    countries = Country.objects.in_bulk([c for q in annotation.quotes for c in q.countries])
    topics = Topic.objects.in_bulk(
        [t for q in annotation.quotes for t in q.topics], field_name="slug"
    )

    new_quotes: list[tuple[Quote, QuoteAnnotation]] = []
    for position, qa in enumerate(annotation.quotes):
        _check_span(article.body, qa.start, qa.end, qa.text)
        if any(_overlaps(qa.start, qa.end, s, e) for s, e in kept):
            continue
        quote = Quote(
            article=article,
            speaker=speakers[qa.speaker] if qa.speaker is not None else None,
            text=qa.text,
            kind=qa.kind,
            start=qa.start,
            end=qa.end,
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
        new_quotes.append((quote, qa))

    Quote.objects.bulk_create([q for q, _ in new_quotes])
    country_links = [
        Quote.countries.through(quote_id=q.pk, country_id=code)
        for q, qa in new_quotes
        for code in dict.fromkeys(qa.countries)
        if code in countries
    ]
    topic_links = [
        Quote.topics.through(quote_id=q.pk, topic_id=topics[slug].pk)
        for q, qa in new_quotes
        for slug in dict.fromkeys(qa.topics)
        if slug in topics
    ]
    Quote.countries.through.objects.bulk_create(country_links)
    Quote.topics.through.objects.bulk_create(topic_links)

    article.status = Article.Status.ANNOTATED
    article.error = ""
    article.pipeline_version = PIPELINE_VERSION
    article.annotated_at = timezone.now()
    article.save(
        update_fields=["status", "error", "pipeline_version", "annotated_at", "updated_at"]
    )
    return article


def speaker_for_profile(*, profile: SpeakerProfile) -> Speaker:
    """The one Speaker for a name across all articles (name variants and accents folded);
    the profile fills in what the stored speaker does not know yet."""
    key = fold(profile.name)[:200]
    speaker = _speaker_for_key(key)
    if speaker is None:
        try:
            # A savepoint: losing the slug race to another process leaves our transaction
            # usable, and the winner's speaker is the one we take.
            with transaction.atomic():
                speaker = Speaker.objects.create(
                    name=profile.name[:200],
                    slug=_unique_slug(profile.name),
                    kind=profile.kind,
                    search_name=key,
                )
        except IntegrityError:
            speaker = _speaker_for_key(key)
            if speaker is None:
                raise
    changed = []
    if not speaker.role and profile.role:
        speaker.role = profile.role[:200]
        changed.append("role")
    if (
        speaker.country_id is None
        and profile.country
        and Country.objects.filter(code=profile.country).exists()
    ):
        speaker.country_id = profile.country
        changed.append("country")
    if speaker.organisation_id is None and profile.organisation:
        speaker.organisation = organisation_for_name(name=profile.organisation)
        changed.append("organisation")
    if changed:
        speaker.save(update_fields=changed)
    for alias in profile.aliases:
        alias_key = fold(alias)[:200]
        if alias_key and alias_key != speaker.search_name:
            SpeakerAlias.objects.get_or_create(
                speaker=speaker, search_name=alias_key, defaults={"name": alias[:200]}
            )
    return speaker


def _speaker_for_key(key: str) -> Speaker | None:
    speaker = Speaker.objects.filter(search_name=key).first()
    if speaker is None:
        alias = SpeakerAlias.objects.filter(search_name=key).select_related("speaker").first()
        speaker = alias.speaker if alias else None
    return speaker


def organisation_for_name(*, name: str) -> Organisation:
    acronym = name if name.isupper() and len(name) <= 10 else ""
    org, _ = Organisation.objects.get_or_create(name=name[:200], defaults={"acronym": acronym})
    return org


def _unique_slug(name: str) -> str:
    base = slugify(fold(name))[:200] or "speaker"
    slug, n = base, 2
    while Speaker.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


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
            slug=rule.slug, defaults={"name": rule.name, "keywords": list(rule.keywords)}
        )
        created += was_created
    return created


def max_article_bytes() -> int:
    return settings.NEWSROOM_MAX_ARTICLE_BYTES
