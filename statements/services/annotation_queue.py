"""Background annotation: tasks queued for `manage.py work`, re-annotation staff ask
for, and work a dead worker left half-done put back in the queue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import CHANGE
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from statements.models import Article
from statements.services.audit import audit_log
from statements.services.leases import lease_duration
from statements.tasks import annotate_article_task

LARGE_QUEUE = "large"


def articles_enqueue(*, articles: Iterable[Article], force: bool = False) -> int:
    """Queue background annotation of articles (the task runs in `manage.py work`).

    Articles longer than NEWSROOM_LARGE_ARTICLE_CHARS go to the `large` queue, which has a
    worker of its own, so a big upload never holds up the small ones behind it. With the
    database backend the queued task is a row written in the caller's transaction, so it
    commits together with the article and a worker never sees one without the other.
    """
    count = 0
    for article in articles:
        annotate_article_task.using(queue_name=queue_for(article=article)).enqueue(
            article.pk, force=force
        )
        count += 1
    return count


def queue_for(*, article: Article) -> str:
    """`large` for a big article, when the task backend has that queue (TASKS, "QUEUES")."""
    big = len(article.body) > settings.NEWSROOM_LARGE_ARTICLE_CHARS
    return (
        LARGE_QUEUE
        if big and LARGE_QUEUE in annotate_article_task.get_backend().queues
        else "default"
    )


def articles_reannotate(*, articles: Iterable[Article], user, failed_only: bool = False) -> int:
    """Set articles back to pending and queue their annotation again (staff asked for it).

    Statements staff verified or deleted are kept: `annotation_save` replaces only the
    machine-made ones. Returns how many articles were queued.
    """
    # An article left `annotating` by a worker that died can be re-annotated too.
    chosen = [a for a in articles if not failed_only or a.status == Article.Status.FAILED]
    if not chosen:
        return 0
    Article.objects.filter(pk__in=[a.pk for a in chosen]).update(
        status=Article.Status.PENDING,
        error="",
        attempts=0,
        lease_owner="",
        lease_expires_at=None,
        updated_at=timezone.now(),
    )
    audit_log(
        user=user,
        objects=chosen,
        action_flag=CHANGE,
        message="Annotation retried." if failed_only else "Re-annotation queued.",
    )
    # Forced: staff asked for a new run even if a stale task already annotated the article.
    return articles_enqueue(articles=chosen, force=True)


def articles_requeue_stuck() -> int:
    """Put back in the queue all work that no worker will finish by itself (what the
    watcher and every live worker run); returns how many articles were queued again."""
    return articles_requeue_expired() + articles_requeue_orphaned()


def articles_requeue_expired() -> int:
    """Put back in the queue the articles whose lease ran out: their worker stopped (killed,
    out of memory, cut off from the database) without finishing or failing them.

    Each save is one transaction, so such a worker left no statements behind; its task
    stays `RUNNING` (django-tasks-db does not notice dead workers) and is marked failed
    here. An article that has lost its worker NEWSROOM_MAX_ATTEMPTS times in a row ends
    `failed` rather than taking workers down for ever. Returns how many were queued again.
    """
    now = timezone.now()
    with transaction.atomic():
        expired = list(
            Article.objects.select_for_update(skip_locked=True)
            .filter(status=Article.Status.ANNOTATING)
            .filter(
                Q(lease_expires_at__lt=now)
                | Q(lease_expires_at__isnull=True, updated_at__lt=now - lease_duration())
            )
            .only("pk", "attempts", "body")
        )
        if not expired:
            return 0
        _fail_running_tasks(article_ids={a.pk for a in expired})
        return _requeue(
            articles=expired,
            now=now,
            error="The annotation was interrupted (the worker stopped); queued again.",
        )


def articles_requeue_orphaned() -> int:
    """Put back in the queue the pending articles whose task ended without annotating them.

    A task fails before it claims its article when the database goes away under the
    worker that picked it up; the article stays `pending` with no task left to run it.
    Only articles whose task failed in the last ORPHAN_WINDOW and that have no queued or
    running task are taken, so the check costs little when nothing failed. A duplicate
    task would be harmless anyway: the worker claims an article with a conditional update.
    """
    now = timezone.now()
    tasks = DBTaskResult.objects.filter(task_path=annotate_article_task.module_path)
    failed = tasks.filter(status="FAILED", finished_at__gte=now - ORPHAN_WINDOW)
    candidates = {
        _article_id(call): at for call, at in failed.values_list("args_kwargs", "finished_at")
    }
    pending = set(
        Article.objects.filter(pk__in=candidates, status=Article.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    if not pending:
        return 0
    since = min(candidates[pk] for pk in pending)
    live = tasks.filter(status__in=["READY", "RUNNING"], enqueued_at__gte=since)
    pending -= {_article_id(call) for call in live.values_list("args_kwargs", flat=True)}
    with transaction.atomic():
        orphans = list(
            Article.objects.select_for_update(skip_locked=True)
            .filter(pk__in=pending, status=Article.Status.PENDING)
            .only("pk", "attempts", "body")
        )
        return _requeue(
            articles=orphans,
            now=now,
            error="The annotation task failed before it started (the database was away); "
            "queued again.",
            count_attempt=True,  # the task never claimed the article, which counts attempts
        )


ORPHAN_WINDOW = timedelta(days=1)


def _article_id(call: dict) -> int | None:
    return (call.get("args") or [None])[0]


def _requeue(*, articles: list[Article], now, error: str, count_attempt: bool = False) -> int:
    """Queue articles again, counting the attempt; one interrupted NEWSROOM_MAX_ATTEMPTS
    times in a row ends `failed` instead."""
    limit = settings.NEWSROOM_MAX_ATTEMPTS
    given_up = [a.pk for a in articles if a.attempts >= limit]
    again = [a for a in articles if a.attempts < limit]
    released = {"lease_owner": "", "lease_expires_at": None, "updated_at": now}
    Article.objects.filter(pk__in=given_up).update(
        status=Article.Status.FAILED,
        error=f"The annotation was interrupted {limit} times (the worker stopped, the "
        "database was away, or the article takes too long); retry it from the admin.",
        attempts=0,
        **released,
    )
    Article.objects.filter(pk__in=[a.pk for a in again]).update(
        status=Article.Status.PENDING,
        error=error,
        attempts=F("attempts") + int(count_attempt),
        **released,
    )
    return articles_enqueue(articles=again)


def _fail_running_tasks(*, article_ids: set[int]) -> None:
    running = DBTaskResult.objects.filter(
        status="RUNNING", task_path=annotate_article_task.module_path
    ).values_list("pk", "args_kwargs")
    dead = [pk for pk, call in running if _article_id(call) in article_ids]
    DBTaskResult.objects.filter(pk__in=dead).update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="builtins.SystemExit",
        traceback="The worker running this task stopped; the article was queued again.",
    )
