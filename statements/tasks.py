"""Background work, run by `python manage.py db_worker` (django-tasks-db)."""

from __future__ import annotations

from django.tasks import task

from statements.services.annotation import article_annotate_queued


@task
def annotate_article_task(article_id: int, force: bool = False) -> str:
    """Annotate one stored article; returns the outcome ("annotated", "failed", "skipped",
    "missing"). A pipeline failure is stored on the article, not raised: the article's
    status is what staff look at, and a failed article is retried from the admin."""
    return article_annotate_queued(article_id=article_id, force=force)


@task
def import_url_task(import_id: int) -> str:
    """Fetch one web page and store its article (statements/services/web_import.py); returns
    "stored", "duplicate", "failed" or "skipped". Failures are stored on the import."""
    from statements.services.web_import import url_import_run

    return url_import_run(import_id=import_id)


@task
def feeds_poll_task() -> int:
    """Poll the feeds that are due and queue the import of their new entries; returns
    how many entries were new. Queued every minute by `manage.py feeds poll --every 60`."""
    from statements.services.feeds import feeds_poll_due

    return sum(len(poll.imports) for poll in feeds_poll_due())
