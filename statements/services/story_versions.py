"""Linking a newly stored article to the first version of the same story, if any.

A wire story re-sent with a word changed has another content hash, so it is stored; it is
then marked `duplicate_of` the version stored first, and lists, facets and exports count
its statements once (QuoteQuerySet.visible). The first version stays the canonical one so
that links and counts already shared do not move.
"""

from __future__ import annotations

from django.db.models import Count

from statements import neardup
from statements.models import Article, ArticleSketch

# Candidates compared in full at most; those sharing the most sketch hashes come first.
MAX_CANDIDATES = 20


def article_version_link(*, article: Article) -> Article | None:
    """Store the article's sketch and link it to the stored story it is a version of
    (shingle Jaccard >= 0.9 with the earliest such article); returns that story or None.
    Runs in the caller's transaction, so the article and its link are stored together."""
    hashes = neardup.shingles(article.body)
    values = neardup.sketch(hashes)
    ArticleSketch.objects.bulk_create(
        [ArticleSketch(article=article, value=v) for v in values], ignore_conflicts=True
    )
    if not values:
        return None
    candidates = (
        ArticleSketch.objects.filter(value__in=values)
        .exclude(article=article)
        .values("article")
        .annotate(shared=Count("pk"))
        .order_by("-shared", "article")[:MAX_CANDIDATES]
    )
    ids = [row["article"] for row in candidates]
    if not ids:
        return None
    for other in Article.objects.filter(pk__in=ids).order_by("pk").only("pk", "body"):
        if neardup.jaccard(hashes, neardup.shingles(other.body)) >= neardup.SIMILARITY:
            first = Article.objects.only("pk", "duplicate_of").get(pk=other.pk)
            canonical_id = first.duplicate_of_id or first.pk
            Article.objects.filter(pk=article.pk).update(duplicate_of_id=canonical_id)
            article.duplicate_of_id = canonical_id
            return Article.objects.get(pk=canonical_id)
    return None
