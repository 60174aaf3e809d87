"""A cache for expensive aggregate reads (facet counts of filtered lists), invalidated by
any write.

The key carries the database's own data version (statements/tallies.py: bumped by
triggers in the transaction of every write, whoever writes), so a write in any process
invalidates at once in every process, bulk writes included. What follows is the older,
cache-side version, kept as a second bound.

Facet counts group every matching statement: at 100,000 statements the five facets of
the unfiltered list cost ~1 s on SQLite and ~150 ms on PostgreSQL, for numbers that only
change when articles are annotated or staff edit something. They are cached per query
under a *data version* that each write bumps (annotation saves explicitly, since bulk
writes send no signals; model saves, deletes and m2m changes through signals), with a
short timeout as the bound for writes that bypass both (QuerySet.update()).

With the default per-process LocMemCache, a bump in one process (a task worker) reaches
the others (web workers) only through the timeout; configure a shared cache (CACHES,
e.g. the database or Redis backend) to make invalidation immediate everywhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache

from statements import tallies

VERSION_KEY = "newsroom:data-version"
TIMEOUT = 60  # seconds: the staleness bound for writes that send no signal


def data_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_data_version(**_kwargs) -> None:
    """Something users see has changed: every cached aggregate is stale."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted): start a new version
        cache.set(VERSION_KEY, 2, timeout=None)


def cached[T](key: str, compute: Callable[[], T], *, timeout: int = TIMEOUT) -> T:
    """compute(), cached under `key` for the current data version."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    # The database's data version (kept by triggers) first: exact in every process.
    key = f"newsroom:agg:{tallies.data_version()}:{digest}"
    return cache.get_or_set(key, compute, timeout, version=data_version())


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from statements.models import Article, Country, Quote, Speaker, SpeakerAlias, Topic

    for model in (Article, Country, Quote, Speaker, SpeakerAlias, Topic):
        post_save.connect(bump_data_version, sender=model, dispatch_uid=f"bump-{model.__name__}")
        post_delete.connect(
            bump_data_version, sender=model, dispatch_uid=f"bump-del-{model.__name__}"
        )
    for through in (Quote.countries.through, Quote.topics.through):
        m2m_changed.connect(bump_data_version, sender=through, dispatch_uid=f"bump-{through}")
