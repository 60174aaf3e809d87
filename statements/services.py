"""Writes: storing articles, saving annotations, keeping staff corrections."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
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


def articles_annotate(
    *, articles: Iterable[Article], batch_size: int = 16, n_process: int = 1
) -> list[Article]:
    """Annotate stored articles in batches; one article's failure does not stop the others."""
    return [
        article
        for article, _ in articles_annotate_iter(
            articles=articles, batch_size=batch_size, n_process=n_process
        )
    ]


def articles_annotate_iter(
    *, articles: Iterable[Article], batch_size: int = 16, n_process: int = 1
) -> Iterator[tuple[Article, Exception | None]]:
    """Annotate and save a stream of stored articles, yielding each with its failure (None
    when saved). The pipeline runs in `n_process` processes when asked; the results are
    saved here, in input order, one transaction per batch."""
    done: list[tuple[Article, Annotation | Exception]] = []
    for item in annotate_stream(articles=articles, batch_size=batch_size, n_process=n_process):
        done.append(item)
        if len(done) >= batch_size:
            yield from _save_outcomes(done)
            done = []
    if done:
        yield from _save_outcomes(done)


def _save_outcomes(
    outcomes: list[tuple[Article, Annotation | Exception]],
) -> Iterator[tuple[Article, Exception | None]]:
    failures = annotations_save(items=[(a, o) for a, o in outcomes if not isinstance(o, Exception)])
    for article, outcome in outcomes:
        error = outcome if isinstance(outcome, Exception) else failures.get(article.pk)
        if error is not None:
            article_mark_failed(article=article, error=f"{type(error).__name__}: {error}")
        yield article, error


def annotate_stream(
    *, articles: Iterable[Article], batch_size: int = 16, n_process: int = 1
) -> Iterator[tuple[Article, Annotation | Exception]]:
    """Pipeline results for articles, streamed in input order; a crash on a batch is retried
    one by one so that it is pinned on the article that caused it. With `n_process` > 1 the
    batches go to a pool of processes (statements/annotate_pool.py); results are the same."""
    rules = topic_rules() or None
    if n_process > 1:
        from statements.annotate_pool import AnnotatePool

        with AnnotatePool(workers=n_process, topics=rules) as pool:
            yield from pool.annotate(articles, batch_size=batch_size, text=lambda a: a.body)
        return
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= batch_size:
            yield from _annotate_batch(batch, rules)
            batch = []
    if batch:
        yield from _annotate_batch(batch, rules)


def _annotate_batch(batch, rules):
    try:
        results = list(
            nlp.annotate_many(((a.body, a) for a in batch), topics=rules, batch_size=len(batch))
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


def annotation_save_retrying(*, article: Article, annotation: Annotation, attempts: int = 3):
    """`annotation_save`, tried again when it lost a race with another writer (two processes
    creating the same new speaker, a deadlock): the transaction rolled back as a whole, and
    the next attempt finds what the other process committed."""
    for attempt in range(attempts):
        try:
            return annotation_save(article=article, annotation=annotation)
        except (IntegrityError, OperationalError):
            if attempt == attempts - 1:
                raise


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _check_span(body: str, start: int, end: int, text: str) -> None:
    if not (0 <= start < end <= len(body)) or body[start:end] != text:
        raise ValueError(f"span {start}:{end} does not match the article text")


def annotation_save(*, article: Article, annotation: Annotation) -> Article:
    """Replace the machine-made statements of an article with a new annotation.

    Verified statements stay as staff left them, and new statements overlapping them or a
    statement staff deleted are dropped: a correction is never lost to re-annotation.
    Raises ValueError (and saves nothing) when a span does not match the article text.
    """
    with transaction.atomic():
        _annotations_save_batch([(article, annotation)])
    return article


def annotations_save(*, items: Sequence[tuple[Article, Annotation]]) -> dict[int, Exception]:
    """`annotation_save` for a batch, in one transaction and a number of queries that does
    not grow with the batch. If the batch fails, each article is saved on its own so the
    failure is pinned on the one that caused it; returns {article pk: exception}."""
    if not items:
        return {}
    try:
        with transaction.atomic():
            _annotations_save_batch(items)
        return {}
    except Exception:  # noqa: BLE001 - saved one by one below: the failure is pinned on
        pass  # the article that caused it, and a save that lost a race is tried again
    failures = {}
    for article, annotation in items:
        try:
            annotation_save_retrying(article=article, annotation=annotation)
        except Exception as exc:  # noqa: BLE001 - stored on the article by the caller
            failures[article.pk] = exc
    return failures


def _annotations_save_batch(items: Sequence[tuple[Article, Annotation]]) -> None:
    ids = [article.pk for article, _ in items]
    # Lock the rows: a concurrent re-annotation of the same article waits for us.
    list(Article.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    Quote.objects.filter(article_id__in=ids, verified=False, is_deleted=False).delete()
    kept: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for article_id, start, end in Quote.objects.filter(article_id__in=ids).values_list(
        "article_id", "start", "end"
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

    Quote.objects.bulk_create([q for q, _ in new_quotes], batch_size=500)
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
    }
    Article.objects.filter(pk__in=ids).update(**done)
    for article, _ in items:
        for field, value in done.items():
            setattr(article, field, value)


def speaker_for_profile(*, profile: SpeakerProfile) -> Speaker:
    """The one Speaker for a name across all articles (name variants and accents folded);
    the profile fills in what the stored speaker does not know yet."""
    return speakers_for_profiles(profiles=[profile])[0]


def speakers_for_profiles(*, profiles: Sequence[SpeakerProfile]) -> list[Speaker]:
    """`speaker_for_profile` for many profiles at once, with the same result as calling it
    on each in turn, in a handful of queries whatever their number.

    Profiles are resolved in order against the stored speakers and aliases *and* those
    made for earlier profiles of the same call, so "Jens Stoltenberg" (alias
    "Stoltenberg") followed by "Stoltenberg" gives one speaker, as it does one by one.
    """
    if not profiles:
        return []
    keys = [fold(p.name)[:200] for p in profiles]
    wanted = set(keys)
    by_key: dict[str, Speaker] = {}
    for speaker in Speaker.objects.filter(search_name__in=wanted).order_by("name", "pk"):
        by_key.setdefault(speaker.search_name, speaker)
    by_pk = {s.pk: s for s in by_key.values()}
    by_alias: dict[str, Speaker] = {}
    aliases = (
        SpeakerAlias.objects.filter(search_name__in=wanted - by_key.keys())
        .select_related("speaker")
        .order_by("name", "pk")
    )
    for alias in aliases:
        # One object per stored speaker, so that fill-ins from several profiles add up.
        by_alias.setdefault(alias.search_name, by_pk.setdefault(alias.speaker_id, alias.speaker))
    codes = {p.country for p in profiles if p.country}
    known_countries = (
        set(Country.objects.filter(code__in=codes).values_list("code", flat=True))
        if codes
        else set()
    )

    result: list[Speaker] = []
    created: list[Speaker] = []
    changed: dict[int, Speaker] = {}  # id(speaker) -> speaker, stored speakers only
    organisation_of: dict[int, str] = {}  # id(speaker) -> organisation name to set
    new_aliases: dict[tuple[int, str], tuple[Speaker, str]] = {}
    for profile, key in zip(profiles, keys, strict=True):
        speaker = by_key.get(key) or by_alias.get(key)
        if speaker is None:
            speaker = Speaker(name=profile.name[:200], kind=profile.kind, search_name=key)
            created.append(speaker)
            by_key[key] = speaker
        stored = speaker.pk is not None
        if not speaker.role and profile.role:
            speaker.role = profile.role[:200]
            if stored:
                changed[id(speaker)] = speaker
        if speaker.country_id is None and profile.country in known_countries:
            speaker.country_id = profile.country
            if stored:
                changed[id(speaker)] = speaker
        if (
            speaker.organisation_id is None
            and id(speaker) not in organisation_of
            and profile.organisation
        ):
            organisation_of[id(speaker)] = profile.organisation
            if stored:
                changed[id(speaker)] = speaker
        for alias in profile.aliases:
            alias_key = fold(alias)[:200]
            if alias_key and alias_key != speaker.search_name:
                new_aliases.setdefault((id(speaker), alias_key), (speaker, alias[:200]))
                by_alias.setdefault(alias_key, speaker)
        result.append(speaker)

    if organisation_of:
        organisations = organisations_for_names(names=list(organisation_of.values()))
        for speaker in {id(s): s for s in result}.values():
            if id(speaker) in organisation_of:
                speaker.organisation = organisations[organisation_of[id(speaker)][:200]]
    if created:
        for speaker, slug in zip(created, _unique_slugs([s.name for s in created]), strict=True):
            speaker.slug = slug
        # In slug order: two processes creating the same new speakers then wait on each
        # other (and the loser retries) instead of deadlocking.
        Speaker.objects.bulk_create(sorted(created, key=lambda s: s.slug))
    if changed:
        Speaker.objects.bulk_update(list(changed.values()), ["role", "country", "organisation"])
    if new_aliases:
        SpeakerAlias.objects.bulk_create(
            [
                SpeakerAlias(speaker=speaker, name=name, search_name=alias_key)
                for (_, alias_key), (speaker, name) in new_aliases.items()
            ],
            ignore_conflicts=True,  # an alias already stored stays as it is (get_or_create)
        )
    return result


def organisation_for_name(*, name: str) -> Organisation:
    return organisations_for_names(names=[name])[name[:200]]


def organisations_for_names(*, names: Iterable[str]) -> dict[str, Organisation]:
    """Organisations by (truncated) name, created when missing; two queries, or three."""
    names = list(dict.fromkeys(n[:200] for n in names))
    found = Organisation.objects.in_bulk(names, field_name="name")
    missing = [n for n in names if n not in found]
    if missing:
        Organisation.objects.bulk_create(
            [
                Organisation(name=n, acronym=n if n.isupper() and len(n) <= 10 else "")
                for n in missing
            ],
            ignore_conflicts=True,  # another process may have made it meanwhile
        )
        found.update(Organisation.objects.in_bulk(missing, field_name="name"))
    return found


def _unique_slugs(names: Sequence[str]) -> list[str]:
    """A slug per new speaker, unique among stored speakers and among themselves."""
    bases = [slugify(fold(name))[:200] or "speaker" for name in names]
    taken = set(Speaker.objects.filter(slug__in=set(bases)).values_list("slug", flat=True))
    if taken:
        # Only when a base is taken do the numbered variants matter.
        numbered = Q()
        for base in taken:
            numbered |= Q(slug__startswith=f"{base}-")
        taken.update(Speaker.objects.filter(numbered).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


def _unique_slug(name: str) -> str:
    return _unique_slugs([name])[0]


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


# Background annotation (the same as on the curate branch, which owns it; needed here for
# `ingest --enqueue`).


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
