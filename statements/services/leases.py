"""Leases on articles being annotated, and the heartbeats that keep them.

A process that claims an article holds it until `lease_expires_at`; while it works, a
heartbeat thread pushes the expiry forward every third of the lease. A process that dies
(SIGKILL, out of memory, a lost database connection) stops renewing, and once the lease
has expired any live worker or the watcher puts the article back in the queue
(`annotation_queue.articles_requeue_expired`). A save checks that its process still holds
the lease, so an article is never annotated twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from statements.models import Article, WorkerHeartbeat

logger = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another worker took the article over: this process's result is not saved."""


def lease_duration() -> dt.timedelta:
    return dt.timedelta(seconds=settings.NEWSROOM_LEASE_SECONDS)


def process_id() -> str:
    """This process, as lease owner and in worker heartbeats."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def leases_renew(*, owner: str, article_ids: set[int]) -> int:
    """Push the expiry of the owner's leases forward; returns how many it still holds."""
    if not article_ids:
        return 0
    return Article.objects.filter(
        pk__in=article_ids, lease_owner=owner, status=Article.Status.ANNOTATING
    ).update(lease_expires_at=timezone.now() + lease_duration())


def worker_beat(*, worker: str) -> None:
    WorkerHeartbeat.objects.update_or_create(worker_id=worker, defaults={"seen_at": timezone.now()})


class Heartbeat:
    """A daemon thread that runs `beat` every `every` seconds until stopped, on its own
    database connection. A failing beat (the database away) is logged and tried again at
    the next tick: the thread never dies of it."""

    def __init__(self, beat: Callable[[], None], *, every: float, name: str):
        self._beat, self._every = beat, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self._every + 5)

    def _run(self) -> None:
        try:
            while True:
                try:
                    self._beat()
                except DatabaseError as exc:
                    logger.warning("%s: %s; trying again", self._thread.name, exc)
                    connection.close()
                if self._stop.wait(self._every):
                    return
        finally:
            connection.close()


class LeaseKeeper:
    """The leases one annotation run holds, renewed in the background while it works.

    `with LeaseKeeper() as leases:` ... `leases.hold(pk)` after a claim, `leases.release(pk)`
    once the article is saved or failed. Without NEWSROOM_LEASE_HEARTBEAT (the tests) no
    thread runs: leases last their full duration."""

    def __init__(self) -> None:
        self.owner = process_id()
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._heartbeat: Heartbeat | None = None

    def __enter__(self) -> LeaseKeeper:
        if settings.NEWSROOM_LEASE_HEARTBEAT:
            every = settings.NEWSROOM_LEASE_SECONDS / 3
            self._heartbeat = Heartbeat(self._renew, every=every, name="lease-heartbeat").start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self._heartbeat is not None:
            self._heartbeat.stop()

    def hold(self, article_id: int) -> None:
        with self._lock:
            self._held.add(article_id)

    def release(self, article_id: int) -> None:
        with self._lock:
            self._held.discard(article_id)

    def _renew(self) -> None:
        with self._lock:
            held = set(self._held)
        leases_renew(owner=self.owner, article_ids=held)
