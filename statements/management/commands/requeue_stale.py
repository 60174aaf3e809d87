"""python manage.py requeue_stale : queue again the articles a dead worker left half-done."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from statements.services.annotation_queue import articles_requeue_stale


class Command(BaseCommand):
    help = (
        "Put articles stuck in `annotating` (their worker died) back in the annotation queue. "
        "Run it when workers start, and every few minutes beside them (--every)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=10.0,
            metavar="MINUTES",
            help="how long an annotation may run before it counts as abandoned (default 10)",
        )
        parser.add_argument(
            "--every",
            type=float,
            default=0.0,
            metavar="SECONDS",
            help="keep running and check again every SECONDS (default: check once and exit)",
        )

    def handle(self, *args, older_than: float, every: float, **options):
        if older_than < 0 or every < 0:
            raise CommandError("--older-than and --every take positive numbers.")
        while True:
            count = articles_requeue_stale(older_than=dt.timedelta(minutes=older_than))
            if count or options["verbosity"] > 1:
                self.stdout.write(f"{count} stale article(s) queued again for annotation")
            if not every:
                return
            time.sleep(every)
            close_old_connections()  # as between requests: drop a connection gone stale
