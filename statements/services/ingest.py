"""Storing articles: each text once, by content, from files or from staff uploads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.admin.models import ADDITION
from django.db import IntegrityError, transaction

from statements.article_head import split_head
from statements.models import Article
from statements.services.annotation_queue import articles_enqueue
from statements.services.audit import audit_log
from statements.services.story_versions import article_version_link
from statements.textio import ArticleText, content_hash


@dataclass(frozen=True, slots=True)
class IngestResult:
    article: Article
    created: bool


def article_ingest(
    *,
    text: ArticleText,
    source_name: str = "",
    url: str = "",
    published: dt.date | None = None,
    uploaded_by=None,
    byline: str = "",
) -> IngestResult:
    """Store an article as pending unless the same content is already stored.

    What the caller gives wins over what the file's front matter says. A headline repeated
    at the top of the text, a byline and a dateline are kept apart from the body (before
    storing: statement offsets point into the stored body), and a near-copy of a stored
    story is linked to it as a later version."""
    head = split_head(title=text.title, body=text.body)
    digest = content_hash(head.body)
    existing = Article.objects.filter(content_hash=digest).first()
    if existing:
        return IngestResult(existing, created=False)
    try:
        with transaction.atomic():
            article = Article.objects.create(
                title=text.title,
                body=head.body,
                byline=(head.byline or byline)[:300],
                dateline=head.dateline[:200],
                source_name=source_name or text.source_name,
                url=url or text.url,
                published=published or text.published,
                content_hash=digest,
                uploaded_by=uploaded_by,
            )
            article_version_link(article=article)
    except IntegrityError:
        # Another process stored the same content between our check and insert.
        return IngestResult(Article.objects.get(content_hash=digest), created=False)
    return IngestResult(article, created=True)


@transaction.atomic
def article_upload(
    *,
    text: ArticleText,
    user,
    source_name: str = "",
    url: str = "",
    published: dt.date | None = None,
    via: str = "upload page",
) -> IngestResult:
    """Store an uploaded article as pending and queue its annotation.

    A duplicate (same content) is not stored again: the stored article is returned with
    `created=False` and nothing is queued. The article, its audit entry and (with the
    database task backend) its queued task are committed together: no article is left
    pending without a task to annotate it.
    """
    result = article_ingest(
        text=text, source_name=source_name, url=url, published=published, uploaded_by=user
    )
    if result.created:
        audit_log(
            user=user,
            objects=[result.article],
            action_flag=ADDITION,
            message=f"Uploaded via the {via}; annotation queued.",
        )
        articles_enqueue(articles=[result.article])
    return result
