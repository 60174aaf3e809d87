"""Background annotation: the task, its idempotence, failures, and the real db_worker."""

from __future__ import annotations

import signal

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus

from statements.models import Article, Quote
from statements.services import annotation_store
from statements.services.annotation_queue import articles_reannotate
from statements.services.curation import quote_update
from statements.services.ingest import article_upload
from statements.tasks import annotate_article_task
from statements.textio import read_article
from tests.conftest import SEED_FILE
from tests.curation_factories import (
    ARTICLE_BODY,
    make_article,
    make_quote,
    make_user,
    use_fake_pipeline,
)

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db
def test_task_annotates_a_pending_article(monkeypatch):
    use_fake_pipeline(monkeypatch)
    article = make_article(status=Article.Status.PENDING)
    result = annotate_article_task.enqueue(article.pk)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "annotated"
    article.refresh_from_db()
    assert article.status == Article.Status.ANNOTATED
    assert article.annotated_at is not None
    assert article.quotes.get().text == "We will keep talking,"


@pytest.mark.django_db
def test_task_marks_the_article_annotating_while_it_works(monkeypatch):
    seen = []
    use_fake_pipeline(monkeypatch)
    from statements import nlp

    fake = nlp.annotate_many

    def watching(items, **kwargs):
        for text, article in items:
            seen.append(Article.objects.get(pk=article.pk).status)
            yield from fake([(text, article)], **kwargs)

    monkeypatch.setattr(nlp, "annotate_many", watching)
    article = make_article(status=Article.Status.PENDING)
    annotate_article_task.enqueue(article.pk)
    assert seen == [Article.Status.ANNOTATING]


@pytest.mark.django_db
def test_task_is_safe_to_run_twice(monkeypatch):
    calls = use_fake_pipeline(monkeypatch)
    article = make_article(status=Article.Status.PENDING)
    assert annotate_article_task.enqueue(article.pk).return_value == "annotated"
    first = list(article.quotes.values_list("pk", flat=True))
    # A second task for the same article (a double click, a retried task) does nothing...
    assert annotate_article_task.enqueue(article.pk).return_value == "skipped"
    assert len(calls) == 1
    assert list(article.quotes.values_list("pk", flat=True)) == first
    # ...unless forced.
    assert annotate_article_task.enqueue(article.pk, force=True).return_value == "annotated"
    assert len(calls) == 2
    assert article.quotes.count() == 1


@pytest.mark.django_db
def test_task_skips_an_article_another_worker_is_annotating(monkeypatch):
    calls = use_fake_pipeline(monkeypatch)
    article = make_article(status=Article.Status.ANNOTATING)
    assert annotate_article_task.enqueue(article.pk).return_value == "skipped"
    assert calls == []


@pytest.mark.django_db
def test_task_for_a_deleted_article_is_harmless():
    assert annotate_article_task.enqueue(123456).return_value == "missing"


@pytest.mark.django_db
def test_failed_annotation_is_stored_and_can_be_retried(monkeypatch):
    use_fake_pipeline(monkeypatch, fail=True)
    user = make_user(staff=True)
    text = read_article(name="a.txt", data=ARTICLE_BODY.encode(), max_bytes=10_000)
    article = article_upload(text=text, user=user).article
    article.refresh_from_db()
    assert article.status == Article.Status.FAILED
    assert article.error == "RuntimeError: pipeline exploded"

    use_fake_pipeline(monkeypatch)
    assert articles_reannotate(articles=[article], user=user, failed_only=True) == 1
    article.refresh_from_db()
    assert article.status == Article.Status.ANNOTATED
    assert article.error == ""
    assert article.quotes.count() == 1


@pytest.mark.django_db
def test_a_save_that_fails_marks_the_article_failed(monkeypatch):
    """Not only the pipeline: any failure while saving ends in `failed`, never stuck."""
    use_fake_pipeline(monkeypatch)

    def broken_save(items):
        raise ValueError("span 0:3 does not match the article text")

    monkeypatch.setattr(annotation_store, "_write_annotations", broken_save)
    article = make_article(status=Article.Status.PENDING)
    assert annotate_article_task.enqueue(article.pk).return_value == "failed"
    article.refresh_from_db()
    assert article.status == Article.Status.FAILED
    assert "does not match" in article.error


@pytest.mark.django_db
def test_retry_keeps_staff_corrections(monkeypatch):
    use_fake_pipeline(monkeypatch)
    user = make_user(staff=True)
    article = make_article(status=Article.Status.FAILED)
    kept = make_quote(article=article, text="We will keep talking,", kind="mixed")
    quote_update(quote=kept, user=user)
    articles_reannotate(articles=[article], user=user)
    assert list(article.quotes.values_list("pk", "kind")) == [(kept.pk, "mixed")]


@pytest.fixture
def restore_signals():
    """db_worker installs its own SIGINT/SIGTERM handlers; give pytest its own back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True)
def test_real_worker_annotates_a_queued_upload(settings, restore_signals):
    """The database backend and `manage.py db_worker`, with the real pipeline."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_TASKS
    user = make_user(staff=True)
    text = read_article(name=SEED_FILE.name, data=SEED_FILE.read_bytes(), max_bytes=10**6)
    article = article_upload(text=text, user=user).article

    article.refresh_from_db()
    assert article.status == Article.Status.PENDING  # queued, nobody has run it yet
    queued = DBTaskResult.objects.get()
    assert queued.status == TaskResultStatus.READY
    assert queued.task_path == "statements.tasks.annotate_article_task"

    call_command(
        "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0", "-v", "0"
    )

    article.refresh_from_db()
    assert article.status == Article.Status.ANNOTATED, article.error
    assert Quote.objects.filter(article=article).count() >= 5
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    assert queued.return_value == "annotated"
