"""Plain functions that build articles, speakers and statements for tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

from django.utils.text import slugify

from statements.models import Article, Organisation, Quote, Speaker, SpeakerAlias, Topic
from statements.nlp.names import fold

_counter = itertools.count(1)


def make_article(
    *,
    title: str = "",
    body: str = "",
    published: dt.date | None = dt.date(2024, 3, 1),
    status: str = Article.Status.ANNOTATED,
    **fields,
) -> Article:
    n = next(_counter)
    title = title or f"Article {n}"
    body = body or f"{title}\n\nThe minister said the talks went well. Number {n}."
    digest = hashlib.sha256(f"{body}\x00{n}".encode()).hexdigest()
    return Article.objects.create(
        title=title, body=body, published=published, status=status, content_hash=digest, **fields
    )


def make_speaker(
    name: str = "",
    *,
    country: str | None = None,
    role: str = "",
    aliases: tuple[str, ...] = (),
    organisation: str = "",
    slug: str = "",
) -> Speaker:
    name = name or f"Speaker {next(_counter)}"
    speaker = Speaker.objects.create(
        name=name,
        slug=slug or slugify(fold(name)),
        role=role,
        country_id=country,
        organisation=Organisation.objects.get_or_create(name=organisation)[0]
        if organisation
        else None,
        search_name=fold(name),
    )
    for alias in aliases:
        SpeakerAlias.objects.create(speaker=speaker, name=alias, search_name=fold(alias))
    return speaker


def make_topic(slug: str, name: str = "") -> Topic:
    topic, _ = Topic.objects.get_or_create(slug=slug, defaults={"name": name or slug.title()})
    return topic


def make_quote(
    *,
    text: str = "",
    article: Article | None = None,
    speaker: Speaker | None = None,
    kind: str = Quote.Kind.DIRECT,
    countries: tuple[str, ...] = (),
    topics: tuple[str, ...] = (),
    cue: str = "said",
    published: dt.date | None = dt.date(2024, 3, 1),
    **fields,
) -> Quote:
    """A statement whose text really is at its offsets in its article's body."""
    text = text or f"Statement number {next(_counter)} about the talks."
    if article is None:
        body = f"Headline\n\n“{text}” the minister {cue}."
        article = make_article(body=body, published=published)
    start = article.body.find(text)
    if start < 0:
        start = len(article.body)
        article.body += f"\n\n“{text}” {cue}."
        article.save(update_fields=["body"])
        start += 3
    end = start + len(text)
    cue_start = article.body.find(cue, end) if cue else -1
    quote = Quote.objects.create(
        article=article,
        speaker=speaker,
        text=text,
        kind=kind,
        start=start,
        end=end,
        cue_text=cue,
        cue_start=cue_start if cue_start >= 0 else None,
        cue_end=cue_start + len(cue) if cue_start >= 0 else None,
        position=article.quotes.count(),
        **fields,
    )
    if countries:
        quote.countries.add(*countries)
    for slug in topics:
        quote.topics.add(make_topic(slug))
    return quote
