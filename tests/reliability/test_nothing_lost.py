"""Issue 8, point 3: nothing lost, nothing twice. Concurrent ingests store each article
once; a worker killed mid-annotation leaves no half-written statements and the article is
annotated later; an interrupted `ingest --reannotate` leaves each article old or new."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from statements.models import Article, Quote
from statements.services import annotation_store
from statements.services.annotation import article_annotate_queued
from statements.services.annotation_queue import articles_requeue_expired
from statements.services.ingest import article_ingest
from statements.textio import read_article
from tests.conftest import PROJECT_DIR

STORY = (
    "{title}\n\n"
    '"We will keep talking to {who}," NATO Secretary General Jens Stoltenberg said on {day}.\n\n'
    "Foreign Minister {who} told reporters that the talks on sanctions would go on.\n\n"
    '"There is no other way," {who} said.\n'
)
NAMES = ["Ana Costa", "Lee Min", "Omar Haddad", "Eva Novak", "Ivan Petrov", "Sara Berg"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def write_stories(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        text = STORY.format(title=f"Story {i}", who=NAMES[i % 6], day=DAYS[(i // 6) % 6])
        (folder / f"story-{i:03}.txt").write_text(text, encoding="utf-8")


def store(folder: Path) -> list[Article]:
    articles = []
    for path in sorted(folder.iterdir()):
        text = read_article(name=path.name, data=path.read_bytes(), max_bytes=10**6)
        articles.append(article_ingest(text=text).article)
    return articles


# --- Any database: interruptions inside a save ------------------------------------------------


@pytest.mark.django_db
def test_an_interrupted_save_leaves_no_statements_and_stale_articles_are_requeued(
    tmp_path, monkeypatch
):
    write_stories(tmp_path, 1)
    [article] = store(tmp_path)
    real = annotation_store._write_annotations

    def dies_after_writing(items):
        real(items)
        assert Quote.objects.filter(article=article).exists()  # written, not committed
        raise SystemExit("worker killed")  # not an Exception: nothing catches it

    monkeypatch.setattr(annotation_store, "_write_annotations", dies_after_writing)
    with pytest.raises(SystemExit):
        article_annotate_queued(article_id=article.pk)
    monkeypatch.undo()

    article.refresh_from_db()
    assert article.status == Article.Status.ANNOTATING  # as a dead worker leaves it
    assert not Quote.objects.filter(article=article).exists()

    # Its lease has not run out: a live worker may be on it.
    assert articles_requeue_expired() == 0
    Article.objects.filter(pk=article.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    # The test settings run tasks at once, so the requeued task annotates it here.
    assert articles_requeue_expired() == 1
    article.refresh_from_db()
    assert article.status == Article.Status.ANNOTATED, article.error
    assert Quote.objects.filter(article=article).count() >= 2


@pytest.mark.django_db
def test_requeue_stale_command(tmp_path, capsys):
    write_stories(tmp_path, 2)
    stuck, fresh = store(tmp_path)
    soon = timezone.now() + dt.timedelta(seconds=30)
    Article.objects.filter(pk__in=[stuck.pk, fresh.pk]).update(
        status="annotating", lease_expires_at=soon
    )
    Article.objects.filter(pk=stuck.pk).update(lease_expires_at=timezone.now())
    call_command("requeue_stale")
    assert "1 stale article(s) queued again" in capsys.readouterr().out
    assert dict(Article.objects.values_list("pk", "status")) == {
        stuck.pk: "annotated",
        fresh.pk: "annotating",
    }


@pytest.mark.django_db
def test_an_interrupted_reannotation_leaves_each_article_old_or_new(tmp_path, monkeypatch):
    write_stories(tmp_path, 3)
    call_command("ingest", str(tmp_path), "--no-progress")
    old = mark_old_statements()
    real = annotation_store._write_annotations
    calls = 0

    def dies_on_the_second(items):
        nonlocal calls
        calls += 1
        real(items)
        if calls == 2:
            raise KeyboardInterrupt  # Ctrl-C half-way

    monkeypatch.setattr(annotation_store, "_write_annotations", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        call_command("ingest", "--reannotate", "--batch-size", "1", "--no-progress")
    monkeypatch.undo()
    assert_old_or_new(old, expect_new=1)


OLD_MARK = "(before re-annotation)"


def mark_old_statements() -> list[Article]:
    """Re-annotation keeps a statement's id when it finds it again, so ids cannot tell old
    from new; a cue text no pipeline writes can."""
    Quote.objects.update(cue_text=OLD_MARK)
    return list(Article.objects.all())


def assert_old_or_new(old: list[Article], expect_new: int) -> None:
    new = 0
    for article in old:
        marks = list(Quote.objects.filter(article=article).values_list("cue_text", flat=True))
        assert marks, f"{article}: statements lost"
        old_count = marks.count(OLD_MARK)
        assert old_count in (0, len(marks)), f"{article}: old and new statements mixed"
        new += old_count == 0
    assert new == expect_new


# --- Real processes ---------------------------------------------------------------

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two writers at once need a database server; run with DATABASE_URL=postgres://...",
)
needs_shared_db = pytest.mark.skipif(
    connection.vendor == "sqlite"
    and ":memory:" in str(connection.settings_dict["NAME"])
    or "mode=memory" in str(connection.settings_dict["NAME"]),
    reason="child processes cannot see an in-memory test database",
)
real_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def process_env() -> dict[str, str]:
    """Settings for a child process that works on this test's database."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    else:
        url = f"sqlite:///{db['NAME']}"  # the test settings keep it in a file
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DATABASE_URL=url,
        DEBUG="1",
        PYTHONPATH=str(PROJECT_DIR),
    )
    return env


def manage(*args: str, hook: tuple[Path, int] | None = None) -> subprocess.Popen:
    command = [sys.executable, "manage.py", *args]
    if hook is not None:
        command = [sys.executable, "-m", "tests.reliability.hooked_manage", str(hook[0]),
                   str(hook[1]), *args]  # fmt: skip
    return subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        env=process_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_when_written(process: subprocess.Popen, marker: Path, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if process.poll() is not None:
            raise AssertionError(f"process ended early: {process.communicate()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the slow save was never reached")
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return marker.read_text()


@needs_postgres
@real_db
def test_two_ingests_of_one_folder_at_once_store_each_article_once(tmp_path):
    write_stories(tmp_path, 12)
    runs = [manage("ingest", str(tmp_path), "--no-progress", "--batch-size", "2") for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert Article.objects.count() == 12
    assert Article.objects.filter(status="annotated").count() == 12
    # Each article annotated once: one set of statements, one speaker per name.
    for article in Article.objects.all():
        positions = list(article.quotes.values_list("position", flat=True))
        assert len(positions) == len(set(positions)) > 0
    from statements.models import Speaker

    names = list(Speaker.objects.values_list("search_name", flat=True))
    assert len(names) == len(set(names))
    new = sum(int(out.split(" new,")[0].split()[-1]) for out, _ in outputs)
    assert new == 12, outputs


@needs_shared_db
@real_db
def test_a_worker_killed_mid_annotation_writes_nothing_and_the_article_is_done_later(
    tmp_path, settings
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    write_stories(tmp_path / "in", 1)
    manage("ingest", str(tmp_path / "in"), "--enqueue", "--no-progress").communicate(timeout=60)
    article = Article.objects.get()
    assert article.status == Article.Status.PENDING

    worker_args = ("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2")
    worker = manage(*worker_args, hook=(tmp_path / "saving", 1))
    assert kill_when_written(worker, tmp_path / "saving") == str(article.pk)

    article.refresh_from_db()
    assert article.status == Article.Status.ANNOTATING
    assert not Quote.objects.filter(article=article).exists()  # the kill rolled it back
    assert DBTaskResult.objects.get().status == "RUNNING"  # the queue thinks it still runs

    Article.objects.update(lease_expires_at=timezone.now())  # as if 30 s had passed
    assert articles_requeue_expired() == 1
    finished = manage(*worker_args, "--batch")
    assert finished.wait(timeout=90) == 0, finished.communicate()
    article.refresh_from_db()
    assert article.status == Article.Status.ANNOTATED, article.error
    assert Quote.objects.filter(article=article).count() >= 2
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == [
        "FAILED",
        "SUCCESSFUL",
    ]


@needs_shared_db
@real_db
def test_a_reannotation_killed_half_way_leaves_each_article_old_or_new(tmp_path):
    write_stories(tmp_path, 4)
    call_command("ingest", str(tmp_path), "--no-progress")
    old = mark_old_statements()
    run = manage("ingest", "--reannotate", "--batch-size", "1", "--no-progress",
                 hook=(tmp_path / "saving", 3))  # fmt: skip
    kill_when_written(run, tmp_path / "saving")
    assert_old_or_new(old, expect_new=2)
