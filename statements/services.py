"""Writes: storing articles, saving annotations, keeping staff corrections."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
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
        if isinstance(outcome, Exception):
            article_mark_failed(article=article, error=f"{type(outcome).__name__}: {outcome}")
        else:
            annotation_save(article=article, annotation=outcome)
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

    speakers = [speaker_for_profile(profile=p) for p in annotation.speakers]
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
    key = fold(profile.name)
    speaker = Speaker.objects.filter(search_name=key).first()
    if speaker is None:
        alias = SpeakerAlias.objects.filter(search_name=key).select_related("speaker").first()
        speaker = alias.speaker if alias else None
    if speaker is None:
        speaker = Speaker.objects.create(
            name=profile.name[:200],
            slug=_unique_slug(profile.name),
            kind=profile.kind,
            search_name=key,
        )
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
        alias_key = fold(alias)
        if alias_key and alias_key != speaker.search_name:
            SpeakerAlias.objects.get_or_create(
                speaker=speaker, search_name=alias_key, defaults={"name": alias[:200]}
            )
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


# --- Curation: uploads, background annotation, staff corrections, audit -----------------
#
# Every write a person makes is recorded in Django's admin log (LogEntry) so that the admin
# shows who uploaded, corrected, merged or re-annotated what. Edits made through admin
# forms are logged by the admin itself; the functions below log the rest.


def audit_log(*, user, objects: Iterable, action_flag: int, message: str) -> None:
    """Record a person's action on objects in the admin log (the audit trail)."""
    from django.contrib.admin.models import LogEntry

    objects = list(objects)
    if user is None or not objects:
        return
    LogEntry.objects.log_actions(
        user_id=user.pk, queryset=objects, action_flag=action_flag, change_message=message
    )


@transaction.atomic
def article_upload(
    *,
    text: ArticleText,
    user,
    source_name: str = "",
    url: str = "",
    published: dt.date | None = None,
    via: str = "upload page",
) -> IngestResult:
    """Store an uploaded article as pending and queue its annotation.

    A duplicate (same content) is not stored again: the stored article is returned with
    `created=False` and nothing is queued. The article, its audit entry and (with the
    database task backend) its queued task are committed together: no article is left
    pending without a task to annotate it.
    """
    from django.contrib.admin.models import ADDITION

    result = article_ingest(
        text=text, source_name=source_name, url=url, published=published, uploaded_by=user
    )
    if result.created:
        audit_log(
            user=user,
            objects=[result.article],
            action_flag=ADDITION,
            message=f"Uploaded via the {via}; annotation queued.",
        )
        annotation_enqueue(articles=[result.article])
    return result


def annotation_enqueue(*, articles: Iterable[Article], force: bool = False) -> int:
    """Queue background annotation of articles (the task runs in `manage.py db_worker`).

    With the database backend the queued task is a row written in the caller's transaction,
    so it commits together with the article and a worker never sees one without the other.
    """
    from statements.tasks import annotate_article_task

    count = 0
    for article in articles:
        annotate_article_task.enqueue(article.pk, force=force)
        count += 1
    return count


def articles_reannotate(*, articles: Iterable[Article], user, failed_only: bool = False) -> int:
    """Set articles back to pending and queue their annotation again (staff asked for it).

    Statements staff verified or deleted are kept: `annotation_save` replaces only the
    machine-made ones. Returns how many articles were queued.
    """
    from django.contrib.admin.models import CHANGE

    # An article left `annotating` by a worker that died can be re-annotated too.
    chosen = [a for a in articles if not failed_only or a.status == Article.Status.FAILED]
    if not chosen:
        return 0
    Article.objects.filter(pk__in=[a.pk for a in chosen]).update(
        status=Article.Status.PENDING, error="", updated_at=timezone.now()
    )
    audit_log(
        user=user,
        objects=chosen,
        action_flag=CHANGE,
        message="Annotation retried." if failed_only else "Re-annotation queued.",
    )
    # Forced: staff asked for a new run even if a stale task already annotated the article.
    return annotation_enqueue(articles=chosen, force=True)


class AnnotationOutcome:
    ANNOTATED = "annotated"
    FAILED = "failed"
    SKIPPED = "skipped"
    MISSING = "missing"


def article_annotate_queued(*, article_id: int, force: bool = False) -> str:
    """Annotate one stored article from the task queue; safe to run twice.

    The article is claimed by moving it to `annotating` in a single conditional UPDATE, so
    a second task for the same article (a double click, a retried task) finds nothing to do.
    An article already annotated, or being annotated, is skipped unless `force`.
    """
    claimable = Article.objects.filter(pk=article_id)
    if not force:
        claimable = claimable.filter(status__in=[Article.Status.PENDING, Article.Status.FAILED])
    claimed = claimable.update(
        status=Article.Status.ANNOTATING, error="", updated_at=timezone.now()
    )
    if not claimed:
        exists = Article.objects.filter(pk=article_id).exists()
        return AnnotationOutcome.SKIPPED if exists else AnnotationOutcome.MISSING
    article = Article.objects.get(pk=article_id)
    try:
        [(article, outcome)] = annotate_stream(articles=[article], batch_size=1)
        if isinstance(outcome, Exception):
            raise outcome
        annotation_save(article=article, annotation=outcome)
    except Exception as exc:  # noqa: BLE001 - the failure is stored on the article
        article_mark_failed(article=article, error=f"{type(exc).__name__}: {exc}")
        return AnnotationOutcome.FAILED
    return AnnotationOutcome.ANNOTATED


# Statement fields staff may correct; `text` is always re-derived from the article body.
QUOTE_SPAN_FIELDS = ("start", "end")
QUOTE_CORRECTABLE_FIELDS = (
    "speaker",
    "kind",
    "start",
    "end",
    "cue_start",
    "cue_end",
    "mention_start",
    "mention_end",
    "is_deleted",
    "countries",
    "topics",
)


def span_errors(*, body: str, start, end, label: str = "statement") -> list[str]:
    """What is wrong with a span of an article body, in words for the person editing it."""
    if start is None or end is None:
        return [f"Give both the start and the end of the {label}."]
    if start < 0 or end > len(body):
        return [
            f"The {label} span {start}–{end} is outside the article text "
            f"(0–{len(body)} characters)."
        ]
    if start >= end:
        return [f"The {label} must end after it starts ({start}–{end})."]
    if not body[start:end].strip():
        return [f"The {label} span {start}–{end} holds only white space."]
    return []


def span_find(*, body: str, text: str, near: int | None = None) -> tuple[int, int]:
    """Offsets of `text` in an article body (staff paste the words instead of counting
    characters); the occurrence nearest `near` when it appears more than once."""
    needle = text.strip()
    if not needle:
        raise ValueError("Give the words to find.")
    starts = [m.start() for m in re.finditer(re.escape(needle), body)]
    if not starts:
        raise ValueError("These words are not in the article text (check spacing and quote marks).")
    if len(starts) > 1 and near is None:
        raise ValueError(
            f"These words appear {len(starts)} times; give a start offset near the one you mean."
        )
    start = min(starts, key=lambda s: abs(s - (near or 0)))
    return start, start + len(needle)


def _optional_span(body: str, start, end, label: str) -> list[str]:
    if start is None and end is None:
        return []
    return span_errors(body=body, start=start, end=end, label=label)


def quote_errors(*, quote: Quote) -> dict[str, list[str]]:
    """Validation of a statement's spans against its article body, by field name."""
    body = quote.article.body
    errors = {
        "end": span_errors(body=body, start=quote.start, end=quote.end),
        "cue_end": _optional_span(body, quote.cue_start, quote.cue_end, "cue"),
        "mention_end": _optional_span(body, quote.mention_start, quote.mention_end, "mention"),
    }
    return {field: messages for field, messages in errors.items() if messages}


@transaction.atomic
def quote_update(*, quote: Quote, user, **fields) -> Quote:
    """Apply a staff correction to a statement (new or stored) and mark it verified.

    `fields` are among QUOTE_CORRECTABLE_FIELDS. The text, cue text and mention text are
    re-derived from the article body, so they always match the offsets. Raises
    `django.core.exceptions.ValidationError` when a span does not fit the article.
    """
    from django.core.exceptions import ValidationError

    unknown = set(fields) - set(QUOTE_CORRECTABLE_FIELDS)
    if unknown:
        raise TypeError(f"not correctable: {', '.join(sorted(unknown))}")
    countries = fields.pop("countries", None)
    topics = fields.pop("topics", None)
    for name, value in fields.items():
        setattr(quote, name, value)
    errors = quote_errors(quote=quote)
    if errors:
        raise ValidationError(errors)

    body = quote.article.body
    quote.text = body[quote.start : quote.end]
    quote.cue_text = (
        body[quote.cue_start : quote.cue_end][:200] if quote.cue_start is not None else ""
    )
    quote.mention_text = (
        body[quote.mention_start : quote.mention_end][:300]
        if quote.mention_start is not None
        else ""
    )
    if quote.pk is None:
        quote.position = _position_for(article=quote.article, start=quote.start)
    quote.verified = True
    quote.verified_by = user
    quote.verified_at = timezone.now()
    quote.save()
    if countries is not None:
        quote.countries.set(countries)
    if topics is not None:
        quote.topics.set(topics)
    return quote


def quote_create(*, article: Article, user, start: int, end: int, kind: str, **fields) -> Quote:
    """Add a statement the pipeline missed; it is verified from the start."""
    return quote_update(
        quote=Quote(article=article), user=user, start=start, end=end, kind=kind, **fields
    )


def _position_for(*, article: Article, start: int) -> int:
    """Order of a new statement within its article: after the statements that start before."""
    before = article.quotes.filter(start__lte=start).order_by("-position").first()
    return before.position if before else 0


def quotes_delete(*, quotes: Iterable[Quote], user) -> int:
    """Soft-delete statements: hidden from readers, kept as tombstones so that re-annotation
    does not bring them back. Counts as a correction (verified, by whom, when)."""
    ids = [q.pk for q in quotes]
    return Quote.objects.filter(pk__in=ids).update(
        is_deleted=True, verified=True, verified_by=user, verified_at=timezone.now()
    )


@transaction.atomic
def speakers_merge(*, keep: Speaker, merge: Speaker, user) -> Speaker:
    """Make `merge` part of `keep`: its statements and aliases move, its name becomes an
    alias (so that re-annotation finds `keep` for it), blanks in `keep` are filled from it,
    and `merge` is deleted.

    Moved statements keep their verified state: the merge says who spoke, not that the
    machine-made spans are right, and the alias already makes the merge survive
    re-annotation.
    """
    from django.contrib.admin.models import CHANGE, DELETION

    if keep.pk == merge.pk:
        raise ValueError("cannot merge a speaker into itself")
    keep = Speaker.objects.select_for_update().get(pk=keep.pk)
    merge = Speaker.objects.select_for_update().get(pk=merge.pk)

    moved = Quote.objects.filter(speaker=merge).update(speaker=keep)
    taken = {keep.search_name, *keep.aliases.values_list("search_name", flat=True)}
    new_aliases = [(merge.name, merge.search_name)] + list(
        merge.aliases.values_list("name", "search_name")
    )
    added = []
    for name, key in new_aliases:
        if key and key not in taken:
            taken.add(key)
            added.append(SpeakerAlias(speaker=keep, name=name, search_name=key))
    SpeakerAlias.objects.bulk_create(added)

    changed = []
    for field in ("role", "country_id", "organisation_id"):
        if not getattr(keep, field) and getattr(merge, field):
            setattr(keep, field, getattr(merge, field))
            changed.append(field.removesuffix("_id"))
    if keep.kind == Speaker.Kind.UNKNOWN and merge.kind != Speaker.Kind.UNKNOWN:
        keep.kind = merge.kind
        changed.append("kind")
    if changed:
        keep.save(update_fields=changed)

    audit_log(
        user=user,
        objects=[keep],
        action_flag=CHANGE,
        message=(
            f"Merged speaker “{merge.name}” (id {merge.pk}) into this one: "
            f"{moved} statement{'s' if moved != 1 else ''} moved, "
            f"{len(added)} alias{'es' if len(added) != 1 else ''} added."
        ),
    )
    audit_log(
        user=user,
        objects=[merge],
        action_flag=DELETION,
        message=f"Merged into speaker “{keep.name}” (id {keep.pk}).",
    )
    merge.delete()
    return keep
