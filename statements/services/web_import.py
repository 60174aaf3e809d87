"""Importing articles by URL: staff paste addresses, feeds find them, the worker fetches.

A request becomes a UrlImport row (queued) and a task; the task fetches the page
(statements/fetching.py), extracts the article (statements/webpages.py) and stores it
like an upload, annotation queued, all in one transaction: an import is either stored,
named as already stored (same URL, canonical URL or content), or failed with the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from statements.fetching import HTML_TYPES, FetchError, fetch
from statements.models import Article, Feed, UrlImport
from statements.services.annotation_queue import articles_enqueue
from statements.services.ingest import article_ingest
from statements.textio import ArticleText, BadArticle
from statements.webpages import WebArticle, extract_article


@dataclass(frozen=True, slots=True)
class FetchedPage:
    article: WebArticle
    url: str  # after redirects

    @property
    def stored_url(self) -> str:
        return self.article.canonical_url or self.url


def web_article_fetch(*, url: str) -> FetchedPage:
    """Fetch and extract one article page; FetchError or BadArticle say why not."""
    result = fetch(url, accept=HTML_TYPES)
    article = extract_article(content=result.content, url=result.url, charset=result.charset)
    return FetchedPage(article=article, url=result.url)


def is_web_address(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def article_with_url(*urls: str) -> Article | None:
    """A stored article whose URL is one of `urls` (the address asked for, the one
    redirected to, the page's canonical URL)."""
    wanted = {u for u in urls if u}
    return Article.objects.filter(url__in=wanted).order_by("pk").first() if wanted else None


@dataclass(frozen=True, slots=True)
class WebStoreResult:
    article: Article
    created: bool


def web_article_store(
    *, page: FetchedPage, requested_url: str, user=None, enqueue: bool = True
) -> WebStoreResult:
    """Store a fetched article unless one with the same URL or content is stored; with
    `enqueue`, its annotation is queued in the same transaction."""
    existing = article_with_url(requested_url, page.url, page.article.canonical_url)
    if existing:
        return WebStoreResult(existing, created=False)
    web = page.article
    text = ArticleText(title=web.title, body=web.body, published=web.published)
    with transaction.atomic():
        result = article_ingest(
            text=text,
            source_name=web.site_name,
            url=page.stored_url,
            published=web.published,
            uploaded_by=user,
            byline=web.author,
        )
        if result.created and enqueue:
            articles_enqueue(articles=[result.article])
    return WebStoreResult(result.article, created=result.created)


def url_imports_request(*, urls: list[str], user) -> list[UrlImport]:
    """Queue the import of each URL (one task each). A URL already stored as an article is
    recorded as such at once, with no fetch."""
    from statements.tasks import import_url_task

    imports = []
    with transaction.atomic():
        for url in dict.fromkeys(urls):
            existing = article_with_url(url)
            if existing:
                imports.append(
                    UrlImport.objects.create(
                        url=url,
                        status=UrlImport.Status.DUPLICATE,
                        article=existing,
                        requested_by=user,
                    )
                )
                continue
            item = UrlImport.objects.create(url=url, requested_by=user)
            import_url_task.enqueue(item.pk)
            imports.append(item)
    return imports


STALE_FETCH = dt.timedelta(minutes=10)


class ImportOutcome:
    STORED = "stored"
    DUPLICATE = "duplicate"
    FAILED = "failed"
    SKIPPED = "skipped"


def url_import_run(*, import_id: int) -> str:
    """Fetch, extract and store one queued import (the task's work); safe to run twice:
    the import is claimed with a conditional UPDATE, so a second run finds nothing to do."""
    now = timezone.now()
    claimable = Q(status__in=[UrlImport.Status.QUEUED, UrlImport.Status.FAILED]) | Q(
        # A worker that died while fetching left it so; a fetch never takes this long.
        status=UrlImport.Status.FETCHING,
        updated_at__lt=now - STALE_FETCH,
    )
    claimed = UrlImport.objects.filter(claimable, pk=import_id).update(
        status=UrlImport.Status.FETCHING, error="", updated_at=now
    )
    if not claimed:
        return ImportOutcome.SKIPPED
    item = UrlImport.objects.select_related("requested_by").get(pk=import_id)
    try:
        page = web_article_fetch(url=item.url)
    except (FetchError, BadArticle) as exc:
        return _import_failed(item, str(exc))
    try:
        with transaction.atomic():
            result = web_article_store(page=page, requested_url=item.url, user=item.requested_by)
            item.article = result.article
            item.status = UrlImport.Status.STORED if result.created else UrlImport.Status.DUPLICATE
            item.save(update_fields=["article", "status", "updated_at"])
            if result.created and item.feed_id:
                Feed.objects.filter(pk=item.feed_id).update(articles_found=F("articles_found") + 1)
    except Exception as exc:  # noqa: BLE001 - stored on the import; nothing else was kept
        return _import_failed(item, f"could not store the article: {type(exc).__name__}: {exc}")
    return ImportOutcome.STORED if result.created else ImportOutcome.DUPLICATE


def _import_failed(item: UrlImport, reason: str) -> str:
    UrlImport.objects.filter(pk=item.pk).update(
        status=UrlImport.Status.FAILED, error=reason[:5000], updated_at=timezone.now()
    )
    return ImportOutcome.FAILED


def url_imports_recent(*, user=None, limit: int = 20):
    """Recent imports for the upload page, with their articles' status."""
    recent = UrlImport.objects.select_related("article", "feed")
    if user is not None:
        recent = recent.filter(Q(requested_by=user) | Q(feed__isnull=False))
    return recent.order_by("-created_at", "-pk")[:limit]
