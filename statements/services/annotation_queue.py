"""Background annotation: tasks queued for `manage.py db_worker`, re-annotation staff ask
for, and work a dead worker left half-done put back in the queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.admin.models import CHANGE
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from statements.models import Article
from statements.services.audit import audit_log
from statements.tasks import annotate_article_task


def articles_enqueue(*, articles: Iterable[Article], force: bool = False) -> int:
    """Queue background annotation of articles (the task runs in `manage.py db_worker`).

    With the database backend the queued task is a row written in the caller's transaction,
    so it commits together with the article and a worker never sees one without the other.
    """
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
    return articles_enqueue(articles=chosen, force=True)


def articles_requeue_stale(*, older_than: dt.timedelta) -> int:
    """Put articles stuck in `annotating` for longer than `older_than` back in the queue.

    A worker killed in the middle of an annotation (out of memory, a deploy, a power cut)
    leaves no statements behind, since each save is one transaction, but leaves its article
    `annotating` and its task `RUNNING` for ever: django-tasks-db does not notice dead
    workers. Such articles go back to pending with a new task, and the dead task is marked
    failed. Returns how many articles were queued again.
    """
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
        return articles_enqueue(articles=Article.objects.filter(pk__in=stale))
