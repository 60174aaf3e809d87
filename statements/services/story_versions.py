"""Linking a newly stored article to the first version of the same story, if any.

A wire story re-sent with a word changed has another content hash, so it is stored; it is
then marked `duplicate_of` the version stored first, and lists, facets and exports count
its statements once (QuoteQuerySet.visible). The first version stays the canonical one so
that links and counts already shared do not move.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import Count

from statements import neardup
from statements.models import Article, ArticleSketch

# Candidates compared in full at most; those sharing the most sketch hashes come first.
MAX_CANDIDATES = 20
# Shingle sets kept by a run that stores many articles (about 7 KB for a 900-word text).
REMEMBERED_TEXTS = 1024

_remembered: ContextVar[neardup.ShingleCache | None] = ContextVar("shingles", default=None)


@contextmanager
def shingles_remembered(*, size: int = REMEMBERED_TEXTS) -> Iterator[None]:
    """Within the block, the shingle sets of the articles linked are kept, so that a later
    article compared with them does not re-read and re-shingle their bodies. For one run
    over one database: the sets are found again by content hash."""
    token = _remembered.set(neardup.ShingleCache(size))
    try:
        yield
    finally:
        _remembered.reset(token)


def article_version_link(*, article: Article) -> Article | None:
    """Store the article's sketch and link it to the stored story it is a version of
    (shingle Jaccard >= 0.9 with the earliest such article); returns that story or None.
    Runs in the caller's transaction, so the article and its link are stored together."""
    cache = _remembered.get() or neardup.ShingleCache(0)
    hashes = neardup.shingles(article.body)
    cache.put(article.content_hash, hashes)
    values = neardup.sketch(hashes)
    ArticleSketch.objects.bulk_create(
        [ArticleSketch(article=article, value=v) for v in values], ignore_conflicts=True
    )
    if not values:
        return None
    # with each candidate's hash and link: a column of the article is one per group
    candidates = (
        ArticleSketch.objects.filter(value__in=values)
        .exclude(article=article)
        .values_list("article", "article__content_hash", "article__duplicate_of_id")
        .annotate(shared=Count("pk"))
        .order_by("-shared", "article")[:MAX_CANDIDATES]
    )
    rows = sorted(row[:3] for row in candidates)  # the earliest stored first
    known = {pk: cache.get(digest) for pk, digest, _ in rows}
    unknown = [pk for pk, found in known.items() if found is None]
    bodies = (
        dict(Article.objects.filter(pk__in=unknown).values_list("pk", "body")) if unknown else {}
    )
    for pk, digest, duplicate_of_id in rows:
        other = known[pk]
        if other is None:
            other = cache.put(digest, neardup.shingles(bodies[pk]))
        if neardup.overlap(hashes, other) >= neardup.SIMILARITY:
            canonical_id = duplicate_of_id or pk
            Article.objects.filter(pk=article.pk).update(duplicate_of_id=canonical_id)
            article.duplicate_of_id = canonical_id
            return Article.objects.get(pk=canonical_id)
    return None
