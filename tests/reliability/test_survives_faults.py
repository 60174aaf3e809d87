"""Issue 17: workers that outlive database errors, leases instead of a stale cutoff, a 503
page when the database is away, honest health. (`make faulttest` runs the same against a
real PostgreSQL that it stops, freezes and restarts.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from statements.management.commands import requeue_stale, work
from statements.models import Article, WorkerHeartbeat
from statements.services import annotation_store
from statements.services.annotation import (
    CLAIM_RETRYABLE,
    article_annotate_queued,
    article_claim,
    articles_annotate,
)
from statements.services.annotation_queue import (
    articles_enqueue,
    articles_requeue_expired,
    articles_requeue_orphaned,
    articles_requeue_stuck,
)
from statements.services.annotation_store import annotation_save
from statements.services.leases import LeaseLost, leases_renew, worker_beat
from tests.curation_factories import fake_annotation, make_article, use_fake_pipeline

# --- Workers survive database errors ---------------------------------------------------


class Stop(Exception):
    pass


def test_the_worker_polls_again_after_database_errors(monkeypatch):
    calls, pauses = [], []

    def flaky_run(self):
        calls.append(1)
        if len(calls) <= 3:
            raise OperationalError("connection refused")  # what db_worker dies of

    monkeypatch.setattr(work.Worker, "run", flaky_run)
    monkeypatch.setattr(work.time, "sleep", pauses.append)
    worker = work.ResilientWorker(
        queue_names=["default"],
        interval=1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    worker.run()  # returns once the loop ends normally, after three outages
    assert len(calls) == 4
    assert pauses == [1.0, 2.0, 4.0]  # growing pauses between tries


@pytest.mark.django_db
def test_the_watcher_keeps_watching_through_database_errors(monkeypatch, capsys):
    results = iter([OperationalError("server closed the connection"), 0, Stop()])

    def check():
        result = next(results)
        if isinstance(result, Exception):
            raise result
        return result

    monkeypatch.setattr(requeue_stale, "articles_requeue_stuck", check)
    monkeypatch.setattr(requeue_stale.time, "sleep", lambda s: None)
    with pytest.raises(Stop):
        call_command("requeue_stale", "--every", "10")
    assert "Database error" in capsys.readouterr().err


@pytest.mark.django_db
def test_an_annotation_cut_off_from_the_database_is_not_marked_failed(monkeypatch):
    use_fake_pipeline(monkeypatch)
    article = make_article(status=Article.Status.PENDING)

    def database_away(items):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(annotation_store, "_write_annotations", database_away)
    with pytest.raises(OperationalError):
        list(articles_annotate(articles=[article], claim_from=CLAIM_RETRYABLE))
    article.refresh_from_db()
    # Still claimed: once the lease runs out, a worker takes it over.
    assert article.status == Article.Status.ANNOTATING
    assert article.lease_expires_at > timezone.now()


# --- Leases ----------------------------------------------------------------------------


def expire(article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )


@pytest.mark.django_db
def test_work_of_a_dead_worker_is_taken_over_once_its_lease_runs_out(monkeypatch):
    calls = use_fake_pipeline(monkeypatch)
    article = make_article(status=Article.Status.PENDING)
    assert article_claim(article=article, owner="dead-host:1")  # then the worker dies

    assert articles_requeue_expired() == 0  # the lease still runs: it may be alive
    expire(article)
    # Queued again; the test settings run the task at once, as a live worker would.
    assert articles_requeue_expired() == 1
    article.refresh_from_db()
    assert article.status == Article.Status.ANNOTATED
    assert (article.lease_owner, article.lease_expires_at, article.attempts) == ("", None, 0)
    assert len(calls) == 1 and article.quotes.count() == 1

    # The dead worker was only paused: its late result is refused, nothing is saved twice.
    quote_ids = list(article.quotes.values_list("pk", flat=True))
    with pytest.raises(LeaseLost):
        annotation_save(
            article=article, annotation=fake_annotation(article.body), lease_owner="dead-host:1"
        )
    assert list(article.quotes.values_list("pk", flat=True)) == quote_ids


@pytest.mark.django_db
def test_a_renewed_lease_is_not_taken_over():
    article = make_article(status=Article.Status.PENDING)
    assert article_claim(article=article, owner="live-host:1")
    expire(article)
    assert leases_renew(owner="other-host:2", article_ids={article.pk}) == 0
    assert leases_renew(owner="live-host:1", article_ids={article.pk}) == 1
    assert articles_requeue_expired() == 0
    article.refresh_from_db()
    assert article.status == Article.Status.ANNOTATING


@pytest.mark.django_db
def test_an_article_that_keeps_losing_its_worker_ends_failed(settings):
    article = make_article(status=Article.Status.PENDING)
    for attempt in range(settings.NEWSROOM_MAX_ATTEMPTS):
        Article.objects.filter(pk=article.pk).update(status=Article.Status.PENDING)
        assert article_claim(article=article, owner=f"host:{attempt}")
    expire(article)
    assert articles_requeue_expired() == 0
    article.refresh_from_db()
    assert article.status == Article.Status.FAILED
    assert "interrupted 3 times" in article.error


@pytest.mark.django_db
def test_a_taken_over_task_says_so(monkeypatch):
    use_fake_pipeline(monkeypatch)
    article = make_article(status=Article.Status.PENDING)
    real = annotation_store._lock

    def taken_over_meanwhile(*, articles, lease_owner):
        Article.objects.filter(pk=article.pk).update(lease_owner="faster-host:9")
        real(articles=articles, lease_owner=lease_owner)

    monkeypatch.setattr(annotation_store, "_lock", taken_over_meanwhile)
    assert article_annotate_queued(article_id=article.pk) == "taken over"
    article.refresh_from_db()
    assert article.status == Article.Status.ANNOTATING  # the other worker finishes it
    assert article.quotes.count() == 0


@pytest.mark.django_db
def test_big_articles_go_to_their_own_queue(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "large"]}
    }
    settings.NEWSROOM_LARGE_ARTICLE_CHARS = 500
    small = make_article(status=Article.Status.PENDING)
    big = make_article(status=Article.Status.PENDING, body='"Yes," she said.\n' + "x " * 400)
    assert articles_enqueue(articles=[small, big]) == 2
    queues = dict(DBTaskResult.objects.values_list("args_kwargs__args__0", "queue_name"))
    assert queues == {small.pk: "default", big.pk: "large"}


@pytest.mark.django_db
def test_a_pending_article_whose_task_failed_before_claiming_it_is_queued_again(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    article = make_article(status=Article.Status.PENDING)
    articles_enqueue(articles=[article])
    assert articles_requeue_orphaned() == 0  # its task is still queued

    # A worker picked the task up and the database went away before it claimed the article.
    DBTaskResult.objects.update(status="FAILED", finished_at=timezone.now())
    assert articles_requeue_stuck() == 1
    assert list(DBTaskResult.objects.order_by("enqueued_at").values_list("status", flat=True)) == [
        "FAILED",
        "READY",
    ]
    article.refresh_from_db()
    assert (article.status, article.attempts) == (Article.Status.PENDING, 1)
    assert articles_requeue_orphaned() == 0  # queued once, not at every check

    # One that keeps failing so ends `failed`, with a reason, instead of looping for ever.
    Article.objects.filter(pk=article.pk).update(attempts=settings.NEWSROOM_MAX_ATTEMPTS)
    DBTaskResult.objects.update(status="FAILED", finished_at=timezone.now())
    assert articles_requeue_orphaned() == 0
    article.refresh_from_db()
    assert article.status == Article.Status.FAILED
    assert "interrupted" in article.error


@pytest.mark.django_db
def test_an_article_annotated_after_its_task_failed_is_left_alone(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    article = make_article(status=Article.Status.PENDING)
    articles_enqueue(articles=[article])
    DBTaskResult.objects.update(status="FAILED", finished_at=timezone.now())
    Article.objects.filter(pk=article.pk).update(status=Article.Status.ANNOTATED)
    assert articles_requeue_orphaned() == 0
    assert DBTaskResult.objects.count() == 1


# --- 503 when the database is away -------------------------------------------------------


def assert_unavailable(response) -> None:
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    text = response.content.decode()
    assert "Back in a moment" in text
    assert 'class="site-header"' in text  # the site's own page, not a bare error


@pytest.mark.django_db
def test_a_page_whose_queries_fail_answers_503(monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def away(*args, **kwargs):
        raise OperationalError("connection to server failed: Connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", away)
    client = Client(raise_request_exception=False)
    for url in ["/", "/speakers/", "/articles/1/"]:
        assert_unavailable(client.get(url))


def test_a_failure_outside_a_view_answers_503_too(rf):
    """Errors raised by middleware (a logged-in editor's session) reach handler500."""
    from newsroom.unavailable import server_error

    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        assert_unavailable(server_error(rf.get("/admin/")))
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(rf.get("/")).status_code == 500


# --- Health ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_says_which_part_is_wrong(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["worker: no annotation worker has ever reported"]

    worker_beat(worker="host:1")
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["problems"] == []
    assert set(body["checks"]) == {"database", "queue", "worker"}

    waiting = make_article(status=Article.Status.PENDING)
    Article.objects.filter(pk=waiting.pk).update(
        updated_at=timezone.now()
        - dt.timedelta(seconds=settings.NEWSROOM_HEALTH_MAX_QUEUE_SECONDS + 5)
    )
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(minutes=5))
    response = client.get("/healthz")
    assert response.status_code == 503
    problems = response.json()["problems"]
    assert [p.split(":")[0] for p in problems] == ["queue", "worker"]
    assert (
        response.json()["checks"]["queue"]["seconds"] > settings.NEWSROOM_HEALTH_MAX_QUEUE_SECONDS
    )


@pytest.mark.django_db
def test_health_reports_the_database_away(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def away(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", away)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["database: unreachable: connection refused"]


@pytest.mark.django_db
def test_doctor_prints_the_checks_and_fails_when_one_is_wrong(capsys):
    with pytest.raises(CommandError):
        call_command("doctor")
    out = capsys.readouterr().out
    assert "ok   database" in out and "FAIL worker" in out
    worker_beat(worker="host:1")
    call_command("doctor")
    assert "FAIL" not in capsys.readouterr().out
