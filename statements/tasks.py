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
