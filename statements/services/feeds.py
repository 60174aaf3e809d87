"""Polling RSS and Atom feeds: conditional GET, new entries imported by URL, back-off.

A feed is claimed before it is polled (a conditional UPDATE moves its next poll time), so
two workers never poll it at once. Each entry is imported once: its id is recorded with
the import, unique per feed. A feed that fails waits twice as long after each failure in a
row (up to a day), and shows the error in the admin; one good poll resets it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from statements.fetching import FEED_TYPES, FetchError, fetch
from statements.models import Feed, UrlImport

MAX_BACKOFF = dt.timedelta(days=1)
MAX_ENTRIES_PER_POLL = 200


@dataclass(slots=True)
class FeedPoll:
    feed: Feed
    not_modified: bool = False
    error: str = ""
    imports: list[UrlImport] = field(default_factory=list)


def feed_add(*, url: str, name: str = "", every: int = 30) -> tuple[Feed, bool]:
    """Add a feed (or update the name and interval of the one with this URL); it is due
    at once."""
    feed, created = Feed.objects.get_or_create(
        url=url, defaults={"name": name, "poll_every": every}
    )
    if not created:
        feed.name = name or feed.name
        feed.poll_every = every
        feed.active = True
        feed.save(update_fields=["name", "poll_every", "active"])
    return feed, created


def backoff_delay(*, every_minutes: int, failures: int) -> dt.timedelta:
    """How long to wait after `failures` failed polls in a row (0: the usual interval)."""
    minutes = every_minutes * (2 ** min(failures, 16))
    return min(dt.timedelta(minutes=minutes), max(MAX_BACKOFF, dt.timedelta(minutes=every_minutes)))


def feeds_poll_queue() -> bool:
    """Queue a poll of the due feeds for the task workers, unless one is already waiting
    or no feed is due; True when one was queued. The clock (`feeds poll --every`) calls
    this, so a busy or stopped worker does not find a pile of polls when it comes back."""
    from django_tasks_db.models import DBTaskResult

    from statements.tasks import feeds_poll_task

    if not Feed.objects.due().exists():
        return False
    waiting = DBTaskResult.objects.filter(task_path=feeds_poll_task.module_path, status="READY")
    if waiting.exists():
        return False
    feeds_poll_task.enqueue()
    return True


def feed_claim(*, feed: Feed, now: dt.datetime, force: bool = False) -> bool:
    """Take the feed for one poll by moving its next poll time; False when another worker
    took it first or it is not due."""
    claimable = Feed.objects.filter(pk=feed.pk, active=True)
    if not force:
        claimable = claimable.due(now)
    # Until the poll ends, the feed is not due for anyone else (a poll that dies leaves it
    # to be polled again after one interval).
    later = now + dt.timedelta(minutes=feed.poll_every)
    return bool(claimable.update(next_poll_at=later))


def feeds_poll_due(*, everything: bool = False, enqueue: bool = True) -> list[FeedPoll]:
    """Poll every due feed (every active feed with `everything`) and queue the imports of
    their new entries (with `enqueue`; otherwise the caller runs them)."""
    now = timezone.now()
    feeds = Feed.objects.filter(active=True) if everything else Feed.objects.due(now)
    polls = []
    for feed in feeds.order_by("pk"):
        if feed_claim(feed=feed, now=now, force=everything):
            polls.append(feed_poll(feed=feed, enqueue=enqueue))
    return polls


def feed_poll(*, feed: Feed, enqueue: bool = True) -> FeedPoll:
    """Fetch a claimed feed with a conditional GET and record its new entries."""
    import feedparser

    poll = FeedPoll(feed=feed)
    try:
        result = fetch(
            feed.url, accept=FEED_TYPES, etag=feed.etag, last_modified=feed.last_modified
        )
        if result.not_modified:
            poll.not_modified = True
            _poll_done(feed, etag=feed.etag, last_modified=feed.last_modified)
            return poll
        parsed = feedparser.parse(
            result.content,
            response_headers={
                "content-type": result.headers.get("content-type", ""),
                "content-location": result.url,
            },
        )
        if not parsed.version and not parsed.entries:
            reason = getattr(parsed, "bozo_exception", "") or "no feed elements"
            raise FetchError(f"not an RSS or Atom feed ({reason})")
        entries = _entries(parsed)
    except FetchError as exc:
        poll.error = str(exc)
        _poll_failed(feed, poll.error)
        return poll
    with transaction.atomic():
        poll.imports = _record_entries(feed, entries, enqueue=enqueue)
        _poll_done(
            feed,
            etag=result.headers.get("etag", ""),
            last_modified=result.headers.get("last-modified", ""),
        )
    return poll


def _entries(parsed) -> list[tuple[str, str]]:
    """(entry id, link) of each entry with a web link, oldest first, at most a few hundred."""
    found = []
    for entry in parsed.entries[:MAX_ENTRIES_PER_POLL]:
        link = (entry.get("link") or "").strip()
        if not link.startswith(("http://", "https://")):
            continue
        entry_id = (entry.get("id") or link).strip()[:1000]
        found.append((entry_id, link[:1000]))
    return list(reversed(found))


def _record_entries(feed: Feed, entries: list[tuple[str, str]], *, enqueue: bool):
    from statements.tasks import import_url_task

    ids = [entry_id for entry_id, _ in entries]
    seen = set(
        UrlImport.objects.filter(feed=feed, entry_id__in=ids).values_list("entry_id", flat=True)
    )
    new = [
        UrlImport(url=link, feed=feed, entry_id=entry_id)
        for entry_id, link in dict(entries).items()
        if entry_id not in seen
    ]
    UrlImport.objects.bulk_create(new, ignore_conflicts=True)
    created = list(
        UrlImport.objects.filter(
            feed=feed, entry_id__in=[i.entry_id for i in new], status=UrlImport.Status.QUEUED
        ).order_by("pk")
    )
    if enqueue:
        for item in created:
            import_url_task.enqueue(item.pk)
    return created


def _poll_done(feed: Feed, *, etag: str, last_modified: str) -> None:
    now = timezone.now()
    feed.last_polled_at = now
    feed.next_poll_at = now + dt.timedelta(minutes=feed.poll_every)
    feed.failures = 0
    feed.last_error = ""
    feed.etag = etag[:300]
    feed.last_modified = last_modified[:100]
    feed.save(
        update_fields=[
            "last_polled_at",
            "next_poll_at",
            "failures",
            "last_error",
            "etag",
            "last_modified",
        ]
    )


def _poll_failed(feed: Feed, error: str) -> None:
    now = timezone.now()
    feed.failures += 1
    feed.last_polled_at = now
    feed.last_error = error[:5000]
    feed.next_poll_at = now + backoff_delay(every_minutes=feed.poll_every, failures=feed.failures)
    feed.save(update_fields=["failures", "last_polled_at", "last_error", "next_poll_at"])
