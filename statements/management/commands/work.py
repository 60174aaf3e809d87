"""python manage.py work : the annotation worker (django-tasks-db's `db_worker`, made to last).

`db_worker` ends as soon as its polling loop meets a database error: a one-second
PostgreSQL restart stops it for good. This command runs the same loop (same options) and,
when the database goes away, waits with growing pauses (1 s, 2 s, ... at most 10 s) and
starts polling again. Beside the loop a heartbeat thread records that the worker is alive
(for /healthz and `manage.py doctor`) and puts back in the queue any article whose
worker's lease ran out, so that a live worker takes over a dead one's work.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from statements.services.annotation_queue import articles_requeue_stuck
from statements.services.leases import Heartbeat, process_id, worker_beat

logger = logging.getLogger("statements.worker")
DATABASE_TROUBLE = (OperationalError, InterfaceError)
MAX_PAUSE = 10.0  # seconds: a database back is noticed within this


class ResilientWorker(Worker):
    """django-tasks-db's worker, restarted after database errors instead of ending."""

    def run(self) -> None:
        pause = 1.0
        while self.running:
            started = time.monotonic()
            try:
                super().run()
                return  # --batch or --max-tasks: finished as asked
            except DATABASE_TROUBLE as exc:
                if time.monotonic() - started > 60:
                    pause = 1.0  # it ran well for a while: a new outage
                logger.warning("Database error (%s); polling again in %.0f s", exc, pause)
                connections.close_all()
                self.startup_delay = False
                time.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)


def beat(worker_id: str) -> None:
    worker_beat(worker=worker_id)
    queued = articles_requeue_stuck()
    if queued:
        logger.warning("%d article(s) whose worker stopped queued again", queued)


class Command(DBWorkerCommand):
    help = (
        "Run annotation tasks (db_worker's options); survives database outages and "
        "takes over the work of workers that died."
    )

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay,
               reload, max_tasks, worker_id, exclude_queues, **options):  # fmt: skip
        self.configure_logging(verbosity)
        worker_id = process_id()
        worker = ResilientWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        heartbeat = Heartbeat(
            lambda: beat(worker_id), every=settings.NEWSROOM_WORKER_BEAT_SECONDS, name="worker"
        )
        heartbeat.start()
        try:
            worker.configure_signals()
            worker.run()
        finally:
            heartbeat.stop()
