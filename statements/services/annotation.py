"""The annotation runner: the one way articles get annotated.

`articles_annotate` claims each article with a lease (so that two processes never annotate
one article at once, and a dead process's work is taken over: services/leases.py), runs
the pipeline over batches (in this process, or in a pool of processes), pins a crash on the
one article that caused it, saves each batch in one transaction and marks failures on
their article. The `ingest` command, the task queue, re-annotation and the admin actions
(through the queue) all call it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import F
from django.utils import timezone

from statements.models import Article
from statements.nlp.types import Annotation
from statements.services.annotation_pool import Annotator, InlineAnnotator, PoolAnnotator
from statements.services.annotation_store import annotation_save_batch
from statements.services.leases import LeaseKeeper, LeaseLost, lease_duration
from statements.services.reference import topic_rules

# Which statuses an article may be claimed from; None: any (staff forced a new run).
CLAIM_PENDING = (Article.Status.PENDING,)
CLAIM_RETRYABLE = (Article.Status.PENDING, Article.Status.FAILED)
CLAIM_ANY = None


@dataclass(frozen=True, slots=True)
class AnnotationResult:
    article: Article
    error: Exception | None  # None: annotated and saved


class AnnotationOutcome:
    """What a queued annotation did, as the task returns it."""

    ANNOTATED = "annotated"
    FAILED = "failed"
    SKIPPED = "skipped"
    MISSING = "missing"
    TAKEN_OVER = "taken over"  # this worker lost its lease: another one saves the article


# The database went away: the article stays claimed and its lease runs out, so that a
# worker takes it over once the database is back; it is not the article's failure.
DATABASE_TROUBLE = (OperationalError, InterfaceError)


def pipeline_model() -> str | None:
    """The spaCy model the settings name (None: the pipeline's own default)."""
    return settings.SPACY_MODEL


def article_claim(
    *, article: Article, owner: str, claim_from: Collection[str] | None = CLAIM_PENDING
) -> bool:
    """Move an article to `annotating` with a lease for `owner`, in one conditional UPDATE:
    of two processes that want to annotate it (two `ingest` runs, a double-clicked task),
    exactly one gets it."""
    claimable = Article.objects.filter(pk=article.pk)
    if claim_from is not None:
        claimable = claimable.filter(status__in=claim_from)
    now = timezone.now()
    claimed = claimable.update(
        status=Article.Status.ANNOTATING,
        error="",
        updated_at=now,
        lease_owner=owner,
        lease_expires_at=now + lease_duration(),
        attempts=F("attempts") + 1,
    )
    if claimed:
        article.status, article.error, article.lease_owner = Article.Status.ANNOTATING, "", owner
    return bool(claimed)


def article_mark_failed(*, article: Article, error: Exception) -> None:
    article.status = Article.Status.FAILED
    article.error = f"{type(error).__name__}: {error}"[:5000]
    article.lease_owner, article.lease_expires_at, article.attempts = "", None, 0
    fields = ["status", "error", "lease_owner", "lease_expires_at", "attempts", "updated_at"]
    article.save(update_fields=fields)


def articles_annotate(
    *,
    articles: Iterable[Article],
    claim_from: Collection[str] | None = CLAIM_PENDING,
    batch_size: int = 16,
    workers: int = 1,
) -> Iterator[AnnotationResult]:
    """Annotate and save the articles this process can claim, yielding a result for each,
    in input order. Articles another process holds are left alone. With `workers` > 1 the
    pipeline runs in that many processes; what is stored is the same.

    Raises OperationalError or InterfaceError when the database goes away: the articles in
    hand stay claimed until their leases run out, then a worker takes them over."""
    topics, model = topic_rules() or None, pipeline_model()
    annotator: Annotator = (
        PoolAnnotator(workers=workers, topics=topics, model=model)
        if workers > 1
        else InlineAnnotator(topics=topics, model=model)
    )
    with LeaseKeeper() as leases, annotator:

        def claimed() -> Iterator[Article]:
            for article in articles:
                if article_claim(article=article, owner=leases.owner, claim_from=claim_from):
                    leases.hold(article.pk)
                    yield article

        done: list[tuple[Article, Annotation | Exception]] = []
        for item in annotator.annotate(claimed(), batch_size=batch_size, text=lambda a: a.body):
            done.append(item)
            if len(done) >= batch_size:
                yield from _save(done, leases)
                done = []
        yield from _save(done, leases)


def _save(
    outcomes: list[tuple[Article, Annotation | Exception]], leases: LeaseKeeper
) -> Iterator[AnnotationResult]:
    failures = annotation_save_batch(
        items=[(a, o) for a, o in outcomes if not isinstance(o, Exception)],
        lease_owner=leases.owner,
    )
    for article, outcome in outcomes:
        error = outcome if isinstance(outcome, Exception) else failures.get(article.pk)
        if isinstance(error, DATABASE_TROUBLE):
            raise error
        if error is not None and not isinstance(error, LeaseLost):
            article_mark_failed(article=article, error=error)
        leases.release(article.pk)
        yield AnnotationResult(article, error)


def article_annotate_queued(*, article_id: int, force: bool = False) -> str:
    """Annotate one stored article from the task queue; safe to run twice. An article
    already annotated, or being annotated, is skipped unless `force`."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return AnnotationOutcome.MISSING
    results = list(
        articles_annotate(
            articles=[article], claim_from=CLAIM_ANY if force else CLAIM_RETRYABLE, batch_size=1
        )
    )
    if not results:
        return AnnotationOutcome.SKIPPED
    error = results[0].error
    if isinstance(error, LeaseLost):
        return AnnotationOutcome.TAKEN_OVER
    return AnnotationOutcome.FAILED if error else AnnotationOutcome.ANNOTATED
