"""Writes: storing articles, saving annotations, keeping staff corrections."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from statements import nlp
from statements.datacache import bump_data_version
from statements.models import Article, Country, Organisation, Quote, Speaker, SpeakerAlias, Topic
from statements.nlp.names import fold
from statements.nlp.types import Annotation, QuoteAnnotation, SpeakerProfile
from statements.textio import ArticleText, content_hash

PIPELINE_VERSION = nlp.PIPELINE_VERSION


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
    """Store an article as pending unless the same content is already stored.

    What the caller gives wins over what the file's front matter says."""
    digest = content_hash(text.body)
    existing = Article.objects.filter(content_hash=digest).first()
    if existing:
        return IngestResult(existing, created=False)
    try:
        with transaction.atomic():
            article = Article.objects.create(
                title=text.title,
                body=text.body,
                source_name=source_name or text.source_name,
                url=url or text.url,
                published=published or text.published,
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


def _annotations_save_batch(items: Sequence[tuple[Article, Annotation]]) -> None:
    ids = [article.pk for article, _ in items]
    # Lock the rows: a concurrent re-annotation of the same article waits for us.
    list(Article.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
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
    }
    Article.objects.filter(pk__in=ids).update(**done)
    # Bulk writes send no signals: tell the aggregate cache ourselves, once committed.
    transaction.on_commit(bump_data_version)
    for article, _ in items:
        for field, value in done.items():
            setattr(article, field, value)


def speaker_for_profile(*, profile: SpeakerProfile) -> Speaker | None:
    """The one Speaker for a name across all articles (name variants and accents folded);
    the profile fills in what the stored speaker does not know yet. None for a speaker the
    pipeline could not name ("officials", an unresolved "the minister")."""
    return speakers_for_profiles(profiles=[profile])[0]


def speakers_for_profiles(*, profiles: Sequence[SpeakerProfile]) -> list[Speaker | None]:
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
        if profile.kind == "unknown":
            # Not a name: "officials" in two articles are not one person. The statement
            # keeps the words as its speaker mention, with no Speaker behind them.
            result.append(None)
            continue
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
        for speaker in {id(s): s for s in result if s is not None}.values():
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


def articles_requeue_stale(*, older_than: dt.timedelta) -> int:
    """Put articles stuck in `annotating` for longer than `older_than` back in the queue.

    A worker killed in the middle of an annotation (out of memory, a deploy, a power cut)
    leaves no statements behind, since each save is one transaction, but leaves its article
    `annotating` and its task `RUNNING` for ever: django-tasks-db does not notice dead
    workers. Such articles go back to pending with a new task, and the dead task is marked
    failed. Returns how many articles were queued again.
    """
    from django_tasks_db.models import DBTaskResult

    from statements.tasks import annotate_article_task

    cutoff = timezone.now() - older_than
    with transaction.atomic():
        stale = list(
            Article.objects.select_for_update(skip_locked=True)
            .filter(status=Article.Status.ANNOTATING, updated_at__lt=cutoff)
            .values_list("pk", flat=True)
        )
        if not stale:
            return 0
        Article.objects.filter(pk__in=stale).update(
            status=Article.Status.PENDING,
            error="The annotation was interrupted (the worker stopped); queued again.",
            updated_at=timezone.now(),
        )
        DBTaskResult.objects.filter(
            status="RUNNING", task_path=annotate_article_task.module_path, started_at__lt=cutoff
        ).update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path="builtins.SystemExit",
            traceback="The worker running this task stopped; the article was queued again.",
        )
        return annotation_enqueue(articles=Article.objects.filter(pk__in=stale))


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
        annotation_save_retrying(article=article, annotation=outcome)
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
