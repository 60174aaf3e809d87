"""python manage.py feeds add|list|poll : the RSS and Atom feeds Newsroom follows."""

from __future__ import annotations

import sys
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from statements.models import Feed
from statements.services.feeds import feed_add, feeds_poll_due, feeds_poll_queue
from statements.services.web_import import ImportOutcome, url_import_run


class Command(BaseCommand):
    help = "Add, list and poll the feeds whose new entries are imported as articles."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="follow a feed")
        add.add_argument("url")
        add.add_argument("--name", default="")
        add.add_argument("--every", type=int, default=30, metavar="MINUTES")
        sub.add_parser("list", help="one line per feed: URL, last polled, last error, articles")
        poll = sub.add_parser(
            "poll",
            help="poll the due feeds now and wait for their new articles to be stored; "
            "with --every, queue a poll for the task workers every SECONDS instead",
        )
        poll.add_argument("--all", action="store_true", help="every active feed, due or not")
        poll.add_argument("--every", type=int, metavar="SECONDS", default=0)

    def handle(self, *args, action: str, **options):
        self.verbosity = options["verbosity"]
        if action == "add":
            return self.add(options["url"], options["name"], options["every"])
        if action == "list":
            return self.list()
        if options["every"]:
            return self.schedule(options["every"])
        return self.poll(everything=options["all"])

    def add(self, url: str, name: str, every: int) -> None:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as exc:
            raise CommandError(f"Not a web address: {url}") from exc
        if every < 1:
            raise CommandError("--every must be at least 1 minute.")
        feed, created = feed_add(url=url, name=name, every=every)
        verb = "Added" if created else "Updated"
        self.stdout.write(f"{verb} feed {feed.pk}: {feed} (every {feed.poll_every} min)")

    def list(self) -> None:
        feeds = Feed.objects.order_by("pk")
        if not feeds:
            self.stdout.write("No feeds. Add one with: manage.py feeds add URL")
            return
        for feed in feeds:
            polled = (
                timezone.localtime(feed.last_polled_at).strftime("%Y-%m-%d %H:%M")
                if feed.last_polled_at
                else "never polled"
            )
            state = "" if feed.active else " [inactive]"
            error = f"error: {feed.last_error}" if feed.last_error else "ok"
            self.stdout.write(
                f"{feed.url}\t{polled}\t{error}\t{feed.articles_found} articles{state}"
            )

    def poll(self, *, everything: bool) -> None:
        polls = feeds_poll_due(everything=everything, enqueue=False)
        if not polls:
            self.stdout.write("No feed is due." if not everything else "No active feed.")
            return
        failed = 0
        for poll in polls:
            counts = {outcome: 0 for outcome in ("stored", "duplicate", "failed")}
            for item in poll.imports:
                outcome = url_import_run(import_id=item.pk)
                if outcome != ImportOutcome.SKIPPED:
                    counts[outcome] += 1
                if outcome == ImportOutcome.FAILED and self.verbosity > 1:
                    item.refresh_from_db()
                    self.stderr.write(f"  {item.url}: {item.error}")
            if poll.error:
                failed += 1
                self.stderr.write(self.style.ERROR(f"{poll.feed.url}: {poll.error}"))
            elif poll.not_modified:
                self.stdout.write(f"{poll.feed.url}: not modified")
            else:
                self.stdout.write(
                    f"{poll.feed.url}: {len(poll.imports)} new entries, {counts['stored']} "
                    f"stored, {counts['duplicate']} already stored, {counts['failed']} failed"
                )
        if failed:
            sys.exit(1)

    def schedule(self, every: int) -> None:
        """Queue a poll of the due feeds every `every` seconds, for `db_worker` to run.

        The clock only: fetching happens in the task workers, and a poll already waiting in
        the queue is not queued again, so a busy or stopped worker does not pile them up."""
        self.stdout.write(f"Queueing a feed poll every {every} s for the task workers")
        try:
            while True:
                close_old_connections()
                try:
                    feeds_poll_queue()
                except DatabaseError as exc:  # the database restarting: try next round
                    self.stderr.write(f"feed poll not queued: {exc}")
                time.sleep(every)
        except KeyboardInterrupt:
            pass
