"""python manage.py requeue_stale : queue again the articles whose worker stopped; as the
watcher (--every), also tally the words that became frequent every WORDS_EVERY seconds."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, close_old_connections, connections

from statements import tallies
from statements.services.annotation_queue import articles_requeue_stuck

MAX_PAUSE = 10.0  # seconds: a database back is noticed within this
WORDS_EVERY = 600.0  # seconds; statistics behind it change with autovacuum's ANALYZE


class Command(BaseCommand):
    help = (
        "Put articles whose worker stopped (their lease ran out) back in the annotation "
        "queue. Workers (`manage.py work`) do this themselves; run it with --every beside "
        "them as a watcher that keeps working when no worker is alive."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            default=0.0,
            metavar="SECONDS",
            help="keep running and check again every SECONDS (default: check once and exit)",
        )

    def handle(self, *args, every: float, **options):
        if every < 0:
            raise CommandError("--every takes a positive number.")
        pause = 1.0
        words_due = time.monotonic()
        while True:
            try:
                count = articles_requeue_stuck()
                if every and time.monotonic() >= words_due:
                    words = tallies.refresh_words()
                    words_due = time.monotonic() + WORDS_EVERY
                    if words:
                        self.stdout.write(f"{len(words)} frequent word(s) now tallied")
            except (OperationalError, InterfaceError) as exc:
                if not every:
                    raise
                # The database is away: wait longer each time, never give up.
                self.stderr.write(f"Database error ({exc}); trying again in {pause:.0f} s")
                connections.close_all()
                time.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)
                continue
            pause = 1.0
            if count or options["verbosity"] > 1:
                self.stdout.write(f"{count} stale article(s) queued again for annotation")
            if not every:
                return
            time.sleep(every)
            close_old_connections()  # as between requests: drop a connection gone stale
